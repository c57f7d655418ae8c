from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestLoyaltyTour(AccountTestInvoicingCommon, HttpCase):
    def test_manager_sees_tier_and_runs_whatif(self):
        company = self.company_data["company"]
        self.env.user.group_ids += self.env.ref("crm_loyalty.group_crm_loyalty_manager")
        manager = new_test_user(
            self.env,
            login="loyalty_tour_manager",
            groups="sales_team.group_sale_manager,crm_loyalty.group_crm_loyalty_manager,"
            "account.group_account_invoice",
            company_id=company.id,
        )
        Tier = self.env["crm.loyalty.tier"]
        Tier.create({"name": "Tour Silver", "min_amount": 1000})
        Tier.create({"name": "Tour Gold", "min_amount": 5000})
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer", "is_company": True}
        )
        today = self.env.cr.now().date()
        with freeze_time(today):
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": today,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Service", "price_unit": 2500, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
        self.assertEqual(customer.loyalty_tier_id.name, "Tour Silver")
        self.start_tour(
            f"/odoo/res.partner/{customer.id}", "crm_loyalty_tour", login=manager.login
        )
