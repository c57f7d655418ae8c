"""The loyalty engine: qualifying spend, tier rules, and their bulk writes.

Everything is set-based: one aggregate query over the company's posted
customer invoices of the loyalty window for all the customers concerned, one
query for their current state, the rules in plain Python (rules.py), then
one statement per kind of change. The state is kept in crm_loyalty_state
(one narrow row per customer and company); only the customers whose values
changed are written, under the locking protocol of locking.py. Every
customer of a company is recomputed in batches of ``RECOMPUTE_BATCH``, so
that the memory held does not grow with the number of customers.
"""

import logging
import random
import socket
import time
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.service.model import (
    MAX_TRIES_ON_CONCURRENCY_FAILURE,
    PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
)
from odoo.tools import SQL, split_every

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_MOVE_TYPES

from .. import locking
from ..rules import Ladder, State, window_start
from .res_partner import ENGINE_FIELDS, NEXT_FIELDS

_logger = logging.getLogger(__name__)

AT_RISK_NOTICE_DAYS = 30
# customers per transaction of the cron
CRON_BATCH = 2000
# customers read, decided and written at a time when every customer of a
# company is recomputed in one transaction (about 1.5 kB of Python memory
# each while their batch is processed)
RECOMPUTE_BATCH = 50_000
# the nightly run reads every customer at least this often
FULL_RUN_DAYS = 7
# how long before a run a write still counts as after it: a transaction
# stamps its rows with the time it began, and may commit during the run
WRITE_MARGIN = timedelta(hours=1)


def _int_array(ids):
    """An int4[] of ``ids`` as one literal: quicker to send and parse than
    an ARRAY of a parameter per id."""
    return SQL("%s::int4[]", "{" + ",".join(map(str, ids)) + "}")


