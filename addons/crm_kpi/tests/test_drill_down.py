from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import KpiCase


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestComparisonDrillDown(KpiCase):
    """Go-live in April 2026 with a baseline of 3 months: January to March
    before, April to June after (July is still open)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "crm_go_live_date": "2026-04-10",
                "crm_kpi_baseline_months": 3,
                # no transition: April to June are the months after
                "crm_kpi_transition_months": 0,
            }
        )
        with freeze_time("2026-07-15"):
            cls.env["crm.kpi.snapshot"].with_company(cls.company).compute_snapshots(
                "2025-10-01", "2026-07-10"
            )

    def open_comparison(self):
        action = self.env["crm.kpi.comparison"].with_company(self.company).action_open()
        self.assertEqual(action["res_model"], "crm.kpi.comparison")
        return self.env["crm.kpi.comparison"].browse(action["res_id"])

    def line(self, comparison, code):
        return comparison.line_ids.filtered(lambda line: line.kpi_code == code)

    def drill(self, line, method):
        action = getattr(line, method)()
        self.assertEqual(action["res_model"], "crm.kpi.snapshot")
        return self.env["crm.kpi.snapshot"].search(action["domain"], order="date_from")

    def test_each_mean_opens_the_months_behind_it(self):
        comparison = self.open_comparison()
        self.assertTrue(comparison.exists(), "saved, so that its lines can be clicked")
        self.assertEqual(len(comparison.line_ids), 13)
        revenue = self.line(comparison, "revenue")
        # revenue: 0, 0, 200 before; 0, 0, 850 after
        self.assertEqual((revenue.baseline_months, revenue.after_months), (3, 3))
        self.assertAlmostEqual(revenue.baseline_mean, 200 / 3, places=2)
        self.assertAlmostEqual(revenue.after_mean, 850 / 3, places=2)
        self.assertTrue(revenue.has_change)
        # 6 months are too few for a time series, and no month after go-live
        # has its month of the year before: those cells stay empty, not 0
        self.assertFalse(revenue.has_its)
        self.assertFalse(revenue.has_same_season)
        before = self.drill(revenue, "action_open_baseline")
        self.assertEqual(
            before.mapped("date_from"),
            [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
        )
        self.assertEqual(set(before.mapped("kpi_code")), {"revenue"})
        self.assertEqual(sum(before.mapped("value")), 200)
        after = self.drill(revenue, "action_open_after")
        self.assertEqual(
            after.mapped("date_from"),
            [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)],
        )
        self.assertEqual(sum(after.mapped("value")), 850)
        # and from a month to the invoices behind it
        invoices = self.env["account.move"].search(
            after[-1].action_open_details()["domain"]
        )
        self.assertEqual(sum(invoices.mapped("amount_untaxed_signed")), 850)
        # the trend chart of the line's KPI and segment draws the months
        # behind each mean, under that mean
        trend = revenue.action_open_trend()
        self.assertEqual(trend["tag"], "crm_kpi_trend")
        self.assertEqual(
            trend["params"],
            {"kpi_code": "revenue", "segment_type": "all", "segment_value": "all"},
        )
        chart = (
            self.env["crm.kpi.snapshot"]
            .with_company(self.company)
            .get_trend(**trend["params"])
        )
        values = dict(zip(chart["months"], chart["values"], strict=True))
        for side, snapshots in (("baseline", before), ("after", after)):
            line = chart[side]
            months = [month.isoformat() for month in snapshots.mapped("date_from")]
            self.assertEqual((line["first"], line["last"]), (months[0], months[-1]))
            self.assertEqual(
                [values[month] for month in months], snapshots.mapped("value")
            )
            self.assertAlmostEqual(line["mean"], revenue[f"{side}_mean"], places=2)

    def test_empty_months_are_not_behind_a_mean(self):
        """A month whose rate is empty is left out of the mean, and out of
        the months it opens."""
        aov = self.line(self.open_comparison(), "average_order_value")
        # invoices only in March (200) and June (300, 50, 500)
        self.assertEqual((aov.baseline_months, aov.after_months), (1, 1))
        self.assertEqual(
            self.drill(aov, "action_open_baseline").mapped("value"), [200.0]
        )
        self.assertEqual(
            self.drill(aov, "action_open_after").mapped("value"), [850 / 3]
        )

    def test_segment_change_keeps_the_lines_and_their_months(self):
        comparison = self.open_comparison()
        revenue = self.line(comparison, "revenue")
        with Form(comparison) as form:
            form.segment_type = "country"
            form.segment_value = str(self.france.id)
        self.assertEqual(self.line(comparison, "revenue"), revenue, "same record")
        self.assertAlmostEqual(revenue.after_mean, 550 / 3, places=2)  # C only
        self.assertEqual(revenue.baseline_mean, 0)
        after = self.drill(revenue, "action_open_after")
        self.assertEqual(set(after.mapped("segment_value")), {str(self.france.id)})
        self.assertEqual(sum(after.mapped("value")), 550)

    def test_comparison_needs_a_go_live_date(self):
        self.company.crm_go_live_date = False
        Comparison = self.env["crm.kpi.comparison"].with_company(self.company)
        count = Comparison.search_count([])
        with self.assertRaisesRegex(UserError, "go-live date"):
            Comparison.action_open()
        self.assertEqual(Comparison.search_count([]), count)
