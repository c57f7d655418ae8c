from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_crm_360_new_claim(self):
        """A complaint about this invoice, in one click."""
        self.ensure_one()
        return self.commercial_partner_id._crm_360_claim_action(self)
