from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestLoyaltyOn360(AccountTestInvoicingCommon):
    def test_tier_on_screen_and_list(self):
        self.env.user.group_ids += self.env.ref("crm_loyalty.group_crm_loyalty_manager")
        Tier = self.env["crm.loyalty.tier"]
        silver = Tier.create({"name": "Silver", "min_amount": 1000})
        Tier.create({"name": "Gold", "min_amount": 5000})
        customer = self.env["res.partner"].create(
            {"name": "Tiered", "is_company": True}
        )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": "2026-06-01",
                "invoice_line_ids": [
                    Command.create({"name": "Work", "price_unit": 2000, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        loyalty = customer.customer_360_data()["loyalty"]
        self.assertEqual(loyalty["tier"], "Silver")
        self.assertEqual(loyalty["next_tier"], "Gold")
        self.assertAlmostEqual(loyalty["amount_to_next"], 3000)
        rows = self.env["crm.customer.360"].search(
            [("loyalty_tier_id", "=", silver.id)]
        )
        self.assertEqual(rows.partner_id, customer)
        # without loyalty rights: no loyalty section, no error
        clerk = new_test_user(self.env, login="x360_clerk", groups="base.group_user")
        self.assertNotIn("loyalty", customer.with_user(clerk).customer_360_data())
