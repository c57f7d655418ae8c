"""The statistics of the comparison against statsmodels / scipy and a
hand computation, the periods, the verdicts and warnings, and the proof
on seeded stories (:mod:`.story`) with and without an effect."""

import importlib.util
from datetime import date

import numpy as np
import statsmodels.api as sm
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from scipy import stats

from odoo.exceptions import UserError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import SQL
from odoo.tools.misc import file_path

from .. import comparison
from ..catalogue import KPIS
from .common import KpiCase
from .story import story

GO_LIVE = date(2025, 1, 1)
BEFORE = [50.1, 52.3, 49.8, 51.0, 53.2, 50.7, 48.9, 51.8]
AFTER = [55.2, 54.1, 57.3, 56.0, 53.9, 55.5, 58.1]


def newey_west(y, x, lags):
    """(coefficient, standard error, p-value) of ``x`` in the OLS of ``y``
    on a constant and ``x``, with the Newey-West covariance (Bartlett
    weights, small-sample factor n / (n - k)) computed by hand."""
    y, X = np.asarray(y), np.column_stack([np.ones(len(x)), x])
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    scores = X * (y - X @ beta)[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        weight = 1 - lag / (lags + 1)
        gamma = scores[lag:].T @ scores[:-lag]
        meat += weight * (gamma + gamma.T)
    cov = bread @ meat @ bread * n / (n - k)
    se = np.sqrt(cov[1, 1])
    return beta[1], se, 2 * stats.t.sf(abs(beta[1] / se), n - k)


@tagged("post_install", "-at_install")
class TestComparisonStatistics(TransactionCase):
    def test_newey_west_lags(self):
        # floor(4 (n / 100) ^ (2/9))
        self.assertEqual(
            [comparison.hac_lags(n) for n in (6, 12, 24, 48, 100, 200)],
            [2, 2, 2, 3, 4, 4],
        )

    def test_before_after_test_is_statsmodels_newey_west(self):
        test = comparison.before_after_test(BEFORE, AFTER)
        dummy = [0] * len(BEFORE) + [1] * len(AFTER)
        fit = sm.OLS(BEFORE + AFTER, sm.add_constant(np.array(dummy, float))).fit(
            cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True}, use_t=True
        )
        self.assertEqual(test["lags"], 2)
        self.assertAlmostEqual(test["p_value"], fit.pvalues[1], places=12)
        self.assertAlmostEqual(test["ci_low"], fit.conf_int(0.05)[1][0], places=10)
        change, se, p_value = newey_west(BEFORE + AFTER, dummy, 2)
        self.assertAlmostEqual(test["p_value"], p_value, places=10)
        self.assertAlmostEqual(
            test["ci_high"], change + stats.t.ppf(0.975, 13) * se, places=8
        )
        # and not the plain OLS (or Welch) p-value
        plain = sm.OLS(BEFORE + AFTER, sm.add_constant(np.array(dummy, float))).fit()
        self.assertNotAlmostEqual(test["p_value"], plain.pvalues[1], places=6)

    def test_benjamini_hochberg_is_scipy(self):
        p_values = [0.001, 0.04, 0.03, 0.2, 0.011, 0.6, 0.049]
        results = {
            str(i): {"p_value": p, "change": 1.0, "higher_is_better": True}
            for i, p in enumerate(p_values)
        }
        results["untested"] = {
            "p_value": None,
            "change": None,
            "higher_is_better": True,
        }
        comparison.adjust_p_values(results)
        adjusted = stats.false_discovery_control(p_values)
        # by hand: p(i) m / i, the running minimum from the largest down
        order = np.argsort(p_values)
        by_hand = np.empty(len(p_values))
        running = 1.0
        for rank in range(len(p_values), 0, -1):
            index = order[rank - 1]
            running = min(running, p_values[index] * len(p_values) / rank)
            by_hand[index] = running
        for i in range(len(p_values)):
            self.assertAlmostEqual(results[str(i)]["p_value_adjusted"], adjusted[i])
            self.assertAlmostEqual(adjusted[i], by_hand[i])
        self.assertIsNone(results["untested"]["p_value_adjusted"])
        self.assertEqual(results["untested"]["verdict"], "no_change")
        # 0.04 is below 5% raw, not once adjusted across the 7 tests
        self.assertFalse(results["1"]["significant"])
        self.assertTrue(results["0"]["significant"])

    def test_verdict_follows_the_direction_of_the_kpi(self):
        def verdict(change, higher_is_better, p_value=0.001):
            result = {"change": change, "higher_is_better": higher_is_better}
            return comparison.with_verdict(result, p_value)["verdict"]

        self.assertEqual(verdict(5.0, True), "improved")
        self.assertEqual(verdict(-5.0, True), "worsened")
        self.assertEqual(verdict(5.0, False), "worsened")  # churn up
        self.assertEqual(verdict(-5.0, False), "improved")  # churn down
        self.assertEqual(verdict(-5.0, False, p_value=0.2), "no_change")


