from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import TierBenefitsCase


@tagged("post_install", "-at_install")
class TestTierPoints(TierBenefitsCase):
    def test_gold_earns_double_points_on_its_card(self):
        self.assertEqual(self.gold_customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.silver_customer.loyalty_tier_id, self.silver)
        gold_order = self.quotation(self.gold_customer)
        silver_order = self.quotation(self.silver_customer)
        for order in gold_order | silver_order:
            order.action_open_reward_wizard()  # the Reward button
        # shown on the quotation, before confirmation
        self.assertEqual(gold_order.crm_loyalty_card_points, 200)
        self.assertEqual(gold_order.crm_loyalty_points_multiplier, 2)
        self.assertEqual(silver_order.crm_loyalty_card_points, 100)
        self.assertEqual(silver_order.crm_loyalty_points_multiplier, 1)
        (gold_order | silver_order).action_confirm()
        self.assertEqual(self.card(self.gold_customer).points, 200)
        self.assertEqual(self.card(self.silver_customer).points, 100)
        # the figure opens the card that holds the points
        action = gold_order.action_view_crm_loyalty_cards()
        cards = self.env["loyalty.card"].search(action["domain"])
        self.assertEqual(cards, self.card(self.gold_customer))
        self.assertEqual(
            sum(cards.mapped("points")), gold_order.crm_loyalty_card_points
        )
        # the history of the card says what the order gave
        self.assertEqual(gold_order.loyalty_data["issued"], 200)

    def test_order_of_a_contact_earns_its_company_tier_points(self):
        order = self.quotation(self.contact, quantity=3)
        order.action_confirm()
        self.assertEqual(self.card(self.contact).points, 600)

    def test_multiplier_applies_to_loyalty_cards_only(self):
        promotion = self.card_program.copy(
            {"name": "Points promotion", "program_type": "promotion"}
        )
        promotion.write(
            {
                "applies_on": "current",
                "rule_ids": [
                    Command.clear(),
                    Command.create(
                        {"reward_point_mode": "money", "reward_point_amount": 1}
                    ),
                ],
            }
        )
        order = self.quotation(self.gold_customer)
        status = order._program_check_compute_points(promotion | self.card_program)
        self.assertEqual(status[promotion]["points"], [100])
        self.assertEqual(status[self.card_program]["points"], [200])

    def test_points_follow_the_tier_of_the_order_company(self):
        other = self.setup_other_company(name="Other Co")["company"]
        order = self.quotation(self.gold_customer)
        order.company_id = other
        self.assertEqual(order.crm_loyalty_points_multiplier, 1)

    def test_multiplier_must_be_positive(self):
        for value in (0, -2):
            with (
                self.assertRaisesRegex(
                    ValidationError,
                    "points multiplier of the Gold tier must be more than 0",
                ),
                self.env.cr.savepoint(),
            ):
                self.gold.points_multiplier = value
                self.gold.flush_recordset()
        self.gold.invalidate_recordset()
        self.assertEqual(self.gold.points_multiplier, 2)

    def test_salesperson_cannot_change_a_multiplier_but_sells_with_it(self):
        salesperson = new_test_user(
            self.env,
            login="tier_points_seller",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.gold.with_user(salesperson).points_multiplier = 3
        order = self.quotation(self.gold_customer)
        order.user_id = salesperson
        order.with_user(salesperson).action_confirm()
        self.assertEqual(self.card(self.gold_customer).points, 200)


@tagged("post_install", "-at_install")
class TestTierPrograms(TierBenefitsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card_program.active = False
        cls.promotion = cls.env["loyalty.program"].create(
            {
                "name": "Gold week",
                "program_type": "promotion",
                "trigger": "auto",
                "applies_on": "current",
                "company_id": cls.company.id,
                "crm_loyalty_tier_id": cls.gold.id,
                "rule_ids": [Command.create({"reward_point_mode": "order"})],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "required_points": 1,
                        }
                    )
                ],
            }
        )

    def claim(self, order):
        order.action_open_reward_wizard()
        return order.order_line.filtered("is_reward_line")

    def test_promotion_for_gold_and_above(self):
        discount = self.claim(self.quotation(self.gold_customer))
        self.assertEqual(discount.reward_id.program_id, self.promotion)
        self.assertAlmostEqual(discount.price_subtotal, -10)
        self.assertFalse(self.claim(self.quotation(self.silver_customer)))
        order = self.quotation(self.silver_customer)
        self.assertEqual(
            order._try_apply_program(self.promotion)["error"],
            "Gold week is for customers of the Gold loyalty tier and above.",
        )

    def test_promotion_for_silver_and_above_reaches_gold(self):
        self.promotion.crm_loyalty_tier_id = self.silver
        self.assertTrue(self.claim(self.quotation(self.gold_customer)))
        self.assertTrue(self.claim(self.quotation(self.silver_customer)))
        newcomer = self.env["res.partner"].create({"name": "No tier yet"})
        self.assertFalse(self.claim(self.quotation(newcomer)))

    def test_coupon_code_refused_below_the_tier(self):
        self.promotion.write(
            {
                "program_type": "coupons",
                "trigger": "with_code",
                "rule_ids": [
                    Command.clear(),
                    Command.create({"reward_point_mode": "order"}),
                ],
            }
        )
        self.env["loyalty.generate.wizard"].with_context(
            active_id=self.promotion.id
        ).create({"coupon_qty": 2, "points_granted": 1}).generate_coupons()
        silver_code, gold_code = self.promotion.coupon_ids.mapped("code")
        refused = self.quotation(self.silver_customer)._try_apply_code(silver_code)
        self.assertIn("for customers of the Gold loyalty tier", refused["error"])
        self.assertNotIn(
            "error", self.quotation(self.gold_customer)._try_apply_code(gold_code)
        )

    def test_tier_of_another_company_is_refused(self):
        other = self.setup_other_company(name="Other Co")["company"]
        with (
            self.assertRaisesRegex(ValidationError, "set the program's company"),
            self.env.cr.savepoint(),
        ):
            self.promotion.company_id = other
            self.promotion.flush_recordset()
        self.promotion.invalidate_recordset()
        self.assertEqual(self.promotion.company_id, self.company)

    def test_program_form_offers_the_tier(self):
        with Form(self.env["loyalty.program"]) as form:
            form.name = "Silver coupons"
            form.program_type = "coupons"
            form.crm_loyalty_tier_id = self.silver
        self.assertEqual(form.record.crm_loyalty_tier_id, self.silver)
        self.assertIn(form.record, self.silver.program_ids)

    def test_salesperson_cannot_restrict_a_program(self):
        salesperson = new_test_user(
            self.env,
            login="tier_program_seller",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.promotion.with_user(salesperson).crm_loyalty_tier_id = False
        self.assertEqual(self.promotion.crm_loyalty_tier_id, self.gold)
