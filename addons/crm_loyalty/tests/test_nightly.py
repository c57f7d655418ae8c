from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.crm_loyalty.models import crm_loyalty_engine

from .common import LoyaltyCase

DAY_0 = datetime(2026, 6, 15, 2, 0)
DAY_1 = datetime(2026, 6, 16, 2, 0)


@tagged("post_install", "-at_install")
class TestNightlyRun(LoyaltyCase):
    """The nightly recompute reads the customers whose tier may have changed
    since the previous run, and leaves the others as a full recompute would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customers = {
            name: Partner.create({"name": f"Nightly {name}", "is_company": True})
            for name in "ABCDEFGHK"
        }
        c = cls.customers
        # K reached Silver on 2025-05-17: reviewed on 2026-05-17, dropped after
        # the 30 days of grace, on 2026-06-16
        with freeze_time("2025-05-17"):
            cls.invoice(c["K"], 1500, "2025-05-10")
        with freeze_time(DAY_0):
            cls.invoice(c["A"], 500, "2026-06-01")
            cls.invoice(c["B"], 900, "2026-05-01")
            cls.b_second = cls.invoice(c["B"], 200, "2026-05-02")
            cls.invoice(c["C"], 1500, "2026-04-01")
            cls.d_invoice = cls.invoice(c["D"], 1200, "2026-04-01")
            cls.invoice(c["E"], 700, "2026-03-01")
            cls.invoice(c["F"], 600, "2026-03-01")
            # the first day of a 12-month window on DAY_0: out of it on DAY_1
            cls.invoice(c["G"], 2000, "2025-06-16")
            cls.invoice(c["H"], 3000, "2026-03-01")

    def run_cron(self, now):
        with (
            freeze_time(now),
            patch.object(
                type(self.env["ir.cron"]),
                "_commit_progress",
                lambda *args, **kwargs: float("inf"),
            ),
        ):
            self.env["crm.loyalty.engine"]._cron_recompute()

    def age_everything(self, before):
        """What exists was written before ``before`` (the tests' writes carry
        the real time of the transaction, not the frozen one)."""
        self.env.flush_all()
        stamp = before - timedelta(hours=2)
        for table in ("account_move", "res_company", "crm_loyalty_tier"):
            self.env.cr.execute(
                SQL("UPDATE %s SET write_date = %s", SQL.identifier(table), stamp)
            )
        self.env.invalidate_all()

    def states(self):
        self.env.cr.execute(
            """SELECT partner_id, tier_id, earned_tier_id, round(amount::numeric, 2),
                      review_date, at_risk, previous_pricelist_id
                 FROM crm_loyalty_state WHERE company_id = %s ORDER BY partner_id""",
            [self.company.id],
        )
        return self.env.cr.fetchall()

    def a_day_of_work(self):
        """Posting, a reset to draft and cancellation, a credit note, a
        payment and a merge, on DAY_1."""
        c = self.customers
        with freeze_time(DAY_1):
            self.invoice(c["A"], 800, "2026-06-16")
            self.b_second.button_draft()
            self.b_second.button_cancel()
            self.invoice(c["C"], 600, "2026-06-16", move_type="out_refund")
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=self.d_invoice.ids
            ).create({"payment_date": "2026-06-16"})._create_payments()
            self.env["base.partner.merge.automatic.wizard"].create({})._merge(
                (c["E"] | c["F"]).ids, c["F"]
            )

    def test_a_day_later_only_the_changed_customers_are_read(self):
        self.run_cron(DAY_0)
        self.assertEqual(self.company.loyalty_last_full_run, DAY_0)
        self.age_everything(DAY_0)
        self.a_day_of_work()
        c = self.customers
        with freeze_time(DAY_1):
            read = self.env["crm.loyalty.engine"]._changed_customer_ids(self.company)
        # H bought nothing, lost nothing and is not due for review
        self.assertEqual(
            set(read), {c[name].id for name in "ABCDFGK"}, "E was merged into F"
        )

    def test_a_day_later_the_tiers_equal_a_full_recompute(self):
        self.run_cron(DAY_0)
        self.age_everything(DAY_0)
        self.a_day_of_work()
        self.run_cron(DAY_1)
        self.assertEqual(self.company.loyalty_last_run, DAY_1)
        self.assertEqual(
            self.company.loyalty_last_full_run,
            DAY_0,
            "the run of DAY_1 is not a full one",
        )
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            (settings.loyalty_last_run, settings.loyalty_last_full_run), (DAY_1, DAY_0)
        )
        c = self.customers
        partner = c["G"].with_company(self.company)
        self.assertEqual(partner.loyalty_amount, 0, "G's invoice left the window")
        self.assertEqual(c["K"].with_company(self.company).loyalty_tier_id, self.bronze)
        self.assertEqual(c["B"].with_company(self.company).loyalty_amount, 900)
        self.assertEqual(c["C"].with_company(self.company).loyalty_amount, 900)
        incremental = self.states()
        with freeze_time(DAY_1):
            changed = self.env["crm.loyalty.engine"].recompute_company(self.company)
        self.assertEqual(changed, 0)
        self.assertEqual(self.states(), incremental)

    def test_every_customer_in_batches_as_in_one(self):
        """The first recompute of every customer, a few customers at a time
        (so that the memory it holds is bounded), gives the tiers, pricelists
        and history of one pass over them all."""
        engine = self.env["crm.loyalty.engine"]

        def first_recompute(batch):
            self.env.flush_all()
            self.env.cr.execute(
                """DELETE FROM crm_loyalty_state WHERE company_id = %(company)s;
                   DELETE FROM crm_loyalty_tier_history WHERE company_id = %(company)s;
                   UPDATE res_partner SET specific_property_product_pricelist = NULL
                    WHERE id = ANY(%(customers)s)""",
                {
                    "company": self.company.id,
                    "customers": [c.id for c in self.customers.values()],
                },
            )
            self.env.invalidate_all()
            with (
                freeze_time(DAY_1),
                patch.object(crm_loyalty_engine, "RECOMPUTE_BATCH", batch),
            ):
                changed = engine.recompute_company(self.company)
            self.env.flush_all()
            self.env.cr.execute(
                """SELECT partner_id, old_tier_id, new_tier_id, date, amount, reason
                     FROM crm_loyalty_tier_history WHERE company_id = %s
                 ORDER BY partner_id""",
                [self.company.id],
            )
            history = self.env.cr.fetchall()
            pricelists = {
                name: partner.with_company(self.company).property_product_pricelist
                for name, partner in self.customers.items()
            }
            return changed, self.states(), history, pricelists

        in_one = first_recompute(100)
        self.assertEqual(in_one[0], len(in_one[2]), "one history row per change")
        self.assertTrue(in_one[0])
        self.assertEqual(first_recompute(2), in_one)

    def test_a_full_run_a_week_later_and_after_an_edit_of_the_tiers(self):
        self.run_cron(DAY_0)
        self.age_everything(DAY_0)
        self.run_cron(DAY_1)
        self.assertEqual(self.company.loyalty_last_full_run, DAY_0)
        self.age_everything(DAY_1)
        self.silver.min_amount = 1100
        self.run_cron(DAY_1 + timedelta(days=1))
        self.assertEqual(self.company.loyalty_last_full_run, DAY_1 + timedelta(days=1))
        self.assertEqual(
            self.customers["D"].with_company(self.company).loyalty_tier_id,
            self.silver,
            "1,200 still reaches the new Silver threshold",
        )
        self.age_everything(DAY_1 + timedelta(days=1))
        week = DAY_1 + timedelta(days=8)
        self.run_cron(week)
        self.assertEqual(self.company.loyalty_last_full_run, week)

    def test_the_anniversary_window_is_always_read_whole(self):
        self.company.loyalty_window_type = "anniversary"
        self.run_cron(DAY_0)
        self.age_everything(DAY_0)
        self.run_cron(DAY_1)
        self.assertEqual(self.company.loyalty_last_full_run, DAY_1)
        self.assertEqual(date(2026, 6, 16), self.company.loyalty_last_run.date())
