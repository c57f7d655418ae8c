"""The monthly KPIs of a company, counted from the arrays of
:mod:`.readers` with the numpy counters of :mod:`.engine`.

:func:`compute_kpis` reads the sources once, counts every segment type of
the invoices (:func:`activity_counts`), the claims
(:func:`complaint_counts`) and the customer receivable
(:func:`receivable_sums`), then turns those counts into the values,
numerators and denominators of the catalogue's KPIs (:func:`fill`).
"""

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from odoo.addons.crm_suite_base.periods import add_months, month_count, month_number

from . import columns, engine, readers
from .catalogue import customer_segment_types

LIFETIME_CAP_YEARS = 10.0


def compute_kpis(env, company, first, last, segments):
    """{segment type: {kpi code: {(month, segment): (value, numerator,
    denominator)}}} for ``segments``, a list of segment types, and the
    months ``first`` to ``last`` (first days of months)."""
    window = company.crm_kpi_window_months
    months = [add_months(first, i) for i in range(month_count(first, last))]
    activity, complaints, receivable, opening = _count_sources(
        env, company, first, last, segments
    )
    return {
        segment_type: _segment_kpis(
            segment_type,
            months,
            window,
            activity[segment_type],
            complaints[segment_type],
            (receivable[segment_type], opening[segment_type]),
        )
        for segment_type in segments
    }


def _count_sources(env, company, first, last, segments):
    """(activity, complaints, receivable, opening) of :func:`compute_kpis`:
    the invoices, the receivable and the claims are read once for every
    segment type; the invoices are counted in a thread while the rest is
    read."""
    window = company.crm_kpi_window_months
    with ThreadPoolExecutor(max_workers=1) as pool:
        invoices = {}

        def invoices_read(moves):
            # what every segment type needs, then the sales team segment
            invoices["grain"] = pool.submit(invoice_grain, first, last, moves)
            if "team" in segments:
                invoices["team"] = pool.submit(
                    team_counts, invoices["grain"], moves["team"], window
                )

        moves, lines, claims, customers, history = readers.read_sources(
            env, company, last, segments, invoices_read, first=first
        )
        if history:
            customers["timeline"] = columns.TierTimeline(history, customers)
        receivable, opening = receivable_sums(
            company, first, last, segments, lines, customers
        )
        complaints = complaint_counts(first, last, segments, claims, customers)
        del moves, lines, claims  # memory for the counting of the invoices
        activity = activity_counts(company, first, last, segments, invoices, customers)
    return activity, complaints, receivable, opening


def _segment_kpis(segment_type, months, window, activity, claims, receivable):
    """{kpi code: {(month, segment): (value, numerator, denominator)}} of
    one segment type; ``receivable``: (monthly changes, opening)."""
    flows, bases, lifetime = activity
    changes, opening = receivable
    segments_seen = {seg for rows in (flows, bases, claims) for (_m, seg) in rows}
    if segment_type == "all":
        segments_seen = {"all"}
    result = defaultdict(dict)
    cumulative = defaultdict(float, opening)
    for month in months:
        for seg in sorted(segments_seen):
            key = (month, seg)
            counts = (flows.get(key), bases.get(key), lifetime.get(key))
            fill(result, key, (*counts, claims.get(key)), window)
            cumulative[seg] += (changes.get(key) or (0.0,))[0]
            revenue_90 = (flows.get(key) or (0,) * 6)[5] or 0.0
            result["days_sales_outstanding"][key] = ratio(
                cumulative[seg], revenue_90, 90.0
            )
    return result


def ratio(numerator, denominator, scale=1.0):
    """(value, numerator, denominator); an empty value for a 0 denominator."""
    numerator = float(numerator or 0.0)
    denominator = float(denominator or 0.0)
    value = numerator / denominator * scale if denominator else None
    return value, numerator, denominator


def fill(result, key, rows, window):
    """Set the KPIs of ``key`` (month, segment) in ``result`` from its
    (flow, base, lifetime, claim) counts."""
    flow, base, lifetime, claim = rows
    active = _fill_flows(result, key, flow)
    _fill_bases(result, key, base, lifetime, window)
    _fill_claims(result, key, claim, active)


def _fill_flows(result, key, flow):
    """The KPIs of the month's invoices; return its active customers."""
    revenue, invoices, active, new, _old, _rev90 = flow or (0.0, 0, 0, 0, 0, 0.0)
    result["active_customers"][key] = (float(active), float(active), None)
    result["new_customers"][key] = (float(new), float(new), None)
    result["revenue"][key] = (float(revenue), float(revenue), None)
    result["average_order_value"][key] = ratio(revenue, invoices)
    result["revenue_per_customer"][key] = ratio(revenue, active)
    return active