def month(index):
    return GO_LIVE + relativedelta(months=index)


@tagged("post_install", "-at_install")
class TestComparisonPeriods(TransactionCase):
    def test_equal_length_takes_the_most_recent_months_after(self):
        # baseline 2024, transition January to March 2025, after to June 2026
        periods = comparison.comparison_periods(
            month(-12), GO_LIVE, month(3), month(17), True
        )
        self.assertEqual(
            periods.baseline, comparison.months_from(month(-12), month(-1))
        )
        self.assertEqual(periods.transition, (month(0), month(1), month(2)))
        self.assertEqual(periods.after, comparison.months_from(month(6), month(17)))
        self.assertEqual(len(periods.its_after), 15, "the time series keeps all")
        unequal = comparison.comparison_periods(
            month(-12), GO_LIVE, month(3), month(17), False
        )
        self.assertEqual(unequal.after, comparison.months_from(month(3), month(17)))

    def test_a_short_after_period_keeps_the_same_calendar_months(self):
        # after: April to August 2025, against April to August 2024
        periods = comparison.comparison_periods(
            month(-12), GO_LIVE, month(3), month(7), True
        )
        self.assertEqual(periods.baseline, comparison.months_from(month(-9), month(-5)))
        self.assertEqual(
            [m.month for m in periods.baseline], [m.month for m in periods.after]
        )
        # a baseline of 3 months lacks April: its most recent months then
        short = comparison.comparison_periods(
            month(-3), GO_LIVE, month(0), month(1), True
        )
        self.assertEqual(short.baseline, (month(-2), month(-1)))
        self.assertEqual(short.transition, ())

    def test_the_transition_is_shown_and_left_out(self):
        periods = comparison.comparison_periods(
            month(-12), GO_LIVE, month(3), month(14), True
        )
        series = [(month(i), 100.0 + (i % 2)) for i in range(-12, 0)]
        series += [(month(i), 40.0 + (i % 2)) for i in range(3)]  # transition
        series += [(month(i), 100.0 + (i % 2)) for i in range(3, 15)]
        result = comparison.compare_series(series, periods, self.env)
        self.assertEqual(result["transition_months"], 3)
        self.assertAlmostEqual(result["transition_mean"], 40 + 1 / 3)
        self.assertAlmostEqual(result["change"], 0.0)
        self.assertEqual(result["verdict"], "no_change")
        self.assertEqual(result["months"]["transition"], [month(0), month(1), month(2)])
        self.assertIn("Newey-West", result["test"])
        # the same months with the transition counted as after: a fall
        with_transition = comparison.compare_series(
            series,
            comparison.comparison_periods(
                month(-12), GO_LIVE, GO_LIVE, month(14), False
            ),
            self.env,
        )
        self.assertLess(with_transition["change"], -5)

    def test_statistics_that_cannot_be_computed_are_empty(self):
        """One month after go-live: the interrupted time series has no slope
        to fit (a rank-deficient design), and a same-season difference that
        never varies has no p-value; both are left empty, nothing is logged
        and nothing is NaN."""
        periods = comparison.comparison_periods(
            month(-12), GO_LIVE, GO_LIVE, month(0), False
        )
        series = [(month(i), 50.0 + (i % 3)) for i in range(-12, 1)]
        with self.assertNoLogs(level="WARNING"):
            result = comparison.compare_series(series, periods, self.env)
        self.assertIsNone(result["its"])
        same_season = comparison.compare_series(
            [(month(i), 50.0 + (i % 3) + (5 if i >= 0 else 0)) for i in range(-12, 12)],
            comparison.comparison_periods(
                month(-12), GO_LIVE, GO_LIVE, month(11), False
            ),
            self.env,
        )["same_season"]
        self.assertIsNotNone(same_season)
        self.assertIsNone(same_season["p_value"])

    def test_warnings(self):
        periods = comparison.comparison_periods(
            month(-12), GO_LIVE, month(3), month(14), True
        )
        series = [(month(i), 10.0 + i % 3) for i in range(-12, 15) if i != -4]
        customers = {month(i): 40 for i in range(-12, 15)}
        customers[month(5)] = 12
        warning = comparison.compare_series(series, periods, self.env, True, customers)[
            "warning"
        ]
        self.assertIn("No value in 1 month(s) (2024-09)", warning)
        self.assertIn("Fewer than 30 customers in 1 month(s)", warning)
        self.assertIn("(2025-06)", warning)
        self.assertNotIn("Fewer than 6 months", warning)
        short = comparison.comparison_periods(
            month(-12), GO_LIVE, month(3), month(6), True
        )
        complete = [(month(i), 10.0 + i % 3) for i in range(-12, 7)]
        self.assertIn(
            "Fewer than 6 months on one side (4 before, 4 after)",
            comparison.compare_series(complete, short, self.env)["warning"],
        )
        self.assertFalse(
            comparison.compare_series(
                complete, comparison.periods_around(complete, GO_LIVE), self.env
            )["warning"]
        )


