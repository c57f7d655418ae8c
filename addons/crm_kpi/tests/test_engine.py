"""The array counting of the KPI engine against the definitions, customer by
customer, on random histories (no database needed but for the COPY test)."""

import random
from datetime import date

import numpy as np

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.crm_kpi import engine, readers

LO, HI = 100, 160  # the months counted


def reference(histories, window):
    """{quantity: {month: count}} of the unit histories {unit: {month:
    invoices}}, from the definitions: B(x) is the units with an invoice in
    the W months before month x."""

    def base(x, width=window):
        return {u for u, h in histories.items() if any(x - width <= m < x for m in h)}

    def invoices_in(u, x):
        h = histories[u]
        return sum(n for m, n in h.items() if x - window <= m < x)

    result = {q: {} for q in ("active", "new", "base", "lost", "wide", "repeat")}
    result["kept12"] = {}
    for x in range(LO, HI + 1):
        b = base(x)
        result["active"][x] = sum(1 for h in histories.values() if h.get(x))
        result["new"][x] = sum(
            1 for h in histories.values() if h and min(h) == x and h[x]
        )
        result["base"][x] = len(b)
        result["lost"][x] = len(b - base(x + 1))
        result["wide"][x] = len(base(x, window + 12))
        result["repeat"][x] = sum(1 for u in b if invoices_in(u, x) >= 2)
        result["kept12"][x] = len(b & base(x + 12))
    return result


@tagged("post_install", "-at_install")
class TestKpiEngine(TransactionCase):
    def random_histories(self, seed):
        rng = random.Random(seed)
        histories = {}
        for unit in range(40):
            months = rng.sample(range(LO - 30, HI + 1), rng.randint(0, 12))
            histories[unit] = {m: rng.choice([1, 1, 1, 2, 3]) for m in months}
        return histories

    def test_base_events_match_the_definitions(self):
        for seed in range(6):
            histories = self.random_histories(seed)
            rows = sorted((u, m, n) for u, h in histories.items() for m, n in h.items())
            unit, month, invoices = (
                np.array(column) for column in zip(*rows, strict=True)
            )
            for window in (1, 3, 11, 12, 13, 24):
                grid = engine.MonthGrid(LO - 31, HI)
                counts = {}
                for quantity, row, months, weight in engine.base_events(
                    unit, month, invoices, window
                ):
                    change = grid.count(np.zeros_like(row), 1, months, weight)[0]
                    counts[quantity] = counts.get(quantity, 0) + change
                expected = reference(histories, window)
                for quantity, by_month in expected.items():
                    if quantity == "kept12" and window >= 12:
                        self.assertNotIn(quantity, counts)
                        continue
                    found = counts[quantity]
                    if quantity in engine.CUMULATIVE:
                        found = found.cumsum()
                    for x, value in by_month.items():
                        self.assertEqual(
                            found[x - grid.lo],
                            value,
                            f"{quantity} of month {x}, W={window}, seed {seed}",
                        )

    def test_ninety_day_reach(self):
        days = np.array(
            ["2026-01-31", "2026-01-01", "2026-03-03", "2026-03-31", "2026-02-28"],
            dtype="datetime64[D]",
        )
        # 31 Jan is within the 90 days ending 31 Jan, 28 Feb, 31 Mar and
        # 30 Apr; 1 Jan within those ending 31 Jan, 28 Feb and 31 Mar; 28 Feb
        # is not within those ending 31 May (from 2 March)
        self.assertEqual(engine.ninety_day_reach(days).tolist(), [3, 2, 2, 2, 2])
        self.assertEqual(
            engine.month_numbers(days).tolist(),
            [2026 * 12, 2026 * 12, 2026 * 12 + 2, 2026 * 12 + 2, 2026 * 12 + 1],
        )

    def test_revenue_counts_match_the_definitions(self):
        """Revenue of each group and month, and of the 90 days ending with
        the month's last day, against a sum over the rows."""
        rng = np.random.default_rng(3)
        days = np.datetime64("2025-10-01") + rng.integers(0, 200, 400)
        group = rng.integers(0, 3, 400)
        amount = rng.integers(-5000, 90000, 400)
        month = engine.month_numbers(days)
        lo, hi = int(month.min()), int(month.max()) - 1  # rows after hi too
        grid = engine.MonthGrid(lo, hi)
        counts = engine.revenue_counts(
            grid, group, 3, month, amount, engine.ninety_day_reach(days)
        )
        for g in range(3):
            for x in range(lo, hi + 1):
                year, index = divmod(x, 12)
                first = np.datetime64(f"{year:04d}-{index + 1:02d}", "M")
                end = (first + 1).astype("datetime64[D]") - 1
                mine = group == g
                self.assertEqual(
                    counts["revenue"][g, x - lo], amount[mine & (month == x)].sum()
                )
                self.assertEqual(
                    counts["revenue_90"][g, x - lo],
                    amount[mine & (days > end - 90) & (days <= end)].sum(),
                )

    def test_medians_index_and_lookup(self):
        group = np.array([2, 0, 2, 2, 0, 5])
        values = np.array([9.0, 1.0, 3.0, 6.0, 4.0, 7.0])
        counts, medians = engine.medians(group, values, 6)
        self.assertEqual(counts.tolist(), [2, 0, 3, 0, 0, 1])
        self.assertEqual(medians.tolist(), [2.5, 0.0, 6.0, 0.0, 0.0, 7.0])
        for values in ([5, 3, 5, 900000], [7, 7, 2]):
            distinct, position = engine.index_of(np.array(values))
            expected = np.unique(values, return_inverse=True)
            self.assertEqual(distinct.tolist(), expected[0].tolist())
            self.assertEqual(position.tolist(), expected[1].tolist())
        for keys in ([4, 9, 2], [4, 9, 10**9]):
            found, missing = engine.lookup(
                np.array(keys), np.array([40, 90, 20]), np.array([9, 3, 4, 0])
            )
            self.assertEqual(found.tolist(), [90, 0, 40, 0])
            self.assertEqual(missing.tolist(), [False, True, False, True])

    def test_read_copy_reads_what_a_query_returns(self):
        query = SQL(
            "SELECT id, COALESCE(parent_id, 0), DATE '2026-02-28' + id, id > 2, "
            "id / 4.0::float8 FROM res_partner WHERE id <= 5 ORDER BY id"
        )
        rows = readers.read_rows(
            self.env,
            query,
            [
                ("id", "int"),
                ("parent", "int"),
                ("day", "date"),
                ("big", "bool"),
                ("quarter", "float"),
            ],
        )
        self.env.cr.execute(query)
        expected = self.env.cr.fetchall()
        self.assertTrue(expected)
        self.assertEqual(
            list(
                zip(
                    rows["id"].tolist(),
                    rows["parent"].tolist(),
                    rows["day"].astype(object).tolist(),
                    rows["big"].tolist(),
                    rows["quarter"].tolist(),
                    strict=True,
                )
            ),
            expected,
        )
        self.assertIsInstance(expected[0][2], date)

    def test_snapshot_cursors_see_what_this_transaction_sees(self):
        """Two cursors of their own see the same rows as this transaction,
        until it writes a table the KPIs read (its rows are not committed):
        then everything is read here."""
        read = (
            SQL("SELECT id, COALESCE(parent_id, 0) FROM res_partner ORDER BY id"),
            [("id", "int"), ("parent", "int")],
        )
        expected = readers.read_rows(self.env, *read)
        self.assertTrue(expected["id"].tolist())
        with readers.snapshot_cursors(self.env) as (here, aside):
            self.assertIsNotNone(aside, "no second cursor")
            self.assertNotEqual(here, self.env.cr)
            for cursor in (here, aside):
                rows = readers.read_rows(self.env, *read, cr=cursor)
                for column in ("id", "parent"):
                    self.assertEqual(rows[column].tolist(), expected[column].tolist())
        partner = self.env["res.partner"].create({"name": "Not committed"})
        self.env.flush_all()
        with readers.snapshot_cursors(self.env) as (here, aside):
            self.assertIsNone(aside)
            self.assertEqual(here, self.env.cr)
            rows = readers.read_rows(self.env, *read, cr=here)
            self.assertIn(partner.id, rows["id"].tolist())


