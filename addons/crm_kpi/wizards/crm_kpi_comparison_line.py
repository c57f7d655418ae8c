from odoo import api, fields, models

from ..models.crm_kpi_snapshot import KPIS

SIGNIFICANCE = 0.05


class CrmKpiComparisonLine(models.TransientModel):
    _name = "crm.kpi.comparison.line"
    _description = "KPI Before/After Comparison Line"
    _order = "id"

    comparison_id = fields.Many2one("crm.kpi.comparison", ondelete="cascade")
    kpi_code = fields.Selection(
        [(code, spec[0]) for code, spec in KPIS.items()], string="KPI"
    )
    formula = fields.Char(compute="_compute_formula")
    baseline_months = fields.Integer(string="Months Before")
    after_months = fields.Integer(string="Months After")
    baseline_mean = fields.Float(digits=(16, 2))
    after_mean = fields.Float(digits=(16, 2))
    change = fields.Float(digits=(16, 2))
    change_pct = fields.Float(string="Change (%)", digits=(16, 1))
    ci_low = fields.Float(string="95% CI Low", digits=(16, 2))
    ci_high = fields.Float(string="95% CI High", digits=(16, 2))
    p_value = fields.Float(string="p-value (Welch)", digits=(16, 4))
    has_test = fields.Boolean()
    significant = fields.Boolean(compute="_compute_formula")
    warning = fields.Char()
    same_season_difference = fields.Float(
        digits=(16, 2),
        help="Mean difference between each month after go-live and the same "
        "month a year before.",
    )
    its_level_change = fields.Float(
        string="Level Change (ITS)",
        digits=(16, 2),
        help="Jump at go-live estimated by the interrupted time series.",
    )
    its_slope_change = fields.Float(
        string="Slope Change (ITS)",
        digits=(16, 3),
        help="Change of the monthly trend after go-live.",
    )
    its_level_p_value = fields.Float(string="Level p-value (ITS)", digits=(16, 4))

    @api.depends("kpi_code", "p_value", "has_test")
    def _compute_formula(self):
        for line in self:
            line.formula = str(KPIS[line.kpi_code][3]) if line.kpi_code else ""
            line.significant = line.has_test and line.p_value < SIGNIFICANCE
