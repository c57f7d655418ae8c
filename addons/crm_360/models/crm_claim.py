from odoo import fields, models


class CrmClaim(models.Model):
    _inherit = "crm.claim"

    # the complaints of a customer and its contacts, on its 360 screen
    partner_id = fields.Many2one(index=True)