def _fill_bases(result, key, base, lifetime, window):
    """The KPIs of the customer base."""
    (start_base, kept, end_base, repeaters, window_invoices, window_revenue) = base or (
        0,
        0,
        0,
        0,
        0,
        0.0,
    )
    retention = ratio(kept, start_base, 100.0)
    result["retention_rate"][key] = retention
    result["churn_rate"][key] = (
        None if retention[0] is None else 100.0 - retention[0],
        float(start_base - kept),
        float(start_base),
    )
    result["repeat_purchase_rate"][key] = ratio(repeaters, end_base, 100.0)
    result["purchase_frequency"][key] = ratio(window_invoices, end_base)
    result["customer_lifetime_value"][key] = lifetime_value(
        window_revenue, end_base, lifetime, window
    )


def _fill_claims(result, key, claim, active):
    """The KPIs of the claims."""
    claims, median_days, closed = claim or (0, None, 0)
    result["complaint_rate"][key] = ratio(claims, active, 100.0)
    result["complaint_resolution_days"][key] = (
        float(median_days) if closed else None,
        float(median_days or 0.0),
        float(closed),
    )


def lifetime_value(window_revenue, end_base, lifetime, window):
    """(value, numerator, denominator) of the customer lifetime value."""
    year_ago_base, kept = lifetime or (0, 0)
    if not end_base or not year_ago_base:
        return None, float(window_revenue or 0.0), float(end_base or 0)
    annual_churn = 1.0 - kept / year_ago_base
    years = LIFETIME_CAP_YEARS
    if annual_churn > 0:
        years = min(LIFETIME_CAP_YEARS, 1.0 / annual_churn)
    numerator = float(window_revenue) * 12.0 / window * years
    return numerator / end_base, numerator, float(end_base)


def invoice_grain(first, last, moves):
    """What :func:`activity_counts` counts of the invoices ``moves``
    (amounts in units) for every segment type: their months, 90-day reach
    and customers. The rows of ``moves`` are invoices and credit notes, or
    what the figures kept per customer and month give of them
    (:func:`.readers.month_invoice_read`: invoices counted, 90-day reach
    given, and the month of the company's first invoice in "earliest").
    Nothing of the ORM: run in a thread."""
    if not len(moves["partner"]):
        return {}
    month = engine.month_numbers(moves["day"])
    earliest = engine.month_numbers(moves.get("earliest", moves["day"][:0]))
    partners, customer = engine.index_of(moves["partner"])
    reach = moves.get("reach")
    return {
        "lo": min(month_number(first) - 12, int(month.min()), *earliest.tolist()),
        "hi": month_number(last) + 1,
        "partners": partners,
        "customer": customer,
        "rows": (
            month,
            moves["invoice"],
            moves["amount"],
            engine.ninety_day_reach(moves["day"]) if reach is None else reach,
        ),
    }


def team_counts(grain, teams_of_moves, window):
    """(labels, counts) of the sales team segment: the invoices of
    ``grain`` (a Future of :func:`invoice_grain`) counted per customer
    and team of the move (``teams_of_moves``). Nothing of the ORM: run in
    a thread."""
    grain = grain.result()
    if not grain:
        return [], {}
    partners, customer = grain["partners"], grain["customer"]
    teams, team = engine.index_of(teams_of_moves)
    units, unit = engine.index_of(
        engine.encode((customer, len(partners)), (team, len(teams)))
    )
    return segment_labels("team", teams), engine.grain_counts(
        unit,
        *grain["rows"],
        units % len(teams),
        len(teams),
        grain["lo"],
        grain["hi"],
        window,
    )


