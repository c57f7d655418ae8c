from markupsafe import Markup, escape

from odoo import api, fields, models

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
        "crm.kpi.comparison.line", "comparison_id", compute="_compute_line_ids"
    )
    cohort_html = fields.Html(
        string="Cohort Retention", compute="_compute_cohort_html", sanitize=False
    )

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

    @api.depends("segment_type", "segment_value", "company_id")
    def _compute_line_ids(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        for wizard in self:
            lines = []
            for code in KPIS:
                data = Snapshot.with_company(wizard.company_id).get_comparison(
                    code, wizard.segment_type, wizard.segment_value or "all"
                )
                its = data["its"] or {}
                season = data["same_season"] or {}
                lines.append(
                    fields.Command.create(
                        {
                            "kpi_code": code,
                            "baseline_months": data["baseline_months"],
                            "after_months": data["after_months"],
                            "baseline_mean": data["baseline_mean"] or 0.0,
                            "after_mean": data["after_mean"] or 0.0,
                            "change": data["change"] or 0.0,
                            "change_pct": data["change_pct"] or 0.0,
                            "ci_low": data["ci_low"] or 0.0,
                            "ci_high": data["ci_high"] or 0.0,
                            "p_value": data["p_value"]
                            if data["p_value"] is not None
                            else 1.0,
                            "has_test": data["p_value"] is not None,
                            "warning": data["warning"] or False,
                            "same_season_difference": season.get("mean_difference")
                            or 0.0,
                            "its_level_change": its.get("level_change") or 0.0,
                            "its_slope_change": its.get("slope_change") or 0.0,
                            "its_level_p_value": its.get("level_p_value") or 0.0,
                        }
                    )
                )
            wizard.line_ids = [fields.Command.clear()] + lines
