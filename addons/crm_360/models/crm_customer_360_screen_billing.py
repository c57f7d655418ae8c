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
AGING_KEYS = tuple(key for key, _low, _high in AGING_BUCKETS)
AMOUNT_KEYS = ("balance_due", "unapplied_credit", "overdue_amount")
DISPUTE_KEYS = tuple(f"dispute_{key}" for key in ("total", *AGING_KEYS))
COUNT_KEYS = ("overdue_count", "dispute_count")
INVOICES_SHOWN = 10
PAYMENTS_SHOWN = 10
INVOICE_FIELDS = [
    "name",
    "invoice_date",
    "invoice_date_due",
    "amount_total_signed",
    "amount_residual_signed",
    "payment_state",
    "move_type",
]


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
        invoices = self._records(
            ("invoices", partner.id), *self._invoices_args(partner)
        )
        payments = self._records(
            ("payments", partner.id), *self._payments_args(partner)
        )
        return {
            "aging": figures["aging"],
            "dispute": figures["dispute"],
            "invoices": [self._invoice_item(move) for move in invoices],
            "payments": [self._payment_item(payment) for payment in payments],
        }

    @api.model
    def _lists_sql(self, partner):
        """{key of :meth:`_value`: SQL} of the newest invoices and payments."""
        return {
            (key, partner.id): self._records_sql(*args)
            for key, args in (
                ("invoices", self._invoices_args(partner)),
                ("payments", self._payments_args(partner)),
            )
        }

    @api.model
    def _invoices_args(self, partner):
        return (
            "account.move",
            self._move_domain(partner),
            INVOICE_FIELDS,
            {"limit": INVOICES_SHOWN, "order": "invoice_date desc, id desc"},
        )

    @api.model
    def _payments_args(self, partner):
        return (
            "account.payment",
            [
                ("partner_id", "in", self._family(partner)),
                ("company_id", "in", self.env.companies.ids),
                ("partner_type", "=", "customer"),
                ("state", "not in", ("draft", "canceled")),
            ],
            ["name", "date", "amount_company_currency_signed"],
            {"limit": PAYMENTS_SHOWN, "order": "date desc, id desc"},
        )

    @api.model
    def _payment_item(self, payment):
        amount = payment["amount_company_currency_signed"]
        return self._named_item(payment, payment["date"], amount=amount)

    @api.model
    def _invoice_item(self, move):
        return self._named_item(
            move,
            move["invoice_date"],
            due=move["invoice_date_due"],
            total=move["amount_total_signed"],
            residual=move["amount_residual_signed"],
            state=move["payment_state"],
            type=move["move_type"],
        )

    @api.model
    def _figures(self, partner):
        """Every billing figure of the screen: those of the customer's posted
        invoices and credit notes (revenue, number of invoices) in one pass
        over them, then those of its receivable ledger (``_ledger_figures``).
        """
        today = fields.Date.context_today(self)
        sums = self._invoice_sums(today)
        self._plan(self._figures_sql(partner))
        rows = self._value(
            ("invoice_sums", partner.id), lambda: self._invoice_sums_sql(partner)
        )
        companies = self.env["res.company"].browse([row[0] for row in rows])
        figures = {
            key: self._converted(
                (company, row[1 + index])
                for company, row in zip(companies, rows, strict=True)
            )
            for index, key in enumerate(sums)
        }
        figures["invoice_count"] = sum(row[-1] for row in rows)
        figures.update(self._ledger_figures(partner)[partner.id])
        return figures

    @api.model
    def _figures_sql(self, partner):
        """{key of :meth:`_value`: SQL} of the queries of :meth:`_figures`,
        read in one query."""
        return {
            ("invoice_sums", partner.id): self._invoice_sums_sql(partner),
            ("ledger_rows", partner.id): self._json_rows(
                *self._ledger_rows_query(partner)
            ),
            ("days_late", partner.id): self._json_rows(
                *self._avg_days_late_query(partner)
            ),
            ("days_to_pay", partner.id): self._avg_days_to_pay_sql(partner),
        }

    @api.model
    def _invoice_sums_sql(self, partner):
        """The JSON rows (company id, sums of ``_invoice_sums``, number of
        invoices) of the customer's invoices and credit notes."""
        sums = self._invoice_sums(fields.Date.context_today(self))
        query = self.env["account.move"]._search(self._move_domain(partner))
        query.groupby = SQL.identifier(query.table, "company_id")
        invoice_count = SQL(
            "COUNT(*) FILTER (WHERE account_move.move_type = %s)", CUSTOMER_INVOICE
        )
        return self._json_rows(query, query.groupby, *sums.values(), invoice_count)

    @api.model
    def _invoice_sums(self, today):
        """{figure: SQL sum} of the untaxed amounts of invoices."""
        untaxed = SQL("SUM(account_move.amount_untaxed_signed)")
        return {
            "revenue_total": untaxed,
            "revenue_12m": SQL(
                "%s FILTER (WHERE account_move.invoice_date > %s)",
                untaxed,
                add_months(today, -12),
            ),
        }

    # ------------------------------------------------------------------
    # The receivable ledger
    # ------------------------------------------------------------------
    @api.model
    def _ledger_domain(self, partners):
        """The posted journal items on receivable accounts of ``partners``
        (commercial partners) and their contacts, in the allowed companies:
        the items ``res.partner.credit`` sums, company by company."""
        return [
            ("partner_id.commercial_partner_id", "in", partners.ids),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("company_id", "in", self.env.companies.ids),
        ]

    @api.model
    def _open_items_domain(self, partners):
        return self._ledger_domain(partners) + [("reconciled", "=", False)]

    @api.model
    def _ledger_domains(self, partner):
        """{figure: domain of the journal items (or, for ``overdue``, the
        invoices) that sum to it}: what the screen opens."""
        today = fields.Date.context_today(self)
        open_items = self._open_items_domain(partner)
        overdue_items = open_items + [
            ("balance", ">", 0),
            ("date_maturity", "<", fields.Date.to_string(today)),
        ]
        domains = {
            "balance": open_items,
            "unapplied": open_items + [("balance", "<", 0)],
            "overdue_items": overdue_items,
            "overdue": [("line_ids", "any", overdue_items)],
            "days_late": self._settled_items_domain(partner),
            "dispute": open_items
            + [("balance", ">", 0), ("move_id.in_dispute", "=", True)],
        }
        for key, low, high in AGING_BUCKETS:
            domains[f"aging_{key}"] = open_items + self._bucket_domain(today, low, high)
        return domains

    @api.model
    def _settled_items_domain(self, partners):
        """The fully paid installments (debit items) with a due date."""
        return self._ledger_domain(partners) + [
            ("reconciled", "=", True),
            ("balance", ">", 0),
            ("date_maturity", "!=", False),
        ]

    @api.model
    def _bucket_domain(self, today, low, high):
        """Due ``low`` to ``high`` days ago (``low`` None: not due yet, or
        without due date), as Aged Partner Balance reports age an item."""
        if low is None:
            return [
                "|",
                ("date_maturity", "=", False),
                ("date_maturity", ">=", fields.Date.to_string(today)),
            ]
        domain = [
            ("date_maturity", "<=", fields.Date.to_string(today - timedelta(days=low)))
        ]
        if high is not None:
            domain.append(
                (
                    "date_maturity",
                    ">=",
                    fields.Date.to_string(today - timedelta(days=high)),
                )
            )
        return domain

    @api.model
    def _ledger_figures(self, partners):
        """{commercial partner id: figures} of the receivable ledger of
        ``partners`` (commercial partners), in a fixed number of queries
        whatever their number: the screen asks for one customer, lists and
        exports for many.

        The figures: ``balance_due`` (residual of the open items, payments
        and credit notes included), ``unapplied_credit`` (residual of the
        open credit items, negative), ``overdue_amount`` (residual of the
        debit items due before today, each installment on its own),
        ``overdue_count`` (moves with such an item), ``aging`` (the residual
        by due date of each item, credits included, adding up to the
        balance), ``dispute`` (the residual of the debit items of the
        invoices in dispute: total, invoices and aging) and
        ``avg_days_late``; amounts converted into the current company's
        currency, read under the user's record rules.
        """
        sums = {
            partner.id: dict.fromkeys(AMOUNT_KEYS + AGING_KEYS + DISPUTE_KEYS, 0.0)
            for partner in partners
        }
        counts = {partner.id: dict.fromkeys(COUNT_KEYS, 0) for partner in partners}
        for partner_id, company, row in self._ledger_rows(partners):
            for key in COUNT_KEYS:
                counts[partner_id][key] += row.pop(key)
            for key, amount in row.items():
                sums[partner_id][key] += self._in_company_currency(company, amount)
        days_late = self._avg_days_late(partners)
        round_amount = self.env.company.currency_id.round
        return {
            partner_id: self._ledger_figures_of(
                {key: round_amount(amount) for key, amount in amounts.items()},
                counts[partner_id],
                days_late.get(partner_id),
            )
            for partner_id, amounts in sums.items()
        }

    @api.model
    def _ledger_figures_of(self, amounts, counts, days_late):
        """The figures of one customer from its summed ``amounts``."""
        return {
            **{key: amounts[key] for key in AMOUNT_KEYS},
            "overdue_count": counts["overdue_count"],
            "aging": {key: amounts[key] for key in AGING_KEYS},
            "dispute": {
                "total": amounts["dispute_total"],
                "count": counts["dispute_count"],
                "aging": {key: amounts[f"dispute_{key}"] for key in AGING_KEYS},
            },
            "avg_days_late": days_late,
        }

    @api.model
    def _ledger_rows(self, partners):
        """(commercial partner id, company, {figure: amount}) per customer
        and company, in one query over the open receivable items."""
        query, *columns = self._ledger_rows_query(partners)
        aggregates = self._ledger_aggregates(
            query.table, fields.Date.context_today(self)
        )
        if len(partners) == 1:  # the screen's: read with its other figures
            rows = self._value(
                ("ledger_rows", partners.id),
                lambda: self._json_rows(*self._ledger_rows_query(partners)),
            )
        else:
            rows = self.env.execute_query(query.select(*columns))
        companies = self.env["res.company"].browse({row[1] for row in rows})
        for row in rows:
            yield (
                row[0],
                companies.browse(row[1]),
                dict(zip(aggregates, row[2:], strict=True)),
            )

    @api.model
    def _ledger_rows_query(self, partners):
        """The query of :meth:`_ledger_rows` and its columns."""
        today = fields.Date.context_today(self)
        query = self.env["account.move.line"]._search(self._open_items_domain(partners))
        table = query.table
        partner_alias = query.join(table, "partner_id", "res_partner", "id", "ledger")
        commercial = SQL.identifier(partner_alias, "commercial_partner_id")
        company = SQL.identifier(table, "company_id")
        query.groupby = SQL("%s, %s", commercial, company)
        aggregates = self._ledger_aggregates(table, today)
        return query, commercial, company, *aggregates.values()

    @api.model
    def _ledger_aggregates(self, table, today):
        """{figure: SQL aggregate} over the open receivable items."""
        residual = SQL("SUM(%s)", SQL.identifier(table, "amount_residual"))
        maturity = SQL.identifier(table, "date_maturity")
        overdue = SQL(
            "%s > 0 AND %s < %s", SQL.identifier(table, "balance"), maturity, today
        )
        aggregates = {
            "balance_due": residual,
            "unapplied_credit": SQL(
                "%s FILTER (WHERE %s < 0)", residual, SQL.identifier(table, "balance")
            ),
            "overdue_amount": SQL("%s FILTER (WHERE %s)", residual, overdue),
            "overdue_count": SQL(
                "COUNT(DISTINCT %s) FILTER (WHERE %s)",
                SQL.identifier(table, "move_id"),
                overdue,
            ),
        }
        for key, low, high in AGING_BUCKETS:
            aggregates[key] = SQL(
                "%s FILTER (WHERE %s)",
                residual,
                self._bucket_condition(maturity, today, low, high),
            )
        aggregates.update(self._dispute_aggregates(table, today, residual))
        return aggregates

    @api.model
    def _dispute_aggregates(self, table, today, residual):
        """{figure: SQL aggregate} of the open debit items of the invoices
        in dispute (an open complaint attached): total, invoices and aging."""
        maturity = SQL.identifier(table, "date_maturity")
        move = SQL.identifier(table, "move_id")
        disputed = SQL(
            "%s > 0 AND %s IN %s",
            SQL.identifier(table, "balance"),
            move,
            self.env["account.move"]._crm_360_disputed_subselect(),
        )
        aggregates = {
            "dispute_total": SQL("%s FILTER (WHERE %s)", residual, disputed),
            "dispute_count": SQL(
                "COUNT(DISTINCT %s) FILTER (WHERE %s)", move, disputed
            ),
        }
        for key, low, high in AGING_BUCKETS:
            aggregates[f"dispute_{key}"] = SQL(
                "%s FILTER (WHERE %s AND %s)",
                residual,
                disputed,
                self._bucket_condition(maturity, today, low, high),
            )
        return aggregates

    @api.model
    def _bucket_condition(self, maturity, today, low, high):
        """The SQL of ``_bucket_domain``."""
        if low is None:
            return SQL("(%s IS NULL OR %s >= %s)", maturity, maturity, today)
        condition = SQL("%s <= %s", maturity, today - timedelta(days=low))
        if high is None:
            return condition
        return SQL("%s AND %s >= %s", condition, maturity, today - timedelta(days=high))

    @api.model
    def _avg_days_late(self, partners):
        """{commercial partner id: mean days late} over the fully paid
        installments: the date of the latest partial reconciliation of the
        item (the one that paid it in full) minus its due date, negative
        when paid early on average."""
        if len(partners) == 1:  # the screen's: read with its other figures
            rows = self._value(
                ("days_late", partners.id),
                lambda: self._json_rows(*self._avg_days_late_query(partners)),
            )
        else:
            query, *columns = self._avg_days_late_query(partners)
            rows = self.env.execute_query(query.select(*columns))
        return {
            partner_id: round(float(days), 1)
            for partner_id, days in rows
            if days is not None
        }

    @api.model
    def _avg_days_late_query(self, partners):
        """The query of :meth:`_avg_days_late` and its columns."""
        query = self.env["account.move.line"]._search(
            self._settled_items_domain(partners)
        )
        table = query.table
        partner_alias = query.join(table, "partner_id", "res_partner", "id", "ledger")
        commercial = SQL.identifier(partner_alias, "commercial_partner_id")
        query.groupby = commercial
        late = SQL(
            """AVG((SELECT MAX(apr.max_date)
                      FROM account_partial_reconcile apr
                     WHERE apr.debit_move_id = %s) - %s)""",
            SQL.identifier(table, "id"),
            SQL.identifier(table, "date_maturity"),
        )
        return query, commercial, late

    @api.model
    def _avg_days_to_pay(self, partner):
        """Mean over fully paid invoices of (date of the payment that settled
        them − invoice date), in days; None without paid invoice."""
        average = self._value(
            ("days_to_pay", partner.id), lambda: self._avg_days_to_pay_sql(partner)
        )
        return round(float(average), 1) if average is not None else None

    @api.model
    def _avg_days_to_pay_sql(self, partner):
        query = self.env["account.move"]._search(
            self._move_domain(partner, (CUSTOMER_INVOICE,))
            + [("payment_state", "in", ("paid", "in_payment"))]
        )
        return SQL(
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