def activity_counts(company, first, last, segments, invoices, customers):
    """{segment type: (flows, bases, lifetime)}, each {(month, segment):
    tuple}, from the company's invoices read once (``invoices``: Futures
    of :func:`invoice_grain` and :func:`team_counts`), counted with
    :mod:`.engine`:

    - flows: revenue, invoices, active customers, new customers, (unused),
      revenue of the 90 days ending with the month;
    - bases: |B(s)|, |B(s) ∩ B(next)|, |B(next)|, repeat buyers of
      B(next), invoices and revenue of the window ending the month;
    - lifetime: |B(next − 12 months)| and how many of them are still in
      B(next);

    where s is the first day of the month, next the first day of the
    month after, and B(d) the customer base at d: the customers (of the
    segment) with an invoice in the W months before d. A segment of the
    invoice (the sales team) counts a customer in each of its teams."""
    window = company.crm_kpi_window_months
    grain = invoices["grain"].result()
    if not grain:
        return {segment_type: ({}, {}, {}) for segment_type in segments}
    labels, counts = _customer_counts(grain, segments, customers, window)
    if "team" in segments:
        labels["team"], counts["team"] = invoices["team"].result()
    if "tier" in segments:
        labels["tier"], counts["tier"] = tier_counts(
            grain, counts["tier"], customers["timeline"], window
        )
    scale = 10**company.currency_id.decimal_places
    return {
        segment_type: monthly_rows(
            counts[segment_type],
            labels[segment_type],
            (first, last, grain["lo"]),
            window,
            scale,
        )
        for segment_type in segments
    }


def _steady_tiers(grain, timeline):
    """The tier of each customer of ``grain`` in all its months, or -1 for
    the customers whose tier changes in them (:func:`tier_counts`)."""
    partners, lo = grain["partners"], grain["lo"]
    unit, month = timeline.changes(partners)[:2]
    tiers = timeline.at(partners, np.full(len(partners), lo))
    tiers[unit[(month > lo) & (month < grain["hi"])]] = -1
    return tiers


def tier_counts(grain, steady, timeline, window):
    """(labels, columns) of the tier segment: each customer counted, in
    each month, in the tier it held in that month (:class:`.columns.
    TierTimeline`); columns: {column of :data:`.columns.COLUMNS`: array
    (tier, month from the grain's first)}. ``steady``: the counts of the
    customers whose tier does not change in those months, per tier (-1:
    those whose tier changes), counted with the other segments; those
    whose tier changes are counted event by event."""
    tiers = _steady_tiers(grain, timeline)
    keys = np.unique(tiers)
    x = np.arange(grain["hi"] - grain["lo"])
    series = _monthly_columns(steady, len(keys), x, window, 1)
    steady = {name: values[keys >= 0] for name, values in _columns_of(series).items()}
    parts = [(keys[keys >= 0], steady)]
    if keys[0] < 0:
        parts.append(_changing_tier_columns(grain, tiers < 0, timeline, window))
    keys, merged = _merged_columns(parts)
    return segment_labels("tier", keys), merged


def _changing_tier_columns(grain, changing, timeline, window):
    """(tiers, columns) of the customers whose tier changes: their events
    counted in the tier held in each month (:func:`.columns.varying_counts`)."""
    lo = grain["lo"]
    position = np.cumsum(changing) - 1
    rows = changing[grain["customer"]]
    unit = position[grain["customer"][rows]]
    partners = grain["partners"][changing]
    tiers, segments = timeline.segments(partners, lo, grain["hi"] - 1)
    grid = engine.MonthGrid(lo, grain["hi"])
    events = columns.column_events(
        tuple(values[rows] for values in grain["rows"]), unit, lo, window
    )
    return tiers, {
        name: columns.varying_counts(events[name], segments, len(tiers), grid).cumsum(
            axis=1
        )[:, : grid.size - 1]
        for name in columns.COLUMNS
    }


def _columns_of(series):
    """{column of :data:`.columns.COLUMNS`: array} of the tables of
    :func:`_monthly_columns`."""
    flows, bases, lifetime = series["flows"], series["bases"], series["lifetime"]
    result = dict(zip(columns.COLUMNS[:4], flows[:4], strict=True))
    result["revenue_90"] = flows[5]
    result.update(zip(columns.COLUMNS[5:11], bases, strict=True))
    result.update(zip(columns.COLUMNS[11:], lifetime, strict=True))
    return result


def _merged_columns(parts):
    """(keys, columns) of [(keys, columns)]: the sums per key."""
    keys = np.unique(np.concatenate([part_keys for part_keys, _c in parts]))
    merged = {}
    for part_keys, part in parts:
        rows = np.searchsorted(keys, part_keys)
        for name, values in part.items():
            merged.setdefault(name, np.zeros((len(keys), values.shape[1])))
            np.add.at(merged[name], rows, values)
    return keys, merged


