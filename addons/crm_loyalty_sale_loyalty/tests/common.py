from datetime import timedelta

from odoo import Command, fields

from odoo.addons.crm_loyalty.tests.common import LoyaltyCase


class TierBenefitsCase(LoyaltyCase):
    """The tiers of LoyaltyCase, Gold doubling loyalty card points; a loyalty
    card program giving 1 point per currency unit spent; a Gold and a Silver
    customer; a 100.00 product without taxes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        cls.gold.points_multiplier = 2
        cls.product = cls.env["product.product"].create(
            {"name": "Espresso machine", "list_price": 100.0, "taxes_id": []}
        )
        cls.card_program = cls.env["loyalty.program"].create(
            {
                "name": "Aurora Card",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "company_id": cls.company.id,
                "rule_ids": [
                    Command.create(
                        {"reward_point_mode": "money", "reward_point_amount": 1}
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "required_points": 100000,
                        }
                    )
                ],
            }
        )
        cls.gold_customer = cls.customer
        cls.silver_customer = cls.env["res.partner"].create(
            {"name": "Bistro Silver", "is_company": True}
        )
        last_week = fields.Date.today() - timedelta(days=7)
        cls.invoice(cls.gold_customer, 6000, last_week)
        cls.invoice(cls.silver_customer, 1500, last_week)

    def quotation(self, partner, quantity=1):
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": quantity,
                            "price_unit": 100.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def card(self, partner):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", partner.id), ("program_id", "=", self.card_program.id)]
        )
