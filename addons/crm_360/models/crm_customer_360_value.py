from contextlib import contextmanager

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_MOVE_TYPES
from odoo.addons.crm_suite_base.periods import add_months

# RFM segments, named apart from the churn risk ("Churn risk") and from the
# loyalty tier at risk of a downgrade ("Tier at risk")
RFM_SEGMENTS = [
    ("champion", "Champion"),
    ("loyal", "Loyal"),
    ("recent", "Recent"),
    ("slipping", "Slipping away"),
    ("hibernating", "Hibernating"),
    ("needs_attention", "Needs attention"),
]
# the churn-risk reasons (stored flags) in the order the screen lists them
CHURN_REASONS = ("is_overdue", "has_open_claims", "is_falling")
CHURN_REASONS_NEEDED = 2
# up to this many customers refreshed at once (a posting), each is scored
# against the stored fifths of its company's last full ranking; beyond, one
# pass of window functions ranks the whole company
RANK_ONE_BY_ONE = 20
# relations that make a household (the others, group companies and "other",
# do not share a purse)
HOUSEHOLD_RELATIONS = ("household", "spouse", "parent", "child", "sibling")
SCORE_COLUMNS = (
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_score",
    "rfm_segment",
    "value_rank",
    "customer_count",
)


class CrmCustomer360Value(models.Model):
    """The stored value of a customer in a company: per company and
    commercial partner, the figures of its posted customer invoices and
    credit notes (last invoice date, number of invoices, net spend, spend in
    the last 6 months and the 6 before), its RFM scores and segment and its
    value rank among the company's customers, its churn risk and reasons,
    and its household's value.

    Kept up to date when moves are posted, reset to draft or cancelled, when
    payments are reconciled, complaints opened or closed, relations changed,
    customers merged, on install and upgrade, and once a day by a cron (for
    changes made outside the ORM and the passing of time): the customer
    whose figures change is scored and ranked at once against the company's
    customers as the last full ranking left them; every customer of the
    company is scored and ranked again by the daily refresh. The 360
    screen, the Customers 360 list and the customer's fields read these
    rows.
    """

    _name = "crm.customer.360.value"
    _description = "Customer Value Figures"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    last_invoice_date = fields.Date()
    invoice_count = fields.Integer(required=True)
    amount = fields.Float(string="Net Spend", required=True)
    amount_last_6m = fields.Float(string="Spend (last 6 months)")
    amount_prev_6m = fields.Float(string="Spend (6 months before)")
    recency_score = fields.Integer(help="1 to 5: the most recent buyers score 5.")
    frequency_score = fields.Integer(help="1 to 5: those who buy most often score 5.")
    monetary_score = fields.Integer(help="1 to 5: those who spend most score 5.")
    rfm_score = fields.Char(string="RFM Score")
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment")
    value_rank = fields.Integer(
        help="Position of the customer's lifetime value among the company's "
        "customers as of the last daily ranking (1: the highest)."
    )
    customer_count = fields.Integer(string="Customers Ranked")
    is_overdue = fields.Boolean(string="Overdue Invoices")
    has_open_claims = fields.Boolean(string="Open Complaints")
    is_falling = fields.Boolean(
        string="Falling Spend",
        help="Spent less in the last 6 months than in the 6 months before.",
    )
    churn_risk = fields.Boolean(
        help="Two of: overdue invoices, open complaints, falling spend."
    )
    household_id = fields.Many2one(
        "res.partner",
        help="The household's first member: customers linked by household or "
        "family relations, directly or through other members.",
    )
    household_size = fields.Integer(string="Household Members")
    household_value = fields.Float(
        help="Net spend of the customer and every member of its household."
    )

    # a constraint, not a unique index: merging customers then drops the
    # merged customer's row where the kept one has a row already (base's
    # merge wizard looks for constraints), and the merge refreshes it
    _company_partner_uniq = models.Constraint(
        "UNIQUE(company_id, partner_id)",
        "A customer has one row of value figures per company.",
    )
    _company_segment_idx = models.Index("(company_id, rfm_segment)")
    # a customer ranked at posting takes the rank of the one spending as much
    # or just less: one step down this index
    _company_amount_idx = models.Index("(company_id, amount)")

    def init(self):
        self._refresh()

    @api.model
    def _cron_refresh(self):
        self._refresh()

    @api.model
    def _refresh(self, companies=None, partners=None, before=None):
        """Recompute the rows of ``partners`` (commercial partners) in
        ``companies`` (every one when not given) from the posted moves, the
        receivable ledger and the complaints, score and rank them, and value
        their households; rows whose figures did not change are not written.
        ``before``: the keys of their rows (``_score_keys``) read before
        they were changed other than by this refresh (a merge drops rows).
        """
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["crm.claim"].flush_model()
        self.env["crm.partner.relation"].flush_model()
        today = fields.Date.context_today(self)
        one_by_one = partners is not None and len(partners) <= RANK_ONE_BY_ONE
        with _without_jit(self.env.cr):
            if one_by_one and before is None:
                before = self._score_keys(companies, partners)
            self._refresh_figures(companies, partners, today)
            if one_by_one:
                ranked, unranked = self._ranked_companies(companies, partners)
                if unranked:
                    # never ranked in full (a new company): ranked in full now
                    self._refresh_scores(unranked, None)
                    self._store_quintiles(unranked, today)
                if ranked:
                    self._score_by_quintiles(ranked, partners, before)
            else:
                self._refresh_scores(companies, partners)
            if partners is None:
                self._store_quintiles(companies, today)
            self._refresh_households(companies, partners)
        self.invalidate_model()

    @api.model
    def _refresh_figures(self, companies, partners, today):
        where_m, where_v = self._scope(companies, partners)
        self.env.cr.execute(
            SQL(
                """
                WITH fresh AS (
                    SELECT m.company_id, m.commercial_partner_id AS partner_id,
                           MAX(m.invoice_date) AS last_invoice_date,
                           COUNT(*) FILTER (WHERE m.move_type = %(invoice)s)
                               AS invoice_count,
                           COALESCE(SUM(m.amount_untaxed_signed), 0) AS amount,
                           COALESCE(SUM(m.amount_untaxed_signed) FILTER (
                               WHERE m.invoice_date > %(half)s), 0) AS last6,
                           COALESCE(SUM(m.amount_untaxed_signed) FILTER (
                               WHERE m.invoice_date <= %(half)s
                                 AND m.invoice_date > %(year)s), 0) AS prev6
                      FROM account_move m
                     WHERE m.state = 'posted' AND m.move_type IN %(types)s
                       AND m.commercial_partner_id IS NOT NULL AND %(where_m)s
                  GROUP BY m.company_id, m.commercial_partner_id
                ), flagged AS MATERIALIZED (
                    -- each flag is read twice below: computed once
                    SELECT fresh.*,
                           EXISTS (%(overdue)s) AS is_overdue,
                           EXISTS (%(claims)s) AS has_open_claims,
                           fresh.prev6 > 0 AND fresh.last6 < fresh.prev6
                               AS is_falling
                      FROM fresh
                ), gone AS (
                    DELETE FROM crm_customer_360_value v
                     WHERE %(where_v)s
                       AND NOT EXISTS (
                           SELECT 1 FROM fresh
                            WHERE fresh.company_id = v.company_id
                              AND fresh.partner_id = v.partner_id)
                )
                INSERT INTO crm_customer_360_value
                       (company_id, partner_id, last_invoice_date, invoice_count,
                        amount, amount_last_6m, amount_prev_6m, is_overdue,
                        has_open_claims, is_falling, churn_risk)
                SELECT company_id, partner_id, last_invoice_date, invoice_count,
                       amount, last6, prev6, is_overdue, has_open_claims,
                       is_falling,
                       is_overdue::int + has_open_claims::int + is_falling::int
                           >= %(needed)s
                  FROM flagged
              ORDER BY company_id, partner_id
                ON CONFLICT (company_id, partner_id) DO UPDATE
                   SET last_invoice_date = EXCLUDED.last_invoice_date,
                       invoice_count = EXCLUDED.invoice_count,
                       amount = EXCLUDED.amount,
                       amount_last_6m = EXCLUDED.amount_last_6m,
                       amount_prev_6m = EXCLUDED.amount_prev_6m,
                       is_overdue = EXCLUDED.is_overdue,
                       has_open_claims = EXCLUDED.has_open_claims,
                       is_falling = EXCLUDED.is_falling,
                       churn_risk = EXCLUDED.churn_risk
                 WHERE (crm_customer_360_value.last_invoice_date,
                        crm_customer_360_value.invoice_count,
                        crm_customer_360_value.amount,
                        crm_customer_360_value.amount_last_6m,
                        crm_customer_360_value.amount_prev_6m,
                        crm_customer_360_value.is_overdue,
                        crm_customer_360_value.has_open_claims,
                        crm_customer_360_value.is_falling)
                       IS DISTINCT FROM (EXCLUDED.last_invoice_date,
                                         EXCLUDED.invoice_count, EXCLUDED.amount,
                                         EXCLUDED.amount_last_6m,
                                         EXCLUDED.amount_prev_6m,
                                         EXCLUDED.is_overdue,
                                         EXCLUDED.has_open_claims,
                                         EXCLUDED.is_falling)
                """,
                invoice=CUSTOMER_INVOICE,
                types=CUSTOMER_MOVE_TYPES,
                half=add_months(today, -6),
                year=add_months(today, -12),
                overdue=self._overdue_sql(today),
                claims=self._open_claims_sql(),
                needed=CHURN_REASONS_NEEDED,
                where_m=where_m,
                where_v=where_v,
            ),
            # two postings for one customer at the same time: the second
            # meets a serialization failure here, which Odoo handles by
            # retrying the request (the rows are written in one order, so
            # two refreshes do not deadlock); expected, so not logged
            log_exceptions=False,
        )

    @api.model
    def _overdue_sql(self, today):
        """Rows of ``fresh`` with an installment left to pay (open posted
        receivable debit item) due before ``today``: the items of the 360
        screen's overdue amount."""
        return SQL(
            """
            SELECT 1
              FROM res_partner rp
              JOIN account_move_line l ON l.partner_id = rp.id
              JOIN account_account a ON a.id = l.account_id
             WHERE rp.commercial_partner_id = fresh.partner_id
               AND l.company_id = fresh.company_id
               AND l.parent_state = 'posted' AND l.amount_residual > 0.0
               AND l.date_maturity < %s
               AND a.account_type = 'asset_receivable'
            """,
            today,
        )

    @api.model
    def _open_claims_sql(self):
        """Rows of ``fresh`` with an open complaint of the customer or its
        contacts, of the company or of none."""
        return SQL(
            """
            SELECT 1
              FROM res_partner rp
              JOIN crm_claim c ON c.partner_id = rp.id
             WHERE rp.commercial_partner_id = fresh.partner_id
               AND c.active AND c.is_closed IS NOT TRUE
               AND (c.company_id = fresh.company_id OR c.company_id IS NULL)
            """
        )

    # ------------------------------------------------------------------
    # Scores and rank
    # ------------------------------------------------------------------
    @api.model
    def _refresh_scores(self, companies, partners):
        """Score and rank the rows of ``partners`` (every row when not
        given) in one pass of window functions over the companies' rows.
        Each row's position is one more than the number of rows of its
        company that buy more recently, less often, or spend less (more, for
        the rank): equal customers share the first of their positions, as
        ``RANK()`` gives them."""
        positions = SQL(
            """
            SELECT id, n, pr, pf, pm, rank FROM (
                SELECT v.id, v.partner_id,
                       COUNT(*) OVER company AS n,
                       RANK() OVER (PARTITION BY v.company_id ORDER BY
                                    v.last_invoice_date DESC NULLS LAST) AS pr,
                       RANK() OVER (PARTITION BY v.company_id
                                    ORDER BY v.invoice_count) AS pf,
                       RANK() OVER (PARTITION BY v.company_id
                                    ORDER BY v.amount) AS pm,
                       RANK() OVER (PARTITION BY v.company_id
                                    ORDER BY v.amount DESC) AS rank
                  FROM crm_customer_360_value v
                 WHERE %s
                WINDOW company AS (PARTITION BY v.company_id)
            ) ranked
             WHERE %s
            """,
            self._rows_condition("v", companies, None),
            self._rows_condition("ranked", None, partners),
        )
        scored = SQL(
            "SELECT id, n, rank, 6 - %s AS r, %s AS f, %s AS m FROM (%s) positions",
            _quintile(SQL("pr"), SQL("n")),
            _quintile(SQL("pf"), SQL("n")),
            _quintile(SQL("pm"), SQL("n")),
            positions,
        )
        self.env.cr.execute(self._scores_update(scored))

    @api.model
    def _store_quintiles(self, companies, today):
        """Keep, per company ranked in full, where its fifths start
        (``crm.customer.360.quintile``): the keys at the positions around
        each fifth's first customer, sorted as the window functions sort
        them; enough positions on each side for the customers refreshed one
        by one (``RANK_ONE_BY_ONE``) to leave the ranking or come in."""
        where_v = self._rows_condition("v", companies, None)
        self.env.cr.execute(
            SQL("DELETE FROM crm_customer_360_quintile v WHERE %s", where_v)
        )
        self.env.cr.execute(
            SQL(
                """
                WITH counts AS (
                    SELECT v.company_id, COUNT(*) AS n
                      FROM crm_customer_360_value v
                     WHERE %(where_v)s
                  GROUP BY v.company_id
                ), starts AS (
                    SELECT c.company_id,
                           (fifth - 1) * (c.n / 5) + LEAST(fifth - 1, mod(c.n, 5))
                               AS position
                      FROM counts c
                     CROSS JOIN generate_series(2, 5) AS fifth
                ), keyed AS (
                    SELECT v.company_id, k.dimension, k.key,
                           ROW_NUMBER() OVER (PARTITION BY v.company_id, k.dimension
                                              ORDER BY k.key) AS i
                      FROM crm_customer_360_value v
                     CROSS JOIN LATERAL (%(keys)s) AS k(dimension, key)
                     WHERE %(where_v)s
                )
                INSERT INTO crm_customer_360_quintile
                       (company_id, dimension, position, key, customer_count,
                        ranked_on)
                SELECT k.company_id, k.dimension, k.i, k.key, c.n, %(today)s
                  FROM keyed k
                  JOIN counts c ON c.company_id = k.company_id
                 WHERE EXISTS (
                       SELECT 1 FROM starts s
                        WHERE s.company_id = k.company_id
                          AND k.i BETWEEN s.position - %(margin)s
                                      AND s.position + %(margin)s)
                """,
                where_v=where_v,
                keys=_keys_sql("v"),
                today=today,
                margin=RANK_ONE_BY_ONE + 1,
            )
        )

    @api.model
    def _ranked_companies(self, companies, partners):
        """The companies of the rows of ``partners`` in ``companies`` whose
        fifths are stored (ranked in full), and the others."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT v.company_id, EXISTS (
                           SELECT 1 FROM crm_customer_360_quintile q
                            WHERE q.company_id = v.company_id)
                  FROM crm_customer_360_value v
                 WHERE %s
                """,
                self._rows_condition("v", companies, partners),
            )
        )
        Company = self.env["res.company"]
        ranked, unranked = Company, Company
        for company_id, is_ranked in self.env.cr.fetchall():
            if is_ranked:
                ranked |= Company.browse(company_id)
            else:
                unranked |= Company.browse(company_id)
        return ranked, unranked

    @api.model
    def _score_keys(self, companies, partners):
        """The rows of ``partners`` as stored before a refresh: (row,
        company, dimension, key) for each of their keys, as arrays."""
        self.env.cr.execute(
            SQL(
                "SELECT v.id, v.company_id, k.dimension, k.key"
                " FROM crm_customer_360_value v"
                " CROSS JOIN LATERAL (%s) AS k(dimension, key) WHERE %s",
                _keys_sql("v"),
                self._rows_condition("v", companies, partners),
            )
        )
        return [list(column) for column in zip(*self.env.cr.fetchall(), strict=True)]

    @api.model
    def _score_by_quintiles(self, companies, partners, before):
        """Score and rank the rows of a few ``partners`` (a posting) against
        the company's customers as the last full ranking left them, with
        no cost growing with their number. The others are the customers of
        that ranking without the rows of ``partners`` as they were
        ``before`` the refresh and with their rows now (but the one
        scored). A row's position is one more than the number of others
        with a lower key; it reaches the start of a fifth when the ranking
        had that many keys lower than the row's, once shifted by the rows of
        ``partners`` below it before and now: a comparison with the stored
        key at that position (``crm.customer.360.quintile``). Its rank is
        that of the customer spending as much or just less in the ranking
        (one look-up in the index of the amounts), shifted the same way.
        When nothing else changed since the full ranking, the scores and
        rank are the ones it gives."""
        before = before or [[], [], [], []]
        scored = SQL(
            """
            WITH before(id, company_id, dimension, key) AS (
                SELECT * FROM unnest(%(ids)s::int[], %(companies)s::int[],
                                     %(dimensions)s::varchar[], %(keys)s::float8[])
            ), after AS (
                SELECT v.id, v.company_id, v.amount, k.dimension, k.key
                  FROM crm_customer_360_value v
                 CROSS JOIN LATERAL (%(keys_v)s) AS k(dimension, key)
                 WHERE %(where_v)s
            ), sizes AS (
                SELECT c.company_id,
                       GREATEST(COALESCE((
                           SELECT q.customer_count FROM crm_customer_360_quintile q
                            WHERE q.company_id = c.company_id LIMIT 1), 0)
                           - (SELECT COUNT(DISTINCT b.id) FROM before b
                               WHERE b.company_id = c.company_id), 0) AS kept,
                       (SELECT COUNT(DISTINCT a.id) FROM after a
                         WHERE a.company_id = c.company_id) AS now
                  FROM (SELECT DISTINCT company_id FROM after) c
            ), mine AS (
                SELECT a.*, s.kept, s.kept + s.now AS n,
                       (SELECT COUNT(*) FROM before b
                         WHERE b.company_id = a.company_id
                           AND b.dimension = a.dimension AND b.key < a.key)
                       - (SELECT COUNT(*) FROM after o
                           WHERE o.company_id = a.company_id AND o.id != a.id
                             AND o.dimension = a.dimension AND o.key < a.key)
                           AS shift
                  FROM after a
                  JOIN sizes s ON s.company_id = a.company_id
            ), hits AS (
                SELECT mine.id, mine.dimension,
                       start.position = 0 OR mine.key > q.key AS hit
                  FROM mine
                 CROSS JOIN generate_series(2, 5) AS fifth
                 CROSS JOIN LATERAL (
                    SELECT (fifth - 1) * (mine.n / 5)
                           + LEAST(fifth - 1, mod(mine.n, 5)) AS position
                 ) AS start
             LEFT JOIN LATERAL (
                    SELECT q.key FROM crm_customer_360_quintile q
                     WHERE q.company_id = mine.company_id
                       AND q.dimension = mine.dimension
                       AND q.position = start.position + mine.shift
                 ) AS q ON TRUE
            ), counted AS (
                SELECT id,
                       COUNT(*) FILTER (WHERE dimension = 'recency' AND hit) AS r,
                       COUNT(*) FILTER (WHERE dimension = 'frequency' AND hit) AS f,
                       COUNT(*) FILTER (WHERE dimension = 'monetary' AND hit) AS m
                  FROM hits GROUP BY id
            ), rows AS (
                SELECT id, company_id, amount, n, kept
                  FROM mine WHERE dimension = 'monetary'
            )
            SELECT rows.id, rows.n,
                   CASE WHEN below.amount IS NULL THEN 1 + rows.kept
                        ELSE below.value_rank - (
                            SELECT COUNT(*) FROM before b
                             WHERE b.company_id = rows.company_id
                               AND b.dimension = 'monetary'
                               AND b.key > below.amount)
                   END + (
                       SELECT COUNT(*) FROM after o
                        WHERE o.company_id = rows.company_id AND o.id != rows.id
                          AND o.dimension = 'monetary' AND o.key > rows.amount
                   ) AS rank,
                   5 - c.r AS r, 1 + c.f AS f, 1 + c.m AS m
              FROM rows
              JOIN counted c ON c.id = rows.id
         LEFT JOIN LATERAL (
                SELECT o.amount, o.value_rank FROM crm_customer_360_value o
                 WHERE o.company_id = rows.company_id AND o.amount <= rows.amount
                   AND o.partner_id != ALL(%(partners)s)
              ORDER BY o.amount DESC LIMIT 1
            ) AS below ON TRUE
            """,
            ids=before[0],
            companies=before[1],
            dimensions=before[2],
            keys=before[3],
            keys_v=_keys_sql("v"),
            where_v=self._rows_condition("v", companies, partners),
            partners=partners.ids,
        )
        self.env.cr.execute(self._scores_update(scored))

    @api.model
    def _scores_update(self, scored):
        """The UPDATE of the scores from ``scored`` (id, n, rank and the
        recency, frequency and monetary scores r, f, m: 5 for the most
        recent fifth, for the fifth that buys most often or spends most)."""
        segment = SQL(
            """
            CASE WHEN r >= 4 AND f >= 4 THEN 'champion'
                 WHEN f >= 4 THEN 'loyal'
                 WHEN r >= 4 THEN 'recent'
                 WHEN r <= 2 AND (f >= 3 OR m >= 3) THEN 'slipping'
                 WHEN r <= 2 THEN 'hibernating'
                 ELSE 'needs_attention' END
            """
        )
        return SQL(
            """
            WITH scored AS (%(scored)s), segmented AS (
                SELECT scored.*, r::text || f::text || m::text AS rfm,
                       %(segment)s AS segment
                  FROM scored
            )
            UPDATE crm_customer_360_value v
               SET recency_score = s.r, frequency_score = s.f,
                   monetary_score = s.m, rfm_score = s.rfm,
                   rfm_segment = s.segment, value_rank = s.rank,
                   customer_count = s.n
              FROM segmented s
             WHERE v.id = s.id
               AND (v.rfm_score, v.rfm_segment, v.value_rank, v.customer_count)
                   IS DISTINCT FROM (s.rfm, s.segment, s.rank::int, s.n::int)
            """,
            scored=scored,
            segment=segment,
        )

    # ------------------------------------------------------------------
    # Households
    # ------------------------------------------------------------------
    @api.model
    def _refresh_households(self, companies, partners):
        """Set on the rows in scope (and on those of every member of their
        households) the household: the customers linked by household or
        family relations, directly or through other members; its first
        member, its number of members, and the net spend of them all in the
        row's company."""
        where_v = self._rows_condition("v", companies, None)
        members = self._household_members_sql(partners)
        in_scope = SQL("TRUE")
        if partners is not None:
            in_scope = SQL(
                "v.partner_id IN (SELECT partner_id FROM members"
                " UNION ALL SELECT unnest(%s::int[]))",
                partners.ids,
            )
        self.env.cr.execute(
            SQL(
                """
                WITH members AS (%(members)s), scope AS (
                    SELECT v.id, v.company_id, v.amount, m.household_id, m.size
                      FROM crm_customer_360_value v
                 LEFT JOIN members m ON m.partner_id = v.partner_id
                     WHERE %(where_v)s AND %(in_scope)s
                ), valued AS (
                    SELECT id, household_id, COALESCE(size, 1) AS size,
                           CASE WHEN household_id IS NULL THEN amount
                                ELSE SUM(amount) OVER (
                                    PARTITION BY company_id, household_id)
                           END AS value
                      FROM scope
                )
                UPDATE crm_customer_360_value v
                   SET household_id = valued.household_id,
                       household_size = valued.size,
                       household_value = valued.value
                  FROM valued
                 WHERE v.id = valued.id
                   AND (v.household_id, v.household_size, v.household_value)
                       IS DISTINCT FROM (valued.household_id, valued.size,
                                         valued.value)
                """,
                members=members,
                where_v=where_v,
                in_scope=in_scope,
            )
        )

    @api.model
    def _household_members_sql(self, partners=None):
        """(partner_id, household_id, size) of every commercial partner in a
        household (of ``partners``' households only, when given): the
        connected customers of the household relations, the first of them
        naming the household."""
        start = (
            SQL("SELECT id FROM res_partner WHERE id = ANY(%s)", partners.ids)
            if partners is not None
            else SQL("SELECT a FROM links")
        )
        return SQL(
            """
            WITH RECURSIVE links AS (
                SELECT pa.commercial_partner_id AS a, pb.commercial_partner_id AS b
                  FROM crm_partner_relation r
                  JOIN res_partner pa ON pa.id = r.partner_id
                  JOIN res_partner pb ON pb.id = r.related_partner_id
                 WHERE r.relation_type IN %(kinds)s
                   AND pa.commercial_partner_id != pb.commercial_partner_id
                UNION
                SELECT pb.commercial_partner_id, pa.commercial_partner_id
                  FROM crm_partner_relation r
                  JOIN res_partner pa ON pa.id = r.partner_id
                  JOIN res_partner pb ON pb.id = r.related_partner_id
                 WHERE r.relation_type IN %(kinds)s
                   AND pa.commercial_partner_id != pb.commercial_partner_id
            ), reach(origin, member) AS (
                SELECT DISTINCT a, a FROM links WHERE a IN (%(start)s)
                UNION
                SELECT reach.origin, links.b
                  FROM reach JOIN links ON links.a = reach.member
            ), households AS (
                SELECT origin, MIN(member) AS household_id, COUNT(*) AS size
                  FROM reach GROUP BY origin
            )
            SELECT DISTINCT m.member AS partner_id, h.household_id, h.size
              FROM households h
              JOIN reach m ON m.origin = h.origin
            """,
            kinds=HOUSEHOLD_RELATIONS,
            start=start,
        )

    @api.model
    def _rows_condition(self, alias, companies, partners):
        """The condition on the stored rows (``alias``) of ``companies`` and
        ``partners`` (None: every one)."""
        conditions = [
            SQL("%s = ANY(%s)", SQL.identifier(alias, column), records.ids)
            for column, records in (("company_id", companies), ("partner_id", partners))
            if records is not None
        ]
        return SQL(" AND ").join(conditions or [SQL("TRUE")])

    @api.model
    def _scope(self, companies, partners):
        """The conditions on the moves (alias ``m``) and on the stored rows
        (alias ``v``) that limit a refresh to ``companies`` and ``partners``
        (None: every one)."""
        conditions = {"m": [], "v": []}
        for alias, partner_col in (("m", "commercial_partner_id"), ("v", "partner_id")):
            for column, records in (
                ("company_id", companies),
                (partner_col, partners),
            ):
                if records is not None:
                    conditions[alias].append(
                        SQL("%s = ANY(%s)", SQL.identifier(alias, column), records.ids)
                    )
        return tuple(
            SQL(" AND ").join(conditions[alias] or [SQL("TRUE")])
            for alias in ("m", "v")
        )


