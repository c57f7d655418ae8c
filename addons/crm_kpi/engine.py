"""Monthly customer counts of the KPI engine, from arrays.

The KPI snapshots of a company read its invoices and its customer
receivable once each, as a few arrays (one element per invoice or journal
item), and count here, with numpy, what every KPI needs for every month and
segment: a sort and a few ``bincount`` over the arrays, whatever the number
of months, segments or customers.

Months are numbered from year 0 (consecutive months are consecutive
numbers). A *unit* is what the customer base is made of: a customer, or a
customer within a sales team for the segments of the invoice. A unit is in
the customer base B(d) of the month starting at d when it has an invoice in
the W months before d.
"""

import io

import numpy as np

FAR = 1 << 40
NINETY_DAYS = 90
# how many month ends after its own an invoice can still be within 90 days of
MAX_REACH = 3
# quantities summed over the months (the others are per month)
CUMULATIVE = ("base", "wide", "repeat", "kept12")


def by_day(days, function):
    """``function`` of each of ``days`` (a ``datetime64[D]`` array), computed
    once per distinct day of their range."""
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    number = days.astype(np.int64)
    first = number.min()
    calendar = np.arange(first, number.max() + 1).astype("datetime64[D]")
    return function(calendar)[number - first]


def month_numbers(days):
    """Month numbers of a ``datetime64[D]`` array."""
    return by_day(
        days, lambda day: day.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    )


def ninety_day_reach(days):
    """For each day, how many month ends after its month's own fall less
    than 90 days after it (0 to 3): the day counts in the revenue of the 90
    days ending with its month and with that many months after."""

    def reach(day):
        months = day.astype("datetime64[M]")
        result = np.zeros(len(day), dtype=np.int64)
        for k in range(1, MAX_REACH + 1):
            month_end = (months + (k + 1)).astype("datetime64[D]") - 1
            result += month_end - NINETY_DAYS < day
        return result

    return by_day(days, reach)


# binary COPY: a 19-byte header, then per row its number of fields (int16)
# and each field after its length (int32); the file ends with -1 (int16)
COPY_HEADER = 19
COPY_TYPES = {"int": ">i4", "date": ">i4", "bool": "?", "float": ">f8"}
DAYS_1970_TO_2000 = 10957


def read_copy(cursor, query, columns):
    """{name: numpy array} of the rows of ``query`` (bytes, a SELECT of
    ``columns``: [(name, type)] with types of COPY_TYPES, and no NULL), read
    by one binary ``COPY``: integers as int32, dates as ``datetime64[D]``."""
    buffer = io.BytesIO()
    cursor.copy_expert(
        b"COPY (" + query + b") TO STDOUT WITH (FORMAT binary)", buffer, size=1 << 20
    )
    data = buffer.getbuffer()
    fields = [("count", ">i2")]
    for name, kind in columns:
        fields += [(f"{name}_length", ">i4"), (name, COPY_TYPES[kind])]
    record = np.dtype(fields)
    count = (len(data) - COPY_HEADER - 2) // record.itemsize
    rows = np.frombuffer(data, dtype=record, count=count, offset=COPY_HEADER)
    result = {}
    for name, kind in columns:
        if kind == "date":
            days = rows[name] + np.int32(DAYS_1970_TO_2000)
            result[name] = days.astype("datetime64[D]")
        elif kind == "int":
            result[name] = rows[name].astype(np.int32)
        else:
            result[name] = rows[name].astype(np.float64 if kind == "float" else bool)
    return result


def to_units(amounts, decimal_places):
    """Amounts as integers of the currency's smallest unit, for exact sums."""
    return np.rint(amounts * 10**decimal_places).astype(np.int64)


