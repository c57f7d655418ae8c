from datetime import datetime

# pandas (under statsmodels) crashes when its C extensions are first
# imported while freezegun replaces datetime: import it before any test
import statsmodels.api  # noqa: F401

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class KpiCase(AccountTestInvoicingCommon):
    """A hand-built history; today is 2026-07-15 in the tests that use it.

    A (a company, with a contact): 2025-03-10 100, 2026-03-05 200 (by the
    contact), 2026-06-10 300. B: 2025-06-01 1,000 and a credit note of 400 on
    2025-06-20. C: 2026-06-15 50 and 2026-06-30 500. No payment.
    Claims: A, dated 2026-05-20, closed 2026-06-04 (15 days); A, dated
    2026-06-12, closed 2026-06-13 (1 day).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref(
            "crm_kpi.group_crm_kpi_manager"
        ) + cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.company.write({"crm_kpi_window_months": 12, "crm_kpi_baseline_months": 12})
        Partner = cls.env["res.partner"]
        cls.spain, cls.france = cls.env.ref("base.es"), cls.env.ref("base.fr")
        cls.a = Partner.create(
            {"name": "A Corp", "is_company": True, "country_id": cls.spain.id}
        )
        cls.a_contact = Partner.create({"name": "A Buyer", "parent_id": cls.a.id})
        cls.b = Partner.create(
            {"name": "B Ltd", "is_company": True, "country_id": cls.spain.id}
        )
        cls.c = Partner.create({"name": "C Shop", "country_id": cls.france.id})
        for partner, day, amount, move_type in (
            (cls.a, "2025-03-10", 100, "out_invoice"),
            (cls.b, "2025-06-01", 1000, "out_invoice"),
            (cls.b, "2025-06-20", 400, "out_refund"),
            (cls.a_contact, "2026-03-05", 200, "out_invoice"),
            (cls.a, "2026-06-10", 300, "out_invoice"),
            (cls.c, "2026-06-15", 50, "out_invoice"),
            (cls.c, "2026-06-30", 500, "out_invoice"),
        ):
            cls.invoice(partner, day, amount, move_type)
        settled = cls.env.ref("crm_claim.stage_claim2")
        for day, closed in (
            (datetime(2026, 5, 20, 9), datetime(2026, 6, 4, 9)),
            (datetime(2026, 6, 12, 9), datetime(2026, 6, 13, 9)),
        ):
            claim = cls.env["crm.claim"].create(
                {"name": "Late delivery", "partner_id": cls.a.id, "date": day}
            )
            claim.stage_id = settled
            claim.date_closed = closed

    @classmethod
    def invoice(cls, partner, day, amount, move_type="out_invoice", company=None):
        move = (
            cls.env["account.move"]
            .with_company(company or cls.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def snapshot(self, code, month, segment_type="all", segment_value="all"):
        return self.env["crm.kpi.snapshot"].search(
            [
                ("company_id", "=", self.company.id),
                ("kpi_code", "=", code),
                ("date_from", "=", month),
                ("segment_type", "=", segment_type),
                ("segment_value", "=", segment_value),
            ]
        )
