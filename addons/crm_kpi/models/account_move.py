from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    # what the KPI snapshots read of every posted customer invoice and credit
    # note of a company, answered from the index alone
    _crm_kpi_invoice_idx = models.Index(
        "(company_id, invoice_date)"
        " INCLUDE (id, commercial_partner_id, team_id, move_type,"
        " amount_untaxed_signed)"
        " WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')"
    )
