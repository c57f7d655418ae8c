"""The anchors each scenario is measured against, on the same data: the
obvious ORM approach (a loop per customer, timed on a sample and
extrapolated) and the raw SQL that is the practical floor."""

from datetime import date, timedelta

from bench_common import extrapolated, sample_customers

# ------------------------------------------------------------ P1 loyalty
SPEND_SQL = """
    SELECT company_id, commercial_partner_id, SUM(amount_untaxed_signed)
      FROM account_move
     WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
       AND invoice_date > %(start)s AND invoice_date <= %(today)s
  GROUP BY company_id, commercial_partner_id
"""
UPDATE_SQL = (
    "WITH spend AS ("
    + SPEND_SQL.replace(
        "SUM(amount_untaxed_signed)", "SUM(amount_untaxed_signed) AS sum"
    )
    + """)
    INSERT INTO crm_loyalty_state (partner_id, company_id, amount)
    SELECT s.commercial_partner_id, s.company_id, s.sum FROM spend s
        ON CONFLICT (partner_id, company_id) DO UPDATE SET amount = EXCLUDED.amount
"""
)


def spend_domain(company, start, today, partner=None):
    """The invoices and credit notes of the rolling spend of ``company`` (of
    its customer ``partner`` only, if given)."""
    return [
        ("company_id", "=", company.id),
        *([("commercial_partner_id", "=", partner.id)] if partner else []),
        ("state", "=", "posted"),
        ("move_type", "in", ("out_invoice", "out_refund")),
        ("invoice_date", ">", start),
        ("invoice_date", "<=", today),
    ]


def floor_read_group(env, comps, start, today):
    """The rolling spend by one ``_read_group`` per company."""
    Move = env["account.move"]
    return sum(
        len(
            Move._read_group(
                spend_domain(company, start, today),
                ["commercial_partner_id"],
                ["amount_untaxed_signed:sum"],
            )
        )
        for company in comps
    )


def orm_loop(env, comps, start, today, total_customers, sample=1000):
    """The obvious ORM approach: one _read_group per customer, then the tier
    by threshold (no write), on ``sample`` customers, extrapolated."""
    Move = env["account.move"]
    company = comps[0]
    partners = sample_customers(env, company, sample)
    tiers = env["crm.loyalty.tier"].search(
        [("company_id", "=", company.id)], order="min_amount"
    )

    def loop():
        for partner in partners:
            [(amount,)] = Move._read_group(
                spend_domain(company, start, today, partner),
                [],
                ["amount_untaxed_signed:sum"],
            )
            tiers.filtered(lambda t, a=amount: t.min_amount <= (a or 0))[-1:]
        return len(partners)

    return extrapolated(env, loop, len(partners), total_customers)


# ---------------------------------------------------------- P2 360 screen
def orm_360(partner):
    """The obvious ORM approach to the 360 figures: the customer's records
    read as recordsets and summed, counted and sorted in Python (billing,
    complaints and the newest interactions; no ranking among the other
    customers)."""
    from odoo.addons.crm_360.models.crm_customer_360_screen_timeline import (
        MESSAGE_TYPES,
    )

    env = partner.env
    today = date.today()
    family = env["res.partner"].search([("id", "child_of", partner.id)])
    invoices = env["account.move"].search(
        [
            ("partner_id", "in", family.ids),
            ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_refund")),
        ]
    )
    open_invoices = invoices.filtered(lambda m: m.amount_residual_signed)
    overdue = open_invoices.filtered(
        lambda m: m.invoice_date_due and m.invoice_date_due < today
    )
    claims = env["crm.claim"].search([("partner_id", "in", family.ids)])
    messages = env["mail.message"].search(
        [
            ("model", "in", ("res.partner", "account.move", "crm.claim")),
            ("res_id", "in", family.ids + invoices.ids + claims.ids),
            ("message_type", "in", MESSAGE_TYPES),
        ]
    )
    newest = messages.sorted(lambda m: (m.date, m.id), reverse=True)[:20]
    return len(
        [
            sum(invoices.mapped("amount_untaxed_signed")),
            sum(open_invoices.mapped("amount_residual_signed")),
            sum(overdue.mapped("amount_residual_signed")),
            len(claims.filtered(lambda c: not c.date_closed)),
            max(invoices.mapped("invoice_date"), default=None),
            [(m.date, m.author_id.name, m.preview) for m in newest],
        ]
    )