@tagged("post_install", "-at_install")
class TestComparisonProof(TransactionCase):
    """The comparison on seeded stories (:func:`.story.story`): a baseline of
    12 months, go-live in January 2025, a transition of 3 months, 12 months
    after; the KPIs of all customers compared together."""

    SEEDS = range(20)

    def compare(self, seed, effect):
        series, customers = story(seed, month(-12), 12, 3, 27, effect)
        periods = comparison.comparison_periods(
            month(-12), GO_LIVE, month(3), month(14), True
        )
        return comparison.compare_kpis(series, periods, self.env, KPIS, customers)

    def test_no_effect_no_change(self):
        """Over 20 seeds, at most 2 of the 260 KPI tests are significant."""
        flagged = [
            (seed, code)
            for seed in self.SEEDS
            for code, result in self.compare(seed, 0.0).items()
            if result["significant"]
        ]
        self.assertLessEqual(len(flagged), 2, flagged)

    def test_a_higher_purchase_frequency_is_found(self):
        """+20% purchase frequency after a 3-month ramp: found in the KPIs
        it drives, as improvements, with the transition left out."""
        changes = []
        for seed in self.SEEDS:
            results = self.compare(seed, 0.2)
            improved = {c for c, r in results.items() if r["verdict"] == "improved"}
            self.assertTrue(improved & {"purchase_frequency", "repeat_purchase_rate"})
            changes.append(results["purchase_frequency"]["change_pct"])
        # the estimated change, on average over the seeds, is the true one
        self.assertAlmostEqual(np.mean(changes), 20, delta=2)


