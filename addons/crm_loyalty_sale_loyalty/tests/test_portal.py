from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TierBenefitsCase


@tagged("post_install", "-at_install")
class TestTierBenefitsPortal(TierBenefitsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for tier, name in ((cls.gold, "Gold week"), (cls.silver, "Silver coupons")):
            cls.env["loyalty.program"].create(
                {
                    "name": name,
                    "program_type": "promotion",
                    "company_id": cls.company.id,
                    "crm_loyalty_tier_id": tier.id,
                    "rule_ids": [Command.create({"reward_point_mode": "order"})],
                    "reward_ids": [
                        Command.create({"reward_type": "discount", "discount": 5})
                    ],
                }
            )

    def portal_page(self, partner, login):
        user = new_test_user(
            self.env,
            login=login,
            password=login,
            groups="base.group_portal",
            partner_id=self.env["res.partner"]
            .create({"name": f"Buyer of {partner.name}", "parent_id": partner.id})
            .id,
            company_id=self.company.id,
        )
        self.authenticate(user.login, user.login)
        return self.url_open("/my/loyalty").text

    def test_gold_customer_reads_its_benefits(self):
        page = self.portal_page(self.gold_customer, "tier_portal_gold")
        self.assertIn("2.00</strong> times the points", page)
        self.assertIn("Gold week", page)
        self.assertIn("Silver coupons", page)
        self.assertIn("Gold prices", page)

    def test_silver_customer_reads_only_its_own(self):
        page = self.portal_page(self.silver_customer, "tier_portal_silver")
        self.assertIn("Silver coupons", page)
        self.assertNotIn("Gold week", page)
        self.assertNotIn("times the points", page)