FLOOR_360_SQL = """
    WITH family AS (SELECT id FROM res_partner WHERE commercial_partner_id = %(p)s),
    moves AS (
        SELECT id, amount_untaxed_signed, amount_residual_signed,
               invoice_date, invoice_date_due
          FROM account_move
         WHERE commercial_partner_id = %(p)s AND state = 'posted'
           AND move_type IN ('out_invoice', 'out_refund')
    ), claims AS (
        SELECT id, date_closed FROM crm_claim
         WHERE partner_id IN (SELECT id FROM family)
    )
    SELECT (SELECT SUM(amount_untaxed_signed) FROM moves),
           (SELECT SUM(amount_residual_signed) FROM moves),
           (SELECT SUM(amount_residual_signed) FROM moves
             WHERE invoice_date_due < CURRENT_DATE),
           (SELECT MAX(invoice_date) FROM moves),
           (SELECT COUNT(*) FROM claims WHERE date_closed IS NULL),
           ARRAY(
               SELECT id FROM (
                   (SELECT id, date FROM mail_message
                     WHERE model = 'res.partner' AND res_id IN (SELECT id FROM family)
                       AND message_type IN %(types)s
                  ORDER BY date DESC, id DESC LIMIT 20)
                   UNION ALL
                   (SELECT id, date FROM mail_message
                     WHERE model = 'account.move' AND res_id IN (SELECT id FROM moves)
                       AND message_type IN %(types)s
                  ORDER BY date DESC, id DESC LIMIT 20)
                   UNION ALL
                   (SELECT id, date FROM mail_message
                     WHERE model = 'crm.claim' AND res_id IN (SELECT id FROM claims)
                       AND message_type IN %(types)s
                  ORDER BY date DESC, id DESC LIMIT 20)
               ) AS newest
             ORDER BY date DESC, id DESC LIMIT 20
           )
"""


def floor_360(partner):
    """The same figures as :func:`orm_360` by one raw SQL query: the
    practical floor of the screen's billing, complaint and timeline part."""
    from odoo.addons.crm_360.models.crm_customer_360_screen_timeline import (
        MESSAGE_TYPES,
    )

    partner.env.cr.execute(FLOOR_360_SQL, {"p": partner.id, "types": MESSAGE_TYPES})
    return len(partner.env.cr.fetchone())


# ------------------------------------------------------------ P3 KPI backfill
KPI_FLOOR_SQL = """
    SELECT company_id, date_trunc('month', invoice_date) AS month,
           count(DISTINCT commercial_partner_id), SUM(amount_untaxed_signed)
      FROM account_move
     WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
       AND invoice_date >= %(first)s AND invoice_date <= %(last)s
  GROUP BY 1, 2
"""


# what days sales outstanding adds to the floor's reads: the customer
# receivable, summed by month
KPI_RECEIVABLE_SQL = """
    SELECT l.company_id, date_trunc('month', l.date) AS month, SUM(l.balance)
      FROM account_move_line l
      JOIN account_account a ON a.id = l.account_id
     WHERE l.parent_state = 'posted' AND a.account_type = 'asset_receivable'
       AND l.date <= %(last)s
  GROUP BY 1, 2
"""


def orm_kpi_loop(env, company, first, last, total_customers, sample=1000):
    """The obvious ORM approach to the KPI backfill: per customer, its
    invoices, receivable and claims grouped by month with ``_read_group``,
    then added up per month in Python (active and new customers, revenue,
    invoices, receivable, claims: the reads every KPI needs; the customer
    base, retention and the segments would come on top), on ``sample``
    customers, extrapolated to every customer."""
    partners = sample_customers(env, company, sample)
    before = last + timedelta(days=1)

    def loop():
        months = {}
        for partner in partners:
            add_customer_months(env, company, partner, first, before, months)
        return len(partners)

    return extrapolated(env, loop, len(partners), total_customers)


def add_customer_months(env, company, partner, first, before, months):
    """Add the figures of one customer to ``months`` ({month: [active, revenue,
    invoices, new, receivable, claims]})."""

    def figures(month):
        return months.setdefault(month, [0, 0.0, 0, 0, 0.0, 0])

    rows = env["account.move"]._read_group(
        [
            ("company_id", "=", company.id),
            ("commercial_partner_id", "=", partner.id),
            ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("invoice_date", "<", before),
        ],
        ["invoice_date:month"],
        ["amount_untaxed_signed:sum", "__count"],
    )
    for month, amount, count in rows:
        month_figures = figures(month)
        month_figures[0] += 1
        month_figures[1] += amount
        month_figures[2] += count
    if rows and rows[0][0] >= first:
        months[rows[0][0]][3] += 1  # a new customer
    for month, balance in env["account.move.line"]._read_group(
        [
            ("company_id", "=", company.id),
            ("partner_id", "=", partner.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("date", "<", before),
        ],
        ["date:month"],
        ["balance:sum"],
    ):
        figures(month)[4] += balance
    for month, count in env["crm.claim"]._read_group(
        [("company_id", "=", company.id), ("partner_id", "=", partner.id)],
        ["date:month"],
        ["__count"],
    ):
        figures(month)[5] += count
