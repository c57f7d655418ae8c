"""The catalogue of the customer-value KPIs and of their segments.

Each KPI is a :class:`Kpi`: its code (the snapshots' ``kpi_code``), label,
unit, whether a higher value is better, and its formula as shown in a
tooltip. Plain Python: the snapshot model and the comparison screen read
their selections from here.
"""

from dataclasses import dataclass

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# bumped when a formula changes: new snapshots are written beside the old
FORMULA_VERSION = 1
SEGMENT_TYPES = [
    ("all", "All customers"),
    ("tier", "Loyalty tier"),
    ("team", "Sales team"),
    ("country", "Country"),
]
# the segment types that depend on the customer alone (not on the invoice)
CUSTOMER_SEGMENT_TYPES = ("all", "country", "tier")


@dataclass(frozen=True)
class Kpi:
    """One KPI of the catalogue; ``help`` is its formula (translated lazily)."""

    code: str
    label: str
    unit: str
    higher_is_better: bool
    help: object


_CATALOGUE = (
    Kpi(
        "active_customers",
        "Active customers",
        "count",
        True,
        _lt("Customers with at least one posted invoice in the month."),
    ),
    Kpi(
        "new_customers",
        "New customers",
        "count",
        True,
        _lt("Customers whose first posted invoice in the company is in the month."),
    ),
    Kpi(
        "revenue",
        "Revenue",
        "money",
        True,
        _lt(
            "Untaxed amount of the posted invoices minus credit notes of the "
            "month, in the company's currency."
        ),
    ),
    Kpi(
        "average_order_value",
        "Average order value",
        "money",
        True,
        _lt("Revenue of the month / number of posted invoices in the month."),
    ),
    Kpi(
        "revenue_per_customer",
        "Revenue per customer",
        "money",
        True,
        _lt("Revenue of the month / active customers of the month."),
    ),
    Kpi(
        "retention_rate",
        "Retention rate",
        "percent",
        True,
        _lt(
            "Share of the customer base at the start of the month still in the "
            "customer base after it: |B(start) ∩ B(end + 1 day)| / |B(start)| × "
            "100, where B(d) is the customers with an invoice in the W months "
            "before d."
        ),
    ),
    Kpi(
        "churn_rate",
        "Churn rate",
        "percent",
        False,
        _lt("100 − retention rate."),
    ),
    Kpi(
        "repeat_purchase_rate",
        "Repeat purchase rate",
        "percent",
        True,
        _lt(
            "Share of the customer base at the end of the month with two or more "
            "invoices in the W months before."
        ),
    ),
    Kpi(
        "purchase_frequency",
        "Purchase frequency",
        "ratio",
        True,
        _lt(
            "Invoices of the W months ending with the month / customers in the "
            "customer base at the end of the month."
        ),
    ),
    Kpi(
        "customer_lifetime_value",
        "Customer lifetime value",
        "money",
        True,
        _lt(
            "Revenue of the W months ending with the month / customer base at "
            "its end × 12 / W × expected lifetime in years (1 / annual churn, "
            "at most 10 years)."
        ),
    ),
    Kpi(
        "complaint_rate",
        "Complaint rate",
        "ratio",
        False,
        _lt("Claims dated in the month per 100 active customers."),
    ),
    Kpi(
        "complaint_resolution_days",
        "Complaint resolution (days)",
        "days",
        False,
        _lt(
            "Median days from claim date to closing, of the claims closed in the month."
        ),
    ),
    Kpi(
        "days_sales_outstanding",
        "Days sales outstanding",
        "days",
        False,
        _lt(
            "Customer receivable open at the end of the month / revenue of the 90 "
            "days ending then × 90."
        ),
    ),
)
# {code: Kpi}, in the catalogue's order
KPIS = {kpi.code: kpi for kpi in _CATALOGUE}


def kpi_selection():
    """[(code, label)] of the KPIs, for a selection field."""
    return [(kpi.code, kpi.label) for kpi in KPIS.values()]


def customer_segment_types(segments):
    """The segment types of ``segments`` that depend on the customer alone."""
    return [t for t in segments if t in CUSTOMER_SEGMENT_TYPES]
