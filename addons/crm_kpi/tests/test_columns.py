"""The per-unit quantities of :mod:`..columns` against the engine's counts:
summed over the units, each column gives the engine's figure of every
month; counted with segments that change over time, each segment's sum is
that of its units in the month."""

import numpy as np

from odoo.tests import BaseCase, tagged

from odoo.addons.crm_kpi import columns, counting, engine

LO, FIRST, LAST = 24000 - 12, 24000, 24035
UNITS = 30


def story(seed, rows=400):
    rng = np.random.default_rng(seed)
    unit = rng.integers(0, UNITS, rows)
    month = rng.integers(FIRST, LAST + 1, rows)
    invoice = rng.random(rows) < 0.85
    amount = rng.integers(-500, 5000, rows)
    reach = rng.integers(0, 4, rows)
    return rng, unit, (month, invoice, amount, reach)


@tagged("post_install", "-at_install")
class TestColumns(BaseCase):
    def test_columns_sum_to_the_engine_counts(self):
        months = np.arange(FIRST, LAST + 1)
        for seed, window in ((1, 3), (2, 12), (3, 18)):
            _rng, unit, rows = story(seed)
            counts = engine.grain_counts(
                unit, *rows, np.zeros(UNITS, dtype=np.int64), 1, LO, LAST + 1, window
            )
            series = counting._monthly_columns(counts, 1, months - LO, window, 1)
            expected = counting._columns_of(series)
            events = columns.column_events(rows, unit, LO, window)
            for name in columns.COLUMNS:
                with self.subTest(window=window, column=name):
                    got = [
                        columns.values_at(events[name], UNITS, month).sum()
                        for month in months
                    ]
                    np.testing.assert_allclose(got, expected[name][0])

    def test_segments_that_change_over_time(self):
        rng, unit, rows = story(4)
        events = columns.column_events(rows, unit, LO, 6)
        start = rng.integers(0, 3, UNITS)
        changed = np.sort(rng.choice(UNITS, 12, replace=False))
        when = rng.integers(FIRST, LAST + 1, 12)
        to = rng.integers(0, 3, 12)

        def group_at(units, months):
            moved = np.isin(units, changed)
            position = np.searchsorted(changed, units)
            later = moved & (months >= when[np.minimum(position, 11)])
            return np.where(later, to[np.minimum(position, 11)], start[units])

        timeline = (group_at, (changed, when, start[changed], to))
        grid = engine.MonthGrid(LO, LAST + 1)
        for name in columns.COLUMNS:
            counts = columns.varying_counts(events[name], timeline, 3, grid)
            counts = counts.cumsum(axis=1)
            for month in (FIRST, FIRST + 17, LAST):
                with self.subTest(column=name, month=month):
                    values = columns.values_at(events[name], UNITS, month)
                    segment = group_at(np.arange(UNITS), np.full(UNITS, month))
                    np.testing.assert_allclose(
                        counts[:, month - LO],
                        np.bincount(segment, weights=values, minlength=3),
                    )
