from odoo import fields, models


class CrmClaimStage(models.Model):
    _inherit = "crm.claim.stage"

    is_closed = fields.Boolean(
        string="Closing Stage",
        help="Claims in this stage are closed: they get a closing date when "
        "they enter it, and lose it when they are moved back to an open stage.",
    )
