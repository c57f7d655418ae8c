"""The records behind one KPI snapshot (company, KPI, segment, month), from
the arrays the snapshots are counted from (:mod:`.readers`) and the same
per-unit quantities (:mod:`.columns`): counted or summed, they give the
snapshot's figure.

:class:`SnapshotDetails` reads the company's sources once, finds the units
(customers, or customers within a sales team) of the snapshot's segment in
its month (for the tier, the tier each customer held in that month) and
gives, per KPI kind, the ids of the records and their marks.
"""

import numpy as np

from odoo.addons.crm_suite_base.periods import month_number

from . import columns, counting, engine, readers

# what the details of each KPI list
KPI_KINDS = {
    "active_customers": "customers",
    "new_customers": "customers",
    "revenue": "moves",
    "average_order_value": "moves",
    "revenue_per_customer": "moves",
    "retention_rate": "base",
    "churn_rate": "base",
    "repeat_purchase_rate": "window",
    "purchase_frequency": "window",
    "customer_lifetime_value": "window",
    "complaint_rate": "claims",
    "complaint_resolution_days": "resolution",
    "days_sales_outstanding": "receivable",
}


class SnapshotDetails:
    """The members of one snapshot's figure; ``snapshot``: a crm.kpi.snapshot
    record (read as the current user: reading the sources is checked by
    the caller)."""

    def __init__(self, snapshot):
        self.env = snapshot.env
        self.company = snapshot.company_id
        self.kpi = snapshot.kpi_code
        self.segment_type = snapshot.segment_type
        self.segment = snapshot.segment_value
        self.first = snapshot.date_from
        self.month = month_number(snapshot.date_from)
        self.window = self.company.crm_kpi_window_months
        self.scale = 10**self.company.currency_id.decimal_places
        segments = list(dict.fromkeys(["all", self.segment_type]))
        self.moves, self.lines, self.claims, self.customers, history = (
            readers.read_sources(
                self.env, self.company, self.first, segments, lambda moves: None
            )
        )
        self.timeline = (
            columns.TierTimeline(history, self.customers) if history else None
        )

    # ------------------------------------------------------------ segments
    def _in_segment(self, partners, teams, months):
        """Whether rows of ``partners`` (and ``teams``) are in the snapshot's
        segment in ``months`` (month numbers)."""
        if self.segment_type == "team":
            keys = teams
        elif self.segment_type == "tier":
            keys = self.timeline.at(partners, months)
        else:
            keys = engine.lookup(
                self.customers["id"], self.customers[self.segment_type], partners
            )[0]
        labels = counting.segment_labels(self.segment_type, np.asarray(keys))
        return np.array([label == self.segment for label in labels], dtype=bool)

    def _at_month(self, rows):
        return np.full(len(rows), self.month, dtype=np.int64)

    # --------------------------------------------------------------- units
    def unit_values(self, names):
        """(partner of each unit of the segment, {column: value of each}) in
        the snapshot's month, of the columns ``names`` of
        :data:`.columns.COLUMNS`."""
        grain = counting.invoice_grain(self.first, self.first, self.moves)
        if not grain:
            return np.zeros(0, dtype=np.int64), {n: np.zeros(0) for n in names}
        # a unit: a customer, or a customer within a sales team
        keys, unit = engine.index_of(
            engine.encode(
                (grain["customer"], len(grain["partners"])),
                (self._team_keys(), 1 << 31),
            )
        )
        partners = grain["partners"][keys >> 31]
        team_keys = keys & ((1 << 31) - 1)
        events = columns.column_events(grain["rows"], unit, grain["lo"], self.window)
        kept = self._in_segment(partners, team_keys, self._at_month(partners))
        values = {
            name: columns.values_at(events[name], len(partners), self.month)[kept]
            for name in names
        }
        return partners[kept], values

    def _team_keys(self):
        """The team of each invoice for the sales team segment (its units
        are customers within a team), else 0."""
        if self.segment_type == "team":
            return self.moves["team"].astype(np.int64)
        return np.zeros(len(self.moves["team"]), dtype=np.int64)

    # ------------------------------------------------------------- records
    def customers_with(self, name):
        """The partner ids of the segment's units with ``name`` > 0."""
        partners, values = self.unit_values([name])
        return sorted(set(partners[values[name] > 0].tolist()))

    def moves_of_month(self):
        """The ids of the invoices and credit notes of the month and segment."""
        moves = self.moves
        month = engine.month_numbers(moves["day"])
        wanted = month == self.month
        wanted &= self._in_segment(moves["partner"], moves["team"], month)
        return moves["id"][wanted].tolist()

    def base_lines(self):
        """[(partner, retained)] of the customer base at the month's start."""
        partners, values = self.unit_values(["base", "kept"])
        start = values["base"] > 0
        return list(
            zip(
                partners[start].tolist(),
                (values["kept"][start] > 0).tolist(),
                strict=True,
            )
        )

    def window_lines(self):
        """[(partner, repeat buyer, invoices, revenue)] of the customer base
        at the month's end, with its invoices and revenue of the window."""
        names = ["end_base", "repeat", "window_invoices", "window_revenue"]
        partners, values = self.unit_values(names)
        end = values["end_base"] > 0
        return list(
            zip(
                partners[end].tolist(),
                (values["repeat"][end] > 0).tolist(),
                values["window_invoices"][end].astype(int).tolist(),
                (values["window_revenue"][end] / self.scale).tolist(),
                strict=True,
            )
        )

    def claims_of(self, field):
        """[(claim, partner, days)] of the claims of the segment dated
        (``opened``) or closed (``closed_on``) in the month."""
        claims = self.claims
        month = engine.month_numbers(claims[field])
        wanted = month == self.month
        if field == "closed_on":
            wanted &= claims["closed"]
        wanted &= self._in_segment(claims["partner"], claims["team"], month)
        return list(
            zip(
                claims["id"][wanted].tolist(),
                claims["partner"][wanted].tolist(),
                claims["days"][wanted].tolist(),
                strict=True,
            )
        )

    def receivable_lines(self):
        """[(partner, open receivable at the month's end, revenue of the 90
        days ending then)] of the segment, one per partner."""
        lines, moves = self.lines, self.moves
        kept = engine.month_numbers(lines["day"]) <= self.month
        kept &= self._in_segment(
            lines["partner"], lines["team"], self._at_month(lines["day"])
        )
        month = engine.month_numbers(moves["day"])
        reach = engine.ninety_day_reach(moves["day"])
        recent = (month <= self.month) & (month + reach >= self.month)
        recent &= self._in_segment(
            moves["partner"], moves["team"], self._at_month(month)
        )
        partners = np.concatenate([lines["partner"][kept], moves["partner"][recent]])
        keys, index = engine.index_of(partners)
        split = int(kept.sum())
        open_items = np.bincount(index[:split], lines["balance"][kept], len(keys))
        revenue = np.bincount(index[split:], moves["amount"][recent], len(keys))
        return list(
            zip(
                keys.tolist(),
                (open_items / self.scale).tolist(),
                (revenue / self.scale).tolist(),
                strict=True,
            )
        )
