from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.crm_suite_base.periods import add_months, month_count, month_start

BATCH_MONTHS = 6


class CrmKpiBackfill(models.Model):
    """A range of months queued for the KPI engine. The monthly scheduled
    action computes it in the background, a batch of months at a time, and
    counts the months done so that the user can follow it."""

    _name = "crm.kpi.backfill"
    _description = "KPI Backfill"
    _order = "id desc"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date_from = fields.Date(string="From Month", required=True, readonly=True)
    date_to = fields.Date(string="To Month", required=True, readonly=True)
    next_month = fields.Date(
        readonly=True, help="The first month not computed yet; empty when done."
    )
    month_count = fields.Integer(
        string="Months", compute="_compute_month_count", store=True
    )
    months_done = fields.Integer(readonly=True)
    written = fields.Integer(string="Snapshots Written", readonly=True)
    state = fields.Selection(
        [("queued", "Queued"), ("done", "Done")],
        default="queued",
        required=True,
        readonly=True,
    )

    @api.depends("date_from", "date_to")
    def _compute_month_count(self):
        for backfill in self:
            backfill.month_count = (
                month_count(backfill.date_from, backfill.date_to)
                if backfill.date_from
                and backfill.date_to
                and backfill.date_from <= backfill.date_to
                else 0
            )

    def _compute_display_name(self):
        for backfill in self:
            backfill.display_name = self.env._(
                "Recompute of %(start)s – %(end)s",
                start=backfill.date_from and backfill.date_from.strftime("%Y-%m"),
                end=backfill.date_to and backfill.date_to.strftime("%Y-%m"),
            )

    @api.constrains("date_from", "date_to")
    def _check_months(self):
        """The same rules as the KPI engine's, checked when the range is
        queued rather than when the scheduled action reaches it."""
        Snapshot = self.env["crm.kpi.snapshot"]
        for backfill in self:
            Snapshot._check_months(
                backfill.date_from, backfill.date_to, ValidationError
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            for field in ("date_from", "date_to"):
                if vals.get(field):
                    vals[field] = month_start(fields.Date.to_date(vals[field]))
            vals["next_month"] = vals.get("date_from")
        backfills = super().create(vals_list)
        self.env.ref("crm_kpi.ir_cron_kpi_snapshot")._trigger()
        return backfills

    def _run_batch(self):
        """Compute the next batch of months; return how many were computed."""
        self.ensure_one()
        first = self.next_month
        last = min(add_months(first, BATCH_MONTHS - 1), self.date_to)
        written = (
            self.env["crm.kpi.snapshot"]
            .with_company(self.company_id)
            .compute_snapshots(first, last)
        )
        months = month_count(first, last)
        finished = last >= self.date_to
        self.write(
            {
                "next_month": False if finished else add_months(last, 1),
                "months_done": self.months_done + months,
                "written": self.written + written,
                "state": "done" if finished else "queued",
            }
        )
        return months
