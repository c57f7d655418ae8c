"""The comparison, a worsened KPI shown red (colours follow the KPI's
direction), the months behind its after mean, Details, and the list with
the same count."""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# active customers each month: six months before go-live, six after
BEFORE = (6, 7, 6, 7, 6, 7)
AFTER = (2, 3, 2, 3, 2, 3)


@tagged("post_install", "-at_install")
class TestKpiWorsenedTour(AccountTestInvoicingCommon, HttpCase):
    def test_worsened_kpi_opens_its_customers(self):
        """Go-live six months ago, no transition: the customers invoiced
        each month fall from 6-7 to 2-3, a significant worsening of active
        customers (better higher); the last month has 3."""
        company = self.company_data["company"]
        this_month = fields.Date.today().replace(day=1)
        company.write(
            {
                "crm_go_live_date": this_month - relativedelta(months=6),
                "crm_kpi_baseline_months": 6,
                "crm_kpi_transition_months": 0,
            }
        )
        customers = self.env["res.partner"].create(
            [{"name": f"Worse Customer {i}", "is_company": True} for i in range(7)]
        )
        counts = BEFORE + AFTER
        for index, count in enumerate(counts):
            day = this_month - relativedelta(months=len(counts) - index, day=10)
            for customer in customers[:count]:
                self._invoice(customer, day)
        first = this_month - relativedelta(months=len(counts))
        self.env["crm.kpi.snapshot"].with_company(company).sudo().compute_snapshots(
            first, this_month - relativedelta(months=1)
        )
        user = new_test_user(
            self.env,
            login="kpi_issue15_tour",
            groups="sales_team.group_sale_manager,account.group_account_invoice,"
            "crm_kpi.group_crm_kpi_user",
            company_id=company.id,
        )
        self.start_tour("/odoo", "crm_kpi_worsened_tour", login=user.login)

    def _invoice(self, customer, day):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": day,
                "date": day,
                "invoice_line_ids": [
                    Command.create({"name": "Work", "price_unit": 100, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
