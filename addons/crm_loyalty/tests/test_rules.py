from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyRules(LoyaltyCase):
    @freeze_time("2026-06-15")
    def test_rolling_window_edges(self):
        self.invoice(self.customer, 4000, "2025-06-15")  # 12 months ago: out
        self.invoice(self.customer, 1500, "2025-06-16")  # first day in
        self.invoice(self.customer, 100, "2026-06-15")  # today: in
        self.recompute()
        self.assertAlmostEqual(self.customer.loyalty_amount, 1600)
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)

    @freeze_time("2026-06-15")
    def test_invoice_in_the_future_does_not_count(self):
        self.invoice(self.customer, 1500, "2026-06-10")
        self.invoice(self.customer, 9000, "2026-07-01")
        self.recompute()
        self.assertAlmostEqual(self.customer.loyalty_amount, 1500)

    @freeze_time("2026-06-15")
    def test_credit_note_subtracts(self):
        self.invoice(self.customer, 3000, "2026-03-01")
        self.invoice(self.customer, 2500, "2026-03-05", move_type="out_refund")
        self.recompute()
        self.assertAlmostEqual(self.customer.loyalty_amount, 500)
        # Silver was reached; the credit note makes it at risk, not lost
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertTrue(self.customer.loyalty_at_risk)

    @freeze_time("2026-06-15")
    def test_contacts_roll_up_to_the_company(self):
        self.invoice(self.contact, 700, "2026-05-01")
        self.invoice(self.customer, 400, "2026-05-02")
        self.recompute()
        self.assertAlmostEqual(self.customer.loyalty_amount, 1100)
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.contact.loyalty_tier_id, self.silver)
        self.assertAlmostEqual(self.contact.loyalty_amount, 1100)
        # Bronze at the first invoice, Silver at the second: rows on the company
        self.assertEqual(self.history().mapped("reason"), ["initial", "upgrade"])
        self.assertFalse(self.history(self.contact))

    @freeze_time("2026-06-15")
    def test_foreign_currency_counts_at_booked_rate(self):
        # 2 units of the foreign currency for 1 of the company's
        foreign = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        self.invoice(self.customer, 4000, "2026-05-01", currency_id=foreign.id)
        self.recompute()
        self.assertAlmostEqual(self.customer.loyalty_amount, 2000)
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)

    @freeze_time("2026-06-15")
    def test_upgrade_when_invoice_posted(self):
        self.invoice(self.customer, 1200, "2026-06-01")
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.customer.loyalty_review_date, date(2027, 6, 15))
        self.invoice(self.contact, 4000, "2026-06-10")
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        history = self.history()
        self.assertEqual(history.mapped("reason"), ["initial", "upgrade"])
        self.assertEqual(history[-1].old_tier_id, self.silver)
        self.assertEqual(history[-1].new_tier_id, self.gold)
        self.assertAlmostEqual(history[-1].amount, 5200)
        messages = self.customer.message_ids.mapped("body")
        self.assertTrue(any("Silver → <b>Gold</b>" in str(body) for body in messages))

    @freeze_time("2026-06-15")
    def test_posting_counts_the_customer_rank_itself(self):
        """Accounting counts a customer's invoices (its customer rank) once
        the posting has committed, in a transaction of its own, which fails
        (an error in the server log, the count lost) when the nightly
        recompute is repricing that customer. The posting of a company with
        tiers locks its customers' records anyway: it counts them itself."""
        self.invoice(self.contact, 100, "2026-06-01")
        self.assertEqual(self.customer.customer_rank, 1)
        self.assertEqual(self.contact.customer_rank, 1)
        self.invoice(self.contact, 100, "2026-06-02")
        self.invoice(self.customer, 100, "2026-06-03")
        # no commit happens in this test: these are the posting's own writes
        self.assertEqual(self.customer.customer_rank, 3)
        self.assertEqual(self.contact.customer_rank, 2)

    def test_calendar_year_window(self):
        self.company.loyalty_window_type = "calendar_year"
        with freeze_time("2026-03-01"):
            self.invoice(self.customer, 3000, "2025-12-31")
            self.invoice(self.customer, 1100, "2026-01-01")
            self.recompute()
        self.assertAlmostEqual(self.customer.loyalty_amount, 1100)

    def test_anniversary_window(self):
        self.company.loyalty_window_type = "anniversary"
        with freeze_time("2026-06-15"):
            self.invoice(self.customer, 800, "2024-09-10")  # first invoice
            self.invoice(self.customer, 900, "2025-09-09")  # before last anniversary
            self.invoice(self.customer, 1200, "2025-09-10")  # on it
            self.recompute()
        self.assertAlmostEqual(self.customer.loyalty_amount, 1200)
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)

    def test_downgrade_after_grace_one_tier_at_a_time(self):
        with freeze_time("2025-01-10"):
            self.invoice(self.customer, 6000, "2025-01-10")
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.customer.loyalty_review_date, date(2026, 1, 10))
        with freeze_time("2026-02-08"):  # review + 29 days
            self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertTrue(self.customer.loyalty_at_risk)
        with freeze_time("2026-02-09"):  # review + 30 days: one step down
            self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.customer.loyalty_review_date, date(2027, 1, 10))
        with freeze_time("2026-02-10"):  # spend is 0 but the next review is ahead
            self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.history().mapped("reason"), ["initial", "downgrade"])

    def test_credit_note_never_downgrades_mid_period(self):
        with freeze_time("2026-01-10"):
            invoice = self.invoice(self.customer, 6000, "2026-01-10")
        with freeze_time("2026-03-01"):
            self.invoice(
                self.customer,
                3000,
                "2026-03-01",
                move_type="out_refund",
                reversed_entry_id=invoice.id,
            )
            self.recompute()
            self.assertEqual(self.customer.loyalty_tier_id, self.gold)
            self.assertTrue(self.customer.loyalty_at_risk)
            # decided on 2027-02-09: the invoice of 2026-01-10 has left the
            # window by then, the credit note of 2026-03-01 still counts
            self.assertAlmostEqual(self.customer.loyalty_amount_to_keep, 8000)
            self.assertIn("to keep the Gold tier", self.customer.loyalty_keep_message)

    def test_tier_kept_moves_review_one_window(self):
        with freeze_time("2025-01-10"):
            self.invoice(self.customer, 1500, "2025-01-10")
        with freeze_time("2026-01-20"):
            self.invoice(self.customer, 1500, "2025-12-01")
            self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.customer.loyalty_review_date, date(2027, 1, 10))
        self.assertFalse(self.customer.loyalty_at_risk)

    @freeze_time("2026-06-15")
    def test_override_is_a_floor_until_it_ends(self):
        self.invoice(self.customer, 1500, "2026-06-01")
        self.customer.write(
            {
                "loyalty_override_tier_id": self.gold.id,
                "loyalty_override_until": "2026-06-30",
                "loyalty_override_reason": "Key account",
            }
        )
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.customer.loyalty_earned_tier_id, self.silver)
        self.assertEqual(self.history()[-1].reason, "override")
        # a floor, not a ceiling
        self.customer.write(
            {
                "loyalty_override_tier_id": self.bronze.id,
                "loyalty_override_reason": "Courtesy",
            }
        )
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.customer.write({"loyalty_override_tier_id": self.gold.id})
        with freeze_time("2026-07-01"):
            self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.history()[-1].reason, "override")

    @freeze_time("2026-06-15")
    def test_override_needs_reason_and_future_end(self):
        with self.assertRaisesRegex(ValidationError, "override reason is required"):
            self.customer.write({"loyalty_override_tier_id": self.gold.id})
        with self.assertRaisesRegex(ValidationError, "in the past"):
            self.customer.write(
                {
                    "loyalty_override_tier_id": self.gold.id,
                    "loyalty_override_reason": "VIP",
                    "loyalty_override_until": "2026-06-14",
                }
            )
        self.assertFalse(self.customer.loyalty_override_tier_id)
        self.assertFalse(self.customer.loyalty_tier_id)
        self.assertFalse(self.history())

    def assertRefused(self, pattern):
        """assertRaises (which rolls back) with the message a user reads."""
        return _Refused(self, pattern)

    def test_bad_tier_and_settings_input(self):
        Tier = self.env["crm.loyalty.tier"]
        with self.assertRefused("cannot be negative"):
            Tier.create({"name": "Lead", "min_amount": -1})
        with self.assertRefused("both start at"):
            self.silver.min_amount = 5000
        with self.assertRefused("at least one month"):
            self.company.loyalty_window_months = 0
        with self.assertRefused("cannot be negative"):
            self.company.loyalty_grace_days = -5
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError) as caught,
        ):
            Tier.create({"name": "Platinum", "min_amount": 5000})
        # what the user is shown for it
        self.assertIn(
            "give each tier its own amount",
            Tier._sql_error_to_message(caught.exception),
        )
        # a failed request is rolled back whole: drop what the ORM still holds
        self.env.invalidate_all(flush=False)
        self.assertEqual(Tier.search_count([("company_id", "=", self.company.id)]), 3)
        self.assertEqual(self.silver.min_amount, 1000)
        self.assertEqual(self.company.loyalty_window_months, 12)
        self.assertEqual(self.company.loyalty_grace_days, 30)

    @freeze_time("2026-06-15")
    def test_pricelist_follows_the_tier(self):
        own = self.env["product.pricelist"].create({"name": "Negotiated"})
        self.customer.property_product_pricelist = own
        self.invoice(self.customer, 6000, "2026-06-01")
        self.assertEqual(self.customer.property_product_pricelist, self.gold_pricelist)
        self.assertEqual(self.contact.property_product_pricelist, self.gold_pricelist)
        order = Form(self.env["sale.order"])
        order.partner_id = self.customer
        self.assertEqual(order.pricelist_id, self.gold_pricelist)
        # leaving the tier gives the customer's own pricelist back
        with freeze_time("2027-08-01"):
            self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.customer.property_product_pricelist, own)

    @freeze_time("2026-06-15")
    def test_tier_on_orders_and_invoices(self):
        invoice = self.invoice(self.customer, 1500, "2026-06-01")
        self.assertEqual(invoice.loyalty_tier_id, self.silver)
        order = self.env["sale.order"].create({"partner_id": self.contact.id})
        self.assertEqual(order.loyalty_tier_id, self.silver)

    @freeze_time("2026-06-15")
    def test_at_risk_activity_for_salesperson(self):
        salesperson = self.env["res.users"].create(
            {"name": "Sam Seller", "login": "sam_loyalty", "email": "sam@example.com"}
        )
        self.customer.user_id = salesperson
        with freeze_time("2025-07-01"):
            self.invoice(self.customer, 1200, "2025-07-01")
        with freeze_time("2026-07-02"):  # the spend has left the window
            self.recompute()
            self.recompute()
        activities = self.customer.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("crm_loyalty.mail_activity_type_loyalty_at_risk")
            )
        )
        self.assertEqual(len(activities), 1, "one To-Do, not one per run")
        self.assertEqual(activities.user_id, salesperson)

    def test_recompute_queries_do_not_grow_with_customers(self):
        tiers = self.bronze | self.silver | self.gold

        def run(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Bulk {count}-{i}"} for i in range(count)]
            )
            with freeze_time("2026-06-15"):
                tiers.active = False  # no tier at posting time
                for partner in partners:
                    self.invoice(partner, 1500, "2026-06-01")
                tiers.active = True
                self.env.flush_all()
                before = self.env.cr.sql_log_count
                changed = self.env["crm.loyalty.engine"].recompute_company(
                    self.company, partners
                )
                queries = self.env.cr.sql_log_count - before
            self.assertEqual(changed, count)
            self.assertEqual(set(partners.mapped("loyalty_tier_id")), {self.silver})
            return queries

        run(5)  # warm the caches
        self.assertEqual(run(10), run(50))


