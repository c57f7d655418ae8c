from odoo import api, fields, models

from odoo.addons.crm_suite_base.periods import (
    add_months,
    last_closed_month,
    month_count,
)

IMMEDIATE_MONTHS = 12


def _last_closed_month(wizard):
    return last_closed_month(fields.Date.context_today(wizard))


class CrmKpiRecompute(models.TransientModel):
    _name = "crm.kpi.recompute"
    _description = "Recompute KPI Snapshots"

    date_from = fields.Date(
        string="From Month",
        required=True,
        default=lambda self: add_months(_last_closed_month(self), -11),
    )
    date_to = fields.Date(
        string="To Month", required=True, default=lambda self: _last_closed_month(self)
    )
    month_count = fields.Integer(string="Months", compute="_compute_month_count")
    written = fields.Integer(string="Snapshots Written", readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("queued", "Queued"), ("done", "Done")], default="draft"
    )
    backfill_id = fields.Many2one(
        "crm.kpi.backfill",
        readonly=True,
        default=lambda self: self._default_backfill(),
        help="The range computed in the background, when it is longer than 12 months.",
    )
    backfill_state = fields.Selection(
        related="backfill_id.state", string="Backfill State"
    )
    backfill_months_done = fields.Integer(
        related="backfill_id.months_done", string="Backfill Months Done"
    )
    backfill_month_count = fields.Integer(
        related="backfill_id.month_count", string="Backfill Months"
    )
    backfill_written = fields.Integer(
        related="backfill_id.written", string="Backfill Snapshots Written"
    )

    def _default_backfill(self):
        """The company's backfill still running, to follow its progress."""
        return self.env["crm.kpi.backfill"].search(
            [("company_id", "=", self.env.company.id), ("state", "=", "queued")],
            limit=1,
        )

    @api.depends("date_from", "date_to")
    def _compute_month_count(self):
        for wizard in self:
            if (
                wizard.date_from
                and wizard.date_to
                and wizard.date_from <= wizard.date_to
            ):
                wizard.month_count = month_count(wizard.date_from, wizard.date_to)
            else:
                wizard.month_count = 0

    def action_recompute(self):
        """Compute a short range at once; queue a longer one for the
        scheduled action, which computes it in the background by batches
        (closed months already computed are kept)."""
        self.ensure_one()
        if self.month_count > IMMEDIATE_MONTHS:
            backfill = self.env["crm.kpi.backfill"].create(
                {"date_from": self.date_from, "date_to": self.date_to}
            )
            self.write({"backfill_id": backfill.id, "state": "queued"})
        else:
            written = self.env["crm.kpi.snapshot"].compute_snapshots(
                self.date_from, self.date_to
            )
            self.write({"written": written, "state": "done"})
        return self.action_refresh()

    def action_refresh(self):
        """The wizard again, with the backfill's progress read anew."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
