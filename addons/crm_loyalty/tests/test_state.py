from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestLoyaltyState(LoyaltyCase):
    """The engine keeps one state row per customer and company: contacts,
    filters, "Group by Tier" and ordering read it; users only read it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company(name="State Other Co")["company"]
        cls.far_tier = cls.env["crm.loyalty.tier"].create(
            {"name": "Far Gold", "min_amount": 10, "company_id": cls.other_company.id}
        )
        cls.small = cls.env["res.partner"].create(
            {"name": "Small Shop", "is_company": True}
        )
        cls.nobody = cls.env["res.partner"].create(
            {"name": "Never Bought", "is_company": True}
        )
        cls.salesman = new_test_user(
            cls.env,
            login="state_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )

    def setUp(self):
        super().setUp()
        self.invoice(self.customer, 6000, "2026-06-01")
        self.invoice(self.small, 1500, "2026-06-01")
        self.invoice(self.customer, 50, "2026-06-01", company=self.other_company)

    def test_one_row_per_customer_and_company_contacts_read_it(self):
        states = (
            self.env["crm.loyalty.state"]
            .with_user(self.salesman)
            .search(
                [("partner_id", "in", (self.customer | self.contact | self.small).ids)]
            )
        )
        self.assertEqual(
            sorted((s.partner_id.name, s.company_id, s.tier_id) for s in states),
            [
                ("Acme Retail", self.company, self.gold),
                ("Small Shop", self.company, self.silver),
            ],
            "the contact has no row of its own; the other company's row is "
            "hidden by the multi-company rule",
        )
        all_companies = (
            self.env["crm.loyalty.state"]
            .sudo()
            .search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(all_companies.company_id, self.company | self.other_company)
        self.assertEqual(self.contact.loyalty_tier_id, self.gold)
        self.assertEqual(self.contact.loyalty_amount, 6000)
        far = self.contact.with_company(self.other_company)
        self.assertEqual(far.loyalty_tier_id, self.far_tier)
        self.assertEqual(far.loyalty_amount, 50)
        self.assertFalse(self.nobody.loyalty_tier_id)
        self.assertEqual(self.nobody.loyalty_amount, 0)

    def test_filter_group_and_order_by_tier(self):
        Partner = self.env["res.partner"].with_user(self.salesman)
        mine = [
            ("id", "in", (self.customer | self.contact | self.small | self.nobody).ids)
        ]
        self.assertEqual(
            Partner.search(mine + [("loyalty_tier_id", "!=", False)]),
            self.customer | self.contact | self.small,
        )
        self.assertEqual(
            Partner.search(mine + [("loyalty_tier_id", "=", False)]), self.nobody
        )
        self.assertEqual(
            Partner.search(mine + [("loyalty_tier_id", "=", self.gold.id)]),
            self.customer | self.contact,
        )
        self.assertEqual(
            Partner.search(mine + [("loyalty_tier_id", "ilike", "silv")]), self.small
        )
        self.assertEqual(
            Partner.search(mine + [("loyalty_amount", ">", 2000)]),
            self.customer | self.contact,
        )
        groups = Partner._read_group(
            mine + [("parent_id", "=", False)], ["loyalty_tier_id"], ["__count"]
        )
        self.assertEqual(
            dict(groups),
            {self.gold: 1, self.silver: 1, self.env["crm.loyalty.tier"]: 1},
        )
        ordered = Partner.search(
            mine + [("parent_id", "=", False)], order="loyalty_tier_id, id"
        )
        self.assertEqual(ordered.mapped("loyalty_tier_id.name"), ["Silver", "Gold"])
        self.assertEqual(ordered[-1], self.nobody)
        self.assertEqual(self.silver.partner_count, 1)
        self.assertEqual(self.gold.partner_count, 1)

    def test_users_read_states_but_never_write_them(self):
        State = self.env["crm.loyalty.state"].with_user(self.salesman)
        state = State.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(state.tier_id, self.gold)
        with self.assertRaises(AccessError):
            state.amount = 1
        with self.assertRaises(AccessError):
            State.create({"partner_id": self.nobody.id, "company_id": self.company.id})
        with self.assertRaises(AccessError):
            state.unlink()
        self.assertEqual(self.customer.loyalty_amount, 6000)
