from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The items left to pay of a customer, by due date: the installments due
    # on its 360 timeline are counted and paged from this index alone (the
    # open items only, a small part of the journal items)
    _crm_360_open_debit_idx = models.Index(
        "(partner_id, date_maturity) INCLUDE (id, company_id, account_id,"
        " move_id, move_name, currency_id, amount_residual_currency)"
        " WHERE parent_state = 'posted' AND amount_residual > 0.0"
    )

    def _crm_360_refresh_value(self):
        """A payment reconciled with (or removed from) a customer's invoices
        changes what it has overdue, hence its churn risk."""
        receivable = self.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable" and line.partner_id
            )
        )
        if receivable:
            self.env["crm.customer.360.value"]._refresh(
                receivable.company_id, receivable.partner_id.commercial_partner_id
            )
