from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LoyaltyCase


class LoyaltyPortalCase(LoyaltyCase, HttpCase):
    """Acme Retail reached Gold 200 days ago (3,000 invoiced 330 days ago,
    2,500 then) and bought 1,000 more ten days ago: 6,500 counted, but only
    the last 1,000 is still in the 12-month window when Gold is decided (its
    review plus 30 days of grace), so 4,000 more keeps it. Pat, a contact of
    Acme, has a portal account; Bistro Rival is another Gold customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = today = fields.Date.today()
        cls.rival = cls.env["res.partner"].create(
            {"name": "Bistro Rival", "is_company": True}
        )
        with freeze_time(today - timedelta(days=200)):
            cls.old = cls.invoice(cls.customer, 3000, today - timedelta(days=330))
            cls.invoice(cls.customer, 2500, today - timedelta(days=200))
            cls.invoice(cls.rival, 7777, today - timedelta(days=200))
        cls.recent = cls.invoice(cls.customer, 1000, today - timedelta(days=10))
        cls.portal_user = new_test_user(
            cls.env,
            login="loyalty_portal_pat",
            password="loyalty_portal_pat",
            groups="base.group_portal",
            partner_id=cls.contact.id,
            company_id=cls.company.id,
        )
        cls.review = today - timedelta(days=200) + relativedelta(months=12)


@tagged("post_install", "-at_install")
class TestLoyaltyPortal(LoyaltyPortalCase):
    def test_customer_reads_tier_spend_and_what_keeps_it(self):
        self.assertEqual(self.customer.loyalty_review_date, self.review)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open("/my/loyalty")
        self.assertEqual(page.status_code, 200)
        text = page.text
        self.assertIn("Gold", text)
        self.assertIn("6,500.00", text)
        self.assertIn("Spend $\xa04,000.00 by", text)
        self.assertIn("to keep the Gold tier", text)
        self.assertIn("Gold prices", text)  # the tier's pricelist
        self.assertIn("You are in the highest tier.", text)
        # the invoices that give the figure, two of them leaving before review
        self.assertEqual(text.count("Leaves before the review"), 2)
        self.assertIn(self.recent.name, text)
        # another customer's figures are not shown
        self.assertNotIn("Bistro Rival", text)
        self.assertNotIn("7,777.00", text)

    def test_listed_invoices_give_the_figures(self):
        partner = self.contact.with_user(self.portal_user).commercial_partner_id
        moves = partner._loyalty_counted_moves()
        self.assertEqual(len(moves), 3)
        self.assertAlmostEqual(sum(moves.mapped("amount_untaxed_signed")), 6500)
        self.assertAlmostEqual(partner.loyalty_amount, 6500)
        leaving = partner._loyalty_moves_leaving(moves)
        self.assertEqual(len(leaving), 2)
        kept = sum((moves - leaving).mapped("amount_untaxed_signed"))
        self.assertAlmostEqual(
            partner.loyalty_amount_to_keep, self.gold.min_amount - kept
        )

    def test_silver_customer_reads_the_next_tier(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        with freeze_time(self.today + relativedelta(months=7)):
            self.recompute()
        # dropped to Silver: 1,000 counted, 4,000 more reaches Gold
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        page = self.url_open("/my/loyalty").text
        self.assertIn("Silver", page)
        self.assertIn("4,000.00", page)
        self.assertIn("more to reach <strong>Gold</strong>", page)

    def test_another_customer_is_denied(self):
        rival = self.rival.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            rival.read(["loyalty_amount", "loyalty_tier_id"])

    def test_visitor_must_log_in(self):
        response = self.url_open("/my/loyalty", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_home_offers_the_loyalty_page_to_customers_with_a_tier(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["loyalty_tier_count"]}
        )
        self.assertEqual(counters["loyalty_tier_count"], 1)
        self.assertIn("/my/loyalty", self.url_open("/my").text)

    def test_portal_tour(self):
        self.start_tour("/my", "crm_loyalty_portal_tour", login=self.portal_user.login)