@contextmanager
def _without_jit(cr):
    """PostgreSQL's JIT compilation, on by default, costs more than it saves
    on these statements (about 1 s each at 10,000 customers, three times the
    work itself): off while they run, in this transaction only (an error
    rolls the transaction back, the setting with it)."""
    cr.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
    previous = cr.fetchone()[0]
    yield
    cr.execute("SELECT set_config('jit', %s, true)", [previous])


def _keys_sql(alias):
    """(dimension, key) of the row ``alias`` for each score, the keys sorted
    ascending as the customers are ranked: the latest last invoice, the
    fewest invoices, the lowest spend first."""
    return SQL(
        """
        VALUES ('recency', -(%s - DATE '1970-01-01')::float8),
               ('frequency', %s::float8),
               ('monetary', %s::float8)
        """,
        SQL.identifier(alias, "last_invoice_date"),
        SQL.identifier(alias, "invoice_count"),
        SQL.identifier(alias, "amount"),
    )


def _quintile(position, count):
    """SQL of ``NTILE(5)`` of the row at ``position`` (1-based) among
    ``count`` rows: the first ``count % 5`` groups hold one row more."""
    return SQL(
        """
        (CASE WHEN %(p)s <= mod(%(n)s, 5) * (%(n)s / 5 + 1)
              THEN (%(p)s - 1) / (%(n)s / 5 + 1) + 1
              ELSE mod(%(n)s, 5)
                   + (%(p)s - 1 - mod(%(n)s, 5) * (%(n)s / 5 + 1)) / (%(n)s / 5) + 1
         END)
        """,
        p=position,
        n=count,
    )
