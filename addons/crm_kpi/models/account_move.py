from odoo import models

# what changes the customers and months a posted move counts in
COUNTED_FIELDS = {"state", "team_id", "partner_id", "commercial_partner_id"}


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        if not COUNTED_FIELDS.intersection(vals):
            return super().write(vals)
        Month = self.env["crm.kpi.customer.month"]
        before = Month._keys_of_moves(self)
        result = super().write(vals)
        # posted, reset to draft, cancelled or moved: the customers and
        # months it counted in and counts in now
        Month._refresh_keys(before | Month._keys_of_moves(self))
        return result
