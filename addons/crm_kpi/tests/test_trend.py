from datetime import date

# pandas (under statsmodels) crashes when its C extensions are first
# imported while freezegun replaces datetime: import it before any test
import statsmodels.api  # noqa: F401
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

FIRST = date(2025, 5, 1)
# no snapshot in September 2025; April 2026's has no value (zero denominator)
MISSING, EMPTY = date(2025, 9, 1), date(2026, 4, 1)


@freeze_time("2026-07-15")
@tagged("post_install", "-at_install")
class TestKpiTrend(TransactionCase):
    """Go-live on 2026-01-15, six months of baseline (July to December
    2025), two of transition (January and February 2026), after from March
    2026 to June (the last closed month). Retention snapshots from May 2025
    to July 2026 (the open month), one a month, but none in September 2025
    and no value in April 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "crm_go_live_date": date(2026, 1, 15),
                "crm_kpi_baseline_months": 6,
                "crm_kpi_transition_months": 2,
            }
        )
        cls.Snapshot = cls.env["crm.kpi.snapshot"]
        rows = []
        for index in range(15):
            month = FIRST + relativedelta(months=index)
            if month != MISSING:
                value = None if month == EMPTY else 80.0 + index
                rows.append(
                    ("retention_rate", month, "all", "all", value, value, 100.0)
                )
        cls.spain = cls.env.ref("base.es")
        rows.append(
            ("retention_rate", date(2026, 6, 1), "country", str(cls.spain.id))
            + (50.0, 1.0, 2.0)
        )
        cls.Snapshot._store(cls.company, rows, date(2026, 7, 1))

    def test_one_value_a_month_and_gaps_where_there_is_none(self):
        trend = self.Snapshot.get_trend("retention_rate")
        months = [FIRST + relativedelta(months=index) for index in range(14)]
        self.assertEqual(trend["months"], [month.isoformat() for month in months])
        values = dict(zip(months, trend["values"], strict=True))
        self.assertIsNone(values[MISSING], "no snapshot: a gap, not 0")
        self.assertIsNone(values[EMPTY], "no value: a gap, not 0")
        self.assertEqual(values[date(2025, 5, 1)], 80.0)
        self.assertEqual(values[date(2026, 6, 1)], 93.0)
        self.assertNotIn(0.0, trend["values"])
        self.assertEqual(trend["kpi"]["code"], "retention_rate")
        self.assertEqual(trend["kpi"]["unit"], "percent")
        self.assertEqual(trend["segment_label"], "All customers")

    def test_markers_at_the_go_live_and_the_end_of_the_transition(self):
        trend = self.Snapshot.get_trend("retention_rate")
        self.assertEqual(trend["go_live_date"], "2026-01-15")
        self.assertEqual(trend["go_live"], "2026-01-01")
        self.assertEqual(trend["after_start"], "2026-03-01")
        self.assertEqual(trend["transition_months"], 2)
        periods = dict(zip(trend["months"], trend["periods"], strict=True))
        self.assertEqual(periods["2025-06-01"], "other")
        self.assertEqual(periods["2025-07-01"], "baseline")
        self.assertEqual(periods["2025-12-01"], "baseline")
        self.assertEqual(periods["2026-01-01"], "transition")
        self.assertEqual(periods["2026-02-01"], "transition")
        self.assertEqual(periods["2026-03-01"], "after")

    def test_means_are_the_comparisons(self):
        trend = self.Snapshot.get_trend("retention_rate")
        comparison = self.Snapshot.get_comparison("retention_rate")
        self.assertEqual(trend["baseline"]["mean"], comparison["baseline_mean"])
        self.assertEqual(trend["after"]["mean"], comparison["after_mean"])
        self.assertEqual(trend["baseline"]["months"], comparison["baseline_months"])
        self.assertEqual(trend["after"]["months"], comparison["after_months"])
        # each mean is drawn over the months it averages: the mean of the
        # values under the line is the comparison's
        for side in ("baseline", "after"):
            line = trend[side]
            under = [
                value
                for month, value in zip(trend["months"], trend["values"], strict=True)
                if line["first"] <= month <= line["last"] and value is not None
            ]
            self.assertEqual(len(under), comparison[f"{side}_months"])
            self.assertAlmostEqual(sum(under) / len(under), line["mean"])
        # equal lengths: the after period has three months with a value
        # (March, May, June), so the baseline keeps its three most recent
        self.assertEqual(
            (trend["baseline"]["first"], trend["baseline"]["last"]),
            ("2025-10-01", "2025-12-01"),
        )
        self.assertEqual(trend["after"]["last"], "2026-06-01")
        self.assertGreaterEqual(trend["after"]["first"], trend["after_start"])

    def test_a_segment(self):
        segment = str(self.spain.id)
        trend = self.Snapshot.get_trend("retention_rate", "country", segment)
        self.assertEqual(trend["segment_label"], "Spain")
        self.assertEqual(trend["values"][-1], 50.0)
        self.assertEqual(
            trend["values"].count(None), len(trend["months"]) - 1, "one month only"
        )
        self.assertEqual(
            self.Snapshot.get_trend_segments("country"),
            [{"value": segment, "label": "Spain"}],
        )

    def test_without_go_live_no_marker_and_no_mean(self):
        self.company.crm_go_live_date = False
        trend = self.Snapshot.get_trend("retention_rate")
        self.assertEqual(len(trend["months"]), 14)
        self.assertFalse(trend["go_live"])
        self.assertIsNone(trend["baseline"])
        self.assertIsNone(trend["after"])

    def test_no_snapshot_no_month(self):
        self.company.crm_go_live_date = False
        self.assertEqual(self.Snapshot.get_trend("churn_rate")["months"], [])

    def test_bad_keys(self):
        with self.assertRaisesRegex(UserError, "Unknown KPI"):
            self.Snapshot.get_trend("happiness")
        with self.assertRaisesRegex(UserError, "Unknown segment type"):
            self.Snapshot.get_trend_segments("planet")
