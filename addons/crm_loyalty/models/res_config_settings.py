from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_window_type = fields.Selection(
        related="company_id.loyalty_window_type", readonly=False
    )
    loyalty_window_months = fields.Integer(
        related="company_id.loyalty_window_months", readonly=False
    )
    loyalty_grace_days = fields.Integer(
        related="company_id.loyalty_grace_days", readonly=False
    )
    loyalty_notify_tier_change = fields.Boolean(
        related="company_id.loyalty_notify_tier_change", readonly=False
    )
    loyalty_last_run = fields.Datetime(related="company_id.loyalty_last_run")
    loyalty_last_full_run = fields.Datetime(related="company_id.loyalty_last_full_run")
