"""Monthly customer-value KPI snapshots.

Every KPI of a company is computed for a whole range of months and every
segment type at once: its invoices, customer receivable and claims are each
read once as arrays and counted with numpy (:mod:`..engine`).
Snapshots of closed months are written once and never rewritten: a change
of formula bumps FORMULA_VERSION and writes new rows beside the old ones.
"""

import contextlib
import logging
import threading
import time
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .. import engine

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)

FORMULA_VERSION = 1
MAX_COHORT_HORIZON = 120
MANAGER_GROUP = "crm_kpi.group_crm_kpi_manager"
LIFETIME_CAP_YEARS = 10.0
SEGMENT_TYPES = [
    ("all", "All customers"),
    ("tier", "Loyalty tier"),
    ("team", "Sales team"),
    ("country", "Country"),
]
# code: (label, unit, higher is better, formula shown as tooltip)
KPIS = {
    "active_customers": (
        "Active customers",
        "count",
        True,
        _lt("Customers with at least one posted invoice in the month."),
    ),
    "new_customers": (
        "New customers",
        "count",
        True,
        _lt("Customers whose first posted invoice in the company is in the month."),
    ),
    "revenue": (
        "Revenue",
        "money",
        True,
        _lt(
            "Untaxed amount of the posted invoices minus credit notes of the "
            "month, in the company's currency."
        ),
    ),
    "average_order_value": (
        "Average order value",
        "money",
        True,
        _lt("Revenue of the month / number of posted invoices in the month."),
    ),
    "revenue_per_customer": (
        "Revenue per customer",
        "money",
        True,
        _lt("Revenue of the month / active customers of the month."),
    ),
    "retention_rate": (
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
    "churn_rate": (
        "Churn rate",
        "percent",
        False,
        _lt("100 − retention rate."),
    ),
    "repeat_purchase_rate": (
        "Repeat purchase rate",
        "percent",
        True,
        _lt(
            "Share of the customer base at the end of the month with two or more "
            "invoices in the W months before."
        ),
    ),
    "purchase_frequency": (
        "Purchase frequency",
        "ratio",
        True,
        _lt(
            "Invoices of the W months ending with the month / customers in the "
            "customer base at the end of the month."
        ),
    ),
    "customer_lifetime_value": (
        "Customer lifetime value",
        "money",
        True,
        _lt(
            "Revenue of the W months ending with the month / customer base at "
            "its end × 12 / W × expected lifetime in years (1 / annual churn, "
            "at most 10 years)."
        ),
    ),
    "complaint_rate": (
        "Complaint rate",
        "ratio",
        False,
        _lt("Claims dated in the month per 100 active customers."),
    ),
    "complaint_resolution_days": (
        "Complaint resolution (days)",
        "days",
        False,
        _lt(
            "Median days from claim date to closing, of the claims closed in the month."
        ),
    ),
    "days_sales_outstanding": (
        "Days sales outstanding",
        "days",
        False,
        _lt(
            "Customer receivable open at the end of the month / revenue of the 90 "
            "days ending then × 90."
        ),
    ),
}
MOVE_TYPES = ("out_invoice", "out_refund")
# the month of a claim that has none (no date, or not closed)
NO_MONTH = date(1900, 1, 1)


# the tables the KPI snapshots read from (CrmKpiSnapshot._snapshot_cursors)
READ_TABLES = (
    "account_account",
    "account_move",
    "account_move_line",
    "crm_claim",
    "crm_loyalty_state",
    "res_partner",
)


def month_start(day):
    return day.replace(day=1)


class CrmKpiSnapshot(models.Model):
    _name = "crm.kpi.snapshot"
    _description = "Customer-Value KPI Snapshot"
    _order = "date_from desc, kpi_code, segment_type, segment_value"

    kpi_code = fields.Selection(
        [(code, spec[0]) for code, spec in KPIS.items()],
        string="KPI",
        required=True,
        readonly=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    date_from = fields.Date(string="Month", required=True, readonly=True, index=True)
    date_to = fields.Date(string="Month End", required=True, readonly=True)
    segment_type = fields.Selection(
        SEGMENT_TYPES, required=True, readonly=True, default="all"
    )
    segment_value = fields.Char(
        required=True,
        readonly=True,
        default="all",
        help="The segment's key: a tier, sales team or country id ('' for none).",
    )
    segment_label = fields.Char(string="Segment", compute="_compute_segment_label")
    value = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
    has_value = fields.Boolean(
        readonly=True,
        help="False when the KPI has no value for the month: a rate whose "
        "denominator is zero is empty, not 0.",
    )
    numerator = fields.Float(readonly=True, aggregator="sum", digits=(16, 2))
    denominator = fields.Float(readonly=True, aggregator="sum", digits=(16, 2))
    formula_version = fields.Integer(readonly=True, default=FORMULA_VERSION)
    computed_at = fields.Datetime(readonly=True)
    period = fields.Selection(
        [
            ("baseline", "Before go-live"),
            ("after", "After go-live"),
            ("other", "Earlier"),
        ],
        compute="_compute_period",
        store=True,
        help="Where the month stands against the company's CRM go-live date.",
    )
    kpi_help = fields.Char(string="Formula", compute="_compute_kpi_help")

    _kpi_month_uniq = models.Constraint(
        "UNIQUE(kpi_code, company_id, date_from, segment_type, segment_value, "
        "formula_version)",
        "There is already a snapshot of this KPI for this month and segment.",
    )

    @api.depends(
        "date_from", "company_id.crm_go_live_date", "company_id.crm_kpi_baseline_months"
    )
    def _compute_period(self):
        for snapshot in self:
            company = snapshot.company_id
            go_live = company.crm_go_live_date and month_start(company.crm_go_live_date)
            if not go_live or not snapshot.date_from:
                snapshot.period = "other"
            elif snapshot.date_from >= go_live:
                snapshot.period = "after"
            elif snapshot.date_from >= go_live - relativedelta(
                months=company.crm_kpi_baseline_months
            ):
                snapshot.period = "baseline"
            else:
                snapshot.period = "other"

    def _compute_kpi_help(self):
        for snapshot in self:
            snapshot.kpi_help = (
                str(KPIS[snapshot.kpi_code][3]) if snapshot.kpi_code else ""
            )

    def _compute_segment_label(self):
        names = {
            "tier": "crm.loyalty.tier",
            "team": "crm.team",
            "country": "res.country",
        }
        for snapshot in self:
            model = names.get(snapshot.segment_type)
            if not model:
                snapshot.segment_label = self.env._("All customers")
            elif not snapshot.segment_value:
                snapshot.segment_label = self.env._("None")
            elif model in self.env:
                record = self.env[model].browse(int(snapshot.segment_value)).exists()
                snapshot.segment_label = record.display_name or snapshot.segment_value
            else:
                snapshot.segment_label = snapshot.segment_value

    # --------------------------------------------------------------- CRUD
    def write(self, vals):
        if self:
            raise UserError(
                self.env._(
                    "KPI snapshots are written by the KPI engine only: run a "
                    "recompute instead of editing them."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("KPI snapshots are a history: they cannot be deleted.")
        )

    # ------------------------------------------------------------ actions
    def action_open_details(self):
        """The invoices, customers or claims behind a snapshot."""
        self.ensure_one()
        start, end = self.date_from, self.date_to
        if self.kpi_code.startswith("complaint"):
            field = (
                "date_closed"
                if self.kpi_code == "complaint_resolution_days"
                else "date"
            )
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Claims"),
                "res_model": "crm.claim",
                "view_mode": "list,form",
                "domain": [
                    ("company_id", "=", self.company_id.id),
                    (field, ">=", start),
                    (field, "<", end + relativedelta(days=1)),
                ],
            }
        ids = self._customers_of_month()
        if self.kpi_code in ("active_customers", "new_customers") or self.kpi_code in (
            "retention_rate",
            "churn_rate",
            "repeat_purchase_rate",
            "customer_lifetime_value",
        ):
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Customers"),
                "res_model": "res.partner",
                "view_mode": "list,form",
                "domain": [("id", "in", ids)],
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("move_type", "in", MOVE_TYPES),
                ("invoice_date", ">=", start),
                ("invoice_date", "<=", end),
            ],
        }

    def _customers_of_month(self):
        """Customers invoiced in the snapshot's month (or in its window for
        the customer-base KPIs)."""
        start = self.date_from
        if self.kpi_code not in ("active_customers", "new_customers"):
            start = self.date_from + relativedelta(
                months=1 - self.company_id.crm_kpi_window_months
            )
        groups = self.env["account.move"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("move_type", "=", "out_invoice"),
                ("invoice_date", ">=", start),
                ("invoice_date", "<=", self.date_to),
            ],
            ["commercial_partner_id"],
        )
        return [partner.id for (partner,) in groups]

    # ------------------------------------------------------------- engine
    @api.model
    def compute_snapshots(self, date_from, date_to):
        """Compute every KPI, for every segment, for each month from the month
        of ``date_from`` to the month of ``date_to``, in the current company.
        Closed months already computed are kept as they are.

        :return: number of snapshots written
        """
        self._check_manager()
        date_from, date_to = self._to_date(date_from), self._to_date(date_to)
        if not date_from or not date_to:
            raise UserError(self.env._("Give both a start and an end month."))
        if date_from > date_to:
            raise UserError(
                self.env._(
                    "The start month (%(start)s) is after the end month (%(end)s): "
                    "swap them.",
                    start=date_from,
                    end=date_to,
                )
            )
        today = fields.Date.context_today(self)
        if month_start(date_to) > month_start(today):
            raise UserError(
                self.env._(
                    "%(end)s is in a month that has not started: choose the current "
                    "month at the latest.",
                    end=date_to,
                )
            )
        company = self.env.company
        first, last = month_start(date_from), month_start(date_to)
        rows = self._snapshot_rows(company, first, last)
        return self._store(company, rows, month_start(today))

    def _snapshot_rows(self, company, first, last):
        """[(kpi code, month, segment type, segment, value, numerator,
        denominator)] of every KPI and segment for the months ``first`` to
        ``last`` (first days of months)."""
        self.env.flush_all()
        # no JIT compilation: seconds per query, for queries that run once
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        segments = [
            segment_type
            for segment_type, _label in SEGMENT_TYPES
            # the tier segment is the customer's current loyalty tier (tiers
            # have no month-by-month history), when crm_loyalty is installed
            if segment_type != "tier" or "crm.loyalty.state" in self.env
        ]
        rows = []
        results = self._compute_kpis(company, first, last, segments)
        for segment_type, kpis in results.items():
            for code, series in kpis.items():
                for (month, segment), (value, numerator, denominator) in series.items():
                    rows.append(
                        (
                            code,
                            month,
                            segment_type,
                            segment,
                            value,
                            numerator,
                            denominator,
                        )
                    )
        return rows

    def _to_date(self, value):
        """``value`` as a date, or a UserError that says what a date is."""
        try:
            if value and not isinstance(value, str) and not hasattr(value, "year"):
                raise TypeError(value)
            return fields.Date.to_date(value)
        except (TypeError, ValueError):
            raise UserError(
                self.env._(
                    "%(value)r is not a date: give a day as YYYY-MM-DD.", value=value
                )
            ) from None

    def _check_manager(self):
        """Snapshots are written in SQL, past the ACLs: only KPI managers (and
        the scheduled action's user) may compute them."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only KPI managers can compute KPI snapshots: ask one to run "
                    "the recompute."
                )
            )

    @api.model
    def _backfill(self):
        """Every month from the first invoice to the last closed month."""
        company = self.env.company
        self.env.cr.execute(
            SQL(
                "SELECT MIN(invoice_date) FROM account_move WHERE company_id = %s "
                "AND state = 'posted' AND move_type IN %s",
                company.id,
                MOVE_TYPES,
            )
        )
        first = self.env.cr.fetchone()[0]
        last = month_start(fields.Date.context_today(self)) - relativedelta(months=1)
        if not first or month_start(first) > last:
            return 0
        return self.compute_snapshots(month_start(first), last)

    @api.model
    def _cron_monthly(self):
        """Compute the queued backfills, then the month that just closed in
        every company. A call computes one batch of a backfill and reports
        the months and companies left: the scheduler calls again while any
        are left, committing each batch."""
        companies = self.env["res.company"].search([])
        backfills = self.env["crm.kpi.backfill"].search(
            [("state", "=", "queued")], order="id"
        )
        if backfills:
            done = backfills[0]._run_batch()
            left = sum(b.month_count - b.months_done for b in backfills)
            self.env["ir.cron"]._commit_progress(done, remaining=left + len(companies))
            return
        last = month_start(fields.Date.context_today(self)) - relativedelta(months=1)
        for index, company in enumerate(companies):
            self.with_company(company).compute_snapshots(last, last)
            self.env["ir.cron"]._commit_progress(
                1, remaining=len(companies) - index - 1
            )

    def _store(self, company, rows, open_month):
        """Insert the snapshots; only the open month's are updated."""
        if not rows:
            return 0
        now = fields.Datetime.now()
        codes, months, segment_types, segments, values, numerators, denominators = map(
            list, zip(*rows, strict=True)
        )
        periods = {month: self._period_of(company, month) for month in set(months)}
        # one array per column: composing a VALUES row per snapshot took
        # longer than computing them
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_kpi_snapshot
                    (kpi_code, company_id, date_from, date_to, segment_type,
                     segment_value, value, has_value, numerator, denominator,
                     formula_version,
                     computed_at, period, create_uid, create_date, write_date)
                SELECT r.code, %(company)s, r.month,
                       (r.month + interval '1 month' - interval '1 day')::date,
                       r.segment_type, r.segment, r.value, r.value IS NOT NULL,
                       r.numerator, r.denominator, %(version)s, %(now)s, r.period,
                       %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(codes)s::varchar[], %(months)s::date[],
                              %(segment_types)s::varchar[], %(segments)s::varchar[],
                              %(values)s::numeric[], %(numerators)s::numeric[],
                              %(denominators)s::numeric[], %(periods)s::varchar[])
                       AS r(code, month, segment_type, segment, value, numerator,
                            denominator, period)
                ON CONFLICT (kpi_code, company_id, date_from, segment_type,
                             segment_value, formula_version)
                DO UPDATE SET value = EXCLUDED.value,
                              has_value = EXCLUDED.has_value,
                              numerator = EXCLUDED.numerator,
                              denominator = EXCLUDED.denominator,
                              computed_at = EXCLUDED.computed_at,
                              write_date = EXCLUDED.write_date
                        WHERE crm_kpi_snapshot.date_from >= %(open_month)s
                """,
                company=company.id,
                version=FORMULA_VERSION,
                now=now,
                uid=self.env.uid,
                codes=codes,
                months=months,
                segment_types=segment_types,
                segments=segments,
                values=values,
                numerators=numerators,
                denominators=denominators,
                periods=[periods[month] for month in months],
                open_month=open_month,
            )
        )
        written = self.env.cr.rowcount
        self.env["crm.kpi.snapshot"].invalidate_model()
        return written

    def _period_of(self, company, month):
        go_live = company.crm_go_live_date and month_start(company.crm_go_live_date)
        if not go_live:
            return "other"
        if month >= go_live:
            return "after"
        if month >= go_live - relativedelta(months=company.crm_kpi_baseline_months):
            return "baseline"
        return "other"

    # ------------------------------------------------------------ formulas
    def _segment_joins(self, company):
        """The joins the segment keys of :meth:`_customer_read` read from,
        after the partner (alias lp)."""
        if "crm.loyalty.state" not in self.env:
            return SQL()
        return SQL(
            "LEFT JOIN crm_loyalty_state ls "
            "ON ls.partner_id = lp.commercial_partner_id "
            "AND ls.company_id = %s",
            company.id,
        )

    def _compute_kpis(self, company, first, last, segments):
        """{segment type: {kpi code: {(month, segment): (value, numerator,
        denominator)}}} for ``segments``, a list of segment types. The
        invoices, the receivable and the claims are read once for every
        segment type, as arrays counted with numpy (:mod:`..engine`)."""
        window = company.crm_kpi_window_months
        months = [
            first + relativedelta(months=i)
            for i in range(self._month_count(first, last))
        ]
        with ThreadPoolExecutor(max_workers=1) as pool:
            invoices = {}

            def invoices_read(moves):
                # counted in a thread while the rest is read: what every
                # segment type needs, then the sales team segment
                invoices["grain"] = pool.submit(self._invoice_grain, first, last, moves)
                if "team" in segments:
                    invoices["team"] = pool.submit(
                        self._team_counts, invoices["grain"], moves["team"], window
                    )

            moves, lines, claims, customers = self._read_sources(
                company, last, segments, invoices_read
            )
            receivable, opening = self._receivable(
                company, first, last, segments, lines, customers
            )
            complaints = self._complaints(
                company, first, last, segments, claims, customers
            )
            del moves, lines, claims  # memory for the counting of the invoices
            activity = self._activity(
                company, first, last, segments, invoices, customers
            )
        results = {}
        for segment_type in segments:
            flows, bases, lifetime = activity[segment_type]
            claims = complaints[segment_type]
            segments_seen = {
                seg for rows in (flows, bases, claims) for (_m, seg) in rows
            }
            if segment_type == "all":
                segments_seen = {"all"}
            result = defaultdict(dict)
            cumulative = defaultdict(float)
            for seg, amount in opening[segment_type].items():
                cumulative[seg] = amount
            for month in months:
                for seg in sorted(segments_seen):
                    key = (month, seg)
                    self._fill(
                        result,
                        key,
                        (
                            flows.get(key),
                            bases.get(key),
                            lifetime.get(key),
                            claims.get(key),
                        ),
                        window,
                    )
                    cumulative[seg] += (receivable[segment_type].get(key) or (0.0,))[0]
                    revenue_90 = (flows.get(key) or (0,) * 6)[5] or 0.0
                    result["days_sales_outstanding"][key] = self._ratio(
                        cumulative[seg], revenue_90, 90.0
                    )
            results[segment_type] = result
        return results

    @staticmethod
    def _month_count(first, last):
        return (last.year - first.year) * 12 + last.month - first.month + 1

    @staticmethod
    def _ratio(numerator, denominator, scale=1.0):
        """(value, numerator, denominator); an empty value for a 0 denominator."""
        numerator = float(numerator or 0.0)
        denominator = float(denominator or 0.0)
        value = numerator / denominator * scale if denominator else None
        return value, numerator, denominator

    def _fill(self, result, key, rows, window):
        flow, base, lifetime, claim = rows
        revenue, invoices, active, new, _old, _rev90 = flow or (0.0, 0, 0, 0, 0, 0.0)
        (start_base, kept, end_base, repeaters, window_invoices, window_revenue) = (
            base or (0, 0, 0, 0, 0, 0.0)
        )
        claims, median_days, closed = claim or (0, None, 0)
        result["active_customers"][key] = (float(active), float(active), None)
        result["new_customers"][key] = (float(new), float(new), None)
        result["revenue"][key] = (float(revenue), float(revenue), None)
        result["average_order_value"][key] = self._ratio(revenue, invoices)
        result["revenue_per_customer"][key] = self._ratio(revenue, active)
        retention = self._ratio(kept, start_base, 100.0)
        result["retention_rate"][key] = retention
        result["churn_rate"][key] = (
            None if retention[0] is None else 100.0 - retention[0],
            float(start_base - kept),
            float(start_base),
        )
        result["repeat_purchase_rate"][key] = self._ratio(repeaters, end_base, 100.0)
        result["purchase_frequency"][key] = self._ratio(window_invoices, end_base)
        result["customer_lifetime_value"][key] = self._lifetime_value(
            window_revenue, end_base, lifetime, window
        )
        result["complaint_rate"][key] = self._ratio(claims, active, 100.0)
        result["complaint_resolution_days"][key] = (
            float(median_days) if closed else None,
            float(median_days or 0.0),
            float(closed),
        )

    @staticmethod
    def _lifetime_value(window_revenue, end_base, lifetime, window):
        year_ago_base, kept = lifetime or (0, 0)
        if not end_base or not year_ago_base:
            return None, float(window_revenue or 0.0), float(end_base or 0)
        annual_churn = 1.0 - kept / year_ago_base
        years = LIFETIME_CAP_YEARS
        if annual_churn > 0:
            years = min(LIFETIME_CAP_YEARS, 1.0 / annual_churn)
        numerator = float(window_revenue) * 12.0 / window * years
        return numerator / end_base, numerator, float(end_base)

    @staticmethod
    def _month_index(day):
        """Months since year 0: consecutive months are consecutive numbers."""
        return day.year * 12 + day.month - 1

    def _invoice_grain(self, first, last, moves):
        """What :meth:`_activity` counts of the invoices ``moves`` (amounts
        in units) for every segment type: their months, 90-day reach and
        customers. Nothing of the ORM: run in a thread."""
        if not len(moves["partner"]):
            return {}
        month = engine.month_numbers(moves["day"])
        partners, customer = engine.index_of(moves["partner"])
        return {
            "lo": min(self._month_index(first) - 12, int(month.min())),
            "hi": self._month_index(last) + 1,
            "partners": partners,
            "customer": customer,
            "rows": (
                month,
                moves["invoice"],
                moves["amount"],
                engine.ninety_day_reach(moves["day"]),
            ),
        }

    def _team_counts(self, grain, teams_of_moves, window):
        """(labels, counts) of the sales team segment: the invoices of
        ``grain`` (a Future of :meth:`_invoice_grain`) counted per customer
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
        return self._segment_labels("team", teams), engine.grain_counts(
            unit,
            *grain["rows"],
            units % len(teams),
            len(teams),
            grain["lo"],
            grain["hi"],
            window,
        )

    def _activity(self, company, first, last, segments, invoices, customers):
        """{segment type: (flows, bases, lifetime)}, each {(month, segment):
        tuple}, from the company's invoices read once (``invoices``: Futures
        of :meth:`_invoice_grain` and :meth:`_team_counts`), counted with
        :mod:`..engine`:

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
        lo, hi, partners = grain["lo"], grain["hi"], grain["partners"]
        labels, by_customer, counts = {}, {}, {}
        for segment_type in self._customer_segment_types(segments):
            key = engine.lookup(customers["id"], customers[segment_type], partners)[0]
            values, by_customer[segment_type] = engine.index_of(key)
            labels[segment_type] = self._segment_labels(segment_type, values)
        if by_customer:
            # the customers of each combination of their segments, counted
            # once for every segment type of the customer
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
                lo,
                hi,
                window,
            )
            for segment_type, segment in by_customer.items():
                counts[segment_type] = engine.by_segment(
                    grouped, segment[some_customer], len(labels[segment_type])
                )
        if "team" in segments:
            labels["team"], counts["team"] = invoices["team"].result()
        scale = 10**company.currency_id.decimal_places
        return {
            segment_type: self._monthly_rows(
                counts[segment_type],
                labels[segment_type],
                first,
                last,
                lo,
                window,
                scale,
            )
            for segment_type in segments
        }

    def _monthly_rows(self, counts, labels, first, last, lo, window, scale):
        """(flows, bases, lifetime) of :meth:`_activity` for one segment type,
        from the arrays of :func:`engine.grain_counts`."""
        x = np.arange(self._month_index(first), self._month_index(last) + 1) - lo
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
        columns = {
            "flows": (
                counts["revenue"][:, x] / scale,
                counts["invoices"][:, x],
                counts["active"][:, x],
                counts["new"][:, x],
                np.zeros((len(labels), len(x))),
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
        months = [first + relativedelta(months=i) for i in range(len(x))]
        tables = []
        for name in ("flows", "bases", "lifetime"):
            values = np.stack(columns[name], axis=-1).tolist()
            tables.append(
                {
                    (month, label): tuple(values[s][i])
                    for s, label in enumerate(labels)
                    for i, month in enumerate(months)
                }
            )
        return tuple(tables)

    def _read_sources(self, company, last, segments, invoices_read):
        """(moves, lines, claims, customers): the company's invoices
        (:meth:`_invoice_read`), customer receivable (:meth:`_receivable_read`)
        and claims (:meth:`_claim_read`) up to the month of ``last``, and the
        segment keys of their partners (:meth:`_customer_read`), as arrays
        (:meth:`_read_rows`); amounts in integers of the currency's smallest
        unit, and each receivable item with the sales team of its move. The
        receivable is read at the same time as the rest when
        :meth:`_snapshot_cursors` gives a second cursor.
        ``invoices_read(moves)`` is called once the invoices are read,
        before the rest: what it starts in a thread runs meanwhile."""
        receivable = self._receivable_read(company, last)
        with (
            self._snapshot_cursors() as (here, aside),
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            if aside:
                lines = pool.submit(
                    engine.read_copy, aside, here.mogrify(receivable[0]), receivable[1]
                )
            moves = self._read_rows(*self._invoice_read(company, last), cr=here)
            decimals = company.currency_id.decimal_places
            moves["amount"] = engine.to_units(moves["amount"], decimals)
            invoices_read(moves)
            claims = self._read_rows(*self._claim_read(company), cr=here)
            partners = np.concatenate([moves["partner"], claims["partner"]])
            customers = self._read_rows(
                *self._customer_read(company, segments, engine.index_of(partners)[0]),
                cr=here,
            )
            if aside:
                lines = lines.result()
                self.env.cr.sql_log_count += 1
            else:
                lines = self._read_rows(*receivable, cr=here)
            # the partners of receivable items alone (payments of others...)
            known = customers["id"]
            unread = engine.lookup(known, known, lines["partner"])[1]
            unread_partners = np.unique(
                lines["partner"][unread & (lines["partner"] > 0)]
            )
            if len(unread_partners):
                more = self._read_rows(
                    *self._customer_read(company, segments, unread_partners),
                    cr=here,
                )
                customers = {
                    column: np.concatenate([values, more[column]])
                    for column, values in customers.items()
                }
            lines["balance"] = engine.to_units(lines["balance"], decimals)
            lines["team"] = self._receivable_teams(lines, moves, here)
        return moves, lines, claims, customers

    def _receivable_teams(self, lines, moves, cr):
        """The sales team of the move of each receivable item: that of the
        invoices ``moves``, the others' (payments...) read with ``cr``."""
        teams, other = engine.lookup(moves["id"], moves["team"], lines["move"])
        other_moves = np.unique(lines["move"][other])
        if len(other_moves):
            read = self._read_rows(
                SQL(
                    "SELECT id, COALESCE(team_id, 0) FROM account_move "
                    "WHERE id = ANY(%s)",
                    self._sql_ids(other_moves),
                ),
                [("id", "int"), ("team", "int")],
                cr=cr,
            )
            teams[other] = engine.lookup(
                read["id"], read["team"], lines["move"][other]
            )[0]
        return teams

    @contextlib.contextmanager
    def _snapshot_cursors(self):
        """(here, aside): two cursors that see the same data, each on a
        connection of its own, so that two reads can run at the same time
        (PostgreSQL's exported snapshots); or (this transaction's cursor,
        None) when this transaction has written one of the tables the KPIs
        read (its rows are not committed: no other connection sees them).
        The two cursors see what is committed when they start, which a
        transaction that has written none of those tables sees too, but for
        what was committed since it started."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT NOT EXISTS (SELECT FROM pg_stat_xact_user_tables "
                "WHERE relname = ANY(%s) AND n_tup_ins + n_tup_upd + n_tup_del > 0)",
                list(READ_TABLES),
            )
        )
        if not cr.fetchone()[0]:
            yield cr, None
            return
        connection = sql_db.db_connect(cr.dbname)
        with (
            contextlib.closing(connection.cursor()) as here,
            contextlib.closing(connection.cursor()) as aside,
        ):
            here.execute(SQL("SELECT pg_export_snapshot()"))
            aside.execute(SQL("SET TRANSACTION SNAPSHOT %s", here.fetchone()[0]))
            for cursor in (here, aside):
                # no JIT compilation: seconds per query, for queries that run once
                cursor.execute(SQL("SET LOCAL jit = off"))
            yield here, aside

    def _invoice_read(self, company, last):
        """(query, columns) of the posted invoices and credit notes of the
        company up to the month of ``last``, one row per move: id, customer
        (partner), sales team (0 for none), day, invoice (True for an
        invoice, False for a credit note), untaxed amount. Answered from an
        index of crm_kpi alone."""
        return (
            SQL(
                """
                SELECT m.id, m.commercial_partner_id, COALESCE(m.team_id, 0),
                       m.invoice_date, m.move_type = 'out_invoice',
                       COALESCE(m.amount_untaxed_signed, 0)::float8
                  FROM account_move m
                 WHERE m.company_id = %s AND m.state = 'posted'
                   AND m.move_type IN %s AND m.invoice_date < %s
                   AND m.commercial_partner_id IS NOT NULL
                """,
                company.id,
                MOVE_TYPES,
                last + relativedelta(months=1),
            ),
            [
                ("id", "int"),
                ("partner", "int"),
                ("team", "int"),
                ("day", "date"),
                ("invoice", "bool"),
                ("amount", "float"),
            ],
        )

    def _read_rows(self, query, columns, cr=None):
        """{name: numpy array} of the rows of ``query`` (:class:`SQL`), read
        at once in PostgreSQL's binary format (:func:`engine.read_copy`):
        hundreds of thousands of rows in a fraction of a second. ``cr``: the
        cursor to read with, by default this transaction's."""
        cr = cr or self.env.cr
        start = time.perf_counter()
        rows = engine.read_copy(cr, cr.mogrify(query), columns)
        # counted as this transaction's cursor counts its queries (tests'
        # query counts, request statistics)
        self.env.cr.sql_log_count += 1
        thread = threading.current_thread()
        if hasattr(thread, "query_count"):
            thread.query_count += 1
        if hasattr(thread, "query_time"):
            thread.query_time += time.perf_counter() - start
        return rows

    def _customer_read(self, company, segments, partners):
        """(query, columns) of ``partners`` (a sorted array of distinct ids),
        and maybe of other partners: id, and for each segment type of the
        customer (:meth:`_customer_segment_types`) the key of its commercial
        partner (0 for none). Ids that fill most of their range are read as
        that range: quicker than looking up each."""
        columns = {
            "all": SQL("0"),
            # a commercial partner's own, else looked up for the contact
            "country": SQL(
                "COALESCE(CASE WHEN lp.commercial_partner_id = lp.id "
                "THEN lp.country_id ELSE (SELECT p.country_id FROM res_partner p "
                "WHERE p.id = lp.commercial_partner_id) END, 0)"
            ),
            "tier": SQL("COALESCE(ls.tier_id, 0)"),
        }
        types = self._customer_segment_types(segments)
        if len(partners) and partners[-1] - partners[0] < 2 * len(partners):
            which = SQL("lp.id BETWEEN %s AND %s", int(partners[0]), int(partners[-1]))
        else:
            which = SQL("lp.id = ANY(%s)", self._sql_ids(partners))
        return (
            SQL(
                """
                SELECT lp.id, %s
                  FROM res_partner lp
                       %s
                 WHERE %s
                """,
                SQL(", ").join(columns[t] for t in types),
                self._segment_joins(company),
                which,
            ),
            [("id", "int")] + [(t, "int") for t in types],
        )

    @staticmethod
    def _customer_segment_types(segments):
        """The segment types of ``segments`` that depend on the customer
        alone (not on the invoice)."""
        return [t for t in segments if t in ("all", "country", "tier")]

    @staticmethod
    def _sql_ids(ids):
        """An int4[] of ``ids`` (a numpy array), as one literal: quicker to
        send than a parameter per id."""
        return SQL("%s::int4[]", "{" + ",".join(map(str, ids.tolist())) + "}")

    @staticmethod
    def _segment_labels(segment_type, values):
        """The segment_value of each key: 'all', '' for none, else the id."""
        if segment_type == "all":
            return ["all"] * len(values)
        return [str(value) if value else "" for value in values.tolist()]

    def _claim_read(self, company):
        """(query, columns) of the company's active claims: partner (0 for
        none), sales team (0 for none), month of the claim date and of its
        closing (1900 when there is none), whether it is closed, and the
        days from claim date to closing."""
        return (
            SQL(
                """
                SELECT COALESCE(c.partner_id, 0), COALESCE(c.team_id, 0),
                       COALESCE(date_trunc('month', c.date)::date, %(none)s),
                       COALESCE(date_trunc('month', c.date_closed)::date, %(none)s),
                       c.is_closed AND c.date_closed IS NOT NULL,
                       COALESCE(
                           EXTRACT(EPOCH FROM c.date_closed - c.date) / 86400.0, 0
                       )::float8
                  FROM crm_claim c
                 WHERE c.company_id = %(company)s AND c.active
                """,
                none=NO_MONTH,
                company=company.id,
            ),
            [
                ("partner", "int"),
                ("team", "int"),
                ("opened", "date"),
                ("closed_on", "date"),
                ("closed", "bool"),
                ("days", "float"),
            ],
        )

    def _complaints(self, company, first, last, segments, claims, customers):
        """{segment type: {(month, segment): (claims dated in the month,
        median days to close of the claims closed in the month, how many were
        closed)}}, for the months and segments with a claim dated or closed."""
        lo, hi = self._month_index(first), self._month_index(last)
        grid = engine.MonthGrid(lo, hi)
        opened = engine.month_numbers(claims["opened"])
        closed_on = engine.month_numbers(claims["closed_on"])
        months = [first + relativedelta(months=i) for i in range(hi - lo + 1)]
        result = {}
        for segment_type in segments:
            values, segment = self._segment_of_rows(segment_type, claims, customers)
            labels = self._segment_labels(segment_type, values)
            in_range = (opened >= lo) & (opened <= hi)
            counts = grid.count(segment[in_range], len(labels), opened[in_range])
            done = claims["closed"] & (closed_on >= lo) & (closed_on <= hi)
            closed, medians = engine.medians(
                segment[done] * grid.size + closed_on[done] - lo,
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

    def _segment_of_rows(self, segment_type, rows, customers):
        """(the keys of the segments of ``rows``, sorted; the position of each
        row's among them): by the row's team, or by the commercial partner of
        its partner (:meth:`_customer_read`)."""
        if segment_type == "team":
            return engine.index_of(rows["team"])
        key = engine.lookup(customers["id"], customers[segment_type], rows["partner"])[
            0
        ]
        return engine.index_of(key)

    def _receivable_read(self, company, last):
        """(query, columns) of the posted items of the company's customer
        receivable up to the month of ``last``: partner (0 for none), move,
        day and balance."""
        return (
            SQL(
                """
                SELECT COALESCE(l.partner_id, 0), l.move_id, l.date,
                       COALESCE(l.balance, 0)::float8
                  FROM account_move_line l
                 WHERE l.company_id = %s AND l.parent_state = 'posted'
                   AND l.account_id = ANY(ARRAY(
                       SELECT id FROM account_account
                        WHERE account_type = 'asset_receivable'
                   ))
                   AND l.date < %s
                """,
                company.id,
                last + relativedelta(months=1),
            ),
            [
                ("partner", "int"),
                ("move", "int"),
                ("day", "date"),
                ("balance", "float"),
            ],
        )

    def _receivable(self, company, first, last, segments, lines, customers):
        """({segment type: {(month, segment): (net change of the customer
        receivable in the month,)}}, {segment type: {segment: receivable
        open before ``first``}}), from the company's receivable journal
        items (:meth:`_read_sources`), each counted in the segments of
        the commercial partner of its partner."""
        scale = 10**company.currency_id.decimal_places
        month = engine.month_numbers(lines["day"])
        # the months before the first are summed into one, "opening"
        lo = self._month_index(first) - 1
        month = np.maximum(month, lo)
        hi = self._month_index(last)
        monthly, opening = {}, {}
        grid = engine.MonthGrid(lo, hi)
        months = [first + relativedelta(months=i) for i in range(hi - lo)]
        for segment_type in segments:
            values, segment = self._segment_of_rows(segment_type, lines, customers)
            labels = self._segment_labels(segment_type, values)
            sums = grid.count(segment, len(labels), month, lines["balance"])
            sums = (sums / scale).tolist()
            opening[segment_type] = {
                label: sums[s][0] for s, label in enumerate(labels)
            }
            monthly[segment_type] = {
                (month, label): (sums[s][i + 1],)
                for s, label in enumerate(labels)
                for i, month in enumerate(months)
            }
        return monthly, opening

    # ---------------------------------------------------------- statistics
    @api.model
    def get_kpi_catalogue(self):
        """[{code, name, unit, higher_is_better, formula}] for screens and tools."""
        names = dict(self._fields["kpi_code"]._description_selection(self.env))
        return [
            {
                "code": code,
                "name": names[code],
                "unit": unit,
                "higher_is_better": better,
                "formula": str(formula),
            }
            for code, (_name, unit, better, formula) in KPIS.items()
        ]

    @api.model
    def _series(self, kpi_code, segment_type="all", segment_value="all"):
        """[(month, value)] of the current company, oldest first."""
        snapshots = self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("kpi_code", "=", kpi_code),
                ("segment_type", "=", segment_type),
                ("segment_value", "=", segment_value),
                ("formula_version", "=", FORMULA_VERSION),
            ],
            order="date_from",
        )
        return [(s.date_from, s.value) for s in snapshots if s.has_value]

    @api.model
    def get_cohort_table(self, horizon=12):
        """Cohorts of customers by first-invoice month, and the share (%) of
        each cohort that bought again k months later (k = 1..horizon), split
        into cohorts before and after the go-live month. One query.

        :return: {"before": [...], "after": [...]}, each a list of
            {"cohort": date, "size": int, "shares": [float or None]} and, per
            side, "average": the size-weighted share for each k.
        """
        # the table is read in SQL: only those who may read the KPIs see it
        self.check_access("read")
        if (
            not isinstance(horizon, int)
            or isinstance(horizon, bool)
            or not 1 <= horizon <= MAX_COHORT_HORIZON
        ):
            raise UserError(
                self.env._(
                    "The cohort horizon must be a whole number of months between 1 "
                    "and %(max)s months (got %(horizon)r).",
                    max=MAX_COHORT_HORIZON,
                    horizon=horizon,
                )
            )
        company = self.env.company
        go_live = company.crm_go_live_date and month_start(company.crm_go_live_date)
        last = month_start(fields.Date.context_today(self)) - relativedelta(months=1)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH months AS (
                    SELECT DISTINCT commercial_partner_id AS partner,
                           date_trunc('month', invoice_date)::date AS m
                      FROM account_move
                     WHERE company_id = %(company)s AND state = 'posted'
                       AND move_type = 'out_invoice'
                ), cohorts AS (
                    SELECT partner, MIN(m) AS cohort FROM months GROUP BY partner
                )
                SELECT c.cohort,
                       (EXTRACT(YEAR FROM age(mo.m, c.cohort)) * 12
                        + EXTRACT(MONTH FROM age(mo.m, c.cohort)))::int AS k,
                       COUNT(DISTINCT c.partner)
                  FROM cohorts c JOIN months mo ON mo.partner = c.partner
                 WHERE mo.m <= %(last)s
              GROUP BY 1, 2
                """,
                company=company.id,
                last=last,
            )
        )
        counts = defaultdict(dict)
        for cohort, k, count in self.env.cr.fetchall():
            counts[cohort][k] = count
        table = {"before": [], "after": []}
        for cohort in sorted(counts):
            size = counts[cohort].get(0, 0)
            observed = self._month_count(cohort, last) - 1
            shares = [
                round(100.0 * counts[cohort].get(k, 0) / size, 1)
                if size and k <= observed
                else None
                for k in range(1, horizon + 1)
            ]
            side = "after" if go_live and cohort >= go_live else "before"
            table[side].append({"cohort": cohort, "size": size, "shares": shares})
        for side in ("before", "after"):
            table[side + "_average"] = self._cohort_average(table[side], horizon)
        return table

    @staticmethod
    def _cohort_average(rows, horizon):
        average = []
        for k in range(horizon):
            seen = [
                (r["size"], r["shares"][k]) for r in rows if r["shares"][k] is not None
            ]
            weight = sum(size for size, _share in seen)
            average.append(
                round(sum(size * share for size, share in seen) / weight, 1)
                if weight
                else None
            )
        return average

    @api.model
    def get_comparison(self, kpi_code, segment_type="all", segment_value="all"):
        """Before/after comparison of one KPI around the company's go-live.

        Baseline: the ``crm_kpi_baseline_months`` months before the go-live
        month; after: the go-live month to the last closed month. Welch's
        t-test for the difference of means, a same-season paired comparison,
        and an interrupted time series (level and slope change at go-live).
        """
        if not isinstance(kpi_code, str) or kpi_code not in KPIS:
            raise UserError(
                self.env._(
                    "Unknown KPI %(code)s: choose one of %(codes)s.",
                    code=kpi_code,
                    codes=", ".join(KPIS),
                )
            )
        if not isinstance(segment_type, str) or segment_type not in dict(SEGMENT_TYPES):
            raise UserError(
                self.env._(
                    "Unknown segment type %(segment)s: choose one of %(types)s.",
                    segment=segment_type,
                    types=", ".join(dict(SEGMENT_TYPES)),
                )
            )
        start, go_live, last_closed = self._comparison_months()
        series = [
            (month, value)
            for month, value in self._series(kpi_code, segment_type, segment_value)
            if start <= month <= last_closed
        ]
        return compare_series(series, go_live, self.env)

    @api.model
    def _comparison_months(self):
        """(first baseline month, go-live month, last closed month) of the
        current company's before/after comparison."""
        company = self.env.company
        if not company.crm_go_live_date:
            raise UserError(
                self.env._(
                    "Set the CRM go-live date of %(company)s in the CRM settings "
                    "first: the comparison is made around it.",
                    company=company.name,
                )
            )
        go_live = month_start(company.crm_go_live_date)
        last_closed = month_start(fields.Date.context_today(self)) - relativedelta(
            months=1
        )
        start = go_live - relativedelta(months=company.crm_kpi_baseline_months)
        return start, go_live, last_closed


