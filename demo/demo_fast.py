"""Fast, set-based writer of a large customer base (benchmarks, load tests).

The ORM writes about a hundred invoices a second: a million would take
hours. This module writes customers, posted invoices and credit notes with
their journal items, claims and logged notes with a handful of set-based
SQL statements, and keeps every row valid for the ORM:

* one record of each kind (company customer, contact, private person, a
  posted invoice and a posted credit note per company, a claim, a note) is
  first written through the ORM, so every stored field, default and
  computed column gets the value Odoo would give it;
* each row is then cloned from its template by ``INSERT ... SELECT
  generate_series``, overriding only what differs (ids, names, partner,
  dates, amounts, sequence numbers); every other column, those added by
  any installed add-on included, keeps the template's value;
* invoice numbers follow the journal's sequence (``INV/2025/000123``,
  ``RINV/…`` for credit notes) per year in date order, so that the ORM
  posts the next invoice with the next number;
* the template moves are deleted at the end.

Invoices have one product line without tax and one receivable line, are
balanced, and are unpaid (``payment_state`` ``not_paid``). The data is
deterministic for a given seed (PostgreSQL ``setseed``, no parallel plans).

Used by ``demo_story.py --fast`` and by the benchmarks (``bench/``); the
cloning is :func:`demo_clone.clone`, the check of the rows
:func:`demo_check.check`.
"""

import logging
import time
from datetime import date, timedelta

from odoo.fields import Command
from odoo.tools import SQL

from demo_clone import clone
from demo_names import (
    COMPANY_KINDS,
    COMPANY_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    REF_PREFIX,
)

_logger = logging.getLogger("demo_fast")

# the customer with a long history (360 screen at scale) and a small one
BIG_INVOICES, BIG_CLAIMS, BIG_MESSAGES = 10_000, 1_000, 5_000
SMALL_INVOICES, SMALL_CLAIMS, SMALL_MESSAGES = 10, 1, 5
REFUND_SHARE = 0.05
CLAIM_SHARE = 0.02
# the journal's sequence pads numbers to six digits and writes longer ones
# whole (lpad alone would cut 1,000,000 to "100000", a duplicate name)
MOVE_NAME = SQL(
    "s.prefix || CASE WHEN s.number < 1000000 "
    "THEN lpad(s.number::text, 6, '0') ELSE s.number::text END"
)


