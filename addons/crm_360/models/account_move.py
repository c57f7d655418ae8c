from odoo import models


class AccountMove(models.Model):
    _inherit = ["account.move", "crm.360.dispute.mixin"]  # noqa: RUF012
    _name = "account.move"
    _crm_360_claim_field = "crm_360_move_id"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        customers = self.filtered(
            lambda move: move.is_sale_document(include_receipts=False)
        )
        before = customers.commercial_partner_id
        result = super().write(vals)
        if customers:
            # posted, reset to draft or cancelled: the figures the 360 screen
            # ranks customers by change for these customers
            self.env["crm.customer.360.value"]._refresh(
                customers.company_id, before | customers.commercial_partner_id
            )
        return result

    def action_crm_360_new_claim(self):
        """A complaint about this invoice, in one click."""
        self.ensure_one()
        return self.commercial_partner_id._crm_360_claim_action(self)
