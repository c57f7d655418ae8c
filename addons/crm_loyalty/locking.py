"""The locking protocol of the transactions that write tiers.

Who writes tiers
----------------
Four kinds of transactions write customers' loyalty states (the rows of
crm_loyalty_state) and, when a customer's tier changes its pricelist, the
records of the customer and of its contacts (res_partner rows). Each is a
:class:`Writer`, given to ``crm.loyalty.engine.recompute_company``:

- :data:`POSTING`: a posted invoice or credit note upgrades its customers
  (``account.move._post``), in the transaction of the user who posts it;
- :data:`CUSTOMER_EDIT`: a Loyalty Manager overrides a customer's tier
  (``res.partner.write``), or customers are merged (the merge wizard): one
  customer rewritten, in the user's transaction;
- :data:`RECOMPUTE`: the nightly recompute (the scheduled action, one
  transaction per batch of customers) and the *Recompute* buttons;
- :data:`THRESHOLD_REVIEW`: the what-if wizard applies new thresholds.

What they lock, in which order
------------------------------
Every writer locks, in this order and each kind of row in id order:

1. the customers' records it writes (``FOR NO KEY UPDATE`` of res_partner
   rows): a posting and a customer edit write them in their own
   transaction (the customer rank, the write date, the override values),
   so they lock the records of their customers and of their contacts
   first, before any of their own writes is flushed, and keep the records
   of the customers whose state changes locked when they write it. The
   recompute and the threshold review write no customer record but to
   change its pricelist: they lock the records of the customers whose
   pricelist changes, and of their contacts, when they write;
2. the loyalty states of the customers whose state changes, in the company
   (``FOR NO KEY UPDATE`` of crm_loyalty_state rows), just before writing
   them (a posting and a customer edit also lock the states of all their
   customers first, with their records).

A posting locks its customers of every company with tiers before it posts;
it then counts their invoice rank (``customer_rank``) in its own
transaction (:func:`posting_context`, ``res.partner._increase_rank``):
accounting counts it after the commit, in a transaction of its own, which
failed when the recompute was repricing the customer (an error in the log,
the count lost). A customer's first invoice writes its rank at once: the
lock must come before that write is flushed, or the write meets the
recompute's pricelist write and fails as a logged bad query.

Why
---
All writers take the same rows in the same order, so two of them never wait
for each other in a cycle (a deadlock). Odoo's transactions are REPEATABLE
READ: when another transaction changed one of these rows since this one
started, PostgreSQL raises a serialization failure on the lock, before
anything is written. Odoo retries the RPC call (a posting, an override, a
merge: the user sees nothing); the recompute retries its batch itself
(``crm.loyalty.engine._recompute_retrying``: Odoo does not retry scheduled
actions). Those failures are expected and handled, so the lock statements
are not logged as errors. A state another transaction has just created is
met by the engine's INSERT, with the same failure.
"""

from typing import NamedTuple

from odoo.tools import SQL

from .rules import FULL_RULES, REVIEW_RULES, UPGRADES_ONLY

# set while an invoice is posted: the customers whose records it locked
LOCKED_CUSTOMERS_KEY = "crm_loyalty_locked_customer_ids"


class Writer(NamedTuple):
    """A kind of transaction that writes tiers (see the module's docstring)."""

    name: str
    # the rules of its tier changes (rules.decide's ``mode``)
    rules: str
    # it writes its customers' records itself: it locks them (and their
    # states) first, and keeps the changed customers' records locked
    locks_customers: bool
    # its queries read and write many customers, each query run once:
    # no JIT compilation (a tenth of a second per query, for nothing)
    bulk: bool


POSTING = Writer("posting", UPGRADES_ONLY, locks_customers=True, bulk=False)
CUSTOMER_EDIT = Writer("customer_edit", UPGRADES_ONLY, locks_customers=True, bulk=False)
RECOMPUTE = Writer("recompute", FULL_RULES, locks_customers=False, bulk=True)
THRESHOLD_REVIEW = Writer("review", REVIEW_RULES, locks_customers=False, bulk=True)


def lock_records(env, with_contacts=(), customers=()):
    """Lock the records of the customers ``with_contacts`` and of their
    contacts, and the records of the ``customers``, in id order."""
    if with_contacts or customers:
        env.cr.execute(
            SQL(
                "SELECT id FROM res_partner "
                "WHERE commercial_partner_id = ANY(%s) OR id = ANY(%s) "
                "ORDER BY id FOR NO KEY UPDATE",
                list(with_contacts),
                list(customers),
            ),
            log_exceptions=False,
        )


def lock_states(env, company, ids):
    """Lock the loyalty states of the customers ``ids`` in ``company``, in
    customer order."""
    env.cr.execute(
        SQL(
            "SELECT id FROM crm_loyalty_state "
            "WHERE company_id = %s AND partner_id = ANY(%s) "
            "ORDER BY partner_id FOR NO KEY UPDATE",
            company.id,
            ids,
        ),
        log_exceptions=False,
    )


def lock_posting(env, customers):
    """Lock the records of the customers of invoices about to be posted
    (commercial partners, any company) and of their contacts; the context
    in which to post them."""
    ids = sorted(env["res.partner"].union(*customers).ids)
    lock_records(env, ids, ids)
    return posting_context(ids)


def posting_context(ids):
    """The context of a posting that locked the customers ``ids``."""
    return {LOCKED_CUSTOMERS_KEY: tuple(ids)}


def locked_by_posting(env):
    """Ids of the customers the posting under way locked (none outside one)."""
    return env.context.get(LOCKED_CUSTOMERS_KEY) or ()


def lock_before_flush(env, writer, company, ids):
    """Before ``writer`` flushes its pending writes and reads the customers
    ``ids`` of ``company``: the records and states of a writer that writes
    its customers itself."""
    if writer.locks_customers:
        ids = sorted(ids)
        lock_records(env, ids)
        lock_states(env, company, ids)


def lock_before_write(env, writer, company, ids, repriced):
    """Before ``writer`` writes the states of the customers ``ids`` of
    ``company`` and the pricelist of the customers ``repriced`` (both in id
    order)."""
    lock_records(env, repriced, ids if writer.locks_customers else ())
    lock_states(env, company, ids)
