from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestCustomer360Tour(AccountTestInvoicingCommon, HttpCase):
    def test_open_360_and_file_a_complaint(self):
        user = new_test_user(
            self.env,
            login="x360_tour",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
            company_id=self.company_data["company"].id,
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour 360 Customer", "is_company": True}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": "2026-01-05",
                "invoice_line_ids": [
                    Command.create({"name": "Work", "price_unit": 1234, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        self.start_tour(
            f"/odoo/res.partner/{customer.id}", "crm_360_tour", login=user.login
        )
        claim = self.env["crm.claim"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.model_ref_id, invoice)
