from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Customer Tier",
        compute="_compute_loyalty_tier_id",
        help="The customer's loyalty tier in the order's company, today.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_loyalty_tier_id(self):
        for order in self:
            partner = order.partner_id.commercial_partner_id.with_company(
                order.company_id
            )
            order.loyalty_tier_id = partner.loyalty_tier_id