def compare_series(series, go_live, env):
    """The statistics of :meth:`CrmKpiSnapshot.get_comparison` for a series
    [(month, value)] and a go-live month."""
    import statsmodels.api as sm
    from scipy import stats

    before = [value for month, value in series if month < go_live]
    after = [value for month, value in series if month >= go_live]
    result = {
        "baseline_months": len(before),
        "after_months": len(after),
        "baseline_mean": float(np.mean(before)) if before else None,
        "after_mean": float(np.mean(after)) if after else None,
        "change": None,
        "change_pct": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "warning": False,
        "same_season": None,
        "its": None,
    }
    if len(before) < 6 or len(after) < 6:
        result["warning"] = env._(
            "Fewer than 6 months on one side (%(before)s before, %(after)s after): "
            "the comparison is not reliable.",
            before=len(before),
            after=len(after),
        )
    if before and after:
        result["change"] = result["after_mean"] - result["baseline_mean"]
        if result["baseline_mean"]:
            result["change_pct"] = result["change"] / abs(result["baseline_mean"]) * 100
    if len(before) >= 2 and len(after) >= 2 and np.var(before + after) > 0:
        # a side whose months are all equal (e.g. no complaint at all) is
        # valid for Welch's test; scipy only warns about its precision
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            test = stats.ttest_ind(after, before, equal_var=False)
        interval = test.confidence_interval(0.95)
        result.update(
            p_value=float(test.pvalue),
            ci_low=float(interval.low),
            ci_high=float(interval.high),
        )
    result["same_season"] = _same_season(series, go_live)
    result["its"] = _interrupted_time_series(series, go_live, sm, np)
    return result