def lookup(keys, values, wanted):
    """(the value of each of ``wanted`` in the mapping ``keys`` → ``values``,
    0 where missing; which are missing). Keys are ids (integers >= 0)."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=np.int64), np.ones(len(wanted), dtype=bool)
    size = int(max(keys.max(), wanted.max(initial=0))) + 1
    if size > 4 * (len(keys) + len(wanted)) + 1024:
        # sparse ids: by a sorted search
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        position = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        found = keys[position] == wanted
        return np.where(found, values[position], 0), ~found
    known = np.zeros(size, dtype=bool)
    known[keys] = True
    table = np.zeros(size, dtype=np.int64)
    table[keys] = values
    return table[wanted], ~known[wanted]


def medians(group, values, groups):
    """(how many values, their median) of each of ``groups`` groups, from
    the group of each value; the median of a group without values is 0."""
    order = np.lexsort((values, group))
    group, values = group[order], values[order]
    counts = np.bincount(group, minlength=groups)
    start = np.cumsum(counts) - counts
    low = start + (counts - 1) // 2
    high = start + counts // 2
    with_values = counts > 0
    result = np.zeros(groups)
    result[with_values] = (values[low[with_values]] + values[high[with_values]]) / 2
    return counts, result


def encode(*columns):
    """One sortable int64 key per row for integer ``columns`` given as (values,
    number of values); rows sort by the first column, then the next..."""
    key = np.zeros(len(columns[0][0]), dtype=np.int64)
    for values, size in columns:
        key = key * size + values
    return key


def index_of(values):
    """(distinct ``values``, sorted; the position of each value among them),
    as ``numpy.unique(values, return_inverse=True)``, by a table of the
    values when they lie in a range not much wider than their number (no
    sort)."""
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return values, values
    low, high = int(values.min()), int(values.max())
    if high - low > 8 * len(values) + 1024:
        return np.unique(values, return_inverse=True)
    present = np.zeros(high - low + 1, dtype=bool)
    present[values - low] = True
    table = np.cumsum(present, dtype=np.int32) - 1
    return np.flatnonzero(present) + low, table[values - low].astype(np.int64)


class MonthGrid:
    """Dense (segment, month) arrays over the months ``lo`` to ``hi``; what
    falls after ``hi`` is dropped."""

    def __init__(self, lo, hi):
        self.lo = lo
        self.size = hi - lo + 1

    def count(self, segment, segments, month, weights=None):
        """How many rows (or the sum of their ``weights``: an array, or a
        number for every row) fall in each segment and month."""
        # what falls after hi goes to one more month, dropped at the end
        cell = np.minimum(month - self.lo, self.size)
        cell += segment * (self.size + 1)
        array = weights if np.ndim(weights) else None
        counts = np.bincount(cell, weights=array, minlength=segments * (self.size + 1))
        if array is None and weights is not None:
            counts = counts * weights
        return counts.reshape(segments, self.size + 1)[:, : self.size]


def base_events(unit, month, invoices, window):
    """The +1/-1 changes, per month, of the customer-base quantities, for
    the (unit, month) rows with invoices, sorted by unit then month: one
    (quantity, rows, months, weight) at a time, weight an array or a
    number. Summed cumulatively over the months:

    - base: units in B(start of the month);
    - wide: the same with a window of W + 12 months;
    - repeat: units of B(start of the month) with two invoices or more in
      its window;
    - kept12 (W < 12 only): units in B(start of the month) and in B(12
      months later);

    and, per month without summing: active (units invoiced in the month),
    invoices, new (units whose first invoice is in the month) and lost
    (units in B(start of the month) but not in B(start of the next)).

    A month m with an invoice starts a run of months in the base at m + 1
    when the unit is not in the base at m, and ends it at m + W when the
    next invoice is more than W months after."""
    rows = np.arange(len(unit))
    first = np.r_[True, unit[1:] != unit[:-1]]
    last = np.r_[first[1:], True]
    prev = np.where(first, -FAR, np.r_[0, month[:-1]])
    after = np.where(last, FAR, np.r_[month[1:], 0])
    yield "active", rows, month, 1
    yield "invoices", rows, month, invoices
    yield "new", rows[first], month[first], 1
    for quantity, extra in (("base", 0), ("wide", 12)):
        starts = prev < month - window - extra
        yield quantity, rows[starts], month[starts] + 1, 1
        ends = after > month + window + extra
        yield quantity, rows[ends], month[ends] + window + extra + 1, -1
        if quantity == "base":
            yield "lost", rows[ends], month[ends] + window, 1
    # two invoices in the window: this month's, or this one and the
    # previous month's; until the next month with an invoice takes over
    repeat_end = np.where(
        invoices >= 2,
        np.minimum(month + window, after),
        np.minimum(prev + window, after),
    )
    repeat = repeat_end > month
    yield "repeat", rows[repeat], month[repeat] + 1, 1
    yield "repeat", rows[repeat], repeat_end[repeat] + 1, -1
    if window < 12:
        yield from _year_apart_events(rows, month, prev, first, window)


def _year_apart_events(rows, month, prev, first, window):
    """Events (kept12) of the units in the base at a month x and at x + 12
    months, for W < 12 (the two bases are then not one wider base): each
    run of consecutive months in the base, from a to b, paired with the
    runs of the same unit that overlap it 12 months later."""
    run_start = np.flatnonzero(prev < month - window)
    run_end = np.r_[run_start[1:], len(month)] - 1
    a, b = month[run_start] + 1, month[run_end] + window
    unit_of_run = np.cumsum(first[run_start])
    yield "kept12", rows[:0], month[:0], 1  # when no run has a pair
    for offset in range(len(a)):
        i = np.arange(len(a) - offset)
        j = i + offset
        same = unit_of_run[i] == unit_of_run[j]
        reach = same & (a[j] - 12 <= b[i])
        if not reach.any():
            break
        pair = reach & (b[j] - 12 >= a[i])
        i, j = i[pair], j[pair]
        yield "kept12", rows[run_start[i]], np.maximum(a[i], a[j] - 12), 1
        yield "kept12", rows[run_start[i]], np.minimum(b[i], b[j] - 12) + 1, -1


def revenue_counts(grid, group, groups, month, amount, reach):
    """{revenue, revenue_90: array (groups, months of ``grid``)} of rows in
    ``group``, ``month`` (from the grid's first month on), with ``amount``
    and :func:`ninety_day_reach`: the revenue of the month, and of the 90
    days ending with it. One sum per group, month and reach; a row of month
    m with reach r counts in the 90 days of the months m to m + r."""
    width = grid.size + 1  # what falls after the last month in one more
    levels = MAX_REACH + 1
    cell = np.minimum(month - grid.lo, grid.size) + group * width
    by_reach = np.bincount(
        cell * levels + reach, weights=amount, minlength=groups * width * levels
    ).reshape(groups, width, levels)
    # [..., k]: the rows that reach k months after their own, or more
    reaching = by_reach[:, :, ::-1].cumsum(axis=2)[:, :, ::-1]
    revenue_90 = np.zeros((groups, width + MAX_REACH))
    for k in range(levels):
        revenue_90[:, k : k + width] += reaching[:, :, k]
    return {
        "revenue": reaching[:, : grid.size, 0],
        "revenue_90": revenue_90[:, : grid.size],
    }


def grain_counts(
    unit, month, invoice, amount, reach, group_of_unit, groups, lo, hi, window
):
    """{quantity: array (groups, months lo to hi)} of one grain, from one
    row per invoice or credit note: its unit, month, 1 for an invoice (0 for
    a credit note), amount and :func:`ninety_day_reach`; each unit is in one
    of ``groups`` groups (``group_of_unit``).

    Quantities: revenue and revenue_90 (of the 90 days ending with the
    month) of every move; invoices, active and new customers, base, lost,
    wide, repeat and kept12 as in :func:`base_events`, the cumulative ones
    summed."""
    grid = MonthGrid(lo, hi)
    span = hi - lo + 1
    counts = revenue_counts(grid, group_of_unit[unit], groups, month, amount, reach)
    keys, index = index_of(encode((unit, unit.max(initial=0) + 1), (month - lo, span)))
    invoices = np.bincount(index, weights=invoice, minlength=len(keys))
    del index
    with_invoice = invoices > 0
    keys, invoices = keys[with_invoice], invoices[with_invoice]
    units = keys // span
    event_group = group_of_unit[units]
    for quantity, rows, months, weight in base_events(
        units, keys % span + lo, invoices, window
    ):
        change = grid.count(event_group[rows], groups, months, weight)
        counts[quantity] = counts.get(quantity, 0) + change
    for quantity in CUMULATIVE:
        if quantity in counts:
            counts[quantity] = counts[quantity].cumsum(axis=1)
    return counts


def by_segment(counts, segment_of_group, segments):
    """The arrays of :func:`grain_counts` summed from groups to segments:
    ``segment_of_group`` gives the segment (of ``segments``) of each group."""
    matrix = np.zeros((segments, len(segment_of_group)))
    matrix[segment_of_group, np.arange(len(segment_of_group))] = 1.0
    return {quantity: matrix @ values for quantity, values in counts.items()}
