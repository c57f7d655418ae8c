from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_go_live_date = fields.Date(
        related="company_id.crm_go_live_date", readonly=False
    )
    crm_kpi_window_months = fields.Integer(
        related="company_id.crm_kpi_window_months", readonly=False
    )
    crm_kpi_baseline_months = fields.Integer(
        related="company_id.crm_kpi_baseline_months", readonly=False
    )
    crm_kpi_transition_months = fields.Integer(
        related="company_id.crm_kpi_transition_months", readonly=False
    )
    crm_kpi_equal_length = fields.Boolean(
        related="company_id.crm_kpi_equal_length", readonly=False
    )
