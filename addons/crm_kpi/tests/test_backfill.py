from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import KpiCase


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestKpiBackfill(KpiCase):
    """18 months (January 2025 to June 2026) are more than the wizard
    computes at once: they are queued, and the scheduled action computes
    them by batches of 6 months."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("crm_kpi.ir_cron_kpi_snapshot")
        cls.Snapshot = cls.env["crm.kpi.snapshot"]
        cls.company_count = cls.env["res.company"].sudo().search_count([])

    def recompute(self, date_from, date_to):
        with Form(self.env["crm.kpi.recompute"].with_company(self.company)) as form:
            form.date_from = date_from
            form.date_to = date_to
        wizard = form.save()
        wizard.action_recompute()
        return wizard

    def months_computed(self):
        return sorted(
            set(
                self.Snapshot.search(
                    [("company_id", "=", self.company.id), ("kpi_code", "=", "revenue")]
                ).mapped("date_from")
            )
        )

    def run_cron_once(self):
        """One call of the scheduled action, as the scheduler makes it;
        returns the progress it reported (done, remaining)."""
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            env = self.env(
                cr=cr, user=self.cron.user_id, context={"cron_id": self.cron.id}
            )
            cron, progress = self.cron.with_env(env)._add_progress()
            cron.env["crm.kpi.snapshot"]._cron_monthly()
            return progress.done, progress.remaining

    def test_long_range_is_computed_in_the_background(self):
        triggers = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.cron.id)]
        )
        wizard = self.recompute("2025-01-01", "2026-06-30")
        self.assertEqual(wizard.state, "queued")
        backfill = wizard.backfill_id
        self.assertEqual(
            (backfill.date_from, backfill.date_to, backfill.month_count),
            (date(2025, 1, 1), date(2026, 6, 1), 18),
        )
        self.assertEqual(self.months_computed(), [], "nothing computed in the request")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]),
            triggers + 1,
            "the scheduled action is triggered",
        )

        # a call computes a batch and reports what is left (12 months, then
        # the month that just closed in each company)
        self.assertEqual(self.run_cron_once(), (6, 12 + self.company_count))
        wizard.invalidate_recordset()
        self.assertEqual(
            (wizard.backfill_months_done, wizard.backfill_month_count), (6, 18)
        )
        self.assertEqual(wizard.backfill_state, "queued")
        self.assertEqual(len(self.months_computed()), 6)
        self.assertEqual(self.run_cron_once(), (6, 6 + self.company_count))

        # the scheduler runs the action until nothing is left
        with self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        backfill.invalidate_recordset()
        self.assertEqual((backfill.state, backfill.months_done), ("done", 18))
        self.assertFalse(backfill.next_month)
        self.assertEqual(
            self.months_computed(),
            [date(2025, m, 1) for m in range(1, 13)]
            + [date(2026, m, 1) for m in range(1, 7)],
        )
        self.assertEqual(
            backfill.written,
            self.Snapshot.search_count(
                [
                    ("company_id", "=", self.company.id),
                    ("date_from", "<=", "2026-06-01"),
                ]
            ),
        )
        self.assertAlmostEqual(self.snapshot("revenue", "2026-06-01").value, 850)
        self.assertAlmostEqual(self.snapshot("revenue", "2025-06-01").value, 600)
        self.assertFalse(wizard._default_backfill(), "no backfill left to follow")

    def test_reopened_wizard_follows_the_running_backfill(self):
        backfill = self.recompute("2025-01-01", "2026-06-30").backfill_id
        self.run_cron_once()
        wizard = self.env["crm.kpi.recompute"].with_company(self.company).create({})
        self.assertEqual(wizard.backfill_id, backfill)
        self.assertEqual(
            (wizard.backfill_months_done, wizard.backfill_month_count), (6, 18)
        )

    def test_short_range_is_computed_at_once(self):
        wizard = self.recompute("2026-01-01", "2026-06-30")
        self.assertEqual(wizard.state, "done")
        self.assertFalse(wizard.backfill_id)
        self.assertGreater(wizard.written, 0)
        self.assertEqual(len(self.months_computed()), 6)

    def test_install_backfill_of_a_company_invoicing_since_last_month(self):
        """The install computes every closed month since the first invoice;
        a first invoice after the 1st of the last closed month stopped the
        install (a start after the end of the range)."""
        other = self.setup_other_company(name="Newly invoicing")["company"]
        self.invoice(self.a, "2026-06-10", 300, company=other)
        written = self.Snapshot.with_company(other)._backfill()
        self.assertGreater(written, 0)
        revenue = self.Snapshot.search(
            [
                ("company_id", "=", other.id),
                ("kpi_code", "=", "revenue"),
                ("segment_type", "=", "all"),
            ]
        )
        self.assertEqual(revenue.mapped("date_from"), [date(2026, 6, 1)])
        self.assertEqual(revenue.value, 300)

    def test_bad_ranges_are_refused_and_nothing_is_queued(self):
        Backfill = self.env["crm.kpi.backfill"]
        triggers = self.env["ir.cron.trigger"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self.recompute("2025-01-01", "2026-09-30")  # 21 months, to the future
        self.assertIn("has not started", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            Backfill.create({"date_from": "2026-06-01", "date_to": "2024-01-01"})
        self.assertIn("swap them", str(caught.exception))
        with self.assertRaises(UserError) as caught:
            self.recompute("2026-06-01", "2025-01-01")
        self.assertIn("swap them", str(caught.exception))
        self.assertFalse(Backfill.search([]))
        self.assertEqual(self.env["ir.cron.trigger"].search_count([]), triggers)
        self.assertEqual(self.months_computed(), [])

    def test_only_managers_queue_backfills(self):
        user = new_test_user(
            self.env,
            login="kpi_backfill_reader",
            groups="sales_team.group_sale_salesman,crm_kpi.group_crm_kpi_user",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.env["crm.kpi.backfill"].with_user(user).create(
                {"date_from": "2025-01-01", "date_to": "2026-06-30"}
            )
