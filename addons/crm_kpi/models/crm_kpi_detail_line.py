from odoo import api, fields, models

from ..details import KPI_KINDS, SnapshotDetails

# the models each kind of details reads (the user must be allowed to)
SOURCES = {
    "customers": ("account.move",),
    "moves": ("account.move",),
    "base": ("account.move",),
    "window": ("account.move",),
    "claims": ("crm.claim", "account.move"),
    "resolution": ("crm.claim",),
    "receivable": ("account.move.line", "account.move"),
}
STATUSES = [
    ("retained", "Retained"),
    ("lost", "Lost"),
    ("repeat", "Repeat buyer"),
    ("once", "One invoice"),
    ("claim", "Claim"),
    ("active", "Active customer"),
    ("closed", "Closed claim"),
    ("receivable", "Receivable"),
]


class CrmKpiDetailLine(models.TransientModel):
    """A record behind a KPI snapshot, with what the figure counts of it:
    a customer of the base marked retained or lost, with its invoices and
    revenue of the window, a claim and its days to close, or a customer's
    open receivable and revenue of the 90 days. Counted or summed per
    filter, the lines give the snapshot's numerator and denominator.

    A list of these lines rather than of the customers or claims
    themselves: the marks and counts are the engine's for that month, not
    fields of the records."""

    _name = "crm.kpi.detail.line"
    _description = "KPI Detail Line"
    _order = "status, partner_id, id"

    snapshot_id = fields.Many2one(
        "crm.kpi.snapshot", required=True, ondelete="cascade", readonly=True
    )
    status = fields.Selection(STATUSES, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    claim_id = fields.Many2one("crm.claim", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    amount = fields.Float(string="Revenue", digits=(16, 2), readonly=True)
    receivable = fields.Float(string="Open Receivable", digits=(16, 2), readonly=True)
    days = fields.Float(string="Days to Close", digits=(16, 2), readonly=True)

    @api.model
    def _open_for(self, snapshot):
        """The action that lists the records behind ``snapshot``."""
        kind = KPI_KINDS[snapshot.kpi_code]
        for model in SOURCES[kind]:
            # the sources are read in SQL: only who may read them sees them
            self.env[model].check_access("read")
        details = SnapshotDetails(snapshot)
        title = self._title(snapshot)
        if kind == "customers":
            column = "active" if snapshot.kpi_code == "active_customers" else "new"
            ids = details.customers_with(column)
            return self._records_action(title, "res.partner", ids)
        if kind == "moves":
            return self._records_action(title, "account.move", details.moves_of_month())
        lines = self.create(
            [
                {"snapshot_id": snapshot.id, **vals}
                for vals in self._values(kind, details)
            ]
        )
        return self._lines_action(title, kind, lines)

    @api.model
    def _values(self, kind, details):
        """The create values of the lines of ``kind``."""
        if kind == "base":
            return [
                {"partner_id": partner, "status": "retained" if kept else "lost"}
                for partner, kept in details.base_lines()
            ]
        if kind == "window":
            return [
                {
                    "partner_id": partner,
                    "status": "repeat" if repeat else "once",
                    "invoice_count": invoices,
                    "amount": revenue,
                }
                for partner, repeat, invoices, revenue in details.window_lines()
            ]
        if kind == "receivable":
            return [
                {
                    "partner_id": partner or False,
                    "status": "receivable",
                    "receivable": receivable,
                    "amount": revenue,
                }
                for partner, receivable, revenue in details.receivable_lines()
            ]
        return self._claim_values(kind, details)

    @api.model
    def _claim_values(self, kind, details):
        """Claims closed in the month with their days, or claims dated in the
        month and the active customers they are divided by."""
        field = "closed_on" if kind == "resolution" else "opened"
        values = [
            {
                "claim_id": claim,
                "partner_id": partner or False,
                "status": "closed" if kind == "resolution" else "claim",
                "days": days,
            }
            for claim, partner, days in details.claims_of(field)
        ]
        if kind == "claims":
            values += [
                {"partner_id": partner, "status": "active"}
                for partner in details.customers_with("active")
            ]
        return values

    @api.model
    def _title(self, snapshot):
        kpi = dict(snapshot._fields["kpi_code"]._description_selection(self.env))
        return self.env._(
            "%(kpi)s, %(month)s, %(segment)s",
            kpi=kpi[snapshot.kpi_code],
            month=snapshot.date_from.strftime("%Y-%m"),
            segment=snapshot.segment_label,
        )

    @api.model
    def _records_action(self, name, model, ids):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("id", "in", ids)],
        }

    @api.model
    def _lines_action(self, name, kind, lines):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": self._name,
            "view_mode": "list",
            "views": [
                (self.env.ref("crm_kpi.crm_kpi_detail_line_view_list").id, "list")
            ],
            "search_view_id": [
                self.env.ref("crm_kpi.crm_kpi_detail_line_view_search").id,
                "search",
            ],
            "domain": [("id", "in", lines.ids)],
            "context": {"crm_kpi_detail_kind": kind},
        }
