"""The monthly trend chart of a KPI, in plain Python.

Every month from the first one shown to the last closed month has a value
or none: a month without a snapshot (or whose KPI is empty) is a gap in the
line, never a 0. Each month is marked baseline, transition, after or other
as the company counts it, and the baseline and after means are the
comparison's (``crm.kpi.snapshot.get_comparison``), drawn over the months
they average.
"""

from odoo import fields

from odoo.addons.crm_suite_base.periods import (
    add_months,
    last_closed_month,
    month_count,
)

from .catalogue import FORMULA_VERSION, KPIS

# the periods of the months a side of the comparison may average


def month_range(first, last):
    """The first days of the months from ``first`` to ``last`` (both
    included; none when ``first`` is after ``last``)."""
    if not first or not last or first > last:
        return []
    return [add_months(first, index) for index in range(month_count(first, last))]


def chart_data(values, months, periods, comparison):
    """The months, values and means of the chart.

    :param values: {month: value} of the months with a value
    :param months: the months of the chart, oldest first
    :param periods: the period of each month (baseline, transition, after,
        other)
    :param comparison: the result of ``get_comparison``, or None without a
        go-live date
    :return: {months (ISO dates), values (a number or None a month),
        periods, baseline, after}; baseline and after are {mean, months,
        first, last} (the mean, how many months it averages, its first and
        last month) or None
    """
    return {
        "months": [month.isoformat() for month in months],
        "values": [values.get(month) for month in months],
        "periods": periods,
        "baseline": _mean_line(comparison, "baseline"),
        "after": _mean_line(comparison, "after"),
    }


def _mean_line(comparison, side):
    """The comparison's mean of ``side``, drawn over the months it averages
    (``months`` of :meth:`get_comparison`: the transition left out, equal
    lengths)."""
    mean = comparison and comparison[f"{side}_mean"]
    side_months = comparison and comparison["months"][side]
    if mean is None or mean is False or not side_months:
        return None
    return {
        "mean": mean,
        "months": len(side_months),
        "first": side_months[0].isoformat(),
        "last": side_months[-1].isoformat(),
    }


def trend_chart(snapshots, kpi_code, segment_type, segment_value):
    """``crm.kpi.snapshot.get_trend``: the months from the first snapshot
    (or the first baseline month) to the last closed month of the current
    company, with the markers and means of :func:`chart_data`.

    :param snapshots: the ``crm.kpi.snapshot`` model
    :return: {kpi ({code, name, unit, higher_is_better}), segment_label, go_live_date,
        go_live (month), after_start (first month after the transition),
        transition_months, months, values, periods, baseline, after}
    """
    company = snapshots.env.company
    last = last_closed_month(fields.Date.context_today(snapshots))
    series = snapshots._segment_series(segment_type, segment_value, [kpi_code]).get(
        kpi_code, []
    )
    values = {month: value for month, value in series if month <= last}
    go_live = company._crm_kpi_go_live_month()
    starts = [*values, company._crm_kpi_baseline_start()] if go_live else values
    months = month_range(min(starts, default=None), last)
    periods = [company._crm_kpi_period(month) for month in months]
    comparison = go_live and snapshots.get_comparison(
        kpi_code, segment_type, segment_value
    )
    return {
        "kpi": _kpi(snapshots, kpi_code),
        "segment_label": snapshots._segment_label(segment_type, segment_value),
        "go_live_date": go_live and company.crm_go_live_date.isoformat(),
        "go_live": go_live and go_live.isoformat(),
        "after_start": go_live and company._crm_kpi_after_start().isoformat(),
        "transition_months": company.crm_kpi_transition_months,
        **chart_data(values, months, periods, comparison or None),
    }


def _kpi(snapshots, kpi_code):
    """{code, name, unit, higher_is_better} of a KPI."""
    names = dict(snapshots._fields["kpi_code"]._description_selection(snapshots.env))
    kpi = KPIS[kpi_code]
    return {
        "code": kpi_code,
        "name": names[kpi_code],
        "unit": kpi.unit,
        "higher_is_better": kpi.higher_is_better,
    }


def segments(snapshots, segment_type):
    """``crm.kpi.snapshot.get_trend_segments``: the segments of
    ``segment_type`` with snapshots in the current company."""
    groups = snapshots._read_group(
        [
            ("company_id", "=", snapshots.env.company.id),
            ("segment_type", "=", segment_type),
            ("formula_version", "=", FORMULA_VERSION),
        ],
        ["segment_value"],
    )
    found = [
        {"value": value, "label": snapshots._segment_label(segment_type, value)}
        for (value,) in groups
    ]
    return sorted(found, key=lambda segment: segment["label"])
