from odoo import api, fields, models

from ..models.crm_kpi_snapshot import KPIS, SEGMENT_TYPES


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