@tagged("post_install", "-at_install")
class TestComparisonThroughInvoices(KpiCase):
    """Three customers buy once a month before go-live (July 2025) and three
    times a month after it; go-live, a transition of one month, a baseline
    of 6 months, today 2026-07-15."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "crm_go_live_date": "2025-07-01",
                "crm_kpi_baseline_months": 6,
                "crm_kpi_transition_months": 1,
            }
        )
        cls.buyers = buyers = cls.env["res.partner"].create(
            [{"name": f"Buyer {i}", "is_company": True} for i in range(3)]
        )
        for index in range(18):  # January 2025 to June 2026
            first = date(2025, 1, 1) + relativedelta(months=index)
            for buyer in buyers:
                for order in range(1 if index < 6 else 3):
                    amount = 100 + (index * 7 + order * 3) % 13
                    cls.invoice(buyer, first + relativedelta(days=order * 9), amount)
        with freeze_time("2026-07-15"):
            cls.env["crm.kpi.snapshot"].with_company(cls.company).compute_snapshots(
                "2025-01-01", "2026-06-30"
            )

    @freeze_time("2026-07-15")
    def test_the_pipeline_finds_a_large_effect(self):
        Snapshot = self.env["crm.kpi.snapshot"].with_company(self.company)
        revenue = Snapshot.get_comparison("revenue")
        # after: the 6 most recent months, January to June 2026
        self.assertEqual(revenue["months"]["after"][0], date(2026, 1, 1))
        self.assertEqual((revenue["baseline_months"], revenue["after_months"]), (6, 6))
        self.assertEqual(revenue["transition_months"], 1)
        self.assertEqual(revenue["verdict"], "improved")
        self.assertLess(revenue["p_value_adjusted"], 0.05)
        self.assertGreaterEqual(revenue["p_value_adjusted"], revenue["p_value"])
        self.assertIn("Newey-West", revenue["test"])
        self.assertIn("Fewer than 30 customers", revenue["warning"])
        # the wizard shows the same, in the colour of an improvement
        line = (
            self.env["crm.kpi.comparison"]
            .with_company(self.company)
            .create({})
            .line_ids.filtered(lambda line: line.kpi_code == "revenue")
        )
        self.assertEqual(line.verdict, "improved")
        self.assertAlmostEqual(
            line.p_value_adjusted, revenue["p_value_adjusted"], places=4
        )
        self.assertAlmostEqual(line.after_mean, revenue["after_mean"], places=2)

    @freeze_time("2026-07-15")
    def test_cohorts_by_segment(self):
        Snapshot = self.env["crm.kpi.snapshot"].with_company(self.company)
        everyone = Snapshot.get_cohort_table(3)
        france = Snapshot.get_cohort_table(3, "country", str(self.france.id))
        # C, of France, first bought in June 2026, after go-live
        self.assertEqual(
            [(row["cohort"], row["size"]) for row in france["after"]],
            [(date(2026, 6, 1), 1)],
        )
        self.assertFalse(france["before"])
        spain = Snapshot.get_cohort_table(3, "country", str(self.spain.id))
        self.assertEqual(sum(row["size"] for row in spain["before"]), 2)  # A, B
        # the three buyers have no country; all customers has every cohort
        nowhere = Snapshot.get_cohort_table(3, "country", "")
        self.assertEqual(nowhere["before"][0]["size"], 3)
        self.assertEqual(nowhere["before"][0]["shares"], [100.0, 100.0, 100.0])
        self.assertEqual(
            sum(row["size"] for row in everyone["before"] + everyone["after"]), 6
        )
        # by sales team: the team of the buyers' invoices
        team = (
            self.env["account.move"]
            .search([("partner_id", "in", self.buyers.ids)], limit=1)
            .team_id
        )
        by_team = Snapshot.get_cohort_table(3, "team", str(team.id or ""))
        self.assertEqual(by_team["before"][0]["cohort"], date(2025, 1, 1))
        self.assertEqual(by_team["before"][0]["size"], 3)
        with self.assertRaisesRegex(UserError, "Unknown segment"):
            Snapshot.get_cohort_table(3, "country", "Spain")

    @freeze_time("2026-07-15")
    def test_the_cohort_tab_follows_the_segment(self):
        comparison = (
            self.env["crm.kpi.comparison"].with_company(self.company).create({})
        )
        self.assertEqual(
            comparison.cohort_line_ids.filtered("cohort").mapped("size"), [3, 1, 1, 1]
        )
        with Form(comparison) as form:
            form.segment_type = "country"
            self.assertFalse(form.cohort_line_ids, "no cohort before an id is given")
            form.segment_value = str(self.france.id)
        cohorts = comparison.cohort_line_ids.filtered("cohort")
        self.assertEqual(cohorts.mapped("name"), ["2026-06"])
        self.assertEqual(cohorts.mapped("size"), [1])

    def test_migration_stores_the_transition_periods(self):
        """Snapshots stored before the transition existed say "after" for
        the transition months; the migration stores them again."""
        Snapshot = self.env["crm.kpi.snapshot"]
        july = Snapshot.search(
            [("company_id", "=", self.company.id), ("date_from", "=", "2025-07-01")]
        )
        self.assertEqual(set(july.mapped("period")), {"transition"})
        self.env.cr.execute(
            SQL(
                "UPDATE crm_kpi_snapshot SET period = 'after' WHERE id = ANY(%s)",
                july.ids,
            )
        )
        july.invalidate_recordset(["period"])
        migration = load_migration()
        self.assertEqual(migration.store_periods(self.env), len(july))
        self.assertEqual(set(july.mapped("period")), {"transition"})
        self.assertEqual(migration.store_periods(self.env), 0)


def load_migration():
    path = file_path("crm_kpi/migrations/19.0.1.2.0/post-migrate.py")
    spec = importlib.util.spec_from_file_location("crm_kpi_post_migrate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
