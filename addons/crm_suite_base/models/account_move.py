from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # Odoo has no index on the customer of a move; the suite starts every
    # figure of a customer from it
    commercial_partner_id = fields.Many2one(index=True)

    # The posted customer invoices and credit notes, read by customer: a
    # customer's spend (loyalty), figures and value (360) are answered from
    # the index alone
    _crm_suite_customer_idx = models.Index(
        "(company_id, commercial_partner_id, invoice_date)"
        " INCLUDE (move_type, invoice_date_due, amount_untaxed_signed,"
        " amount_residual_signed, amount_residual)"
        " WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')"
    )

    # The same, read by date over a whole company: the loyalty recompute of
    # every customer and the monthly KPI snapshots
    _crm_suite_period_idx = models.Index(
        "(company_id, invoice_date)"
        " INCLUDE (id, commercial_partner_id, team_id, move_type,"
        " amount_untaxed_signed)"
        " WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')"
    )
