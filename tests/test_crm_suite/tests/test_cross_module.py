from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestCrossModule(AccountTestInvoicingCommon):
    """The add-ons read each other's data where both are installed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += (
            cls.env.ref("crm_loyalty.group_crm_loyalty_manager")
            + cls.env.ref("crm_kpi.group_crm_kpi_manager")
            + cls.env.ref("sales_team.group_sale_manager")
        )
        cls.company = cls.company_data["company"]
        Tier = cls.env["crm.loyalty.tier"]
        cls.silver = Tier.create({"name": "Silver", "min_amount": 1000})
        cls.gold = Tier.create({"name": "Gold", "min_amount": 5000})
        Partner = cls.env["res.partner"]
        cls.big, cls.small = Partner.create([{"name": "Big"}, {"name": "Small"}])
        # posted on its day: the customer holds its tier from June on
        with freeze_time("2026-06-10"):
            for partner, amount in ((cls.big, 6000), (cls.small, 1200)):
                move = cls.env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": "2026-06-10",
                        "invoice_line_ids": [
                            Command.create(
                                {"name": "Work", "price_unit": amount, "tax_ids": []}
                            )
                        ],
                    }
                )
                move.action_post()

    def test_kpi_segments_by_loyalty_tier(self):
        self.assertEqual(self.big.loyalty_tier_id, self.gold)
        self.env["crm.kpi.snapshot"].compute_snapshots("2026-06-01", "2026-06-30")
        revenue = self.env["crm.kpi.snapshot"].search(
            [
                ("kpi_code", "=", "revenue"),
                ("segment_type", "=", "tier"),
                ("date_from", "=", "2026-06-01"),
            ]
        )
        by_tier = {s.segment_value: s.value for s in revenue}
        self.assertEqual(by_tier[str(self.gold.id)], 6000)
        self.assertEqual(by_tier[str(self.silver.id)], 1200)
        self.assertEqual(
            revenue.filtered(
                lambda s: s.segment_value == str(self.gold.id)
            ).segment_label,
            "Gold",
        )

    def test_tier_on_the_360_screen(self):
        data = self.big.customer_360_data()
        self.assertEqual(data["loyalty"]["tier"], "Gold")
        self.assertAlmostEqual(data["summary"]["revenue_total"], 6000)
