from odoo import fields, models


class CrmCustomer360(models.Model):
    _inherit = "crm.customer.360"

    loyalty_tier_id = fields.Many2one(
        related="partner_id.loyalty_tier_id", string="Loyalty Tier"
    )
    loyalty_at_risk = fields.Boolean(
        related="partner_id.loyalty_at_risk",
        string="Tier at Risk",
        help="The spend so far is below what the current tier needs: the tier "
        "drops at its review unless the customer spends more.",
    )
