"""The loyalty engine: qualifying spend, tier rules, and their bulk writes.

Everything is set-based: one aggregate query over the company's posted
customer invoices of the loyalty window for all the customers concerned, one
query for their current state, pure Python rules, then one statement per kind
of change. The state is kept in crm_loyalty_state (one narrow row per
customer and company); only the customers whose values changed are written.
"""

import bisect
import functools
import logging
import random
import socket
import time
from collections import namedtuple
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.service.model import (
    MAX_TRIES_ON_CONCURRENCY_FAILURE,
    PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
)
from odoo.tools import SQL, split_every

from .res_partner import ENGINE_FIELDS

_logger = logging.getLogger(__name__)

CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund")
AT_RISK_NOTICE_DAYS = 30
# customers per transaction of the cron
CRON_BATCH = 2000

State = namedtuple(
    "State",
    "tier earned amount review at_risk override override_until previous_pl pl",
)


def _int_array(ids):
    """An int4[] of ``ids`` as one literal: quicker to send and parse than
    an ARRAY of a parameter per id."""
    return SQL("%s::int4[]", "{" + ",".join(map(str, ids)) + "}")


def window_start(window_type, months, today):
    """First day of a company-wide window (None for the anniversary window)."""
    if window_type == "calendar_year":
        return today.replace(month=1, day=1)
    if window_type == "rolling":
        return today - relativedelta(months=months) + timedelta(days=1)
    return None


@functools.cache
def _window(months):
    return relativedelta(months=months)


def decide(earned, review, target, tiers, today, months, grace_days, mode):
    """New (earned tier, review date, reason) of one customer.

    ``tiers`` are the company's tiers by ascending threshold, ``earned`` and
    ``target`` indexes in it (or None), ``mode`` "recompute", "posting" (no
    downgrade) or "review" (threshold review: moves both ways at once).
    """
    rank = -1 if target is None else target
    current = -1 if earned is None else earned
    window = _window(months)
    if earned is None:
        if target is None:
            return None, None, None
        return target, today + window, "review" if mode == "review" else "initial"
    if rank > current:
        return target, today + window, "review" if mode == "review" else "upgrade"
    if rank < current:
        if mode == "review":
            return target, today + window, "review"
        due = review is None or today >= review + timedelta(days=grace_days)
        if mode == "recompute" and due:
            lower = current - 1 if current > 0 else None
            return lower, (review or today) + window, "downgrade"
        return earned, review, None
    # kept the tier: once past its review date, the next review is a window later
    while review and review < today:
        review += window
    return earned, review, None


