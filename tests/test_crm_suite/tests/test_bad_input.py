from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestThirdCurrency(AccountTestInvoicingCommon):
    """An invoice in a currency that is neither company's counts, in every
    add-on, at the rate it was booked at, in the company's currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += (
            cls.env.ref("crm_loyalty.group_crm_loyalty_manager")
            + cls.env.ref("crm_kpi.group_crm_kpi_manager")
            + cls.env.ref("sales_team.group_sale_manager")
        )
        cls.company = cls.company_data["company"]
        cls.other_company = cls.setup_other_company(name="Third Currency Other")[
            "company"
        ]
        # 4 francs per unit of the company's currency, from before the invoice
        cls.franc = cls.setup_other_currency("CHF", rates=[("2020-01-01", 4.0)])
        Tier = cls.env["crm.loyalty.tier"]
        cls.silver = Tier.create({"name": "Silver", "min_amount": 1000})
        cls.gold = Tier.create({"name": "Gold", "min_amount": 5000})
        cls.customer = cls.env["res.partner"].create({"name": "Franc Payer"})
        # posted on its day: the customer holds its tier from June on
        with freeze_time("2026-06-10"):
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer.id,
                    "currency_id": cls.franc.id,
                    "invoice_date": "2026-06-10",
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Work", "price_unit": 8000, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()

    def test_counted_in_company_currency_everywhere(self):
        self.assertNotIn(
            self.franc, self.company.currency_id | self.other_company.currency_id
        )
        # 8,000 francs booked at 4 per unit: 2,000, not 8,000 (which is gold)
        self.assertAlmostEqual(self.customer.loyalty_amount, 2000)
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        Snapshot = self.env["crm.kpi.snapshot"]
        Snapshot.compute_snapshots("2026-06-01", "2026-06-30")
        revenue = Snapshot.search(
            [
                ("company_id", "=", self.company.id),
                ("kpi_code", "=", "revenue"),
                ("segment_type", "=", "all"),
                ("date_from", "=", "2026-06-01"),
            ]
        )
        self.assertAlmostEqual(revenue.value, 2000)
        data = self.customer.customer_360_data()
        self.assertAlmostEqual(data["summary"]["revenue_total"], 2000)
        self.assertEqual(data["currency"], self.company.currency_id.name)
        # nothing in the other company
        other = self.customer.with_company(self.other_company)
        self.assertFalse(other.loyalty_amount)
        self.assertFalse(other.loyalty_tier_id)

    def test_archived_tier_keeps_its_kpi_segment(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        Snapshot.compute_snapshots("2026-06-01", "2026-06-30")
        self.silver.action_archive()
        segment = Snapshot.search(
            [
                ("company_id", "=", self.company.id),
                ("kpi_code", "=", "revenue"),
                ("segment_type", "=", "tier"),
                ("segment_value", "=", str(self.silver.id)),
            ]
        )
        self.assertEqual(segment.segment_label, "Silver")
        self.assertAlmostEqual(segment.value, 2000)
        self.assertEqual(self.customer.customer_360_data()["loyalty"]["tier"], "Silver")