def _same_season(series, go_live):
    """Each month after go-live against the same calendar month a year
    before, when that month was before go-live (so the seasons cancel out)."""
    from scipy import stats

    values = dict(series)
    pairs = [
        (value, values[month - relativedelta(years=1)])
        for month, value in series
        if month >= go_live
        and month - relativedelta(years=1) < go_live
        and month - relativedelta(years=1) in values
    ]
    if not pairs:
        return None
    differences = [a - b for a, b in pairs]
    summary = {
        "pairs": len(pairs),
        "mean_difference": sum(differences) / len(differences),
        "p_value": None,
        "ci_low": None,
        "ci_high": None,
    }
    if len(pairs) >= 2 and len(set(differences)) > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            test = stats.ttest_rel([a for a, _b in pairs], [b for _a, b in pairs])
        interval = test.confidence_interval(0.95)
        summary.update(
            p_value=float(test.pvalue),
            ci_low=float(interval.low),
            ci_high=float(interval.high),
        )
    return summary


def _interrupted_time_series(series, go_live, sm, np):
    """OLS: value ~ time + after + time since go-live (+ month-of-year terms
    with 24 months or more); the level and slope changes with their 95%
    intervals."""
    if len(series) < 8 or not any(m >= go_live for m, _v in series):
        return None
    if not any(m < go_live for m, _v in series):
        return None
    first = series[0][0]
    rows, y = [], []
    seasonal = len(series) >= 24
    for month, value in series:
        t = (month.year - first.year) * 12 + month.month - first.month
        since = (month.year - go_live.year) * 12 + month.month - go_live.month
        row = [1.0, t, 1.0 if since >= 0 else 0.0, max(since, 0)]
        if seasonal:
            row += [1.0 if month.month == m else 0.0 for m in range(2, 13)]
        rows.append(row)
        y.append(value)
    exog = np.array(rows)
    exog = exog[:, np.any(exog != 0, axis=0)]  # drop month terms never seen
    if exog.shape[0] <= exog.shape[1]:
        return None
    fit = sm.OLS(np.array(y), exog).fit()
    interval = fit.conf_int(0.05)
    return {
        "level_change": float(fit.params[2]),
        "level_ci": [float(interval[2][0]), float(interval[2][1])],
        "level_p_value": float(fit.pvalues[2]),
        "slope_change": float(fit.params[3]),
        "slope_ci": [float(interval[3][0]), float(interval[3][1])],
        "slope_p_value": float(fit.pvalues[3]),
        "seasonal": seasonal,
        "months": len(series),
    }
