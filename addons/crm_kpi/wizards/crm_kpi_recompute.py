from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


def _last_closed_month(wizard):
    return fields.Date.context_today(wizard).replace(day=1) - relativedelta(months=1)


class CrmKpiRecompute(models.TransientModel):
    _name = "crm.kpi.recompute"
    _description = "Recompute KPI Snapshots"

    date_from = fields.Date(
        string="From Month",
        required=True,
        default=lambda self: _last_closed_month(self) - relativedelta(months=11),
    )
    date_to = fields.Date(
        string="To Month", required=True, default=lambda self: _last_closed_month(self)
    )
    month_count = fields.Integer(string="Months", compute="_compute_month_count")
    written = fields.Integer(string="Snapshots Written", readonly=True)
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")

    @api.depends("date_from", "date_to")
    def _compute_month_count(self):
        for wizard in self:
            if (
                wizard.date_from
                and wizard.date_to
                and wizard.date_from <= wizard.date_to
            ):
                delta = relativedelta(wizard.date_to, wizard.date_from.replace(day=1))
                wizard.month_count = delta.years * 12 + delta.months + 1
            else:
                wizard.month_count = 0

    def action_recompute(self):
        """Compute the months (closed months already computed are kept)."""
        self.ensure_one()
        written = self.env["crm.kpi.snapshot"].compute_snapshots(
            self.date_from, self.date_to
        )
        self.write({"written": written, "state": "done"})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
