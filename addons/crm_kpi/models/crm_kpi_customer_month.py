from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_MOVE_TYPES

# the columns of a row's figures, in the order of the refresh's SELECT
FIGURES = (
    "invoice_count",
    "refund_count",
    "amount",
    "amount_90d_1",
    "amount_90d_2",
    "amount_90d_3",
    "receivable_count",
    "receivable_change",
)


class CrmKpiCustomerMonth(models.Model):
    """What the KPI snapshots count of a customer in a month, kept up to
    date at posting: per company, partner, sales team and month, its posted
    customer invoices and credit notes (counted under their commercial
    partner: how many, net untaxed amount, and the part of it that also
    falls within the 90 days ending one, two or three months later) and
    its customer receivable journal items (under their own partner: how
    many and their net change).

    The engine reads these rows instead of every invoice and journal item
    of the company's history (:mod:`..readers`); a month of a customer is
    all it needs of the invoices (the customer base, repeat buyers, new
    customers, the lifetime value) but for days sales outstanding's 90 days,
    which the three amounts give.

    Refreshed, in SQL, for the customers and months a move counts in when it
    is posted, reset to draft or cancelled, or its sales team or customer
    changes; for the customers merged by the merge wizard; for every row on
    install and upgrade (:meth:`_rebuild`, which the tests compare with).
    """

    _name = "crm.kpi.customer.month"
    _description = "KPI Figures per Customer and Month"
    _log_access = False
    _order = "company_id, month, partner_id, team_id"

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", ondelete="cascade")
    team_id = fields.Many2one("crm.team", string="Sales Team", ondelete="cascade")
    month = fields.Date(required=True, help="The first day of the month.")
    invoice_count = fields.Integer(string="Invoices")
    refund_count = fields.Integer(string="Credit Notes")
    amount = fields.Float(string="Net Revenue")
    amount_90d_1 = fields.Float(
        string="Revenue in Next Month's 90 Days",
        help="The part of the month's net revenue dated within the 90 days "
        "that end with the next month.",
    )
    amount_90d_2 = fields.Float(
        string="Revenue in 90 Days Two Months On",
        help="The part of the month's net revenue dated within the 90 days "
        "that end two months later.",
    )
    amount_90d_3 = fields.Float(
        string="Revenue in 90 Days Three Months On",
        help="The part of the month's net revenue dated within the 90 days "
        "that end three months later.",
    )
    receivable_count = fields.Integer(string="Receivable Items")
    receivable_change = fields.Float(
        help="Net change of the customer receivable in the month."
    )

    # a constraint, not a unique index: the merge wizard then drops the
    # merged customer's rows where the kept one has rows already, and the
    # merge refreshes both; without a partner or a team, one row
    _month_uniq = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (company_id, partner_id, team_id, month)",
        "A customer has one row of KPI figures per company, sales team and month.",
    )
    _company_month_idx = models.Index("(company_id, month)")

    @api.model
    def _rebuild(self):
        """Every row again from the posted moves and journal items."""
        self._refresh(SQL("TRUE"), SQL("TRUE"), SQL("TRUE"))
        # the planner's statistics of a table written at once
        self.env.cr.execute(SQL("ANALYZE crm_kpi_customer_month"))

    @api.model
    def _refresh_keys(self, keys):
        """Refresh the rows of ``keys``: (company id, partner id or 0, first
        day of the month)."""
        if not keys:
            return
        columns = zip(*keys, strict=True)
        companies, partners, months = (list(column) for column in columns)
        keyed = SQL(
            "IN (SELECT * FROM unnest(%s::int[], %s::int[], %s::date[]))",
            companies,
            partners,
            months,
        )
        lines, rows = self._partner_conditions(companies, partners, months)
        self._refresh(
            SQL(
                "m.commercial_partner_id = ANY(%s) AND (m.company_id, "
                "m.commercial_partner_id, "
                "date_trunc('month', m.invoice_date)::date) %s",
                partners,
                keyed,
            ),
            SQL(
                "%s AND (l.company_id, COALESCE(l.partner_id, 0), "
                "date_trunc('month', l.date)::date) %s",
                lines,
                keyed,
            ),
            SQL(
                "%s AND (v.company_id, COALESCE(v.partner_id, 0), v.month) %s",
                rows,
                keyed,
            ),
        )

    def _partner_conditions(self, companies, partners, months):
        """(journal items, rows) of ``partners`` (0: none) in ``companies``,
        as conditions their indexes answer: on the partner, and for the
        items without one, on the company and the dates of ``months``."""
        lines = SQL("l.partner_id = ANY(%s)", partners)
        rows = SQL("v.partner_id = ANY(%s)", partners)
        if 0 in partners:
            lines = SQL(
                "(%s OR (l.partner_id IS NULL AND l.company_id = ANY(%s) "
                "AND l.date >= %s AND l.date < %s::date + interval '1 month'))",
                lines,
                companies,
                min(months),
                max(months),
            )
            rows = SQL("(%s OR v.partner_id IS NULL)", rows)
        return lines, SQL("v.company_id = ANY(%s) AND %s", companies, rows)

    @api.model
    def _refresh_partners(self, partners):
        """Refresh every row of ``partners`` (res.partner), in every company."""
        if partners:
            self._refresh(
                SQL("m.commercial_partner_id = ANY(%s)", partners.ids),
                SQL("l.partner_id = ANY(%s)", partners.ids),
                # every company: the unique index's first columns
                SQL(
                    "v.company_id = ANY(ARRAY(SELECT id FROM res_company)) "
                    "AND v.partner_id = ANY(%s)",
                    partners.ids,
                ),
            )

    @api.model
    def _refresh(self, moves, lines, rows):
        """Recompute the rows that ``rows`` (a condition on the table, alias
        v) selects from the posted customer invoices and credit notes that
        ``moves`` selects (alias m) and the posted receivable items that
        ``lines`` selects (alias l): the conditions select the same
        customers and months. Rows whose figures do not change are not
        written."""
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        figures = SQL(", ").join(SQL.identifier(name) for name in FIGURES)
        self.env.cr.execute(
            SQL(
                """
                WITH fresh AS (
                    SELECT company_id, partner, team, month, %(sums)s
                      FROM (%(moves)s UNION ALL %(lines)s) sources
                  GROUP BY company_id, partner, team, month
                ), gone AS (
                    DELETE FROM crm_kpi_customer_month v
                     WHERE %(rows)s
                       AND NOT EXISTS (
                           SELECT FROM fresh f
                            WHERE f.company_id = v.company_id
                              AND f.partner = COALESCE(v.partner_id, 0)
                              AND f.team = COALESCE(v.team_id, 0)
                              AND f.month = v.month)
                )
                INSERT INTO crm_kpi_customer_month
                       (company_id, partner_id, team_id, month, %(figures)s)
                SELECT company_id, NULLIF(partner, 0), NULLIF(team, 0), month,
                       %(figures)s
                  FROM fresh
                ON CONFLICT (company_id, partner_id, team_id, month) DO UPDATE
                   SET (%(figures)s) = (%(excluded)s)
                 WHERE (%(current)s) IS DISTINCT FROM (%(excluded)s)
                """,
                moves=self._moves_query(moves),
                lines=self._lines_query(lines),
                rows=rows,
                figures=figures,
                sums=SQL(", ").join(
                    SQL("SUM(%s) AS %s", SQL.identifier(name), SQL.identifier(name))
                    for name in FIGURES
                ),
                excluded=SQL(", ").join(
                    SQL("EXCLUDED.%s", SQL.identifier(name)) for name in FIGURES
                ),
                current=SQL(", ").join(
                    SQL.identifier("crm_kpi_customer_month", name) for name in FIGURES
                ),
            )
        )
        self.invalidate_model()

    def _moves_query(self, where):
        """The figures of the posted customer invoices and credit notes
        selected by ``where`` (alias m), per company, commercial partner,
        sales team (0 for none) and month; the columns of :data:`FIGURES`.
        A move is within the 90 days that end with the k-th month after its
        own when that month's last day is less than 90 days after it."""
        reach = [
            SQL(
                "COALESCE(SUM(m.amount_untaxed_signed) FILTER (WHERE "
                "(date_trunc('month', m.invoice_date) + %s * interval '1 month')"
                "::date - 91 < m.invoice_date), 0)",
                k + 1,
            )
            for k in (1, 2, 3)
        ]
        return SQL(
            """
            SELECT m.company_id, m.commercial_partner_id AS partner,
                   COALESCE(m.team_id, 0) AS team,
                   date_trunc('month', m.invoice_date)::date AS month,
                   COUNT(*) FILTER (WHERE m.move_type = %(invoice)s)
                       AS invoice_count,
                   COUNT(*) FILTER (WHERE m.move_type != %(invoice)s)
                       AS refund_count,
                   COALESCE(SUM(m.amount_untaxed_signed), 0) AS amount,
                   %(reach_1)s AS amount_90d_1, %(reach_2)s AS amount_90d_2,
                   %(reach_3)s AS amount_90d_3,
                   0 AS receivable_count, 0 AS receivable_change
              FROM account_move m
             WHERE m.state = 'posted' AND m.move_type IN %(types)s
               AND m.commercial_partner_id IS NOT NULL
               AND m.invoice_date IS NOT NULL AND %(where)s
          GROUP BY 1, 2, 3, 4
            """,
            invoice=CUSTOMER_INVOICE,
            types=CUSTOMER_MOVE_TYPES,
            reach_1=reach[0],
            reach_2=reach[1],
            reach_3=reach[2],
            where=where,
        )

    def _lines_query(self, where):
        """The figures of the posted customer receivable items selected by
        ``where`` (alias l), per company, partner (0 for none), sales team of
        their move (0 for none) and month."""
        return SQL(
            """
            SELECT l.company_id, COALESCE(l.partner_id, 0),
                   COALESCE(mv.team_id, 0),
                   date_trunc('month', l.date)::date,
                   0, 0, 0, 0, 0, 0, COUNT(*), COALESCE(SUM(l.balance), 0)
              FROM account_move_line l
              JOIN account_move mv ON mv.id = l.move_id
             WHERE l.parent_state = 'posted'
               AND l.account_id = ANY(ARRAY(
                   SELECT id FROM account_account
                    WHERE account_type = 'asset_receivable'
               ))
               AND %s
          GROUP BY 1, 2, 3, 4
            """,
            where,
        )

    @api.model
    def _keys_of_moves(self, moves):
        """(company id, partner id or 0, month) of the rows the posted among
        ``moves`` (account.move) count in."""
        posted = moves.filtered(lambda move: move.state == "posted")
        if not posted:
            return set()
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.company_id, m.commercial_partner_id,
                       date_trunc('month', m.invoice_date)::date
                  FROM account_move m
                 WHERE m.id = ANY(%(ids)s) AND m.state = 'posted'
                   AND m.move_type IN %(types)s
                   AND m.commercial_partner_id IS NOT NULL
                   AND m.invoice_date IS NOT NULL
                 UNION
                SELECT l.company_id, COALESCE(l.partner_id, 0),
                       date_trunc('month', l.date)::date
                  FROM account_move_line l
                 WHERE l.move_id = ANY(%(ids)s) AND l.parent_state = 'posted'
                   AND l.account_id = ANY(ARRAY(
                       SELECT id FROM account_account
                        WHERE account_type = 'asset_receivable'
                   ))
                """,
                ids=posted.ids,
                types=CUSTOMER_MOVE_TYPES,
            )
        )
        return set(self.env.cr.fetchall())
