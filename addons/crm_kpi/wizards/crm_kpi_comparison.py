from markupsafe import Markup, escape

from odoo import Command, api, fields, models

from ..models.crm_kpi_snapshot import KPIS, SEGMENT_TYPES

COHORT_HORIZON = 12
COHORT_ROWS = 18


class CrmKpiComparison(models.TransientModel):
    _name = "crm.kpi.comparison"
    _description = "KPI Before/After Comparison"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    go_live_date = fields.Date(related="company_id.crm_go_live_date")
    segment_type = fields.Selection(SEGMENT_TYPES, required=True, default="all")
    segment_value = fields.Char(default="all")
    line_ids = fields.One2many(
        "crm.kpi.comparison.line",
        "comparison_id",
        readonly=True,
        default=lambda self: [Command.create({"kpi_code": code}) for code in KPIS],
        help="One line per KPI; its figures follow the segment.",
    )
    cohort_html = fields.Html(
        string="Cohort Retention", compute="_compute_cohort_html", sanitize=False
    )

    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._("Before / After Go-live")

    @api.depends("company_id")
    def _compute_cohort_html(self):
        for wizard in self:
            table = (
                self.env["crm.kpi.snapshot"]
                .with_company(wizard.company_id)
                .get_cohort_table(COHORT_HORIZON)
            )
            wizard.cohort_html = wizard._render_cohorts(table)

    def _render_cohorts(self, table):
        """The cohort table as HTML: average curves, then one row per cohort."""
        ks = range(1, COHORT_HORIZON + 1)
        head = Markup("<tr><th>%s</th><th>%s</th>%s</tr>") % (
            self.env._("Cohort"),
            self.env._("Customers"),
            Markup("").join(Markup("<th>+%s</th>") % k for k in ks),
        )

        def row(label, size, shares, css=""):
            cells = Markup("").join(
                Markup("<td>%s</td>") % ("" if share is None else f"{share:.0f}%")
                for share in shares
            )
            return Markup('<tr class="%s"><td>%s</td><td>%s</td>%s</tr>') % (
                css,
                label,
                size,
                cells,
            )

        body = [
            row(
                self.env._("Average before go-live"),
                "",
                table["before_average"],
                "fw-bold",
            ),
            row(
                self.env._("Average after go-live"),
                "",
                table["after_average"],
                "fw-bold",
            ),
        ]
        for side in ("before", "after"):
            for cohort in table[side][-COHORT_ROWS:]:
                body.append(
                    row(
                        escape(cohort["cohort"].strftime("%Y-%m")),
                        cohort["size"],
                        cohort["shares"],
                    )
                )
        return Markup(
            '<table class="table table-sm o_crm_kpi_cohorts">%s%s</table>'
        ) % (
            head,
            Markup("").join(body),
        )

    @api.model
    def action_open(self):
        """The comparison screen of the current company. The comparison is
        saved before it shows, so that each of its lines can be clicked to
        open the months behind its figures."""
        self.env["crm.kpi.snapshot"]._comparison_months()  # needs a go-live date
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_kpi.crm_kpi_comparison_action"
        )
        action["res_id"] = self.create({}).id
        return action
