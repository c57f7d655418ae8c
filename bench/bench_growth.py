"""How each measure grows from size S to M to L, and what it would cost at
100 million invoices.

Every size has ten times the customers and ten times the invoices of the
one before (bench_build.SIZES), so one variable, the number of invoices,
describes the data; the customers follow it. Each measure is fitted, over
the sizes measured, with ``t = fixed + per_invoice × invoices`` by least
squares on relative errors (a 5 ms measure at S weighs as much as a 50 s
one at L); the fit gives the part that does not grow with the data, the
cost per million invoices, and the extrapolation to 100 million invoices.
Three sizes, measured on one machine: the extrapolation says how the cost
grows if nothing else changes (no more RAM per row cached, the same
plans), not what a larger machine would do.
"""

import numpy as np

TARGET_INVOICES = 100_000_000

# (label, scenario, path of the seconds in its results); a path of two
# measures is their difference (the posting overhead of a hook)
MEASURES = [
    ("P1 loyalty: first recompute", "p1", ("first", "median_s")),
    (
        "P1 loyalty: full recompute, ~1% of tiers changing",
        "p1",
        ("steady_1pct", "median_s"),
    ),
    (
        "P1 loyalty: nightly run, ~1% of customers changed",
        "p1",
        ("nightly_1pct", "median_s"),
    ),
    ("P1 loyalty: posting overhead", "p1", ("posting", "overhead_ms")),
    ("P2 360 screen, customer with 10 invoices", "p2", ("small", "median_s")),
    ("P2 360 screen, customer with 10,000 invoices", "p2", ("big", "median_s")),
    ("P3 KPI backfill, 36 months", "p3", ("backfill", "median_s")),
    ("P3 KPI monthly run, one new month", "p3", ("monthly", "median_s")),
    ("P3 KPI kept figures: posting overhead", "p3", ("posting", "overhead_ms")),
    ("P5 360 value: nightly refresh, ~1% changed", "p5", ("steady_1pct", "median_s")),
    ("P5 360 value: posting overhead", "p5", ("posting", "overhead_ms")),
]


def seconds(results, scenario, path):
    """The measure at ``path`` of a size's results, in seconds, or None."""
    value = results.get(scenario)
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    if path[-1] == "overhead_ms":
        return value / 1000
    return value


def fit(points):
    """(fixed seconds, seconds per invoice) of ``t = fixed + b × n`` over
    ``points`` [(invoices, seconds)], least squares on relative errors;
    neither part is negative (a measure that shrinks as the data grows is
    noise around a fixed cost, and a difference of two medians measured
    below zero is taken as zero, weighed as 1 ms)."""
    n = np.array([p[0] for p in points], dtype=float)
    t = np.maximum(np.array([p[1] for p in points], dtype=float), 0)
    if len(points) < 2:
        return None
    weights = 1 / np.maximum(t, 1e-3)
    design = np.column_stack([np.ones_like(n), n]) * weights[:, None]
    (fixed, per), *_ = np.linalg.lstsq(design, t * weights, rcond=None)
    if per < 0:
        return float(np.median(t)), 0.0
    if fixed < 0:
        # through the origin: t = b × n
        return 0.0, float(np.sum(t * n * weights**2) / np.sum((n * weights) ** 2))
    return float(fixed), float(per)


def growth(all_results, sizes):
    """[(label, {size: seconds}, fit or None, seconds at 100M or None)]
    for every measure present in at least one size."""
    rows = []
    for label, scenario, path in MEASURES:
        by_size = {}
        points = []
        for size in sizes:
            res = all_results[size]
            value = seconds(res, scenario, path)
            invoices = (res.get(scenario) or {}).get("invoices") or res.get(
                "p1", {}
            ).get("invoices")
            if value is None:
                continue
            by_size[size] = value
            if invoices:
                points.append((invoices, value))
        if not by_size:
            continue
        fitted = fit(points)
        at_target = fitted and fitted[0] + fitted[1] * TARGET_INVOICES
        rows.append((label, by_size, fitted, at_target))
    return rows


def duration(value):
    if value is None:
        return ""
    if value < 1:
        return f"{value * 1000:,.1f} ms"
    if value < 600:
        return f"{value:,.2f} s"
    return f"{value / 60:,.0f} min"


def table(all_results, sizes):
    """The growth table of docs/benchmarks.md and docs/scaling.md."""
    header = [
        "Measure",
        *sizes,
        "Fixed part",
        "Per million invoices",
        "At 100M invoices (extrapolated)",
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |",
    ]
    for label, by_size, fitted, at_target in growth(all_results, sizes):
        cells = [duration(by_size.get(size)) for size in sizes]
        if fitted and len(by_size) >= 2:
            cells += [
                duration(fitted[0]),
                duration(fitted[1] * 1e6),
                duration(at_target),
            ]
        else:
            cells += ["", "", "(one size only)"]
        lines.append("| " + " | ".join([label, *cells]) + " |")
    return lines
