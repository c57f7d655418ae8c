"""The monthly KPI quantities of each unit, as events, and their counting
when a unit's segment changes over time (the loyalty tier a customer held
in each month).

Each quantity the KPIs of a month x read (:data:`COLUMNS`) is, per unit, a
sum of events up to x: an event of month m and weight w adds w to the
unit's value of every month from m on. A quantity of the month alone
(revenue, invoices...) is an event at m and its opposite at m + 1; one of
the customer base at the start of the next month is the base's events a
month earlier, and so on. The same events give:

- the value of each unit in one month (:func:`values_at`): the members of
  a snapshot and their figures, for its drill-down;
- the sums per segment and month when the segment of a unit changes
  (:func:`varying_counts`): at each change, the unit's value so far moves
  from its old segment to its new one.
"""

import numpy as np

from . import engine

# the quantities of a month of :func:`column_events`, in the order of the
# flows, bases and lifetime tables of counting.monthly_rows
COLUMNS = (
    "revenue",
    "invoices",
    "active",
    "new",
    "revenue_90",
    "base",
    "kept",
    "end_base",
    "repeat",
    "window_invoices",
    "window_revenue",
    "year_ago_base",
    "year_ago_kept",
)


def column_events(grain_rows, unit, lo, window):
    """{column: (units, months, weights)} of :data:`COLUMNS`, from the rows
    of :func:`.counting.invoice_grain` (month, invoice, amount in units,
    90-day reach) and the unit of each row. A column's value of a unit in
    month x is the sum of its events of months up to x."""
    month, invoice, amount, reach = grain_rows
    span = int(month.max(initial=lo)) - lo + 2
    keys, index = engine.index_of(
        engine.encode((unit, int(unit.max(initial=0)) + 1), (month - lo, span))
    )
    invoices = np.bincount(index, weights=invoice, minlength=len(keys))
    keys, invoices = keys[invoices > 0], invoices[invoices > 0]
    units, months = keys // span, keys % span + lo
    base = {}
    for quantity, rows, at, weight in engine.base_events(
        units, months, invoices, window
    ):
        weights = weight[rows] if np.ndim(weight) else np.full(len(rows), weight)
        base.setdefault(quantity, []).append((units[rows], at, weights))
    base = {q: _joined(*parts) for q, parts in base.items()}
    events = {
        "revenue": _for_months(unit, month, amount, 1),
        "revenue_90": _for_months(unit, month, amount, reach + 1),
        "window_revenue": _for_months(unit, month, amount, window),
        "invoices": _for_months(*base["invoices"], 1),
        "active": _for_months(*base["active"], 1),
        "new": _for_months(*base["new"], 1),
        "window_invoices": _for_months(*base["invoices"], window),
        "base": base["base"],
        "kept": _joined(base["base"], _for_months(*base["lost"], 1, -1)),
        "end_base": _shifted(base["base"], -1),
        "repeat": _shifted(base["repeat"], -1),
        "year_ago_base": _shifted(base["base"], 11),
    }
    if "kept12" in base:
        events["year_ago_kept"] = _shifted(base["kept12"], 11)
    else:
        # in B(x - 11) and in B(x + 1): both, less those in either (the
        # base with a window of W + 12 months)
        events["year_ago_kept"] = _joined(
            events["year_ago_base"],
            events["end_base"],
            _shifted(base["wide"], -1, -1),
        )
    return events


def _for_months(units, months, weights, length, sign=1):
    """Events of a quantity that lasts ``length`` months from each month
    (a number, or an array per row)."""
    weights = sign * np.asarray(weights, dtype=np.float64)
    weights = np.broadcast_to(weights, months.shape)
    return (
        np.concatenate([units, units]),
        np.concatenate([months, months + length]),
        np.concatenate([weights, -weights]),
    )


def _shifted(events, months, sign=1):
    """``events`` read ``months`` earlier: the value of x is theirs of x - months."""
    units, at, weights = events
    return units, at + months, sign * weights


def _joined(*events):
    return tuple(map(np.concatenate, zip(*events, strict=True)))


def values_at(events, units, month):
    """The value of each of ``units`` units in ``month`` (a month number)."""
    rows, at, weights = events
    until = at <= month
    return np.bincount(rows[until], weights=weights[until], minlength=units)


def varying_counts(events, timeline, groups, grid):
    """The monthly changes (array (groups, months of ``grid``)) of a column
    summed per segment, when the segment of a unit changes over time.
    ``timeline``: (segment of (units, months), changes: (unit, month, old
    segment, new segment) sorted by unit then month). An event of a month
    before the grid's is counted in its first."""
    group_at, changes = timeline
    units, at, weights = events
    at = np.maximum(at, grid.lo)
    counts = grid.count(group_at(units, at), groups, at, weights)
    unit, month, old, new = changes
    later = month > grid.lo
    unit, month, old, new = unit[later], month[later], old[later], new[later]
    if len(unit):
        # the values of the units that change segment only
        moving = np.zeros(int(max(units.max(initial=0), unit.max())) + 1, dtype=bool)
        moving[unit] = True
        moving = moving[units]
        moved = _values_before(
            (units[moving], at[moving], weights[moving]), unit, month
        )
        counts = counts + grid.count(new, groups, month, moved)
        counts = counts - grid.count(old, groups, month, moved)
    return counts


