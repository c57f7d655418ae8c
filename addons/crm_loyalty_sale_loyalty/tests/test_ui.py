from odoo.tests import HttpCase, new_test_user, tagged

from .common import TierBenefitsCase


@tagged("post_install", "-at_install")
class TestTierPointsTour(TierBenefitsCase, HttpCase):
    def test_gold_quotation_earns_double_points(self):
        seller = new_test_user(
            self.env,
            login="tier_points_tour",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        order = self.quotation(self.gold_customer, quantity=3)
        order.user_id = seller
        self.start_tour(
            f"/odoo/sales/{order.id}",
            "crm_loyalty_sale_loyalty_points_tour",
            login=seller.login,
        )
        self.assertEqual(order.crm_loyalty_card_points, 600)