class CrmLoyaltyEngine(models.AbstractModel):
    _name = "crm.loyalty.engine"
    _description = "Loyalty Tier Engine"

    @api.model
    def recompute_company(self, company, partners=None, mode="recompute", **kwargs):
        """Bring the tiers of ``company``'s customers up to date.

        :param partners: commercial partners to consider (default: every
            customer with an invoice or a tier in the company)
        :param mode: "recompute", "posting" (upgrades only) or "review"
        :return: number of customers whose tier changed
        """
        company = company.with_company(company)
        today = fields.Date.context_today(self)
        tiers = (
            self.env["crm.loyalty.tier"]
            .with_company(company)
            .search([("company_id", "=", company.id)], order="min_amount")
        )
        ids = None if partners is None else list(set(partners.ids))
        if ids == []:
            return 0
        if mode == "posting":
            # the caller has its own writes to these customers' records
            # pending (an override; a posting locked them before it posted):
            # lock the records before they are flushed, so that a recompute
            # holding one of them is met on the lock (a serialization
            # failure Odoo retries, not logged as an error) rather than at
            # that write
            self._lock_partners(company, sorted(ids), sorted(ids))
        self.env.flush_all()
        if mode != "posting":
            # no JIT compilation: a tenth of a second per query, for queries
            # run once (the rest of the transaction gains nothing from it)
            self.env.cr.execute(SQL("SET LOCAL jit = off"))
        spend = self._read_spend(company, today, ids)
        states = self._read_states(company, ids, spend)
        changes = self._apply_rules(company, tiers, today, spend, states, mode)
        self._write_states(company, changes, states, lock_customers=mode == "posting")
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
        """
        Partner = self.env["res.partner"]
        companies = self.env["crm.loyalty.tier"].search([]).company_id
        work = [
            (company, batch)
            for company in companies
            for batch in split_every(CRON_BATCH, self._customer_ids(company))
        ]
        for index, (company, batch) in enumerate(work):
            changed = self._recompute_retrying(company, Partner.browse(batch))
            _logger.info(
                "loyalty: %s tier changes in %s (%s customers)",
                changed,
                company.name,
                len(batch),
            )
            self.env["ir.cron"]._commit_progress(1, remaining=len(work) - index - 1)

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
        """{commercial partner id: qualifying spend} for every customer with a
        posted invoice or credit note in the company's loyalty window
        (restricted to ``ids``); without ``ids``, also for every customer
        with any posted invoice when a spend of 0 gives a tier
        (:meth:`_has_entry_tier`). A customer left out has spent nothing.

        A calendar-year or rolling window reads the invoices of the window
        only, unless every customer with an invoice is wanted; the
        anniversary window needs each customer's first invoice, hence all
        of them."""
        start = window_start(
            company.loyalty_window_type, company.loyalty_window_months, today
        )
        # the customers' posted invoices and credit notes up to today
        moves = SQL(
            """company_id = %s AND state = 'posted' AND move_type IN %s
               AND invoice_date <= %s %s""",
            company.id,
            CUSTOMER_MOVE_TYPES,
            today,
            SQL("AND commercial_partner_id = ANY(%s)", _int_array(ids))
            if ids is not None
            else SQL(),
        )
        if start is not None:
            everyone = ids is None and self._has_entry_tier(company)
            query = SQL(
                """
                SELECT commercial_partner_id,
                       COALESCE(SUM(amount_untaxed_signed)
                                FILTER (WHERE invoice_date >= %(start)s), 0)
                  FROM account_move
                 WHERE %(moves)s %(window)s
              GROUP BY commercial_partner_id
                """,
                start=start,
                moves=moves,
                window=SQL() if everyone else SQL("AND invoice_date >= %s", start),
            )
        else:  # anniversary of the first invoice
            first_invoice = SQL(
                "MIN(invoice_date) FILTER (WHERE move_type = 'out_invoice')"
            )
            query = SQL(
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
        self.env.cr.execute(query)
        return {
            partner_id: float(amount) for partner_id, amount in self.env.cr.fetchall()
        }

    def _read_states(self, company, ids, spend):
        """{commercial partner id: State} of the customers to consider: those
        of ``ids``, or every customer with spend (:meth:`_read_spend`: with
        any posted invoice when a spend of 0 gives a tier), a loyalty state
        or an override in the company. A customer without a state row reads
        as no tier and no spend."""
        key = str(company.id)
        if ids is None:
            customers = SQL(
                """
                SELECT unnest(%(spend)s)
                 UNION
                %(followed)s
                """,
                spend=_int_array(spend),
                followed=self._sql_followed_customers(company),
            )
        else:
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
        """{partner id: {"state": new State, "reason": reason or None}}."""
        tier_ids = tiers.ids
        index = {tier_id: i for i, tier_id in enumerate(tier_ids)}
        thresholds = tiers.mapped("min_amount")  # ascending
        months = company.loyalty_window_months
        grace_days = company.loyalty_grace_days
        changes = {}
        for partner_id, state in states.items():
            amount = spend.get(partner_id, 0.0)
            # the highest tier whose threshold the spend reaches
            target = bisect.bisect_right(thresholds, amount + 1e-6) - 1
            if target < 0:
                target = None
            earned, review, reason = decide(
                index.get(state.earned),
                state.review,
                target,
                tiers,
                today,
                months,
                grace_days,
                # a customer whose tier was archived moves as in a review
                "review" if state.earned and state.earned not in index else mode,
            )
            override_active = state.override in index and (
                not state.override_until or state.override_until >= today
            )
            effective = earned
            if override_active and (
                effective is None or index[state.override] > effective
            ):
                effective = index[state.override]
            tier_id = tier_ids[effective] if effective is not None else None
            earned_id = tier_ids[earned] if earned is not None else None
            if tier_id != state.tier and reason is None:
                reason = "override"
            elif tier_id == state.tier:
                reason = None
            at_risk = bool(
                tier_id
                and not override_active
                and amount < thresholds[effective] - 1e-6
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
    def _write_states(self, company, changes, states, lock_customers=False):
        """Write the new states of the changed customers, and the pricelist of
        the customers (and their contacts) whose pricelist changed.

        :param lock_customers: lock the changed customers' records too (see
            ``_lock_partners``)
        """
        if not changes:
            return
        ids = sorted(changes)
        new = [changes[pid]["state"] for pid in ids]
        repriced = [pid for pid in ids if changes[pid]["state"].pl != states[pid].pl]
        self._lock_partners(company, ids, repriced, ids if lock_customers else [])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_loyalty_state
                       (partner_id, company_id, tier_id, earned_tier_id, amount,
                        review_date, at_risk, previous_pricelist_id)
                SELECT v.partner_id, %(company)s, v.tier_id, v.earned_tier_id,
                       v.amount, v.review_date, v.at_risk, v.previous_pricelist_id
                  FROM unnest(%(ids)s::int[], %(tier)s::int[], %(earned)s::int[],
                              %(amount)s::float[], %(review)s::date[],
                              %(at_risk)s::boolean[], %(previous)s::int[])
                       AS v(partner_id, tier_id, earned_tier_id, amount,
                            review_date, at_risk, previous_pricelist_id)
                    ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET tier_id = EXCLUDED.tier_id,
                       earned_tier_id = EXCLUDED.earned_tier_id,
                       amount = EXCLUDED.amount,
                       review_date = EXCLUDED.review_date,
                       at_risk = EXCLUDED.at_risk,
                       previous_pricelist_id = EXCLUDED.previous_pricelist_id
                """,
                company=company.id,
                ids=ids,
                tier=[s.tier for s in new],
                earned=[s.earned for s in new],
                amount=[s.amount for s in new],
                review=[s.review for s in new],
                at_risk=[s.at_risk for s in new],
                previous=[s.previous_pl for s in new],
            ),
            log_exceptions=False,
        )
        if repriced:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE res_partner p
                       SET specific_property_product_pricelist =
                           COALESCE(p.specific_property_product_pricelist,
                                    '{}'::jsonb)
                           || jsonb_build_object(%(key)s::text, v.pricelist)
                      FROM unnest(%(ids)s::int[], %(pricelists)s::int[])
                           AS v(id, pricelist)
                     WHERE p.commercial_partner_id = v.id
                    """,
                    key=str(company.id),
                    ids=repriced,
                    pricelists=[changes[pid]["state"].pl for pid in repriced],
                )
            )
            self.env["res.partner"].invalidate_model(
                ["specific_property_product_pricelist", "property_product_pricelist"]
            )
        self.env["crm.loyalty.state"].invalidate_model()
        self.env["res.partner"].invalidate_model(ENGINE_FIELDS)

    def _lock_partners(self, company, ids, repriced, customers=()):
        """Lock what this change writes, in id order: the records of the
        customers whose pricelist changes and of their contacts, and of the
        ``customers`` given, then the loyalty states of the customers ``ids``
        in ``company``.

        A posting, an override or a merge also writes the customer's record
        (its write date, the override) in its transaction: it locks the
        records of its customers (a few), so that two of them that meet on
        a customer, in any company, meet here rather than when that write is
        flushed. The recompute and the threshold review write no customer
        record but to change its pricelist: they lock the states only.

        Every writer of tiers (postings, overrides, the recompute) locks in
        the same order, so two of them never wait for each other in a cycle
        (a deadlock). When a concurrent transaction changed one of these rows
        since this one started, PostgreSQL raises a serialization failure
        here, before anything is written: Odoo retries the RPC call, the
        recompute retries the company (``_recompute_retrying``). Expected and
        handled, so the failed statement is not logged as an error. (A state
        another transaction has just created is met by the INSERT, with the
        same failure.)
        """
        self._lock_records(repriced, customers)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_loyalty_state "
                "WHERE company_id = %s AND partner_id = ANY(%s) "
                "ORDER BY partner_id FOR NO KEY UPDATE",
                company.id,
                ids,
            ),
            log_exceptions=False,
        )

    @api.model
    def _lock_records(self, repriced, customers=()):
        """Lock the records of the customers ``repriced`` and of their
        contacts, and the records of the ``customers``, in id order (see
        ``_lock_partners``)."""
        if repriced or customers:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner "
                    "WHERE commercial_partner_id = ANY(%s) OR id = ANY(%s) "
                    "ORDER BY id FOR NO KEY UPDATE",
                    list(repriced),
                    list(customers),
                ),
                log_exceptions=False,
            )

    def _log_changes(self, company, tiers, today, changes, states, spend):
        """One history row and one chatter note per tier change, each kind
        inserted by one SQL statement: through the ORM they cost about 6 ms
        per customer, ten minutes for a first recompute of 100,000 customers.
        """
        changed = {pid: c for pid, c in changes.items() if c["reason"]}
        if not changed:
            return
        History = self.env["crm.loyalty.tier.history"]
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
        reasons = dict(History._fields["reason"]._description_selection(self.env))
        names = {tier.id: tier.name for tier in tiers}
        none = self.env._("no tier")
        bodies = {
            pid: Markup("<p>%s → <b>%s</b> (%s, %s)</p>")
            % (
                names.get(states[pid].tier, none),
                names.get(change["state"].tier, none),
                reasons[change["reason"]],
                company.name,
            )
            for pid, change in changed.items()
        }
        partners = self.env["res.partner"].browse(list(changed))
        self._insert_history(rows)
        self._insert_notes(partners, bodies)
        self._notify_customers(company, partners, changed, states, tiers)

    def _insert_history(self, rows):
        """The history rows of ``rows`` (create values) by one INSERT."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_loyalty_tier_history
                       (partner_id, company_id, old_tier_id, new_tier_id, date,
                        amount, reason, user_id, create_uid, write_uid,
                        create_date, write_date)
                SELECT v.partner_id, v.company_id, v.old_tier_id, v.new_tier_id,
                       v.date, v.amount, v.reason, v.user_id, %(uid)s, %(uid)s,
                       %(now)s, %(now)s
                  FROM unnest(%(partner)s::int[], %(company)s::int[],
                              %(old)s::int[], %(new)s::int[], %(date)s::date[],
                              %(amount)s::numeric[], %(reason)s::varchar[],
                              %(user)s::int[])
                       AS v(partner_id, company_id, old_tier_id, new_tier_id,
                            date, amount, reason, user_id)
                """,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                partner=[row["partner_id"] for row in rows],
                company=[row["company_id"] for row in rows],
                old=[row["old_tier_id"] for row in rows],
                new=[row["new_tier_id"] for row in rows],
                date=[row["date"] for row in rows],
                amount=[row["amount"] for row in rows],
                reason=[row["reason"] for row in rows],
                user=[row["user_id"] for row in rows],
            )
        )
        self.env["crm.loyalty.tier.history"].invalidate_model()

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
        for partner in partners.filtered(lambda p: p.id not in existing):
            state = changes[partner.id]["state"]
            partner.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=state.review,
                user_id=partner.user_id.id,
                note=self.env._(
                    "%(partner)s needs to spend %(amount)s more by %(date)s to keep "
                    "the tier in %(company)s.",
                    partner=partner.display_name,
                    amount=company.currency_id.format(
                        self.env["crm.loyalty.tier"].browse(state.tier).min_amount
                        - state.amount
                    ),
                    date=state.review,
                    company=company.name,
                ),
            )
