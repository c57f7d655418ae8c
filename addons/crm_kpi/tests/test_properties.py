"""Property-based tests of the KPI formulas against a plain Python reference.

Random small sets of invoices and credit notes of a few customers are
posted in a company of their own, the snapshots computed, and a few KPIs
compared with the reference. Each example runs in a savepoint that is
rolled back; examples are derandomized for CI.
"""

from contextlib import closing
from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from .common import KpiCase

TODAY = date(2026, 7, 15)
FIRST, LAST = date(2026, 3, 1), date(2026, 6, 1)  # the months compared
# no shrinking (each example posts invoices): a failure reports the example
# as drawn
IN_DATABASE = settings(
    max_examples=10,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.differing_executors,
        HealthCheck.data_too_large,
    ],
)
moves = st.lists(
    st.tuples(
        st.integers(0, 3),  # customer
        st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 7, 14)),
        st.sampled_from(["out_invoice", "out_invoice", "out_invoice", "out_refund"]),
        st.integers(1, 3000),
    ),
    min_size=1,
    max_size=9,
)


def months_between(first, last):
    month = first
    while month <= last:
        yield month
        month += relativedelta(months=1)


def ratio(numerator, denominator, scale=1.0):
    return numerator / denominator * scale if denominator else None


def reference_kpis(invoices, window):
    """{kpi: {month: value}} from the definitions shown to users."""
    sales = [(c, day) for c, day, t, _a in invoices if t == "out_invoice"]

    def in_month(day, month):
        return month <= day < month + relativedelta(months=1)

    def base(day):
        """{customer: invoices} of the ``window`` months before ``day``."""
        counts = {}
        for customer, sold in sales:
            if day - relativedelta(months=window) <= sold < day:
                counts[customer] = counts.get(customer, 0) + 1
        return counts

    first_sale = {}
    for customer, sold in sorted(sales, key=lambda sale: sale[1]):
        first_sale.setdefault(customer, sold)
    result = {}
    for month in months_between(FIRST, LAST):
        following = month + relativedelta(months=1)
        start, end = base(month), base(following)
        active = {c for c, sold in sales if in_month(sold, month)}
        invoice_count = sum(1 for _c, sold in sales if in_month(sold, month))
        revenue = sum(
            (-amount if move_type == "out_refund" else amount)
            for _c, day, move_type, amount in invoices
            if in_month(day, month)
        )
        kept = len(set(start) & set(end))
        result[month] = {
            "active_customers": len(active),
            "new_customers": sum(
                1 for sold in first_sale.values() if in_month(sold, month)
            ),
            "revenue": revenue,
            "average_order_value": ratio(revenue, invoice_count),
            "revenue_per_customer": ratio(revenue, len(active)),
            "retention_rate": ratio(kept, len(start), 100.0),
            "churn_rate": None if not start else 100.0 - ratio(kept, len(start), 100.0),
            "repeat_purchase_rate": ratio(
                sum(1 for n in end.values() if n >= 2), len(end), 100.0
            ),
            "purchase_frequency": ratio(sum(end.values()), len(end)),
        }
    return result


@tagged("post_install", "-at_install")
class TestKpiFormulaProperties(KpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alone = cls.setup_other_company(name="KPI Properties Co")["company"]
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Buyer {i}", "is_company": True} for i in range(4)]
        )

    @IN_DATABASE
    @given(invoices=moves, window=st.sampled_from([1, 3, 12]))
    def test_kpis_match_reference(self, invoices, window):
        expected = reference_kpis(invoices, window)
        with closing(self.env.cr.savepoint()), freeze_time(TODAY):
            self.alone.crm_kpi_window_months = window
            for customer, day, move_type, amount in invoices:
                self.invoice(
                    self.customers[customer], day, amount, move_type, self.alone
                )
            Snapshot = self.env["crm.kpi.snapshot"].with_company(self.alone)
            Snapshot.compute_snapshots(FIRST, LAST)
            snapshots = Snapshot.search(
                [("company_id", "=", self.alone.id), ("segment_type", "=", "all")]
            )
            found = {(s.date_from, s.kpi_code): s for s in snapshots}
            for month, kpis in expected.items():
                for code, value in kpis.items():
                    snapshot = found[month, code]
                    label = f"{code} {month} {invoices} W={window}"
                    if value is None:
                        self.assertFalse(snapshot.has_value, label)
                    else:
                        self.assertTrue(snapshot.has_value, label)
                        self.assertAlmostEqual(
                            snapshot.value, value, delta=0.01, msg=label
                        )