def _customer_counts(grain, segments, customers, window):
    """({segment type: labels}, {segment type: counts}) of the segment
    types of the customer: the customers of each combination of their
    segments are counted once, then summed for every segment type."""
    labels, by_customer, counts = {}, {}, {}
    for segment_type in customer_segment_types(segments):
        if segment_type == "tier":
            key = _steady_tiers(grain, customers["timeline"])
        else:
            key = engine.lookup(
                customers["id"], customers[segment_type], grain["partners"]
            )[0]
        values, by_customer[segment_type] = engine.index_of(key)
        labels[segment_type] = segment_labels(segment_type, values)
    if not by_customer:
        return labels, counts
    combinations, group = engine.index_of(
        engine.encode(*((by_customer[t], len(labels[t])) for t in by_customer))
    )
    some_customer = np.zeros(len(combinations), dtype=np.int64)
    some_customer[group] = np.arange(len(group))
    grouped = engine.grain_counts(
        grain["customer"],
        *grain["rows"],
        group,
        len(combinations),
        grain["lo"],
        grain["hi"],
        window,
    )
    for segment_type, segment in by_customer.items():
        counts[segment_type] = engine.by_segment(
            grouped, segment[some_customer], len(labels[segment_type])
        )
    return labels, counts


def monthly_rows(counts, labels, span, window, scale):
    """(flows, bases, lifetime) of :func:`activity_counts` for one segment
    type, from the arrays of :func:`engine.grain_counts`; ``span``: (first
    month, last month, month number of the arrays' first column)."""
    first, last, lo = span
    x = np.arange(month_number(first), month_number(last) + 1) - lo
    if "kept" in counts:  # by column already (tier_counts)
        series = _column_tables(counts, x, scale)
    else:
        series = _monthly_columns(counts, len(labels), x, window, scale)
    months = [add_months(first, i) for i in range(len(x))]
    tables = []
    for name in ("flows", "bases", "lifetime"):
        values = np.stack(series[name], axis=-1).tolist()
        tables.append(
            {
                (month, label): tuple(values[s][i])
                for s, label in enumerate(labels)
                for i, month in enumerate(months)
            }
        )
    return tuple(tables)


def _monthly_columns(counts, segments, x, window, scale):
    """{"flows"|"bases"|"lifetime": arrays (segment, month)} of the months
    ``x`` (columns of the arrays of :func:`engine.grain_counts`)."""
    base, lost, repeat = counts["base"], counts["lost"], counts["repeat"]

    def window_sum(values):
        total = np.cumsum(values, axis=1)
        before = np.where(x >= window, x - window, 0)
        return total[:, x] - np.where(x >= window, total[:, before], 0)

    year_ago = np.where(x >= 11, x - 11, 0)
    year_ago_base = np.where(x >= 11, base[:, year_ago], 0)
    if "kept12" in counts:
        year_ago_kept = np.where(x >= 11, counts["kept12"][:, year_ago], 0)
    else:
        # |B(d) ∩ B(d + 12)| = |B(d)| + |B(d + 12)| - |B(d) ∪ B(d + 12)|,
        # the union being the base with a window of W + 12 months
        year_ago_kept = year_ago_base + base[:, x + 1] - counts["wide"][:, x + 1]
    return {
        "flows": (
            counts["revenue"][:, x] / scale,
            counts["invoices"][:, x],
            counts["active"][:, x],
            counts["new"][:, x],
            np.zeros((segments, len(x))),
            counts["revenue_90"][:, x] / scale,
        ),
        "bases": (
            base[:, x],
            base[:, x] - lost[:, x],
            base[:, x + 1],
            repeat[:, x + 1],
            window_sum(counts["invoices"]),
            window_sum(counts["revenue"]) / scale,
        ),
        "lifetime": (year_ago_base, year_ago_kept),
    }


def _column_tables(counts, x, scale):
    """The tables of :func:`_monthly_columns` from the columns of
    :func:`tier_counts`."""
    picked = {name: counts[name][:, x] for name in columns.COLUMNS}
    for name in ("revenue", "revenue_90", "window_revenue"):
        picked[name] = picked[name] / scale
    flows = ("revenue", "invoices", "active", "new", "revenue_90")
    return {
        "flows": (
            *(picked[n] for n in flows[:4]),
            0 * picked["new"],
            picked["revenue_90"],
        ),
        "bases": tuple(picked[n] for n in columns.COLUMNS[5:11]),
        "lifetime": (picked["year_ago_base"], picked["year_ago_kept"]),
    }


