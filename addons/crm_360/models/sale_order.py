from odoo import models


class SaleOrder(models.Model):
    _inherit = ["sale.order", "crm.360.dispute.mixin"]  # noqa: RUF012
    _name = "sale.order"
    _crm_360_claim_field = "crm_360_order_id"

    def action_crm_360_new_claim(self):
        """A complaint about this order, in one click."""
        self.ensure_one()
        return self.partner_id.commercial_partner_id._crm_360_claim_action(self)