class CrmLoyaltyEngine(models.AbstractModel):
    _name = "crm.loyalty.engine"
    _description = "Loyalty Tier Engine"

    @api.model
    def recompute_company(self, company, partners=None, writer=locking.RECOMPUTE):
        """Bring the tiers of ``company``'s customers up to date.

        :param partners: commercial partners to consider (default: every
            customer with an invoice or a tier in the company)
        :param writer: the kind of transaction that writes the tiers
            (locking.py: POSTING, CUSTOMER_EDIT, RECOMPUTE, THRESHOLD_REVIEW):
            what it locks, and its rules
        :return: number of customers whose tier changed
        """
        company = company.with_company(company)
        if partners is None:
            # every customer: in batches, so that the memory held (spend,
            # states, changes, history rows and notes of each customer) is
            # bounded whatever the number of customers
            ids = self._customer_ids(company)
            changed = 0
            for index, batch in enumerate(split_every(RECOMPUTE_BATCH, ids, list)):
                if index:  # the records the previous batch read
                    self.env.invalidate_all(flush=True)
                changed += self._recompute_customers(company, batch, writer)
            return changed
        ids = list(set(partners.ids))
        if not ids:
            return 0
        return self._recompute_customers(company, ids, writer)

    @api.model
    def _recompute_customers(self, company, ids, writer):
        """``recompute_company`` for the customers ``ids`` (a list)."""
        today = fields.Date.context_today(self)
        tiers = (
            self.env["crm.loyalty.tier"]
            .with_company(company)
            .search([("company_id", "=", company.id)], order="min_amount")
        )
        locking.lock_before_flush(self.env, writer, company, ids)
        self.env.flush_all()
        if writer.bulk:  # no JIT compilation (see locking.Writer)
            self.env.cr.execute(SQL("SET LOCAL jit = off"))
        spend = self._read_spend(company, today, ids)
        states = self._read_states(company, ids)
        changes = self._apply_rules(company, tiers, today, spend, states, writer.rules)
        self._write_states(company, changes, states, writer)
        self._log_changes(company, tiers, today, changes, states, spend)
        self._schedule_at_risk_activities(company, today, changes, states)
        return sum(1 for change in changes.values() if change["reason"])

    @api.model
    def _cron_recompute(self):
        """Every company, in batches of customers, each committed on its own.

        One transaction for all customers would hold every customer row
        until it commits and fail as soon as an invoice of one of them is
        posted meanwhile. A batch holds its rows briefly and is retried when
        it meets a concurrent posting; a run killed half-way keeps the
        batches done, and the next run finds nothing left to change in them.

        A run reads the customers whose tier may have changed since the
        company's previous run (:meth:`_changed_customer_ids`), so that its
        cost follows the day's changes, not the history; it reads every
        customer (:meth:`_customer_ids`) when :meth:`_needs_full_run` says so.
        """
        Partner = self.env["res.partner"]
        work = []
        for company in self.env["crm.loyalty.tier"].search([]).company_id:
            # what is written from now on is read by the next run
            started = fields.Datetime.now()
            full = self._needs_full_run(company, started)
            ids = (
                self._customer_ids(company)
                if full
                else self._changed_customer_ids(company)
            )
            batches = list(split_every(CRON_BATCH, ids)) or [[]]
            work += [(company, batch, None) for batch in batches[:-1]]
            work.append((company, batches[-1], (started, full)))
        for index, (company, batch, stamp) in enumerate(work):
            if batch:
                changed = self._recompute_retrying(company, Partner.browse(batch))
                _logger.info(
                    "loyalty: %s tier changes in %s (%s customers)",
                    changed,
                    company.name,
                    len(batch),
                )
            if stamp:
                self._stamp_run(company, *stamp)
            self.env["ir.cron"]._commit_progress(1, remaining=len(work) - index - 1)

    def _needs_full_run(self, company, now):
        """Whether the nightly run of ``company`` must read every customer:
        the first run, a week after the last full one (a safety net for
        changes made outside the ORM, which leave no write date), after an
        edit of the company (its loyalty settings) or of its tiers, and for
        the anniversary window (each customer's window moves on its own
        day)."""
        last, last_full = company.loyalty_last_run, company.loyalty_last_full_run
        if not last or not last_full or company.loyalty_window_type == "anniversary":
            return True
        if (
            now - last_full >= timedelta(days=FULL_RUN_DAYS)
            or company.write_date > last
        ):
            return True
        return bool(
            self.env["crm.loyalty.tier"]
            .with_context(active_test=False)
            .search_count(
                [("company_id", "=", company.id), ("write_date", ">", last)], limit=1
            )
        )

    def _changed_customer_ids(self, company):
        """Commercial partners of ``company`` whose tier may have changed
        since its last run: those with a customer invoice or credit note
        written since (posted, reset to draft, cancelled, paid), those with
        a posted one that left the loyalty window or whose date came since,
        those past their review date, and those whose tier override ended."""
        last = company.loyalty_last_run
        today = fields.Date.context_today(self)
        last_day = fields.Date.context_today(self, timestamp=last)
        window = (company.loyalty_window_type, company.loyalty_window_months)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT commercial_partner_id FROM account_move
                 WHERE company_id = %(company)s AND move_type IN %(types)s
                   AND write_date >= %(since)s
                 UNION
                SELECT commercial_partner_id FROM account_move
                 WHERE company_id = %(company)s AND state = 'posted'
                   AND move_type IN %(types)s
                   AND (invoice_date >= %(old_start)s AND invoice_date < %(start)s
                        OR invoice_date > %(last_day)s AND invoice_date <= %(today)s)
                 UNION
                SELECT partner_id FROM crm_loyalty_state
                 WHERE company_id = %(company)s AND review_date < %(today)s
                 UNION
                SELECT id FROM res_partner
                 WHERE loyalty_override_until IS NOT NULL
                   AND id = commercial_partner_id
                   AND (loyalty_override_until->>%(key)s)::date >= %(last_day)s
                   AND (loyalty_override_until->>%(key)s)::date < %(today)s
                 ORDER BY 1
                """,
                company=company.id,
                key=str(company.id),
                types=CUSTOMER_MOVE_TYPES,
                since=last - WRITE_MARGIN,
                old_start=window_start(*window, last_day),
                start=window_start(*window, today),
                last_day=last_day,
                today=today,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _stamp_run(self, company, started, full):
        """Record a run of ``company`` that began at ``started`` (in SQL:
        the company's write date, which :meth:`_needs_full_run` reads, must
        only change when a user edits the company)."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_company
                   SET loyalty_last_run = %(started)s,
                       loyalty_last_full_run = CASE WHEN %(full)s THEN %(started)s
                                               ELSE loyalty_last_full_run END
                 WHERE id = %(company)s
                """,
                started=started,
                full=full,
                company=company.id,
            )
        )
        company.invalidate_recordset(["loyalty_last_run", "loyalty_last_full_run"])

    def _customer_ids(self, company):
        """Commercial partners with a posted invoice, a loyalty state or an
        override in ``company`` (of the invoices, only those of the loyalty
        window count when a spend of 0 gives no tier)."""
        start = None
        if not self._has_entry_tier(company):
            start = window_start(
                company.loyalty_window_type,
                company.loyalty_window_months,
                fields.Date.context_today(self),
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT commercial_partner_id FROM account_move
                 WHERE company_id = %(company)s AND state = 'posted'
                   AND move_type IN %(types)s %(window)s
                 UNION
                %(followed)s
                 ORDER BY 1
                """,
                company=company.id,
                types=CUSTOMER_MOVE_TYPES,
                window=SQL("AND invoice_date >= %s", start) if start else SQL(),
                followed=self._sql_followed_customers(company),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _sql_followed_customers(self, company):
        """SQL of the customers ``company`` already follows: those with a
        loyalty state or an override in it."""
        return SQL(
            """
            SELECT partner_id FROM crm_loyalty_state WHERE company_id = %s
             UNION
            SELECT id FROM res_partner
             WHERE id = commercial_partner_id
               AND loyalty_override_tier_id->>%s IS NOT NULL
            """,
            company.id,
            str(company.id),
        )

    def _has_entry_tier(self, company):
        """Whether a spend of 0 gives a tier in ``company``: then every
        customer with a posted invoice, however old, holds a tier."""
        return bool(
            self.env["crm.loyalty.tier"]
            .with_company(company)
            .search_count(
                [("company_id", "=", company.id), ("min_amount", "<=", 0)], limit=1
            )
        )

    def _recompute_retrying(self, company, partners=None):
        """``recompute_company``, tried again when a concurrent transaction
        changed the same customers (an invoice posted meanwhile).

        Odoo retries RPC calls on such failures (odoo.service.model.retrying),
        not scheduled actions: without this, the company would keep its stale
        tiers until the next run. The transaction holds this batch's work
        only (the previous one was committed), so it is rolled back whole and
        redone on a new snapshot.
        """
        for attempt in range(1, MAX_TRIES_ON_CONCURRENCY_FAILURE + 1):
            try:
                changed = self.recompute_company(company, partners)
                self.env.flush_all()
                return changed
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                if attempt == MAX_TRIES_ON_CONCURRENCY_FAILURE:
                    raise
                self.env.cr.rollback()
                self.env.cr.reset()
                wait = random.uniform(0.0, 2**attempt)
                _logger.info(
                    "loyalty: %s in %s, recomputing again in %.2f s",
                    errorcodes.lookup(error.pgcode),
                    company.name,
                    wait,
                )
                time.sleep(wait)

    # ------------------------------------------------------------------ reads
    def _read_spend(self, company, today, ids):
        """{commercial partner id: qualifying spend} for the customers
        ``ids`` with a posted invoice or credit note in the company's loyalty
        window. A customer left out has spent nothing.

        A calendar-year or rolling window reads the invoices of the window
        only; the anniversary window needs each customer's first invoice,
        hence all of them."""
        start = window_start(
            company.loyalty_window_type, company.loyalty_window_months, today
        )
        moves = self._sql_customer_moves(company, today, ids)
        if start is None:
            query = self._sql_spend_since_anniversary(moves, today)
        else:
            query = self._sql_spend_since(moves, start)
        self.env.cr.execute(query)
        return {
            partner_id: float(amount) for partner_id, amount in self.env.cr.fetchall()
        }

    def _sql_customer_moves(self, company, today, ids):
        """SQL condition of the posted invoices and credit notes of
        ``company`` up to ``today`` of the customers ``ids``."""
        return SQL(
            """company_id = %s AND state = 'posted' AND move_type IN %s
               AND invoice_date <= %s AND commercial_partner_id = ANY(%s)""",
            company.id,
            CUSTOMER_MOVE_TYPES,
            today,
            _int_array(ids),
        )

    def _sql_spend_since(self, moves, start):
        """SQL of each customer's spend of the ``moves`` since ``start``."""
        return SQL(
            """
            SELECT commercial_partner_id, SUM(amount_untaxed_signed)
              FROM account_move
             WHERE %s AND invoice_date >= %s
          GROUP BY commercial_partner_id
            """,
            moves,
            start,
        )

    def _sql_spend_since_anniversary(self, moves, today):
        """SQL of each customer's spend of the ``moves`` since the last
        anniversary of its first invoice."""
        first_invoice = SQL(
            "MIN(invoice_date) FILTER (WHERE move_type = %s)", CUSTOMER_INVOICE
        )
        return SQL(
            """
            WITH moves AS (
                SELECT commercial_partner_id AS partner_id, invoice_date,
                       move_type, amount_untaxed_signed AS amount
                  FROM account_move
                 WHERE %(moves)s
            ), starts AS (
                SELECT partner_id,
                       (%(first)s + make_interval(years => date_part('year',
                           age(%(today)s::date, %(first)s))::int))::date
                       AS start
                  FROM moves GROUP BY partner_id
            )
            SELECT m.partner_id,
                   COALESCE(SUM(m.amount)
                            FILTER (WHERE m.invoice_date >= s.start), 0)
              FROM moves m JOIN starts s ON s.partner_id = m.partner_id
          GROUP BY m.partner_id
            """,
            moves=moves,
            today=today,
            first=first_invoice,
        )

    def _read_spend_kept(self, company, today, decisions):
        """{commercial partner id: the spend of its invoices and credit notes
        posted up to ``today`` that will still be in its loyalty window on
        the day its tier is decided} for ``decisions`` ({commercial partner
        id: that day}), in one query: what is left of the spend once the
        invoices that leave the window before then are gone."""
        if not decisions:
            return {}
        ids = list(decisions)
        window = company.loyalty_window_type
        if window == "anniversary":
            first = SQL(
                "MIN(invoice_date) FILTER (WHERE move_type = %s)", CUSTOMER_INVOICE
            )
            starts = SQL(
                """SELECT m.commercial_partner_id,
                          (%(first)s + make_interval(years => date_part('year',
                              age(MIN(d.day), %(first)s))::int))::date
                     FROM account_move m
                     JOIN unnest(%(ids)s::int4[], %(days)s::date[]) AS d(id, day)
                       ON d.id = m.commercial_partner_id
                    WHERE %(moves)s
                 GROUP BY m.commercial_partner_id""",
                first=first,
                ids=ids,
                days=[decisions[pid] for pid in ids],
                moves=self._sql_customer_moves(company, today, ids),
            )
        else:
            months = company.loyalty_window_months
            starts = SQL(
                "SELECT * FROM unnest(%s::int4[], %s::date[])",
                ids,
                [window_start(window, months, decisions[pid]) for pid in ids],
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.commercial_partner_id, SUM(m.amount_untaxed_signed)
                  FROM account_move m
                  JOIN (%(starts)s) AS s(id, start)
                    ON s.id = m.commercial_partner_id AND m.invoice_date >= s.start
                 WHERE %(moves)s
              GROUP BY m.commercial_partner_id
                """,
                starts=starts,
                moves=self._sql_customer_moves(company, today, ids),
            )
        )
        return {pid: float(amount) for pid, amount in self.env.cr.fetchall()}

    def _read_states(self, company, ids):
        """{commercial partner id: State} of the customers ``ids``. A
        customer without a state row reads as no tier and no spend."""
        key = str(company.id)
        customers = SQL("SELECT unnest(%s)", _int_array(ids))
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, s.tier_id, s.earned_tier_id,
                       COALESCE(s.amount, 0), s.review_date,
                       COALESCE(s.at_risk, FALSE),
                       (p.loyalty_override_tier_id->>%(key)s)::int,
                       (p.loyalty_override_until->>%(key)s)::date,
                       s.previous_pricelist_id,
                       (p.specific_property_product_pricelist->>%(key)s)::int
                  FROM (%(customers)s) AS c(id)
                  JOIN res_partner p ON p.id = c.id
             LEFT JOIN crm_loyalty_state s
                    ON s.partner_id = p.id AND s.company_id = %(company)s
                 WHERE p.id = p.commercial_partner_id
                """,
                key=key,
                company=company.id,
                customers=customers,
            )
        )
        return {row[0]: State(*row[1:]) for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------ rules
    def _apply_rules(self, company, tiers, today, spend, states, mode):
        """{partner id: {"state": new State, "reason": reason or None}} of
        the customers whose state changes, under the rules ``mode``
        (rules.decide)."""
        ladder = Ladder(
            tiers.ids,
            tiers.mapped("min_amount"),
            company.loyalty_window_months,
            company.loyalty_grace_days,
            today,
        )
        changes = {}
        for partner_id, state in states.items():
            amount = spend.get(partner_id, 0.0)
            tier_id, earned_id, review, at_risk, reason = ladder.move(
                state, amount, mode
            )
            previous_pl, pl = self._pricelists(tiers, state, tier_id)
            new = State(
                tier_id, earned_id, amount, review, at_risk,
                state.override, state.override_until, previous_pl, pl,
            )  # fmt: skip
            if new != state:
                changes[partner_id] = {"state": new, "reason": reason}
        return changes

    def _pricelists(self, tiers, state, new_tier_id):
        """(previous pricelist, pricelist) once the tier becomes ``new_tier_id``."""
        if new_tier_id == state.tier:
            return state.previous_pl, state.pl
        old_pl = tiers.browse(state.tier).pricelist_id.id if state.tier else None
        new_pl = tiers.browse(new_tier_id).pricelist_id.id if new_tier_id else None
        # a previous pricelist is kept only while on a tier's pricelist, even
        # when that pricelist has since been deleted (the customer's is empty)
        on_tier_pl = (old_pl and state.pl == old_pl) or (
            not state.pl and state.previous_pl
        )
        if new_pl:
            return (state.previous_pl if on_tier_pl else state.pl), new_pl
        if on_tier_pl:
            return None, state.previous_pl
        return state.previous_pl, state.pl

    # ----------------------------------------------------------------- writes
    def _write_states(self, company, changes, states, writer=locking.RECOMPUTE):
        """Write the new states of the changed customers, and the pricelist of
        the customers (and their contacts) whose pricelist changed, once
        ``writer`` has locked them (locking.py)."""
        if not changes:
            return
        ids = sorted(changes)
        repriced = [pid for pid in ids if changes[pid]["state"].pl != states[pid].pl]
        locking.lock_before_write(self.env, writer, company, ids, repriced)
        self.env["crm.loyalty.state"]._write_rows(
            company, ids, [changes[pid]["state"] for pid in ids]
        )
        if repriced:
            self._write_pricelists(
                company, repriced, [changes[pid]["state"].pl for pid in repriced]
            )
        self.env["crm.loyalty.state"].invalidate_model()
        self.env["res.partner"].invalidate_model(ENGINE_FIELDS + NEXT_FIELDS)

    def _write_pricelists(self, company, ids, pricelists):
        """The pricelist in ``company`` of the customers ``ids`` and of their
        contacts: ``pricelists`` (a list: one per customer)."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET specific_property_product_pricelist =
                       COALESCE(p.specific_property_product_pricelist, '{}'::jsonb)
                       || jsonb_build_object(%(key)s::text, v.pricelist)
                  FROM unnest(%(ids)s::int[], %(pricelists)s::int[])
                       AS v(id, pricelist)
                 WHERE p.commercial_partner_id = v.id
                """,
                key=str(company.id),
                ids=ids,
                pricelists=pricelists,
            )
        )
        self.env["res.partner"].invalidate_model(
            ["specific_property_product_pricelist", "property_product_pricelist"]
        )

    def _restore_pricelists(self):
        """Give every customer on its tier's pricelist, in every company,
        the pricelist it had before (none: Odoo's default for it again), as
        if it left its tier; a pricelist set by hand since is left alone.
        Run when the add-on is uninstalled: its tiers' pricelists would
        otherwise stay the customers' pricelists. Returns how many customers
        got their pricelist back."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT s.company_id, s.partner_id, s.previous_pricelist_id
                  FROM crm_loyalty_state s
                  JOIN crm_loyalty_tier t ON t.id = s.tier_id
                  JOIN res_partner p ON p.id = s.partner_id
                 WHERE (p.specific_property_product_pricelist
                        ->> s.company_id::text)::int = t.pricelist_id
                    -- the tier's pricelist was deleted meanwhile
                    OR (s.previous_pricelist_id IS NOT NULL
                        AND p.specific_property_product_pricelist
                            ->> s.company_id::text IS NULL)
              ORDER BY s.company_id, s.partner_id
                """
            )
        )
        rows = self.env.cr.fetchall()
        by_company = {}
        for company_id, partner_id, previous in rows:
            by_company.setdefault(company_id, []).append((partner_id, previous))
        for company_id, pairs in by_company.items():
            self._write_pricelists(
                self.env["res.company"].browse(company_id),
                [pid for pid, _previous in pairs],
                [previous for _pid, previous in pairs],
            )
        return len(rows)

    def _log_changes(self, company, tiers, today, changes, states, spend):
        """One history row and one chatter note per tier change, each kind
        inserted by one SQL statement: through the ORM they cost about 6 ms
        per customer, ten minutes for a first recompute of 100,000 customers;
        the notes alone by ``_message_log_batch`` made that recompute 2.4 to
        4.4 times slower (docs/benchmarks/notes.md, 2026-12-05).
        """
        changed = {pid: c for pid, c in changes.items() if c["reason"]}
        if not changed:
            return
        rows = [
            {
                "partner_id": pid,
                "company_id": company.id,
                "old_tier_id": states[pid].tier,
                "new_tier_id": change["state"].tier,
                "date": today,
                "amount": spend.get(pid, 0.0),
                "reason": change["reason"],
                "user_id": self.env.uid,
            }
            for pid, change in changed.items()
        ]
        partners = self.env["res.partner"].browse(list(changed))
        self.env["crm.loyalty.tier.history"]._insert_rows(rows)
        self._insert_notes(partners, self._note_bodies(company, tiers, rows))
        self._notify_customers(company, partners, changed, states, tiers)

    def _note_bodies(self, company, tiers, rows):
        """{customer id: the chatter note of its tier change} of the history
        ``rows`` (create values)."""
        History = self.env["crm.loyalty.tier.history"]
        reasons = dict(History._fields["reason"]._description_selection(self.env))
        names = {tier.id: tier.name for tier in tiers}
        none = self.env._("no tier")
        return {
            row["partner_id"]: Markup("<p>%s → <b>%s</b> (%s, %s)</p>")
            % (
                names.get(row["old_tier_id"], none),
                names.get(row["new_tier_id"], none),
                reasons[row["reason"]],
                company.name,
            )
            for row in rows
        }

    def _insert_notes(self, partners, bodies):
        """The chatter notes ``bodies`` ({partner id: html}) by one INSERT,
        with the author, reply-to and subtype ``_message_log_batch`` gives."""
        author_id, email_from = partners._message_compute_author()
        reply_to = self.env["mail.thread"]._notify_get_reply_to(
            default=email_from, author_id=author_id
        )[False]
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        now = fields.Datetime.now()
        ids = list(bodies)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_message
                       (model, res_id, body, author_id, email_from, reply_to,
                        message_type, is_internal, subtype_id,
                        email_add_signature, message_id, date,
                        create_uid, write_uid, create_date, write_date)
                SELECT 'res.partner', v.res_id, v.body, %(author)s, %(email)s,
                       %(reply_to)s, 'notification', TRUE, %(subtype)s, FALSE,
                       '<' || gen_random_uuid() || '-openerp-message-notify@'
                           || %(host)s || '>',
                       %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(bodies)s::text[]) AS v(res_id, body)
                """,
                author=author_id,
                email=email_from,
                reply_to=reply_to,
                subtype=subtype_id,
                host=socket.gethostname(),
                now=now,
                uid=self.env.uid,
                ids=ids,
                bodies=[str(bodies[pid]) for pid in ids],
            )
        )
        self.env["mail.message"].invalidate_model()
        partners.invalidate_recordset(["message_ids"])

    def _notify_customers(self, company, partners, changed, states, tiers):
        if not company.loyalty_notify_tier_change:
            return
        order = {tier.id: i for i, tier in enumerate(tiers)}
        templates = {
            True: self.env.ref("crm_loyalty.mail_template_loyalty_upgrade"),
            False: self.env.ref("crm_loyalty.mail_template_loyalty_downgrade"),
        }
        for partner in partners.filtered("email"):
            new_tier = changed[partner.id]["state"].tier
            up = order.get(new_tier, -1) > order.get(states[partner.id].tier, -1)
            templates[up].with_company(company).send_mail(partner.id)

    def _schedule_at_risk_activities(self, company, today, changes, states):
        """A To-Do for the salesperson of customers at risk near their review."""
        horizon = today + timedelta(days=AT_RISK_NOTICE_DAYS)
        at_risk = [
            pid
            for pid, change in changes.items()
            if change["state"].at_risk
            and change["state"].review
            and change["state"].review <= horizon
        ]
        if not at_risk:
            return
        activity_type = self.env.ref("crm_loyalty.mail_activity_type_loyalty_at_risk")
        partners = self.env["res.partner"].browse(at_risk).filtered("user_id")
        existing = set(
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        partners = partners.filtered(lambda p: p.id not in existing)
        grace = timedelta(days=max(company.loyalty_grace_days, 0))
        kept = self._read_spend_kept(
            company,
            today,
            {p.id: changes[p.id]["state"].review + grace for p in partners},
        )
        for partner in partners:
            state = changes[partner.id]["state"]
            partner.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=state.review,
                user_id=partner.user_id.id,
                note=self._at_risk_note(
                    company, partner, state, kept.get(partner.id, 0.0)
                ),
            )

    def _at_risk_note(self, company, partner, state, kept):
        """What the To-Do of ``partner``, at risk in ``state``, says: ``kept``
        is the spend that will still count when the tier is decided."""
        missing = self.env["crm.loyalty.tier"].browse(state.tier).min_amount
        return self.env._(
            "%(partner)s needs to spend %(amount)s more by %(date)s to keep "
            "the tier in %(company)s.",
            partner=partner.display_name,
            amount=company.currency_id.format(max(missing - kept, 0.0)),
            date=state.review,
            company=company.name,
        )
