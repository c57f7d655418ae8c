from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltySecurity(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="loyalty_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.loyalty_manager = new_test_user(
            cls.env,
            login="loyalty_manager",
            groups="sales_team.group_sale_salesman,crm_loyalty.group_crm_loyalty_manager",
            company_id=cls.company.id,
        )
        cls.other_company = cls.setup_other_company(name="Loyalty Other Co")["company"]
        cls.other_tier = cls.env["crm.loyalty.tier"].create(
            {
                "name": "Other Gold",
                "min_amount": 100,
                "company_id": cls.other_company.id,
            }
        )

    def test_salesman_reads_but_cannot_configure(self):
        tiers = self.env["crm.loyalty.tier"].with_user(self.salesman).search([])
        self.assertEqual(tiers, self.bronze | self.silver | self.gold)
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.tier"].with_user(self.salesman).create(
                {"name": "Diamond", "min_amount": 9000}
            )
        with self.assertRaises(AccessError):
            self.gold.with_user(self.salesman).min_amount = 1

    def test_only_managers_recompute(self):
        """The recompute writes tiers past the ACLs: like its button, it is
        refused to a salesperson who calls it over RPC."""
        Tier = self.env["crm.loyalty.tier"]
        with self.assertRaisesRegex(AccessError, "Only Loyalty Managers"):
            Tier.with_user(self.salesman).action_recompute_all()
        with self.assertRaisesRegex(AccessError, "Only Loyalty Managers"):
            self.customer.with_user(self.salesman).action_loyalty_recompute()
        result = Tier.with_user(self.loyalty_manager).action_recompute_all()
        self.assertEqual(result["params"]["type"], "success")

    def test_manager_configures(self):
        tier = (
            self.env["crm.loyalty.tier"]
            .with_user(self.loyalty_manager)
            .create({"name": "Diamond", "min_amount": 9000})
        )
        self.assertEqual(tier.company_id, self.company)

    @freeze_time("2026-06-15")
    def test_only_managers_override(self):
        with self.assertRaisesRegex(AccessError, "Only Loyalty Managers"):
            self.customer.with_user(self.salesman).write(
                {
                    "loyalty_override_tier_id": self.gold.id,
                    "loyalty_override_reason": "Friend",
                }
            )
        self.customer.with_user(self.loyalty_manager).write(
            {
                "loyalty_override_tier_id": self.gold.id,
                "loyalty_override_reason": "Key account",
            }
        )
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.history().user_id, self.loyalty_manager)

    @freeze_time("2026-06-15")
    def test_anyone_adds_a_contact_to_an_overridden_customer(self):
        self.customer.with_user(self.loyalty_manager).write(
            {"loyalty_override_tier_id": self.gold.id, "loyalty_override_reason": "VIP"}
        )
        contact = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .create({"name": "New buyer", "parent_id": self.customer.id})
        )
        self.assertEqual(contact.loyalty_tier_id, self.gold)

    @freeze_time("2026-06-15")
    def test_history_is_an_audit_trail(self):
        self.invoice(self.customer, 1500, "2026-06-01")
        row = self.history()
        self.assertEqual(len(row), 1)
        for user in (self.salesman, self.loyalty_manager, self.env.user):
            History = self.env["crm.loyalty.tier.history"].with_user(user)
            with self.assertRaises(UserError):  # AccessError is a UserError
                History.create(
                    {
                        "partner_id": self.customer.id,
                        "company_id": self.company.id,
                        "date": "2026-06-15",
                        "reason": "upgrade",
                    }
                )
            with self.assertRaises(UserError):  # AccessError is a UserError
                row.with_user(user).write({"reason": "downgrade"})
            with self.assertRaises(UserError):  # AccessError is a UserError
                row.with_user(user).unlink()
        self.assertEqual(row.reason, "initial")

    @freeze_time("2026-06-15")
    def test_a_tier_per_company(self):
        self.invoice(self.customer, 1500, "2026-06-01")
        self.invoice(self.customer, 150, "2026-06-01", company=self.other_company)
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        other = self.customer.with_company(self.other_company)
        self.assertEqual(other.loyalty_tier_id, self.other_tier)
        self.assertAlmostEqual(other.loyalty_amount, 150)
        # a user of the first company only sees neither the tier nor its history
        Tier = self.env["crm.loyalty.tier"].with_user(self.loyalty_manager)
        self.assertFalse(Tier.search([("id", "=", self.other_tier.id)]))
        History = self.env["crm.loyalty.tier.history"].with_user(self.loyalty_manager)
        self.assertEqual(History.search([]).company_id, self.company)
        with self.assertRaises(AccessError):
            self.other_tier.with_user(self.loyalty_manager).read(["name"])
