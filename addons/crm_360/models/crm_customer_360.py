"""The Customers 360 list: one row per customer and company, and its export
to other systems (``export_rows``, over the JSON-2 API)."""

from datetime import date
from typing import Any

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from .crm_customer_360_screen import valid_page
from .crm_customer_360_value import RFM_SEGMENTS

EXPORT_PAGE = 100
EXPORT_PAGE_MAX = 1000


class CrmCustomer360(models.Model):
    """One row per customer and company: the figures of the Customers 360
    list, read from the kept value figures of the customer's posted
    invoices (crm.customer.360.value), with the balance and overdue amounts
    of the customer's receivable ledger in that company (the definitions of
    the 360 screen's, see
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
    is_overdue = fields.Boolean(
        string="Has Overdue Invoices",
        readonly=True,
        help="An installment due before today is left to pay: the flag of the "
        "churn risk, kept with the value figures (refreshed when the customer's "
        "invoices are posted or paid, and every night).",
    )
    last_invoice_date = fields.Date(readonly=True)
    revenue_last_6m = fields.Monetary(string="Revenue (last 6 months)", readonly=True)
    revenue_prev_6m = fields.Monetary(string="Revenue (6 months before)", readonly=True)
    # the stored value figures (crm.customer.360.value), one rule each
    is_falling = fields.Boolean(
        string="Falling Spend",
        readonly=True,
        help="Spent less in the last 6 months than in the 6 months before.",
    )
    has_open_claims = fields.Boolean(string="Open Complaints", readonly=True)
    churn_risk = fields.Boolean(
        readonly=True,
        help="Two of: overdue invoices, open complaints, falling spend.",
    )
    rfm_score = fields.Char(string="RFM Score", readonly=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True)
    value_rank = fields.Integer(
        readonly=True,
        aggregator=False,
        help="Position of the customer's lifetime value among the company's "
        "customers as of the last daily ranking (1: the highest).",
    )
    household_id = fields.Many2one(
        "res.partner",
        readonly=True,
        help="The first member of the customer's household.",
    )
    household_size = fields.Integer(
        string="Household Members", readonly=True, aggregator=False
    )
    household_value = fields.Monetary(
        readonly=True,
        aggregator=False,
        help="Net spend of the customer and every member of its household.",
    )

    @property
    def _table_query(self):
        """One row per kept value row (crm.customer.360.value: the customers
        with a posted invoice or credit note in the company), its invoice
        figures read from the row, its ledger figures from the customer's
        open receivable items by one subquery each: PostgreSQL evaluates them
        for the rows of the page only (a sort by a kept column and a LIMIT),
        so that a page costs the same whatever the company's history."""
        return SQL(
            """
            SELECT v.id, v.partner_id, v.company_id, p.country_id, p.user_id,
                   v.invoice_count, v.amount AS revenue_total,
                   COALESCE(v.amount_last_6m, 0) + COALESCE(v.amount_prev_6m, 0)
                       AS revenue_12m,
                   v.last_invoice_date,
                   COALESCE(v.amount_last_6m, 0) AS revenue_last_6m,
                   COALESCE(v.amount_prev_6m, 0) AS revenue_prev_6m,
                   COALESCE((%(balance)s), 0) AS balance_due,
                   COALESCE((%(unapplied)s), 0) AS unapplied_credit,
                   COALESCE((%(overdue)s), 0) AS overdue_amount,
                   COALESCE(v.is_overdue, FALSE) AS is_overdue,
                   COALESCE(v.is_falling, FALSE) AS is_falling,
                   COALESCE(v.has_open_claims, FALSE) AS has_open_claims,
                   COALESCE(v.churn_risk, FALSE) AS churn_risk,
                   v.rfm_score, v.rfm_segment, v.value_rank, v.household_id,
                   COALESCE(v.household_size, 1) AS household_size,
                   COALESCE(v.household_value, v.amount) AS household_value
              FROM crm_customer_360_value v
              JOIN res_partner p ON p.id = v.partner_id
            """,
            balance=self._ledger_sum(SQL("TRUE")),
            unapplied=self._ledger_sum(SQL("l.balance < 0")),
            overdue=self._ledger_sum(
                SQL("l.balance > 0 AND l.date_maturity < CURRENT_DATE")
            ),
        )

    def _ledger_sum(self, condition):
        """SQL of the residual of the row's customer's open posted receivable
        items in the row's company that meet ``condition``."""
        return SQL(
            """
            SELECT SUM(l.amount_residual)
              FROM account_move_line l
              JOIN res_partner rp ON rp.id = l.partner_id
              JOIN account_account a ON a.id = l.account_id
             WHERE rp.commercial_partner_id = v.partner_id
               AND l.company_id = v.company_id
               AND a.account_type = 'asset_receivable'
               AND l.parent_state = 'posted'
               AND l.reconciled IS NOT TRUE
               AND %s
            """,
            condition,
        )

    def action_open_customer_360(self):
        self.ensure_one()
        return self.partner_id.action_open_customer_360()

    # ------------------------------------------------------------- export
    @api.model
    @api.readonly
    def export_rows(
        self,
        domain: list | None = None,
        limit: int = EXPORT_PAGE,
        offset: int = 0,
    ) -> dict[str, Any]:
        """A page of the Customers 360 list for other systems (accounting,
        BI): one row per customer and company with the list's columns, in the
        list's order, read as the current user (allowed companies and record
        rules apply). Call it again with ``offset=next_offset`` until
        ``next_offset`` is null.

        :param domain: which rows, as in a search (``[]`` or null: all), e.g.
            ``[["is_overdue", "=", true]]``.
        :param limit: rows per page, 1 to 1,000.
        :param offset: rows to skip, from 0.
        :returns: a JSON-serialisable page, ``{"fields": [column names],
            "rows": [{column: value}], "total": rows matching the domain,
            "offset", "limit", "next_offset": offset of the next page, or
            null after the last}``.
            Amounts are numbers in the currency of the row's company
            (``currency_id``), many2one columns ``[id, name]``, dates
            ``"YYYY-MM-DD"``.
        :raises UserError: a limit, offset or domain that is not valid.
        :raises AccessError: a user without the *Customer 360: billing
            figures* group.
        """
        self._check_export_page(limit, offset)
        domain = self._export_domain(domain)
        columns = self._export_columns()
        # the row's id breaks ties, so that pages neither skip nor repeat rows
        records = self.search(
            domain, limit=limit, offset=offset, order=f"{self._order}, id"
        )
        total = self.search_count(domain)
        rows = [
            {name: _json_value(value) for name, value in row.items()}
            for row in records.read(columns)
        ]
        next_offset = offset + len(rows)
        return {
            "fields": ["id", *columns],
            "rows": rows,
            "total": total,
            "offset": offset,
            "limit": limit,
            "next_offset": next_offset if next_offset < total else None,
        }

    @api.model
    def _export_columns(self):
        """Every column of the list (its SQL view's), and the currency."""
        return [
            name
            for name, field in self._fields.items()
            if name != "id" and (field.store or name == "currency_id")
        ]

    @api.model
    def _check_export_page(self, limit, offset):
        if not valid_page(offset, limit, EXPORT_PAGE_MAX):
            raise UserError(
                self.env._(
                    "Invalid export page (limit %(limit)r, offset %(offset)r): the "
                    "limit must be a whole number from 1 to %(max)s, the offset "
                    "one from 0.",
                    limit=limit,
                    offset=offset,
                    max=EXPORT_PAGE_MAX,
                )
            )

    @api.model
    def _export_domain(self, domain):
        try:
            domain = Domain(domain or [])
            domain.validate(self)
        except (ValueError, TypeError) as error:
            raise UserError(
                self.env._(
                    "Invalid export domain %(domain)r: %(error)s",
                    domain=domain,
                    error=error,
                )
            ) from error
        return domain


def _json_value(value):
    """A value of ``read()`` as JSON has it: dates as ISO strings,
    many2one pairs as lists."""
    if isinstance(value, date):
        return fields.Date.to_string(value)
    if isinstance(value, tuple):
        return list(value)
    return value