@tagged("post_install", "-at_install")
class TestCustomerSegmentKeys(TransactionCase):
    # a class of its own: its writes would leave the other class's
    # transaction without the second cursor of readers.snapshot_cursors
    def test_customer_segment_keys_by_range_or_by_ids(self):
        """A contact is counted in its commercial partner's country, not in
        the country of its own address, whether its id is read within a
        range of ids or looked up among scattered ones."""
        partners = self.env["res.partner"]
        spain, france = self.env.ref("base.es"), self.env.ref("base.fr")
        shop = partners.create(
            {"name": "Shop", "is_company": True, "country_id": spain.id}
        )
        depot = partners.create(
            {
                "name": "Shop's depot",
                "parent_id": shop.id,
                "type": "delivery",
                "country_id": france.id,
            }
        )
        person = partners.create({"name": "Someone", "country_id": france.id})
        self.assertEqual(depot.country_id, france)
        self.env.flush_all()
        expected = {shop.id: spain.id, depot.id: spain.id, person.id: france.id}
        dense = np.array(sorted(expected))
        # an id far beyond the others: looked up one by one
        scattered = np.append(dense, dense[-1] + 10**6)
        for ids, way in ((dense, "BETWEEN"), (scattered, "ANY")):
            query, columns = readers.customer_read(
                self.env, self.env.company, ["all", "country"], ids
            )
            self.assertIn(way, self.env.cr.mogrify(query).decode())
            rows = readers.read_rows(self.env, query, columns)
            read = dict(zip(rows["id"].tolist(), rows["country"].tolist(), strict=True))
            self.assertEqual({p: read[p] for p in expected}, expected)
            if way == "ANY":
                self.assertEqual(sorted(read), sorted(expected))