def _values_before(events, unit, month):
    """The value of each (``unit``, ``month``) pair in the month before."""
    units, at, weights = events
    lowest = int(at.min(initial=0)) - 1
    size = int(max(units.max(initial=0), unit.max(initial=0))) + 1
    width = int(max(at.max(initial=0), month.max(initial=0))) - lowest + 1
    keys = engine.encode((units, size), (at - lowest, width))
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    total = np.r_[0.0, np.cumsum(weights[order])]
    until = np.searchsorted(
        keys,
        engine.encode((unit, size), (np.maximum(month - 1 - lowest, 0), width)),
        side="right",
    )
    start = np.searchsorted(keys, engine.encode((unit, size), (0 * unit, width)))
    return total[until] - total[start]


class TierTimeline:
    """The loyalty tier each customer held in each month: the tier of its
    latest change up to the month's end (crm_loyalty's tier history), the
    tier before its first change for the months before it, and for a
    customer without history its current tier. ``history``: the changes of
    :func:`.readers.tier_history_read`, one per customer and month, sorted;
    ``customers``: the rows of :func:`.readers.customer_read` (id,
    commercial partner and current tier)."""

    def __init__(self, history, customers):
        self.partner = history["partner"].astype(np.int64)
        self.month = engine.month_numbers(history["month"]).astype(np.int64)
        self.tier = history["tier"].astype(np.int64)
        self.initial = history["initial"].astype(np.int64)
        self.customers = customers

    def commercial(self, partners):
        """The commercial partner of each of ``partners`` (itself if unknown)."""
        found, missing = engine.lookup(
            self.customers["id"], self.customers["commercial"], partners
        )
        return np.where(missing | (found == 0), partners, found)

    def at(self, partners, months):
        """The tier id (0 for none) of each of ``partners`` in ``months``."""
        partners = np.asarray(partners, dtype=np.int64)
        commercial = self.commercial(partners)
        if not len(self.partner):
            return engine.lookup(
                self.customers["id"], self.customers["tier"], partners
            )[0]
        width = int(max(self.month.max(), np.max(months, initial=0))) + 2
        keys = self.partner * width + self.month
        last = np.searchsorted(keys, commercial * width + months, side="right") - 1
        held = (last >= 0) & (self.partner[np.maximum(last, 0)] == commercial)
        first = np.minimum(
            np.searchsorted(self.partner, commercial), len(self.partner) - 1
        )
        known = self.partner[first] == commercial
        current = engine.lookup(self.customers["id"], self.customers["tier"], partners)[
            0
        ]
        return np.where(
            held,
            self.tier[np.maximum(last, 0)],
            np.where(known, self.initial[first], current),
        )

    def changes(self, partners):
        """(unit, month, old tier, new tier) of the tier changes of each of
        ``partners`` (the partner of each unit), sorted by unit and month."""
        commercial = self.commercial(np.asarray(partners, dtype=np.int64))
        order = np.argsort(commercial, kind="stable")
        start = np.searchsorted(commercial[order], self.partner, side="left")
        end = np.searchsorted(commercial[order], self.partner, side="right")
        rows = np.repeat(np.arange(len(self.partner)), end - start)
        offset = np.arange(len(rows)) - np.repeat(
            np.cumsum(end - start) - (end - start), end - start
        )
        unit = order[np.repeat(start, end - start) + offset]
        month = self.month[rows]
        sort = np.lexsort((month, unit))
        unit, month = unit[sort], month[sort]
        old = self.at(np.asarray(partners)[unit], month - 1)
        new = self.at(np.asarray(partners)[unit], month)
        moved = old != new
        return unit[moved], month[moved], old[moved], new[moved]

    def segments(self, partners, lo, hi):
        """(the tiers held by ``partners`` (the partner of each unit) in the
        months ``lo`` to ``hi``, sorted; the timeline of
        :func:`varying_counts` over positions among them)."""
        partners = np.asarray(partners, dtype=np.int64)
        unit, month, old, new = self.changes(partners)
        held = (month > lo) & (month <= hi)
        unit, month, old, new = unit[held], month[held], old[held], new[held]
        at_lo = self.at(partners, np.full(len(partners), lo))
        tiers = np.unique(np.concatenate([at_lo, new]))
        start = np.searchsorted(tiers, at_lo)
        changing = np.zeros(len(partners), dtype=bool)
        changing[unit] = True

        def group_at(units, months):
            # the tier of lo, but for the units whose tier changes after it
            # (after hi: the tier of hi, the months after are not counted)
            groups = start[units]
            moving = changing[units]
            held = self.at(partners[units[moving]], np.minimum(months[moving], hi))
            groups[moving] = np.searchsorted(tiers, held)
            return groups

        changes = (
            unit,
            month,
            np.searchsorted(tiers, old),
            np.searchsorted(tiers, new),
        )
        return tiers, (group_at, changes)
