from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # Odoo CE has no index on the customer of a move: the 360 screen starts
    # every figure and its timeline from it
    commercial_partner_id = fields.Many2one(index=True)

    # the posted customer invoices and credit notes by company and customer,
    # with what the 360 figures and the company-wide value ranking read:
    # both are answered from the index alone
    _crm_360_customer_idx = models.Index(
        "(company_id, commercial_partner_id, invoice_date)"
        " INCLUDE (move_type, invoice_date_due, amount_untaxed_signed,"
        " amount_residual_signed, amount_residual)"
        " WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')"
    )

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
