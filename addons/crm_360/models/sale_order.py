from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_crm_360_new_claim(self):
        """A complaint about this order, in one click."""
        self.ensure_one()
        return self.partner_id.commercial_partner_id._crm_360_claim_action(self)
