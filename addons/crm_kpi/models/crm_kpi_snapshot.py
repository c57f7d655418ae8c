"""Monthly customer-value KPI snapshots.

The model holds the snapshots, their screens' actions and the public API;
the work is done beside it, in plain Python: the KPI catalogue
(:mod:`..catalogue`), the readers of the invoices, receivable and claims
(:mod:`..readers`), the monthly counting (:mod:`..counting`,
:mod:`..engine`) and the statistics (:mod:`..comparison`).
Snapshots of closed months are written once and never rewritten: a change
of formula bumps FORMULA_VERSION and writes new rows beside the old ones.
"""

import re
from typing import Any

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.crm_suite_base.periods import (
    last_closed_month,
    month_start,
)

from .. import comparison, counting, readers, trend
from ..catalogue import FORMULA_VERSION, KPIS, SEGMENT_TYPES, kpi_selection

MAX_COHORT_HORIZON = 120
MANAGER_GROUP = "crm_kpi.group_crm_kpi_manager"
# the model of the records a segment's key is the id of
SEGMENT_MODELS = {
    "tier": "crm.loyalty.tier",
    "team": "crm.team",
    "country": "res.country",
}


class CrmKpiSnapshot(models.Model):
    _name = "crm.kpi.snapshot"
    _description = "Customer-Value KPI Snapshot"
    _order = "date_from desc, kpi_code, segment_type, segment_value"

    kpi_code = fields.Selection(
        kpi_selection(),
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
            ("transition", "Transition"),
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
        "date_from",
        "company_id.crm_go_live_date",
        "company_id.crm_kpi_baseline_months",
        "company_id.crm_kpi_transition_months",
    )
    def _compute_period(self):
        for snapshot in self:
            snapshot.period = snapshot.company_id._crm_kpi_period(snapshot.date_from)

    def _compute_kpi_help(self):
        for snapshot in self:
            # str() here: a formula is translated in the language of self.env
            kpi = KPIS.get(snapshot.kpi_code)
            snapshot.kpi_help = str(kpi.help) if kpi else ""

    def _compute_segment_label(self):
        for snapshot in self:
            snapshot.segment_label = self._segment_label(
                snapshot.segment_type, snapshot.segment_value
            )

    @api.model
    def _segment_label(self, segment_type, segment_value):
        """The name of a segment: its tier, sales team or country."""
        model = SEGMENT_MODELS.get(segment_type)
        if not model:
            return self.env._("All customers")
        if not segment_value:
            return self.env._("None")
        if model in self.env and segment_value.isdigit():
            record = self.env[model].browse(int(segment_value)).exists()
            return record.display_name or segment_value
        return segment_value

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
        """The records behind the snapshot's figure, as the engine counted
        them (:mod:`..details`): counted or summed, they give it back."""
        self.ensure_one()
        return self.env["crm.kpi.detail.line"]._open_for(self)

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
        self._check_months(date_from, date_to, UserError)
        company = self.env.company
        first, last = month_start(date_from), month_start(date_to)
        rows = self._snapshot_rows(company, first, last)
        return self._store(company, rows, month_start(fields.Date.context_today(self)))

    @api.model
    def _check_months(self, date_from, date_to, error):
        """Raise ``error`` unless ``date_from`` to ``date_to`` is a range of
        months the engine computes: in order, and started by today."""
        if date_from > date_to:
            raise error(
                self.env._(
                    "The start month (%(start)s) is after the end month (%(end)s): "
                    "swap them.",
                    start=date_from,
                    end=date_to,
                )
            )
        if month_start(date_to) > month_start(fields.Date.context_today(self)):
            raise error(
                self.env._(
                    "%(end)s is in a month that has not started: choose the current "
                    "month at the latest.",
                    end=date_to,
                )
            )

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
            # the tier segment is the loyalty tier each customer held in the
            # month (crm_loyalty's tier history), when crm_loyalty is installed
            if segment_type != "tier" or "crm.loyalty.state" in self.env
        ]
        results = counting.compute_kpis(self.env, company, first, last, segments)
        return [
            (code, month, segment_type, segment, *values)
            for segment_type, kpis in results.items()
            for code, series in kpis.items()
            for (month, segment), values in series.items()
        ]

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
        first = readers.first_invoice_day(self.env, self.env.company)
        last = last_closed_month(fields.Date.context_today(self))
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
            self._cron_backfill_batch(backfills, companies)
            return
        last = last_closed_month(fields.Date.context_today(self))
        for index, company in enumerate(companies):
            self.with_company(company).compute_snapshots(last, last)
            self.env["ir.cron"]._commit_progress(
                1, remaining=len(companies) - index - 1
            )

    @api.model
    def _cron_backfill_batch(self, backfills, companies):
        """Compute a batch of the first of ``backfills``; report the months
        left, and the month of each company still to compute after them."""
        done = backfills[0]._run_batch()
        left = sum(b.month_count - b.months_done for b in backfills)
        self.env["ir.cron"]._commit_progress(done, remaining=left + len(companies))

    def _store(self, company, rows, open_month):
        """Insert the snapshots; only the open month's are updated."""
        if not rows:
            return 0
        self.env.cr.execute(self._store_query(company, rows, open_month))
        written = self.env.cr.rowcount
        self.env["crm.kpi.snapshot"].invalidate_model()
        return written

    def _store_query(self, company, rows, open_month):
        """The INSERT of :meth:`_store`: one array per column (composing a
        VALUES row per snapshot took longer than computing them)."""
        now = fields.Datetime.now()
        codes, months, segment_types, segments, values, numerators, denominators = map(
            list, zip(*rows, strict=True)
        )
        periods = {month: company._crm_kpi_period(month) for month in set(months)}
        return SQL(
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

    # ---------------------------------------------------------- statistics
    @api.model
    @api.readonly
    def get_kpi_catalogue(self) -> list[dict[str, Any]]:
        """The KPIs that the snapshots hold, for screens and other systems
        (``POST /json/2/crm.kpi.snapshot/get_kpi_catalogue``).

        :returns: ``[{"code", "name", "unit", "higher_is_better",
            "formula"}]``, names and formulas in the user's language; the
            codes are what ``get_comparison`` takes.
        """
        names = dict(self._fields["kpi_code"]._description_selection(self.env))
        return [
            {
                "code": kpi.code,
                "name": names[kpi.code],
                "unit": kpi.unit,
                "higher_is_better": kpi.higher_is_better,
                "formula": str(kpi.help),
            }
            for kpi in KPIS.values()
        ]

    @api.model
    def _segment_series(self, segment_type, segment_value, kpi_codes):
        """{KPI code: [(month, value)]} of the ``kpi_codes`` of a segment of
        the current company, oldest first, the months with a value only."""
        snapshots = self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("kpi_code", "in", kpi_codes),
                ("segment_type", "=", segment_type),
                ("segment_value", "=", segment_value),
                ("formula_version", "=", FORMULA_VERSION),
                ("has_value", "=", True),
            ],
            order="date_from",
        )
        series = {}
        for snapshot in snapshots:
            series.setdefault(snapshot.kpi_code, []).append(
                (snapshot.date_from, snapshot.value)
            )
        return series

    @api.model
    @api.readonly
    def get_cohort_table(
        self,
        horizon: int = 12,
        segment_type: str = "all",
        segment_value: str = "all",
    ) -> dict[str, Any]:
        """Cohorts of customers by first-invoice month, and the share (%) of
        each cohort that bought again k months later (k = 1..horizon), split
        into cohorts before and after the go-live month, for the current
        company. One query.

        A segment keeps the customers of a tier or country (their key as in
        the snapshots), or, for a sales team, the team's invoices: the
        customers first invoiced by the team, and their later invoices by
        the team.

        :param horizon: months after the first invoice, 1 to 120.
        :param segment_type: ``"all"`` or a segment type of the snapshots.
        :param segment_value: the segment's value (``"all"`` for every
            customer).
        :returns: {"before": [...], "after": [...]}, each a list of
            {"cohort": date, "size": int, "shares": [float or None]} and, per
            side, "average": the size-weighted share for each k. Over the
            JSON-2 API, dates are ``"YYYY-MM-DD"`` strings.
        :raises UserError: a horizon that is not a whole number of months
            from 1 to 120.
        :raises AccessError: a user who may not read the KPIs.
        """
        # the table is read in SQL: only those who may read the KPIs see it
        self.check_access("read")
        self._check_cohort_horizon(horizon)
        self._check_segment_type(segment_type)
        self._check_segment_value(segment_type, segment_value)
        company = self.env.company
        last = last_closed_month(fields.Date.context_today(self))
        return comparison.cohort_table(
            readers.cohort_counts(self.env, company, last, segment_type, segment_value),
            last,
            company._crm_kpi_go_live_month(),
            horizon,
        )

    @api.model
    def _check_cohort_horizon(self, horizon):
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

    @api.model
    @api.readonly
    def get_comparison(
        self, kpi_code: str, segment_type: str = "all", segment_value: str = "all"
    ) -> dict[str, Any]:
        """Before / during / after comparison of one KPI around the company's
        go-live (see :mod:`..comparison`), its p-value adjusted with the
        other KPIs of the segment (:meth:`get_comparisons`).

        Baseline: the ``crm_kpi_baseline_months`` months before the go-live
        month; transition: the ``crm_kpi_transition_months`` months from the
        go-live month on (shown, left out of the tests); after: the months
        after the transition to the last closed month, with
        ``crm_kpi_equal_length`` its most recent months, as many as the
        baseline has (a shorter after period cuts the baseline to the same
        calendar months).

        :return: a dict with the keys
            ``baseline_months``, ``transition_months``, ``after_months``
            (months with a value in each period), ``months`` ({"baseline",
            "transition", "after": [first days of the months in each mean]}),
            ``baseline_mean``, ``transition_mean``, ``after_mean``,
            ``change`` (after mean − baseline mean), ``change_pct``,
            ``ci_low``, ``ci_high`` (95% interval of the change),
            ``p_value`` (raw), ``p_value_adjusted`` (Benjamini-Hochberg,
            across the KPIs of the segment), ``test`` (the test the p-value
            comes from, e.g. "OLS with Newey-West SE (lags=2)"),
            ``significant`` (adjusted p-value < 0.05), ``higher_is_better``,
            ``verdict`` ("improved", "worsened" or "no_change", in the KPI's
            direction), ``warning`` (text or False), ``same_season`` (None
            or {pairs, mean_difference, p_value, ci_low, ci_high, test}) and
            ``its`` (None or {level_change, level_ci, level_p_value,
            slope_change, slope_ci, slope_p_value, seasonal, months, test});
            None where a figure cannot be computed.
        :raises UserError: an unknown KPI or segment type, or a company
            without a CRM go-live date.
        """
        self._check_kpi_code(kpi_code)
        return self.get_comparisons(segment_type, segment_value)[kpi_code]

    @api.model
    @api.readonly
    def get_trend(self, kpi_code, segment_type="all", segment_value="all"):
        """The trend chart of one KPI and segment in the current company
        (see :func:`..trend.trend_chart`): every month to the last closed
        one with its value or None (a gap, never 0), the go-live and
        transition months, and the baseline and after means of
        :meth:`get_comparison`."""
        self._check_comparison_keys(kpi_code, segment_type)
        return trend.trend_chart(self, kpi_code, segment_type, segment_value)

    @api.model
    @api.readonly
    def get_trend_segments(self, segment_type):
        """[{value, label}] of the segments of ``segment_type`` that have
        snapshots in the current company, by label."""
        self._check_segment_type(segment_type)
        return trend.segments(self, segment_type)

    @api.model
    def _check_comparison_keys(self, kpi_code, segment_type):
        self._check_kpi_code(kpi_code)
        self._check_segment_type(segment_type)

    @api.model
    @api.readonly
    def get_comparisons(
        self, segment_type: str = "all", segment_value: str = "all"
    ) -> dict[str, Any]:
        """{KPI code: :meth:`get_comparison`} of every KPI of a segment, their
        p-values adjusted together."""
        self._check_segment_type(segment_type)
        periods = self._comparison_periods()
        series = self._segment_series(segment_type, segment_value, list(KPIS))
        customers = dict(series.get("active_customers", []))
        return comparison.compare_kpis(series, periods, self.env, KPIS, customers)

    @api.model
    def _comparison_periods(self):
        """The :class:`..comparison.Periods` of the current company."""
        start, go_live, last_closed = self._comparison_months()
        company = self.env.company
        return comparison.comparison_periods(
            start,
            go_live,
            company._crm_kpi_after_start(),
            last_closed,
            company.crm_kpi_equal_length,
        )

    @api.model
    def _check_kpi_code(self, kpi_code):
        if not isinstance(kpi_code, str) or kpi_code not in KPIS:
            raise UserError(
                self.env._(
                    "Unknown KPI %(code)s: choose one of %(codes)s.",
                    code=kpi_code,
                    codes=", ".join(KPIS),
                )
            )

    @api.model
    def _check_segment_type(self, segment_type):
        if not isinstance(segment_type, str) or segment_type not in dict(SEGMENT_TYPES):
            raise UserError(
                self.env._(
                    "Unknown segment type %(segment)s: choose one of %(types)s.",
                    segment=segment_type,
                    types=", ".join(dict(SEGMENT_TYPES)),
                )
            )

    @api.model
    def _check_segment_value(self, segment_type, segment_value):
        """A segment's key is the id of a tier, team or country ('' for none)."""
        if segment_type != "all" and not re.fullmatch(r"\d*", str(segment_value)):
            raise UserError(
                self.env._(
                    "Unknown segment %(segment)r: give the id of a tier, sales "
                    "team or country, or '' for none.",
                    segment=segment_value,
                )
            )

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
        return (
            company._crm_kpi_baseline_start(),
            company._crm_kpi_go_live_month(),
            last_closed_month(fields.Date.context_today(self)),
        )
