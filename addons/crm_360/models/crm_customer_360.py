from odoo import fields, models
from odoo.tools import SQL


class CrmCustomer360(models.Model):
    """One row per customer and company: the figures of the Customers 360
    list, read from a SQL view of the posted customer invoices, with the
    balance and overdue amounts of the customer's receivable ledger in that
    company (the definitions of the 360 screen's, see
    ``crm.customer.360.screen.billing._ledger_figures``)."""

    _name = "crm.customer.360"
    _description = "Customers 360"
    _auto = False
    _order = "revenue_12m desc"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    country_id = fields.Many2one("res.country", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    revenue_total = fields.Monetary(string="Revenue", readonly=True)
    revenue_12m = fields.Monetary(string="Revenue (12 months)", readonly=True)
    balance_due = fields.Monetary(readonly=True)
    unapplied_credit = fields.Monetary(
        readonly=True,
        help="Payments and credit notes not yet reconciled with an invoice.",
    )
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)
    is_overdue = fields.Boolean(string="Has Overdue Invoices", readonly=True)
    last_invoice_date = fields.Date(readonly=True)
    revenue_last_6m = fields.Monetary(string="Revenue (last 6 months)", readonly=True)
    revenue_prev_6m = fields.Monetary(string="Revenue (6 months before)", readonly=True)
    is_falling = fields.Boolean(
        string="Falling Spend",
        readonly=True,
        help="Spent less in the last 6 months than in the 6 months before.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH invoiced AS (%s), ledger AS (%s)
            SELECT invoiced.*,
                   COALESCE(ledger.balance_due, 0) AS balance_due,
                   COALESCE(ledger.unapplied_credit, 0) AS unapplied_credit,
                   COALESCE(ledger.overdue_amount, 0) AS overdue_amount,
                   COALESCE(ledger.is_overdue, FALSE) AS is_overdue
              FROM invoiced
         LEFT JOIN ledger ON ledger.partner_id = invoiced.partner_id
                         AND ledger.company_id = invoiced.company_id
            """,
            self._invoiced_query(),
            self._ledger_query(),
        )

    def _invoiced_query(self):
        """The figures of the posted customer invoices and credit notes."""
        return SQL(
            """
            SELECT MIN(m.id) AS id,
                   m.commercial_partner_id AS partner_id,
                   m.company_id,
                   MIN(p.country_id) AS country_id,
                   MIN(p.user_id) AS user_id,
                   COUNT(*) FILTER (WHERE m.move_type = 'out_invoice') AS invoice_count,
                   SUM(m.amount_untaxed_signed) AS revenue_total,
                   COALESCE(SUM(m.amount_untaxed_signed) FILTER (
                       WHERE m.invoice_date > CURRENT_DATE - interval '12 months'), 0)
                       AS revenue_12m,
                   MAX(m.invoice_date) AS last_invoice_date,
                   COALESCE(SUM(m.amount_untaxed_signed) FILTER (
                       WHERE m.invoice_date > CURRENT_DATE - interval '6 months'), 0)
                       AS revenue_last_6m,
                   COALESCE(SUM(m.amount_untaxed_signed) FILTER (
                       WHERE m.invoice_date <= CURRENT_DATE - interval '6 months'
                         AND m.invoice_date > CURRENT_DATE - interval '12 months'), 0)
                       AS revenue_prev_6m,
                   COALESCE(SUM(m.amount_untaxed_signed) FILTER (
                       WHERE m.invoice_date > CURRENT_DATE - interval '6 months'), 0)
                   < COALESCE(SUM(m.amount_untaxed_signed) FILTER (
                       WHERE m.invoice_date <= CURRENT_DATE - interval '6 months'
                         AND m.invoice_date > CURRENT_DATE - interval '12 months'), 0)
                       AS is_falling
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
          GROUP BY m.commercial_partner_id, m.company_id
            """
        )

    def _ledger_query(self):
        """The open posted receivable items by customer and company: their
        residual, that of the credit items, and that of the debit items due
        before today."""
        return SQL(
            """
            SELECT rp.commercial_partner_id AS partner_id,
                   l.company_id,
                   SUM(l.amount_residual) AS balance_due,
                   SUM(l.amount_residual) FILTER (WHERE l.balance < 0)
                       AS unapplied_credit,
                   SUM(l.amount_residual) FILTER (
                       WHERE l.balance > 0 AND l.date_maturity < CURRENT_DATE)
                       AS overdue_amount,
                   BOOL_OR(l.balance > 0 AND l.date_maturity < CURRENT_DATE)
                       AS is_overdue
              FROM account_move_line l
              JOIN account_account a ON a.id = l.account_id
              JOIN res_partner rp ON rp.id = l.partner_id
             WHERE a.account_type = 'asset_receivable'
               AND l.parent_state = 'posted'
               AND l.reconciled IS NOT TRUE
          GROUP BY rp.commercial_partner_id, l.company_id
            """
        )

    def action_open_customer_360(self):
        self.ensure_one()
        return self.partner_id.action_open_customer_360()