def receivable_sums(company, first, last, segments, lines, customers):
    """({segment type: {(month, segment): (net change of the customer
    receivable in the month,)}}, {segment type: {segment: receivable
    open before ``first``}}), from the company's receivable journal
    items (:func:`.readers.read_sources`), each counted in the segments of
    the commercial partner of its partner."""
    scale = 10**company.currency_id.decimal_places
    # the months before the first are summed into one, "opening"
    lo = month_number(first) - 1
    month = np.maximum(engine.month_numbers(lines["day"]), lo)
    hi = month_number(last)
    monthly, opening = {}, {}
    grid = engine.MonthGrid(lo, hi)
    months = [add_months(first, i) for i in range(hi - lo)]
    for segment_type in segments:
        if segment_type == "tier":
            values, sums = _receivable_by_tier(grid, lines, customers, month)
        else:
            values, segment = segment_of_rows(segment_type, lines, customers)
            sums = grid.count(segment, len(values), month, lines["balance"])
        labels = segment_labels(segment_type, values)
        sums = (sums / scale).tolist()
        opening[segment_type] = {label: sums[s][0] for s, label in enumerate(labels)}
        monthly[segment_type] = {
            (month, label): (sums[s][i + 1],)
            for s, label in enumerate(labels)
            for i, month in enumerate(months)
        }
    return monthly, opening


def _receivable_by_tier(grid, lines, customers, month):
    """(tiers, monthly changes per tier) of the receivable: each partner's
    balance counted in the tier it holds, moved at each change of tier."""
    partners, unit = engine.index_of(lines["partner"])
    tiers, timeline = customers["timeline"].segments(
        partners, grid.lo, grid.lo + grid.size - 1
    )
    events = (unit, month, lines["balance"].astype(np.float64))
    return tiers, columns.varying_counts(events, timeline, len(tiers), grid)


def complaint_counts(first, last, segments, claims, customers):
    """{segment type: {(month, segment): (claims dated in the month,
    median days to close of the claims closed in the month, how many were
    closed)}}, for the months and segments with a claim dated or closed."""
    lo, hi = month_number(first), month_number(last)
    grid = engine.MonthGrid(lo, hi)
    opened = engine.month_numbers(claims["opened"])
    closed_on = engine.month_numbers(claims["closed_on"])
    in_range = (opened >= lo) & (opened <= hi)
    done = claims["closed"] & (closed_on >= lo) & (closed_on <= hi)
    months = [add_months(first, i) for i in range(hi - lo + 1)]
    result = {}
    for segment_type in segments:
        values, segment, segment_closed = claim_segments(
            segment_type, claims, customers, (opened, closed_on)
        )
        labels = segment_labels(segment_type, values)
        counts = grid.count(segment[in_range], len(labels), opened[in_range])
        closed, medians = engine.medians(
            segment_closed[done] * grid.size + closed_on[done] - lo,
            claims["days"][done],
            len(labels) * grid.size,
        )
        closed = closed.reshape(len(labels), grid.size)
        medians = medians.reshape(len(labels), grid.size)
        result[segment_type] = {
            (month, label): (
                int(counts[s, i]),
                float(medians[s, i]) if closed[s, i] else None,
                int(closed[s, i]),
            )
            for s, label in enumerate(labels)
            for i, month in enumerate(months)
            if counts[s, i] or closed[s, i]
        }
    return result


def claim_segments(segment_type, claims, customers, months):
    """(segment keys, sorted; the position of each claim's in the month it
    is dated; in the month it is closed): for the tier, the tier its
    customer held in that month, else :func:`segment_of_rows`."""
    if segment_type != "tier":
        values, segment = segment_of_rows(segment_type, claims, customers)
        return values, segment, segment
    timeline = customers["timeline"]
    keys = [timeline.at(claims["partner"], month) for month in months]
    values, segment = engine.index_of(np.concatenate(keys))
    return values, segment[: len(keys[0])], segment[len(keys[0]) :]


def segment_of_rows(segment_type, rows, customers):
    """(the keys of the segments of ``rows``, sorted; the position of each
    row's among them): by the row's team, or by the commercial partner of
    its partner (:func:`.readers.customer_read`)."""
    if segment_type == "team":
        return engine.index_of(rows["team"])
    key = engine.lookup(customers["id"], customers[segment_type], rows["partner"])[0]
    return engine.index_of(key)


def segment_labels(segment_type, values):
    """The segment_value of each key: 'all', '' for none, else the id."""
    if segment_type == "all":
        return ["all"] * len(values)
    return [str(value) if value else "" for value in values.tolist()]