class FastLoader:
    """Write ``customers`` customers and ``invoices`` customer invoices and
    credit notes over ``years`` years into ``companies`` (the first gets
    eight customers in nine)."""

    def __init__(
        self,
        env,
        companies,
        customers,
        invoices,
        years=3,
        seed=42,
        big=(BIG_INVOICES, BIG_CLAIMS, BIG_MESSAGES),
        small=(SMALL_INVOICES, SMALL_CLAIMS, SMALL_MESSAGES),
    ):
        self.env = env
        self.big, self.small = big, small
        self.cr = env.cr
        self.companies = companies
        self.customers = customers
        self.invoices = invoices
        self.days = 365 * years
        self.seed = seed
        self.today = date.today()
        self.timings = {}

    def _step(self, name, func, *args):
        start = time.perf_counter()
        result = func(*args)
        self.timings[name] = time.perf_counter() - start
        _logger.info("fast load: %s in %.1f s", name, self.timings[name])
        return result

    def load(self):
        cr = self.cr
        cr.execute(SQL("SET LOCAL max_parallel_workers_per_gather = 0"))
        cr.execute(SQL("SELECT setseed(%s)", (self.seed % 1000) / 1000.0))
        templates = self._step("templates (ORM)", self._templates)
        self.env.flush_all()
        # the rows reference only existing records (ids of the templates and
        # of the rows written here): skip the per-row foreign key triggers,
        # which cost more than the inserts themselves (needs a superuser)
        cr.execute(SQL("SET LOCAL session_replication_role = replica"))
        self._step("customers", self._partners, templates)
        self._step("invoice plan", self._plan)
        self._step("invoices", self._moves, templates)
        self._step("journal items", self._lines, templates)
        self._step("claims", self._claims, templates)
        self._step("messages", self._messages, templates)
        cr.execute(SQL("SET LOCAL session_replication_role = DEFAULT"))
        self._step("clean-up", self._drop_templates, templates)
        self._step("derived figures", self._derived_figures)
        self.env.invalidate_all()
        return self.counts()

    def counts(self):
        cr = self.cr
        cr.execute(
            SQL(
                "SELECT count(*) FILTER (WHERE move_type = 'out_invoice'), "
                "count(*) FILTER (WHERE move_type = 'out_refund') FROM account_move "
                "WHERE commercial_partner_id IN "
                "(SELECT id FROM res_partner WHERE ref LIKE %s)",
                REF_PREFIX + "%",
            )
        )
        invoices, refunds = cr.fetchone()
        cr.execute(
            SQL(
                "SELECT count(*) FROM res_partner WHERE ref LIKE %s",
                REF_PREFIX + "%",
            )
        )
        return {
            "customers": cr.fetchone()[0],
            "invoices": invoices,
            "credit notes": refunds,
        }

    # ------------------------------------------------------------ templates
    def _templates(self):
        env = self.env
        Partner = env["res.partner"]
        product = env["product.product"].create(
            {"name": "Service (benchmark)", "type": "service", "taxes_id": False}
        )
        company_tpl = Partner.create(
            {"name": "Template Co", "is_company": True, "email": "tpl@example.com"}
        )
        contact_tpl = Partner.create(
            {"name": "Template Contact", "parent_id": company_tpl.id, "type": "contact"}
        )
        person_tpl = Partner.create({"name": "Template Person"})
        moves = self._template_moves(company_tpl, product)
        claim = env["crm.claim"].create(
            {"name": "Template claim", "partner_id": company_tpl.id}
        )
        note = company_tpl.message_post(
            body="Call: follow-up",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return {
            "partners": (company_tpl, contact_tpl, person_tpl),
            "moves": moves,
            "claim": claim,
            "message": note,
        }

    def _template_moves(self, partner, product):
        """A posted invoice and credit note of ``partner`` in each company,
        on the first day of the period: {(company id, move type): move}."""
        env = self.env
        day = self.today - timedelta(days=self.days)
        moves = {}
        for company in self.companies:
            for move_type in ("out_invoice", "out_refund"):
                move = (
                    env["account.move"]
                    .with_company(company)
                    .create(
                        {
                            "move_type": move_type,
                            "partner_id": partner.id,
                            "invoice_date": day,
                            "date": day,
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "product_id": product.id,
                                        "quantity": 1,
                                        "price_unit": 100.0,
                                        "tax_ids": False,
                                    }
                                )
                            ],
                        }
                    )
                )
                move.action_post()
                moves[company.id, move_type] = move
        return moves

    # ------------------------------------------------------------- partners
    def _partners(self, templates):
        """Customers 1..N: 55% companies (each with one contact), the rest
        private persons; customer i belongs to the second company when
        i % 9 == 0 (recorded in ``bench_customer``)."""
        company_tpl, contact_tpl, person_tpl = templates["partners"]
        cr = self.cr
        self._customer_table()
        common = {
            "id": SQL("s.id"),
            "name": SQL("s.name"),
            "complete_name": SQL("s.name"),
            "commercial_partner_id": SQL("s.id"),
            "commercial_company_name": SQL("CASE WHEN s.is_company THEN s.name END"),
            "ref": SQL("%s || s.i", REF_PREFIX),
            "email": SQL("'customer' || s.i || '@example.com'"),
            "email_normalized": SQL("'customer' || s.i || '@example.com'"),
            "create_date": SQL("now() at time zone 'UTC'"),
            "write_date": SQL("now() at time zone 'UTC'"),
        }
        for is_company, template in ((True, company_tpl), (False, person_tpl)):
            clone(
                cr,
                "res_partner",
                template.id,
                SQL("SELECT * FROM bench_customer WHERE is_company = %s", is_company),
                common,
            )
        clone(
            cr,
            "res_partner",
            contact_tpl.id,
            SQL("SELECT * FROM bench_customer WHERE is_company"),
            {
                **common,
                "id": SQL("nextval('res_partner_id_seq')"),
                "name": SQL("'Contact ' || s.i"),
                "complete_name": SQL("s.name || ', Contact ' || s.i"),
                "parent_id": SQL("s.id"),
                "commercial_company_name": SQL("s.name"),
                "ref": SQL("NULL"),
                "email": SQL("'contact' || s.i || '@example.com'"),
                "email_normalized": SQL("'contact' || s.i || '@example.com'"),
            },
        )

    def _customer_table(self):
        """bench_customer: customer i, its partner id, kind, company, name."""
        cr = self.cr
        n = self.customers
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
                SELECT i, nextval('res_partner_id_seq')::int AS id,
                       (i %% 20) < 11 AS is_company,
                       CASE WHEN i %% 9 = 0 THEN %(second)s ELSE %(first)s END
                           AS company_id,
                       CASE WHEN (i %% 20) < 11
                            THEN (%(words)s)[1 + i %% 16] || ' '
                                 || (%(kinds)s)[1 + i %% 6]
                                 || ' ' || i
                            ELSE (%(first_names)s)[1 + i %% 18] || ' '
                                 || (%(last_names)s)[1 + (i / 18) %% 16] || ' ' || i
                       END AS name
                  FROM generate_series(1, %(n)s) i
                """,
                n=n,
                first=self.companies[0].id,
                second=self.companies[-1].id,
                words=COMPANY_WORDS,
                kinds=COMPANY_KINDS,
                first_names=FIRST_NAMES,
                last_names=LAST_NAMES,
            )
        )
        cr.execute(SQL("CREATE UNIQUE INDEX ON bench_customer (i)"))

    # ------------------------------------------------------------- invoices
    def _plan(self):
        """bench_move: one row per invoice or credit note to write, with its
        customer, company, date, amount, and number in its sequence."""
        cr = self.cr
        if self.invoices < self.big[0] + self.small[0] or self.customers < 3:
            raise ValueError(
                f"at least {self.big[0] + self.small[0]} invoices and 3 "
                "customers are needed"
            )
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE bench_move ON COMMIT DROP AS
                WITH raw AS (
                    SELECT k,
                           CASE WHEN k <= %(big)s THEN 1
                                WHEN k <= %(big)s + %(small)s THEN 2
                                ELSE 3 + floor((%(n)s - 2) * power(random(), 1.6))::int
                           END AS i,
                           CASE WHEN k <= %(big)s + %(small)s THEN FALSE
                                ELSE random() < %(refund)s END AS refund,
                           %(today)s::date - floor(random() * %(days)s)::int AS day,
                           round((40 + 2500 * random() * random())::numeric, 2)
                               AS amount
                      FROM generate_series(1, %(total)s) k
                )
                SELECT nextval('account_move_id_seq')::int AS id, raw.*,
                       c.id AS partner_id, c.name AS partner_name, c.company_id,
                       CASE WHEN refund THEN 'out_refund' ELSE 'out_invoice' END
                           AS move_type,
                       CASE WHEN refund THEN 'RINV/' ELSE 'INV/' END
                           || extract(year FROM day) || '/' AS prefix
                  FROM raw JOIN bench_customer c ON c.i = LEAST(raw.i, %(n)s)
                """,
                big=self.big[0],
                small=self.small[0],
                n=self.customers,
                refund=REFUND_SHARE,
                today=self.today,
                days=self.days,
                total=self.invoices,
            )
        )
        self._number_moves()

    def _number_moves(self):
        """The number of each row of bench_move in its sequence: per company
        and prefix (type and year), in date order."""
        cr = self.cr
        cr.execute(
            SQL(
                """
                CREATE TEMP TABLE bench_move_seq ON COMMIT DROP AS
                SELECT id, row_number() OVER (
                           PARTITION BY company_id, prefix ORDER BY day, id
                       )::int AS number
                  FROM bench_move
                """
            )
        )
        cr.execute(
            SQL(
                "ALTER TABLE bench_move ADD COLUMN number int; "
                "UPDATE bench_move m SET number = q.number "
                "FROM bench_move_seq q WHERE q.id = m.id; "
                "CREATE UNIQUE INDEX ON bench_move (id); ANALYZE bench_move"
            )
        )

    def _moves(self, templates):
        cr = self.cr
        signed = SQL("CASE WHEN s.refund THEN -s.amount ELSE s.amount END")
        for (company_id, move_type), move in templates["moves"].items():
            name = MOVE_NAME
            clone(
                cr,
                "account_move",
                move.id,
                SQL(
                    "SELECT * FROM bench_move WHERE company_id = %s AND move_type = %s",
                    company_id,
                    move_type,
                ),
                {
                    "id": SQL("s.id"),
                    "name": name,
                    "sequence_prefix": SQL("s.prefix"),
                    "sequence_number": SQL("s.number"),
                    "payment_reference": name,
                    "date": SQL("s.day"),
                    "invoice_date": SQL("s.day"),
                    "invoice_date_due": SQL("s.day"),
                    "partner_id": SQL("s.partner_id"),
                    "commercial_partner_id": SQL("s.partner_id"),
                    "partner_shipping_id": SQL("s.partner_id"),
                    "invoice_partner_display_name": SQL("s.partner_name"),
                    "amount_untaxed": SQL("s.amount"),
                    "amount_total": SQL("s.amount"),
                    "amount_residual": SQL("s.amount"),
                    "amount_untaxed_signed": signed,
                    "amount_total_signed": signed,
                    "amount_residual_signed": signed,
                    "amount_untaxed_in_currency_signed": signed,
                    "amount_total_in_currency_signed": signed,
                    "create_date": SQL("s.day::timestamp"),
                    "write_date": SQL("s.day::timestamp"),
                },
            )

    def _lines(self, templates):
        cr = self.cr
        for (company_id, move_type), move in templates["moves"].items():
            source = SQL(
                "SELECT *, (CASE WHEN refund THEN -1 ELSE 1 END) * amount AS signed "
                "FROM bench_move WHERE company_id = %s AND move_type = %s",
                company_id,
                move_type,
            )
            for line in move.line_ids:
                # the receivable line carries the signed amount, the product
                # line its opposite
                sign = 1 if line.display_type == "payment_term" else -1
                balance = SQL("%s * s.signed", sign)
                receivable = line.display_type == "payment_term"
                clone(
                    cr,
                    "account_move_line",
                    line.id,
                    source,
                    {
                        "move_id": SQL("s.id"),
                        "move_name": MOVE_NAME,
                        "date": SQL("s.day"),
                        "invoice_date": SQL("s.day"),
                        "date_maturity": SQL("s.day") if receivable else SQL("NULL"),
                        "partner_id": SQL("s.partner_id"),
                        "balance": balance,
                        "amount_currency": balance,
                        "debit": SQL("GREATEST(%s, 0)", balance),
                        "credit": SQL("GREATEST(-%s, 0)", balance),
                        "amount_residual": balance if receivable else SQL("0"),
                        "amount_residual_currency": balance if receivable else SQL("0"),
                        "price_unit": SQL("s.amount"),
                        "price_subtotal": SQL("s.amount")
                        if not receivable
                        else SQL("t.price_subtotal"),
                        "price_total": SQL("s.amount")
                        if not receivable
                        else SQL("t.price_total"),
                        "create_date": SQL("s.day::timestamp"),
                        "write_date": SQL("s.day::timestamp"),
                    },
                )

    # ------------------------------------------------------ claims, messages
    def _claims(self, templates):
        """Claims on 2% of the invoices, plus many on the first customer."""
        source = SQL(
            """
            SELECT partner_id, company_id, day, id AS move_id FROM bench_move
             WHERE i > 2 AND NOT refund AND random() < %(share)s
            UNION ALL
            SELECT partner_id, company_id, day, id FROM bench_move
             WHERE i = 1 AND k <= %(big)s
            UNION ALL
            SELECT partner_id, company_id, day, id FROM bench_move
             WHERE i = 2 AND k <= %(big_all)s + %(small)s
            """,
            share=CLAIM_SHARE,
            big=self.big[1],
            big_all=self.big[0],
            small=self.small[1],
        )
        clone(
            self.cr,
            "crm_claim",
            templates["claim"].id,
            source,
            {
                "partner_id": SQL("s.partner_id"),
                "company_id": SQL("s.company_id"),
                "date": SQL("(s.day + 3)::timestamp"),
                "date_deadline": SQL("s.day + 17"),
                "model_ref_id": SQL("'account.move,' || s.move_id"),
                "create_date": SQL("(s.day + 3)::timestamp"),
                "write_date": SQL("(s.day + 3)::timestamp"),
            },
        )

    def _messages(self, templates):
        """One logged note per customer, plus many on the first two."""
        at_eleven = SQL("s.day + time '11:00'")
        overrides = {
            "res_id": SQL("s.partner_id"),
            "date": at_eleven,
            "message_id": SQL("'<bench.' || gen_random_uuid() || '@example.com>'"),
            "create_date": at_eleven,
            "write_date": at_eleven,
        }
        source = SQL(
            """
            SELECT c.id AS partner_id, c.name AS partner_name,
                   %(today)s::date - floor(random() * %(days)s)::int AS day
              FROM bench_customer c
             UNION ALL
            SELECT c.id, c.name,
                   %(today)s::date - floor(random() * %(days)s)::int
              FROM bench_customer c
              JOIN generate_series(2, %(big)s) g
                ON g <= CASE c.i WHEN 1 THEN %(big)s ELSE %(small)s END
             WHERE c.i <= 2
            """,
            today=self.today,
            days=self.days,
            big=self.big[2],
            small=self.small[2],
        )
        clone(self.cr, "mail_message", templates["message"].id, source, overrides)

    def _derived_figures(self):
        """What the add-ons keep up to date when moves are posted through the
        ORM, for the moves written here by SQL."""
        if "crm.customer.360.value" in self.env:
            self.env["crm.customer.360.value"]._refresh()
        if "crm.kpi.customer.month" in self.env:
            self.env["crm.kpi.customer.month"]._rebuild()

    def _drop_templates(self, templates):
        cr = self.cr
        move_ids = [move.id for move in templates["moves"].values()]
        cr.execute(
            SQL(
                "DELETE FROM mail_message WHERE model = 'account.move' "
                "AND res_id = ANY(%(ids)s); "
                "DELETE FROM mail_followers WHERE res_model = 'account.move' "
                "AND res_id = ANY(%(ids)s); "
                "DELETE FROM account_move WHERE id = ANY(%(ids)s); "
                "DELETE FROM crm_claim WHERE id = %(claim)s; "
                "DELETE FROM mail_message WHERE id = %(message)s",
                ids=move_ids,
                claim=templates["claim"].id,
                message=templates["message"].id,
            )
        )
        for table in (
            "res_partner",
            "account_move",
            "account_move_line",
            "crm_claim",
            "mail_message",
        ):
            cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
