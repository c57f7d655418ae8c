from odoo import fields, models


class CrmCustomer360(models.Model):
    _inherit = "crm.customer.360"

    loyalty_tier_id = fields.Many2one(
        related="partner_id.loyalty_tier_id", string="Loyalty Tier"
    )
