from odoo import fields, models

from .crm_loyalty_engine import CUSTOMER_MOVE_TYPES


class AccountMove(models.Model):
    _inherit = "account.move"

    # the qualifying spend of one customer, read at each posting and recompute
    _crm_loyalty_spend_idx = models.Index(
        "(commercial_partner_id, company_id, invoice_date) "
        "WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')"
    )

    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Customer Tier",
        compute="_compute_loyalty_tier_id",
        help="The customer's loyalty tier in the invoice's company, today.",
    )

    def _compute_loyalty_tier_id(self):
        for move in self:
            partner = move.commercial_partner_id.with_company(move.company_id)
            move.loyalty_tier_id = partner.loyalty_tier_id

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        customer_moves = posted.filtered(lambda m: m.move_type in CUSTOMER_MOVE_TYPES)
        engine = self.env["crm.loyalty.engine"]
        for company, moves in customer_moves.grouped("company_id").items():
            if self.env["crm.loyalty.tier"].search_count(
                [("company_id", "=", company.id)], limit=1
            ):
                engine.recompute_company(
                    company, moves.commercial_partner_id, mode="posting"
                )
        return posted
