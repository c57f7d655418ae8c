from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import KpiCase


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestKpiBadInput(KpiCase):
    """Invalid values are refused with a message that says what to change,
    and nothing is written."""

    def database_state(self):
        self.env.flush_all()
        state = {}
        for key, query in (
            ("snapshots", "SELECT COUNT(*), SUM(value) FROM crm_kpi_snapshot"),
            (
                "company",
                (
                    "SELECT id, crm_go_live_date, crm_kpi_window_months, "
                    "crm_kpi_baseline_months FROM res_company ORDER BY id"
                ),
            ),
        ):
            self.env.cr.execute(SQL(query))
            state[key] = self.env.cr.fetchall()
        return state

    def assertRefused(self, exception, pattern, function, *args, **kwargs):
        before = self.database_state()
        # assertRaises (not assertRaisesRegex) rolls the failed call back
        with self.assertRaises(exception) as caught:
            function(*args, **kwargs)
        self.assertRegex(str(caught.exception), pattern)
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.database_state(), before)

    def test_settings_values(self):
        for values, pattern in (
            ({"crm_kpi_window_months": 0}, "at least one month"),
            ({"crm_kpi_window_months": -3}, "at least one month"),
            ({"crm_kpi_baseline_months": 0}, "at least one month"),
            ({"crm_kpi_window_months": 10000}, "at most 120 months"),
            ({"crm_kpi_baseline_months": 10000}, "at most 120 months"),
            ({"crm_go_live_date": "2026-07-16"}, "is in the future"),
        ):
            self.assertRefused(ValidationError, pattern, self.company.write, values)

    def test_compute_snapshots_arguments(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        for date_from, date_to, pattern in (
            (False, "2026-06-01", "Give both a start and an end month"),
            ("", "", "Give both a start and an end month"),
            ("2026-06-01", "2026-01-01", "swap them"),
            ("2026-06-01", "2026-08-01", "has not started"),
            ("June", "2026-06-01", "not a date"),
            ("2026-01-01", ["2026-06-01"], "not a date"),
            ("2026-01-01", 20260601, "not a date"),
            ("2026-02-30", "2026-06-01", "not a date"),
        ):
            self.assertRefused(
                UserError, pattern, Snapshot.compute_snapshots, date_from, date_to
            )

    def test_recompute_wizard_inverted_dates(self):
        wizard = self.env["crm.kpi.recompute"].create(
            {"date_from": "2026-06-01", "date_to": "2026-01-01"}
        )
        self.assertEqual(wizard.month_count, 0)
        self.assertRefused(UserError, "swap them", wizard.action_recompute)
        self.assertEqual(wizard.state, "draft")

    def test_comparison_arguments(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        self.company.crm_go_live_date = "2026-01-01"
        for args, pattern in (
            (("nps",), "Unknown KPI"),
            ((["revenue"],), "Unknown KPI"),
            ((None,), "Unknown KPI"),
            (("revenue", "region"), "Unknown segment"),
            (("revenue", ["all"]), "Unknown segment"),
        ):
            self.assertRefused(UserError, pattern, Snapshot.get_comparison, *args)

    def test_cohort_horizon(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        for horizon in (0, -1, 1000, 10**9, "12", None, 2.5):
            self.assertRefused(
                UserError,
                "between 1 and 120 months",
                Snapshot.get_cohort_table,
                horizon,
            )
        self.assertEqual(len(Snapshot.get_cohort_table(120)["before_average"]), 120)

    def test_go_live_today_and_long_window_compute(self):
        # the edges of what is valid work end to end
        self.company.write(
            {"crm_go_live_date": "2026-07-15", "crm_kpi_window_months": 120}
        )
        Snapshot = self.env["crm.kpi.snapshot"]
        self.assertGreater(Snapshot.compute_snapshots("2026-06-01", "2026-06-30"), 0)
        # A, B and C all invoiced in the 120 months before 1 July
        self.assertAlmostEqual(
            self.snapshot("repeat_purchase_rate", "2026-06-01").value,
            100 * 2 / 3,
            places=2,
        )
        june = self.snapshot("revenue", "2026-06-01")
        self.assertEqual((june.value, june.period), (850, "baseline"))
