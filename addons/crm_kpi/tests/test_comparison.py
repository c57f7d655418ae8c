import warnings
from datetime import date

import numpy as np
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from ..comparison import compare_series, periods_around

GO_LIVE = date(2025, 1, 1)


def series(jump, seed, months_before=24, months_after=18, noise=2.0):
    """A monthly series around 50 with a level ``jump`` at go-live."""
    rng = np.random.default_rng(seed)
    start = GO_LIVE - relativedelta(months=months_before)
    return [
        (
            start + relativedelta(months=i),
            50.0 + (jump if i >= months_before else 0.0) + rng.normal(0, noise),
        )
        for i in range(months_before + months_after)
    ]


@tagged("post_install", "-at_install")
class TestKpiComparison(TransactionCase):
    def test_detects_a_jump_at_go_live(self):
        history = series(jump=10, seed=1)
        result = compare_series(history, periods_around(history, GO_LIVE), self.env)
        self.assertAlmostEqual(result["change"], 10, delta=2)
        self.assertLess(result["p_value"], 0.05)
        self.assertGreater(result["ci_low"], 0)
        self.assertFalse(result["warning"])
        its = result["its"]
        self.assertTrue(its["seasonal"])  # 42 months: month-of-year terms
        self.assertGreater(its["level_ci"][0], 0, "the level change is significant")
        self.assertLessEqual(its["level_ci"][0], 10)
        self.assertGreaterEqual(
            its["level_ci"][1], 10, "the true jump is in the interval"
        )
        # each month after with the baseline month of its calendar month: the
        # 24 baseline months have each calendar month twice
        self.assertEqual(result["same_season"]["pairs"], 18)
        self.assertAlmostEqual(result["same_season"]["mean_difference"], 10, delta=2)

    def test_finds_no_jump_where_there_is_none(self):
        history = series(jump=0, seed=2)
        result = compare_series(history, periods_around(history, GO_LIVE), self.env)
        self.assertGreater(result["p_value"], 0.05)
        self.assertLess(result["ci_low"], 0)
        self.assertGreater(result["ci_high"], 0)
        self.assertLess(result["its"]["level_ci"][0], 0)
        self.assertGreater(result["its"]["level_ci"][1], 0)

    def test_warns_on_short_sides(self):
        history = series(jump=5, seed=3, months_before=4, months_after=3)
        result = compare_series(history, periods_around(history, GO_LIVE), self.env)
        self.assertIn("Fewer than 6 months", result["warning"])
        self.assertEqual(result["baseline_months"], 4)

    @freeze_time("2026-07-15")
    def test_comparison_needs_a_go_live_date(self):
        self.env.company.crm_go_live_date = False
        with self.assertRaisesRegex(UserError, "go-live date"):
            self.env["crm.kpi.snapshot"].get_comparison("revenue")
        with self.assertRaisesRegex(UserError, "Unknown KPI"):
            self.env["crm.kpi.snapshot"].get_comparison("happiness")


@tagged("post_install", "-at_install")
class TestKpiComparisonConstantSide(TransactionCase):
    def test_a_constant_side_gives_a_result_and_no_warning(self):
        """The same rate every month before go-live (scipy warns about the
        precision of such a sample; the test is still valid)."""
        start = GO_LIVE - relativedelta(months=12)
        series = [(start + relativedelta(months=i), 100.0) for i in range(12)] + [
            (GO_LIVE + relativedelta(months=i), 90.0 + (i % 3)) for i in range(12)
        ]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = compare_series(series, periods_around(series, GO_LIVE), self.env)
        self.assertFalse([w for w in caught if issubclass(w.category, RuntimeWarning)])
        self.assertLess(result["p_value"], 0.05)
