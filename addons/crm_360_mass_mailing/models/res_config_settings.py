from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .mailing_mailing import DEFAULT_MONTHS, MONTHS_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_360_suppression_months = fields.Integer(
        string="Offer Suppression (Months)",
        config_parameter=MONTHS_PARAM,
        default=DEFAULT_MONTHS,
        help="A mailing that names the products it promotes leaves out the "
        "customers who bought one of them in this many months.",
    )

    @api.constrains("crm_360_suppression_months")
    def _check_crm_360_suppression_months(self):
        for settings in self:
            if settings.crm_360_suppression_months < 1:
                raise ValidationError(
                    self.env._(
                        "The offer suppression looks back at least one month: "
                        "enter a number of months from 1."
                    )
                )
