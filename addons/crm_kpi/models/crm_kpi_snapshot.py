"""Monthly customer-value KPI snapshots.

Every KPI of a company is computed for a whole range of months and every
segment type at once by a few set-based queries: one over the invoices, one
over the customer receivable, one per segment type over the claims.
Snapshots of closed months are written once and never rewritten: a change
of formula bumps FORMULA_VERSION and writes new rows beside the old ones.
"""

import logging
import warnings
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

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
        first, last = month_start(date_from), month_start(date_to)
        company = self.env.company
        self.env.flush_all()
        # the customer-month rows are sorted and hashed (over a million at
        # scale): room to do it in memory, and no JIT compilation (seconds
        # per query, for queries that run once)
        self.env.cr.execute(SQL("SET LOCAL work_mem = '256MB'; SET LOCAL jit = off"))
        segments = [
            (segment_type, segment_sql)
            for segment_type, _label in SEGMENT_TYPES
            if (segment_sql := self._segment_sql(segment_type, company)) is not None
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
        return self._store(company, rows, month_start(today))

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
    def _segment_sql(self, segment_type, company):
        """SQL of the segment key of a row aliased m (move) / p (customer)."""
        if segment_type == "all":
            return SQL("'all'")
        if segment_type == "team":
            return SQL("COALESCE(m.team_id::text, '')")
        if segment_type == "country":
            return SQL("COALESCE(p.country_id::text, '')")
        if segment_type == "tier" and "crm.loyalty.state" in self.env:
            # the customer's current tier (tiers have no month-by-month
            # history), from the join of _segment_joins
            return SQL("COALESCE(ls.tier_id::text, '')")
        return None

    def _segment_joins(self, company):
        """The joins the expressions of :meth:`_segment_sql` read from, put
        after the customer (alias p) in every KPI query: a join, not a
        subquery per invoice line."""
        if "crm.loyalty.state" not in self.env:
            return SQL()
        return SQL(
            "LEFT JOIN crm_loyalty_state ls ON ls.partner_id = p.id "
            "AND ls.company_id = %s",
            company.id,
        )

    def _compute_kpis(self, company, first, last, segments):
        """{segment type: {kpi code: {(month, segment): (value, numerator,
        denominator)}}} for ``segments``, a list of (segment type, SQL of its
        key). The invoices are read once for every segment type."""
        window = company.crm_kpi_window_months
        months = [
            first + relativedelta(months=i)
            for i in range(self._month_count(first, last))
        ]
        activity = self._activity(company, first, last, segments)
        receivable, opening = self._receivable(company, first, last, segments)
        results = {}
        for segment_type, segment_sql in segments:
            flows, bases, lifetime = activity[segment_type]
            claims = self._query(
                self._sql_claims(),
                {
                    "company": company.id,
                    "first": first,
                    "last": last,
                    "segment": segment_sql,
                    "segment_joins": self._segment_joins(company),
                },
            )
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

    def _query(self, query, params):
        self.env.cr.execute(SQL(query, **params))
        return {(row[0], row[1]): row[2:] for row in self.env.cr.fetchall()}

    @staticmethod
    def _month_index(day):
        """Months since year 0: consecutive months are consecutive numbers."""
        return day.year * 12 + day.month - 1

    def _activity(self, company, first, last, segments):
        """{segment type: (flows, bases, lifetime)}, each {(month, segment):
        tuple}, from one query over the company's invoices:

        - flows: revenue, invoices, active customers, new customers, (unused),
          revenue of the 90 days ending with the month;
        - bases: |B(s)|, |B(s) ∩ B(next)|, |B(next)|, repeat buyers of
          B(next), invoices and revenue of the window ending the month;
        - lifetime: |B(next − 12 months)| and how many of them are still in
          B(next);

        where s is the first day of the month, next the first day of the
        month after, and B(d) the customer base at d: the customers (of the
        segment) with an invoice in the W months before d."""
        self.env.cr.execute(self._sql_activity(company, first, last, segments))
        types = [segment_type for segment_type, _sql in segments]
        activity = {segment_type: ({}, {}, {}) for segment_type in types}
        for row in self.env.cr.fetchall():
            st, month, seg = row[:3]
            flows, bases, lifetime = activity[types[st]]
            flows[month, seg] = (*row[3:7], 0, row[7])
            bases[month, seg] = row[8:14]
            lifetime[month, seg] = row[14:16]
        return activity

    def _sql_activity(self, company, first, last, segments):
        """The query of :meth:`_activity`, row by row: (segment type index,
        month, segment, revenue, invoices, active, new, revenue of 90 days,
        start base, kept, end base, repeat buyers, window invoices, window
        revenue, base 12 months before the end, kept of those).

        The invoices are grouped once (GROUPING SETS) by customer and month,
        with the keys of every segment type that depends on the customer
        only, and by customer, month and segment for each of the others. Each
        customer's months with an invoice are then read in order (LAG/LEAD):
        a month m with an invoice puts the customer in the base from m + 1 to
        m + W months, so the base is a few runs of consecutive months per
        customer; runs, repeat-buyer spans and year-apart overlaps are
        counted as +1/-1 events per month and segment, summed cumulatively.
        No row per customer and month of the base is made. Months are
        numbered by :meth:`_month_index`."""
        window = company.crm_kpi_window_months
        keys = [SQL.identifier(f"s{i}") for i in range(len(segments))]
        # groups of segment types counted on the same rows: those of the
        # customer together, each of the others on its own
        shared = [
            i
            for i, (segment_type, _sql) in enumerate(segments)
            if self._segment_of_customer(segment_type)
        ]
        groups = [shared] if shared else []
        groups += [[i] for i in range(len(segments)) if i not in shared]
        width = max(len(group) for group in groups)
        columns = [SQL.identifier(f"c{j}") for j in range(width)]
        column_list = SQL(", ").join(columns)

        def first_grouped(options):
            """CASE of the first (test, value) whose key is grouped by."""
            return SQL(
                "CASE %s END",
                SQL(" ").join(
                    SQL("WHEN GROUPING(%s) = 0 THEN %s", test, value)
                    for test, value in options
                ),
            )

        # the rows of the customer grouping sets: group g and its keys c0..
        group_of = first_grouped((keys[group[0]], g) for g, group in enumerate(groups))
        group_columns = SQL(", ").join(
            SQL(
                "%s AS %s",
                first_grouped(
                    (keys[group[0]], keys[group[j]])
                    for group in groups
                    if len(group) > j
                ),
                column,
            )
            for j, column in enumerate(columns)
        )

        def by_segment(x):
            """(select list, grouping sets) of rows with g, c0.. by segment
            type (st), segment (seg) and ``x``."""
            st = SQL(
                "CASE %s END",
                SQL(" ").join(
                    SQL("WHEN g = %s AND GROUPING(%s) = 0 THEN %s", g, columns[j], i)
                    for g, group in enumerate(groups)
                    for j, i in enumerate(group)
                ),
            )
            seg = first_grouped((column, column) for column in columns)
            sets = SQL(", ").join(SQL("(g, %s, %s)", column, x) for column in columns)
            return SQL("%s AS st, %s AS seg, %s AS x", st, seg, x), sets

        mon_select, mon_sets = by_segment(SQL("mi"))
        if window >= 12:
            # |B(d) ∩ B(d + 12 months)| = |B(d)| + |B(d + 12)| - |B(d) ∪
            # B(d + 12)|, and the union is the base with a window of W + 12
            # months at d + 12
            runs = kept = SQL()
            year_ago_kept = SQL(
                "LAG(base, 11) OVER w + LEAD(base) OVER w - LEAD(wide) OVER w"
            )
        else:
            # the union has a gap: pairs of runs of the base 12 months apart
            runs, kept = self._sql_runs(columns, window)
            year_ago_kept = SQL("LAG(kept12, 11) OVER w")
        ev_select, ev_sets = by_segment(SQL("x"))
        return SQL(
            """
            WITH src AS (
                SELECT m.commercial_partner_id AS partner, m.invoice_date AS d,
                       (date_part('year', m.invoice_date) * 12
                        + date_part('month', m.invoice_date))::int - 1 AS mi,
                       m.move_type = 'out_invoice' AS is_invoice,
                       m.amount_untaxed_signed AS amount,
                       %(keys)s
                  FROM account_move m
                  JOIN res_partner p ON p.id = m.commercial_partner_id
                       %(segment_joins)s
                 WHERE m.company_id = %(company)s AND m.state = 'posted'
                   AND m.move_type IN %(types)s
                   AND m.invoice_date < %(end)s
            ),
            grouped AS MATERIALIZED (
                SELECT GROUPING(d) = 0 AS by_day,
                       %(group_of)s AS g, %(group_columns)s,
                       partner, mi, d, %(key_list)s,
                       COUNT(*) FILTER (WHERE is_invoice) AS n,
                       SUM(amount) AS amount
                  FROM src
              GROUP BY GROUPING SETS (%(customer_sets)s, (d, mi, %(key_list)s))
            ),
            -- a row per customer (and segment, for segments of the invoice)
            -- and month with an invoice or a credit note
            em AS (SELECT g, %(column_list)s, partner, mi, n, amount FROM grouped
                    WHERE NOT by_day),
            act AS (
                SELECT *,
                       -- the customer is a repeat buyer (two invoices in the
                       -- window) from m + 1 to here, until the next month
                       -- with an invoice takes over
                       CASE WHEN n >= 2 THEN LEAST(mi + %(window)s, next)
                            WHEN prev IS NOT NULL
                            THEN LEAST(prev + %(window)s, next)
                        END AS repeat_end
                  FROM (
                    SELECT g, %(column_list)s, partner, mi, n,
                           LAG(mi) OVER w AS prev, LEAD(mi) OVER w AS next
                      FROM em WHERE n > 0
                    WINDOW w AS (PARTITION BY g, partner, %(column_list)s ORDER BY mi)
                  ) a
            ),
            -- a month m with an invoice starts a run of months in the base
            -- (at m + 1) when the customer is not in the base at m, and ends
            -- it (at m + W) when there is no invoice in the W months after;
            -- the same with a window of W + 12 months ("wide")
            marks AS (
                SELECT g, %(column_list)s, mi, repeat_end,
                       -- rows by month with an invoice, then rows by end of
                       -- the repeat-buyer span (repeat_starts counts them)
                       GROUPING(mi) = 1 AS by_end,
                       COUNT(*) AS active, SUM(n) AS invoices,
                       COUNT(*) FILTER (WHERE prev IS NULL) AS new,
                       COUNT(*) FILTER (
                           WHERE prev IS NULL OR prev < mi - %(window)s
                       ) AS starts,
                       COUNT(*) FILTER (
                           WHERE next IS NULL OR next > mi + %(window)s
                       ) AS ends,
                       COUNT(*) FILTER (WHERE repeat_end > mi) AS repeat_starts,
                       COUNT(*) FILTER (
                           WHERE prev IS NULL OR prev < mi - %(window)s - 12
                       ) AS wide_starts,
                       COUNT(*) FILTER (
                           WHERE next IS NULL OR next > mi + %(window)s + 12
                       ) AS wide_ends
                  FROM act
              GROUP BY GROUPING SETS (
                    (g, %(column_list)s, mi), (g, %(column_list)s, repeat_end)
                )
            ),%(runs)s
            -- +1/-1 per month x of the base's date, summed cumulatively
            events AS (
                SELECT g, %(column_list)s, mi + 1 AS x, starts AS base, 0 AS lost,
                       repeat_starts AS rep, wide_starts AS wide, 0 AS kept12
                  FROM marks WHERE NOT by_end
             UNION ALL
                SELECT g, %(column_list)s, mi + %(window)s + 1, -ends, 0, 0, 0, 0
                  FROM marks WHERE NOT by_end
             UNION ALL
                SELECT g, %(column_list)s, mi + %(window)s, 0, ends, 0, 0, 0
                  FROM marks WHERE NOT by_end
             UNION ALL
                SELECT g, %(column_list)s, mi + %(window)s + 13, 0, 0, 0, -wide_ends,
                       0
                  FROM marks WHERE NOT by_end
             UNION ALL
                SELECT g, %(column_list)s, repeat_end + 1, 0, 0, -repeat_starts, 0,
                       0
                  FROM marks WHERE by_end AND repeat_end IS NOT NULL%(kept)s
            ),
            -- summed by the keys of a group first, then by each segment type
            ev AS (
                SELECT * FROM (
                    SELECT %(ev_select)s, SUM(base) AS base, SUM(lost) AS lost,
                           SUM(rep) AS rep, SUM(wide) AS wide, SUM(kept12) AS kept12
                      FROM (
                        SELECT g, %(column_list)s, x, SUM(base) AS base,
                               SUM(lost) AS lost, SUM(rep) AS rep,
                               SUM(wide) AS wide, SUM(kept12) AS kept12
                          FROM events GROUP BY g, %(column_list)s, x
                      ) e
                  GROUP BY GROUPING SETS (%(ev_sets)s)
                ) x WHERE seg IS NOT NULL
            ),
            -- revenue by day (invoices and credit notes) and segment
            daily AS MATERIALIZED (
                SELECT %(day_type)s AS st, %(day_key)s AS seg, d, mi,
                       SUM(amount) AS amount
                  FROM grouped WHERE by_day
              GROUP BY GROUPING SETS (%(day_sets)s)
            ),
            mon AS (
                SELECT st, seg, mi AS x, SUM(amount) AS revenue
                  FROM daily GROUP BY st, seg, mi
            ),
            counts AS (
                SELECT * FROM (
                    SELECT %(mon_select)s, SUM(new) AS new, SUM(active) AS active,
                           SUM(invoices) AS invoices
                      FROM marks WHERE NOT by_end
                  GROUP BY GROUPING SETS (%(mon_sets)s)
                ) x WHERE seg IS NOT NULL
            ),
            grid AS (
                SELECT sg.st, sg.seg, x
                  FROM (SELECT DISTINCT st, seg FROM mon) sg
            CROSS JOIN generate_series(
                    LEAST(%(first_index)s - 12, (SELECT MIN(x) FROM mon)),
                    %(last_index)s + 1
                ) x
            ),
            series AS (
                SELECT g.st, g.seg, g.x,
                       COALESCE(mon.revenue, 0) AS revenue,
                       COALESCE(counts.invoices, 0) AS invoices,
                       COALESCE(counts.active, 0) AS active,
                       COALESCE(counts.new, 0) AS new,
                       COALESCE(ev.lost, 0) AS lost,
                       SUM(COALESCE(ev.base, 0)) OVER w AS base,
                       SUM(COALESCE(ev.rep, 0)) OVER w AS rep,
                       SUM(COALESCE(ev.wide, 0)) OVER w AS wide,
                       SUM(COALESCE(ev.kept12, 0)) OVER w AS kept12,
                       SUM(COALESCE(counts.invoices, 0)) OVER last_w
                           AS window_invoices,
                       SUM(COALESCE(mon.revenue, 0)) OVER last_w AS window_revenue
                  FROM grid g
             LEFT JOIN mon ON mon.st = g.st AND mon.seg = g.seg AND mon.x = g.x
             LEFT JOIN counts
                    ON counts.st = g.st AND counts.seg = g.seg AND counts.x = g.x
             LEFT JOIN ev ON ev.st = g.st AND ev.seg = g.seg AND ev.x = g.x
                WINDOW w AS (PARTITION BY g.st, g.seg ORDER BY g.x),
                       last_w AS (w ROWS BETWEEN %(window)s - 1 PRECEDING
                                  AND CURRENT ROW)
            ),
            kpis AS (
                SELECT st, seg, x, revenue, invoices, active, new,
                       base AS start_base, base - lost AS kept,
                       LEAD(base) OVER w AS end_base,
                       LEAD(rep) OVER w AS repeaters,
                       window_invoices, window_revenue,
                       LAG(base, 11) OVER w AS year_ago_base,
                       %(year_ago_kept)s AS year_ago_kept
                  FROM series
                WINDOW w AS (PARTITION BY st, seg ORDER BY x)
            ),
            months AS (
                SELECT x, make_date(x / 12, x - x / 12 * 12 + 1, 1) AS s
                  FROM generate_series(%(first_index)s, %(last_index)s) x
            ),
            -- a day counts in the 90 days ending with its month or one of
            -- the three after
            rev90 AS (
                SELECT mo.x, dl.st, dl.seg, SUM(dl.amount) AS amount
                  FROM daily dl
            CROSS JOIN generate_series(0, 3) k
                  JOIN months mo ON mo.x = dl.mi + k
                 WHERE dl.d > (mo.s + interval '1 month' - interval '91 days')::date
                   AND dl.d < mo.s + interval '1 month'
              GROUP BY mo.x, dl.st, dl.seg
            )
            SELECT k.st, mo.s, k.seg, k.revenue, k.invoices::bigint,
                   k.active::bigint, k.new::bigint, COALESCE(r.amount, 0),
                   k.start_base::bigint, k.kept::bigint, k.end_base::bigint,
                   k.repeaters::bigint, k.window_invoices::bigint,
                   k.window_revenue, k.year_ago_base::bigint,
                   k.year_ago_kept::bigint
              FROM kpis k
              JOIN months mo ON mo.x = k.x
         LEFT JOIN rev90 r ON r.x = k.x AND r.st = k.st AND r.seg = k.seg
            """,
            keys=SQL(", ").join(
                SQL("%s AS %s", segment_sql, key)
                for (_type, segment_sql), key in zip(segments, keys, strict=True)
            ),
            day_type=first_grouped((key, i) for i, key in enumerate(keys)),
            day_key=first_grouped((key, key) for key in keys),
            group_of=group_of,
            group_columns=group_columns,
            customer_sets=SQL(", ").join(
                SQL("(partner, mi, %s)", SQL(", ").join(keys[i] for i in group))
                for group in groups
            ),
            day_sets=SQL(", ").join(SQL("(%s, d, mi)", key) for key in keys),
            key_list=SQL(", ").join(keys),
            column_list=column_list,
            runs=runs,
            kept=kept,
            year_ago_kept=year_ago_kept,
            ev_select=ev_select,
            ev_sets=ev_sets,
            mon_select=mon_select,
            mon_sets=mon_sets,
            segment_joins=self._segment_joins(company),
            company=company.id,
            types=MOVE_TYPES,
            end=last + relativedelta(months=1),
            window=window,
            first_index=self._month_index(first),
            last_index=self._month_index(last),
        )

    def _sql_runs(self, columns, window):
        """(CTEs, events) of the customers in the base at a month x and at x +
        12 months, for a window W < 12 months: the runs of consecutive months
        in the base (from a to b) of each customer, paired with the runs that
        overlap them 12 months later."""
        column_list = SQL(", ").join(columns)
        runs = SQL(
            """
            act_runs AS (
                SELECT g, %(column_list)s, partner, mi,
                       SUM(CASE WHEN prev IS NULL OR prev < mi - %(window)s
                           THEN 1 ELSE 0 END) OVER (
                           PARTITION BY g, partner, %(column_list)s ORDER BY mi
                       ) AS run
                  FROM act
            ),
            runs AS MATERIALIZED (
                SELECT g, %(column_list)s, partner, MIN(mi) + 1 AS a,
                       MAX(mi) + %(window)s AS b
                  FROM act_runs GROUP BY g, partner, %(column_list)s, run
            ),""",
            column_list=column_list,
            window=window,
        )
        kept = SQL(
            """
             UNION ALL
                SELECT r.g, %(r_columns)s, e.x, 0, 0, 0, 0, e.kept12
                  FROM runs r
                  JOIN runs r2 ON r2.g = r.g AND r2.partner = r.partner
                              AND %(same_columns)s
                              AND r2.a - 12 <= r.b AND r2.b - 12 >= r.a
            CROSS JOIN LATERAL (
                    VALUES (GREATEST(r.a, r2.a - 12), 1),
                           (LEAST(r.b, r2.b - 12) + 1, -1)
                ) e(x, kept12)""",
            r_columns=SQL(", ").join(SQL("r.%s", column) for column in columns),
            same_columns=SQL(" AND ").join(
                SQL("r2.%s IS NOT DISTINCT FROM r.%s", column, column)
                for column in columns
            ),
        )
        return runs, kept

    @staticmethod
    def _segment_of_customer(segment_type):
        """Whether the segment key of a row depends on the customer only (not
        on the invoice): such segment types are counted on the same rows."""
        return segment_type in ("all", "tier", "country")

    def _sql_claims(self):
        """Per month and segment: claims dated in the month, median days to
        close of the claims closed in the month, and how many were closed."""
        return """
        WITH claims AS (
            SELECT c.date, c.date_closed, c.is_closed, %(segment)s AS seg
              FROM crm_claim c
         LEFT JOIN res_partner cp ON cp.id = c.partner_id
         LEFT JOIN res_partner p ON p.id = cp.commercial_partner_id
                   %(segment_joins)s
         LEFT JOIN LATERAL (SELECT c.team_id) m ON TRUE
             WHERE c.company_id = %(company)s AND c.active
        )
        SELECT s, seg, SUM(opened), MAX(median), SUM(closed) FROM (
            SELECT date_trunc('month', date)::date AS s, seg, COUNT(*) AS opened,
                   NULL::float AS median, 0 AS closed
              FROM claims GROUP BY 1, 2
            UNION ALL
            SELECT date_trunc('month', date_closed)::date, seg, 0,
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY EXTRACT(EPOCH FROM date_closed - date) / 86400.0
                   ),
                   COUNT(*)
              FROM claims WHERE is_closed AND date_closed IS NOT NULL
          GROUP BY 1, 2
        ) x
         WHERE s BETWEEN %(first)s AND %(last)s
      GROUP BY s, seg
        """

    def _receivable(self, company, first, last, segments):
        """({segment type: {(month, segment): (net change of the customer
        receivable in the month,)}}, {segment type: {segment: receivable
        open before ``first``}}), for every segment type in one query."""
        keys = [SQL.identifier(f"s{i}") for i in range(len(segments))]
        self.env.cr.execute(
            SQL(
                """
                WITH lines AS (
                    SELECT CASE WHEN l.date >= %(first)s
                                THEN date_trunc('month', l.date::timestamp)::date
                            END AS month,
                           l.balance, %(keys)s
                      FROM account_move_line l
                      JOIN account_account a ON a.id = l.account_id
                      JOIN account_move m ON m.id = l.move_id
                 LEFT JOIN res_partner lp ON lp.id = l.partner_id
                 LEFT JOIN res_partner p ON p.id = lp.commercial_partner_id
                           %(segment_joins)s
                     WHERE l.company_id = %(company)s AND l.parent_state = 'posted'
                       AND a.account_type = 'asset_receivable'
                       AND l.date < %(end)s
                )
                SELECT %(set_index)s, month, %(set_key)s, SUM(balance)
                  FROM (
                    -- by all the keys at once first: one hash per line
                    SELECT month, %(key_list)s, SUM(balance) AS balance
                      FROM lines GROUP BY month, %(key_list)s
                  ) x
              GROUP BY GROUPING SETS (%(sets)s)
                """,
                keys=SQL(", ").join(
                    SQL("%s AS %s", segment_sql, key)
                    for (_type, segment_sql), key in zip(segments, keys, strict=True)
                ),
                set_index=self._grouping_case(keys, index=True),
                set_key=self._grouping_case(keys, index=False),
                sets=SQL(", ").join(SQL("(month, %s)", key) for key in keys),
                key_list=SQL(", ").join(keys),
                segment_joins=self._segment_joins(company),
                company=company.id,
                first=first,
                end=last + relativedelta(months=1),
            )
        )
        monthly = {segment_type: {} for segment_type, _sql in segments}
        opening = {segment_type: {} for segment_type, _sql in segments}
        for st, month, seg, amount in self.env.cr.fetchall():
            segment_type = segments[st][0]
            if month is None:
                opening[segment_type][seg] = amount
            else:
                monthly[segment_type][month, seg] = (amount,)
        return monthly, opening

    @staticmethod
    def _grouping_case(keys, index):
        """Which of the ``keys`` a row of ``GROUP BY GROUPING SETS ((.., key),
        ...)`` is grouped by: its position (``index``) or its value."""
        return SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL("WHEN GROUPING(%s) = 0 THEN %s", key, position if index else key)
                for position, key in enumerate(keys)
            ),
        )

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
    import numpy as np
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
