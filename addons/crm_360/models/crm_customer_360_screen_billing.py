from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE
from odoo.addons.crm_suite_base.periods import add_months

AGING_BUCKETS = [
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
]
INVOICES_SHOWN = 10
PAYMENTS_SHOWN = 10


class CrmCustomer360ScreenBilling(models.AbstractModel):
    """The customer's billing figures (revenue, balance, overdue, aging
    buckets, average days to pay), last invoices and payments: for users
    with billing rights only."""

    _name = "crm.customer.360.screen.billing"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Billing"

    @api.model
    def _section_data(self, partner, figures=None):
        figures = figures or self._figures(partner)
        invoices = self.env["account.move"].search(
            self._move_domain(partner),
            limit=INVOICES_SHOWN,
            order="invoice_date desc, id desc",
        )
        payments = self.env["account.payment"].search(
            [
                ("partner_id", "in", self._family(partner)),
                ("company_id", "in", self.env.companies.ids),
                ("partner_type", "=", "customer"),
                ("state", "not in", ("draft", "canceled")),
            ],
            limit=PAYMENTS_SHOWN,
            order="date desc, id desc",
        )
        return {
            "aging": figures["aging"],
            "invoices": [self._invoice_item(move) for move in invoices],
            "payments": [self._payment_item(payment) for payment in payments],
        }

    @api.model
    def _payment_item(self, payment):
        amount = payment.amount_company_currency_signed
        return self._named_item(
            payment, fields.Date.to_string(payment.date), amount=amount
        )

    @api.model
    def _invoice_item(self, move):
        return self._named_item(
            move,
            fields.Date.to_string(move.invoice_date),
            due=fields.Date.to_string(move.invoice_date_due),
            total=move.amount_total_signed,
            residual=move.amount_residual_signed,
            state=move.payment_state,
            type=move.move_type,
        )

    @api.model
    def _overdue_domain(self, partner, today):
        return self._move_domain(partner, (CUSTOMER_INVOICE,)) + [
            ("invoice_date_due", "<", today),
            ("amount_residual", ">", 0),
        ]

    @api.model
    def _figures(self, partner):
        """Every billing figure of the screen in one pass over the customer's
        posted invoices and credit notes (under the user's record rules),
        summed by company and converted into the current company's currency.
        """
        today = fields.Date.context_today(self)
        sums = self._figure_sums(today)
        counts = self._figure_counts(today)
        query = self.env["account.move"]._search(self._move_domain(partner))
        query.groupby = SQL.identifier(query.table, "company_id")
        rows = self.env.execute_query(
            query.select(query.groupby, *sums.values(), *counts.values())
        )
        companies = self.env["res.company"].browse([row[0] for row in rows])
        figures = {
            key: self._converted(
                (company, row[1 + index])
                for company, row in zip(companies, rows, strict=True)
            )
            for index, key in enumerate(sums)
        }
        for index, key in enumerate(counts, start=1 + len(sums)):
            figures[key] = sum(row[index] for row in rows)
        figures["aging"] = {
            key: figures.pop(f"aging_{key}") for key, *_b in AGING_BUCKETS
        }
        return figures

    @api.model
    def _open_invoice(self):
        return SQL(
            "account_move.move_type = %s AND account_move.amount_residual > 0",
            CUSTOMER_INVOICE,
        )

    @api.model
    def _figure_sums(self, today):
        """{figure: SQL sum} of the amounts, aging buckets last."""
        residual = SQL("SUM(account_move.amount_residual_signed)")
        sums = {
            "revenue_total": SQL("SUM(account_move.amount_untaxed_signed)"),
            "revenue_12m": SQL(
                "SUM(account_move.amount_untaxed_signed)"
                " FILTER (WHERE account_move.invoice_date > %s)",
                add_months(today, -12),
            ),
            "balance_due": residual,
            "overdue_amount": SQL(
                "%s FILTER (WHERE %s AND account_move.invoice_date_due < %s)",
                residual,
                self._open_invoice(),
                today,
            ),
        }
        for key, low, high in AGING_BUCKETS:
            sums[f"aging_{key}"] = SQL(
                "%s FILTER (WHERE %s AND %s)",
                residual,
                self._open_invoice(),
                self._aging_bucket(today, low, high),
            )
        return sums

    @api.model
    def _aging_bucket(self, today, low, high):
        """Due ``low`` to ``high`` days ago (``low`` None: not due yet)."""
        if low is None:
            return SQL("account_move.invoice_date_due >= %s", today)
        bucket = SQL("account_move.invoice_date_due <= %s", today - timedelta(days=low))
        if high is None:
            return bucket
        return SQL(
            "%s AND account_move.invoice_date_due >= %s",
            bucket,
            today - timedelta(days=high),
        )

    @api.model
    def _figure_counts(self, today):
        return {
            "invoice_count": SQL(
                "COUNT(*) FILTER (WHERE account_move.move_type = %s)",
                CUSTOMER_INVOICE,
            ),
            "overdue_count": SQL(
                "COUNT(*) FILTER (WHERE %s AND account_move.invoice_date_due < %s)",
                self._open_invoice(),
                today,
            ),
        }

    @api.model
    def _avg_days_to_pay(self, partner):
        """Mean over fully paid invoices of (date of the payment that settled
        them − invoice date), in days; None without paid invoice."""
        query = self.env["account.move"]._search(
            self._move_domain(partner, (CUSTOMER_INVOICE,))
            + [("payment_state", "in", ("paid", "in_payment"))]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT AVG(settled.day - m.invoice_date)
                  FROM account_move m
                  JOIN LATERAL (
                        SELECT MAX(apr.max_date) AS day
                          FROM account_move_line l
                          JOIN account_partial_reconcile apr
                            ON apr.debit_move_id = l.id OR apr.credit_move_id = l.id
                         WHERE l.move_id = m.id
                           AND l.display_type = 'payment_term'
                  ) settled ON settled.day IS NOT NULL
                 WHERE m.id IN %s
                """,
                query.subselect(),
            )
        )
        average = self.env.cr.fetchone()[0]
        return round(float(average), 1) if average is not None else None