class _Refused:
    def __init__(self, case, pattern):
        self.case, self.pattern = case, pattern

    def __enter__(self):
        self.context = self.case.assertRaises(ValidationError)
        self.caught = self.context.__enter__()
        return self.caught

    def __exit__(self, *exc_info):
        handled = self.context.__exit__(*exc_info)
        self.case.assertRegex(str(self.caught.exception), self.pattern)
        return handled


@tagged("post_install", "-at_install")
class TestLoyaltyNotifications(LoyaltyCase):
    @freeze_time("2026-06-15")
    def test_emails_only_when_enabled(self):
        self.customer.email = "buyer@acme.example.com"
        Mail = self.env["mail.mail"]
        before = Mail.search_count([])
        self.invoice(self.customer, 1500, "2026-06-01")
        self.assertEqual(Mail.search_count([]), before, "off by default")
        self.company.loyalty_notify_tier_change = True
        self.invoice(self.customer, 4000, "2026-06-02")
        mail = Mail.search([], order="id desc", limit=1)
        self.assertEqual(Mail.search_count([]), before + 1)
        self.assertIn("Gold", mail.subject)
        self.assertIn(self.customer, mail.recipient_ids)


@tagged("post_install", "-at_install")
class TestLoyaltyKeepProjection(LoyaltyCase):
    """What a customer must spend by the review date to keep the tier counts
    only the invoices still in the window when the tier is decided (the
    review date plus the grace period)."""

    def reach_gold_then_buy(self):
        """Gold reached on 2025-12-01 (review 2026-12-01, decided after the
        30 days of grace), then 1,000 more on 2026-06-01."""
        with freeze_time("2025-12-01"):
            self.invoice(self.customer, 3000, "2025-07-01")
            self.invoice(self.customer, 2500, "2025-12-01")
            self.recompute()
        self.assertEqual(self.customer.loyalty_review_date, date(2026, 12, 1))
        self.invoice(self.customer, 1000, "2026-06-01")

    @freeze_time("2026-06-15")
    def test_invoices_leaving_the_rolling_window_before_review(self):
        self.reach_gold_then_buy()
        self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertAlmostEqual(self.customer.loyalty_amount, 6500)
        self.assertFalse(self.customer.loyalty_at_risk)
        # at the decision (2026-12-31) the window starts on 2026-01-01: the
        # invoices of July and December 2025 are out, 1,000 is left of 5,000
        self.assertAlmostEqual(self.customer.loyalty_amount_to_keep, 4000)
        self.assertEqual(
            self.customer.loyalty_keep_message,
            "Spend $\xa04,000.00 by 12/01/2026 to keep the Gold tier.",
        )
        self.assertEqual(self.contact.loyalty_amount_to_keep, 4000)
        # the projection is true: with nothing more bought, Gold is lost
        with freeze_time("2026-12-31"):
            self.recompute()
            self.assertEqual(self.customer.loyalty_tier_id, self.silver)

    @freeze_time("2026-06-15")
    def test_spending_the_amount_to_keep_keeps_the_tier(self):
        self.reach_gold_then_buy()
        self.recompute()
        self.invoice(self.customer, self.customer.loyalty_amount_to_keep, "2026-11-30")
        with freeze_time("2026-12-31"):
            self.recompute()
            self.assertEqual(self.customer.loyalty_tier_id, self.gold)
            self.assertEqual(self.customer.loyalty_review_date, date(2027, 12, 1))
            # nothing bought so far will count on 2027-12-31
            self.assertAlmostEqual(self.customer.loyalty_amount_to_keep, 5000)

    @freeze_time("2026-06-15")
    def test_calendar_year_window_restarts_before_review(self):
        self.company.loyalty_window_type = "calendar_year"
        with freeze_time("2026-03-01"):
            self.invoice(self.customer, 6000, "2026-03-01")
            self.recompute()
        self.recompute()
        self.assertFalse(self.customer.loyalty_at_risk)
        # reviewed on 2027-03-01: the 2026 invoices no longer count then
        self.assertAlmostEqual(self.customer.loyalty_amount_to_keep, 5000)

    def test_projection_queries_do_not_grow_with_customers(self):
        with freeze_time("2025-12-01"):
            partners = self.env["res.partner"].create(
                [{"name": f"Customer {i}", "is_company": True} for i in range(8)]
            )
            for partner in partners:
                self.invoice(partner, 6000, "2025-11-01")
            self.recompute()

        def queries(customers):
            customers.invalidate_recordset()
            self.env["crm.loyalty.tier"].invalidate_model()
            before = self.env.cr.sql_log_count
            amounts = customers.mapped("loyalty_amount_to_keep")
            self.assertEqual(amounts, [5000.0] * len(customers))
            return self.env.cr.sql_log_count - before

        with freeze_time("2026-06-15"):
            queries(partners[:1])  # the caches of the language and currency
            self.assertEqual(queries(partners[1:3]), queries(partners[3:]))
