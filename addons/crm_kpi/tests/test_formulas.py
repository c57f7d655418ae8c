from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import KpiCase

JUNE = date(2026, 6, 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestKpiFormulas(KpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-07-15"):
            cls.env["crm.kpi.snapshot"].with_company(cls.company).compute_snapshots(
                "2026-01-01", "2026-07-10"
            )

    def assertKpi(self, code, value, month=JUNE, **segment):
        snapshot = self.snapshot(code, month, **segment)
        self.assertEqual(len(snapshot), 1, code)
        if value is None:
            self.assertFalse(snapshot.has_value, f"{code} should be empty")
        else:
            self.assertTrue(snapshot.has_value, code)
            self.assertAlmostEqual(snapshot.value, value, places=2, msg=code)
        return snapshot

    def test_monthly_flows(self):
        self.assertKpi("active_customers", 2)  # A and C
        self.assertKpi("new_customers", 1)  # C
        self.assertKpi("revenue", 850)
        aov = self.assertKpi("average_order_value", 850 / 3)
        self.assertEqual((aov.numerator, aov.denominator), (850, 3))
        self.assertKpi("revenue_per_customer", 425)

    def test_customer_base(self):
        # B(1 June) = {A, B} (B's 2025-06-01 invoice is on the window's edge);
        # B(1 July) = {A, C}: A stayed, B left
        retention = self.assertKpi("retention_rate", 50)
        self.assertEqual((retention.numerator, retention.denominator), (1, 2))
        self.assertKpi("churn_rate", 50)
        self.assertKpi("repeat_purchase_rate", 100)  # A and C bought twice
        self.assertKpi("purchase_frequency", 2)  # 4 invoices / 2 customers

    def test_lifetime_value(self):
        # revenue of the 12 months ending June: 200 + 300 + 50 + 500 = 1,050
        # over 2 customers, annual churn 1/2 (B gone): lifetime 2 years
        self.assertKpi("customer_lifetime_value", 1050)

    def test_complaints(self):
        self.assertKpi("complaint_rate", 50)  # 1 claim per 2 active customers
        self.assertKpi("complaint_resolution_days", 8)  # median of 15 and 1

    def test_days_sales_outstanding(self):
        # nothing paid: receivable 1,750 at 30 June; revenue of the 90 days 850
        self.assertKpi("days_sales_outstanding", 1750 / 850 * 90)

    def test_zero_denominators_are_empty(self):
        january = date(2026, 1, 1)
        self.assertKpi("revenue", 0, month=january)
        self.assertKpi("active_customers", 0, month=january)
        self.assertKpi("average_order_value", None, month=january)
        self.assertKpi("revenue_per_customer", None, month=january)
        self.assertKpi("complaint_rate", None, month=january)
        self.assertKpi("complaint_resolution_days", None, month=january)

    def test_segments(self):
        self.assertKpi(
            "active_customers",
            1,
            segment_type="country",
            segment_value=str(self.spain.id),
        )
        self.assertKpi(
            "revenue", 550, segment_type="country", segment_value=str(self.france.id)
        )

    def test_closed_months_are_never_rewritten(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        june = self.snapshot("revenue", JUNE)
        computed_at = june.computed_at
        self.invoice(self.b, "2026-06-20", 1000)
        self.invoice(self.b, "2026-07-02", 70)
        Snapshot.compute_snapshots("2026-06-01", "2026-07-10")
        Snapshot.invalidate_model()
        self.assertAlmostEqual(june.value, 850)
        self.assertEqual(june.computed_at, computed_at)
        self.assertKpi("revenue", 70, month=date(2026, 7, 1))  # the open month moves
        with self.assertRaises(UserError):
            june.write({"value": 1})
        with self.assertRaises(UserError):
            june.unlink()

    def test_bad_ranges(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        count = Snapshot.search_count([])
        with self.assertRaises(UserError):
            Snapshot.compute_snapshots("2026-06-01", "2026-01-01")
        with self.assertRaises(UserError):
            Snapshot.compute_snapshots("2026-06-01", "2026-09-01")
        with self.assertRaises(ValidationError):
            self.company.crm_go_live_date = "2027-01-01"
        with self.assertRaises(ValidationError):
            self.company.crm_kpi_window_months = 0
        self.assertEqual(Snapshot.search_count([]), count)

    def test_drill_down_to_invoices_and_customers(self):
        action = self.snapshot("revenue", JUNE).action_open_details()
        invoices = self.env["account.move"].search(action["domain"])
        self.assertEqual(sum(invoices.mapped("amount_untaxed_signed")), 850)
        action = self.snapshot("active_customers", JUNE).action_open_details()
        self.assertEqual(
            self.env["res.partner"].search(action["domain"]), self.a | self.c
        )
        action = self.snapshot("complaint_rate", JUNE).action_open_details()
        lines = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(len(lines.filtered(lambda line: line.status == "claim")), 1)
        self.assertEqual(
            lines.filtered(lambda line: line.status == "active").partner_id,
            self.a | self.c,
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestKpiCohorts(KpiCase):
    def test_cohort_table(self):
        self.company.crm_go_live_date = "2026-01-01"
        table = self.env["crm.kpi.snapshot"].get_cohort_table(horizon=15)
        cohorts = {
            row["cohort"].isoformat(): row for row in table["before"] + table["after"]
        }
        # A: first invoice 2025-03, again 12 months later (2026-03) and 15 (2026-06)
        a = cohorts["2025-03-01"]
        self.assertEqual(a["size"], 1)
        self.assertEqual(a["shares"][11], 100.0)  # k = 12
        self.assertEqual(a["shares"][0], 0.0)  # k = 1
        self.assertEqual(a["shares"][14], 100.0)  # k = 15, June 2026
        # C: cohort of June 2026, after go-live; July is not closed yet
        c = cohorts["2026-06-01"]
        self.assertIn(c, table["after"])
        self.assertEqual(c["shares"], [None] * 15)
        self.assertIn(cohorts["2025-06-01"], table["before"])  # B

    def test_cohort_rows_open_their_customers(self):
        self.company.crm_go_live_date = "2026-01-01"
        comparison = (
            self.env["crm.kpi.comparison"].with_company(self.company).create({})
        )
        rows = {row.name: row for row in comparison.cohort_line_ids}
        a = rows["2025-03"]
        self.assertEqual(
            (a.side, a.size, a.share_1, a.share_12), ("before", 1, "0%", "100%")
        )
        self.assertEqual(rows["2026-06"].share_1, "", "July has not closed")

        def customers(row):
            action = row.action_open_customers()
            return self.env["res.partner"].search(action["domain"])

        self.assertEqual(customers(a), self.a)
        before = rows["Average before go-live"]
        self.assertEqual(before.size, 2)
        self.assertEqual(customers(before), self.a | self.b)
        self.assertEqual(customers(rows["Average after go-live"]), self.c)
