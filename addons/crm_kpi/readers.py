"""The readers of the KPI snapshots' sources: the company's invoices, its
customer receivable, its claims and the segment keys of their partners,
each read once as numpy arrays in PostgreSQL's binary format
(:func:`.engine.read_copy`).

Plain functions of an environment rather than an abstract model: they hold
no state and need of the environment only its cursor (and its flush), its
database name and whether ``crm_loyalty`` is installed. The receivable is
read through a second connection sharing this transaction's snapshot
(:func:`snapshot_cursors`), in a thread, while the rest is read; each read
is counted as a query of this transaction (:func:`read_rows`). Also the
day of the first invoice (where a backfill starts) and the customers of
each cohort (:func:`cohort_counts`).
"""

import contextlib
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np

from odoo import sql_db
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_MOVE_TYPES
from odoo.addons.crm_suite_base.periods import add_months, month_start

from . import engine
from .catalogue import customer_segment_types

# the month of a claim that has none (no date, or not closed)
NO_MONTH = date(1900, 1, 1)
# the tables the KPI snapshots read from (snapshot_cursors)
READ_TABLES = (
    "account_account",
    "account_move",
    "account_move_line",
    "crm_claim",
    "crm_kpi_customer_month",
    "crm_loyalty_state",
    "crm_loyalty_tier_history",
    "res_partner",
)


def read_sources(env, company, last, segments, invoices_read, first=None):
    """(moves, lines, claims, customers, history): the company's invoices
    (:func:`invoice_read`), customer receivable (:func:`receivable_read`)
    and claims (:func:`claim_read`) up to the month of ``last``, and the
    segment keys of their partners (:func:`customer_read`) and, for the
    tier segment, the tier history (:func:`tier_history_read`), as arrays
    (:func:`read_rows`); amounts in integers of the currency's smallest
    unit, and each receivable item with the sales team of its move. The
    receivable is read at the same time as the rest when
    :func:`snapshot_cursors` gives a second cursor.
    ``invoices_read(moves)`` is called once the invoices are read,
    before the rest: what it starts in a thread runs meanwhile.

    With ``first`` (the first month the KPIs are counted for), the invoices
    and the receivable are read from the figures kept per customer and
    month (:func:`month_invoice_read`, :func:`month_receivable_read`):
    what the KPIs of the months from ``first`` count is the same."""
    if first:
        invoices = month_invoice_read(company, first, last)
        receivable = month_receivable_read(company, first, last)
    else:
        invoices = invoice_read(company, last)
        receivable = receivable_read(company, last)
    decimals = company.currency_id.decimal_places
    with (
        snapshot_cursors(env) as (here, aside),
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        pending = aside and pool.submit(
            engine.read_copy, aside, here.mogrify(receivable[0]), receivable[1]
        )
        moves = read_rows(env, *invoices, cr=here)
        for name in ("amount", "amount_1", "amount_2", "amount_3"):
            if name in moves:
                moves[name] = engine.to_units(moves[name], decimals)
        if first:
            moves = split_by_reach(moves)
            moves["earliest"] = earliest_month(env, company, last, here)
        invoices_read(moves)
        claims = read_rows(env, *claim_read(company), cr=here)
        partners = np.concatenate([moves["partner"], claims["partner"]])
        customers = read_rows(
            env,
            *customer_read(env, company, segments, engine.index_of(partners)[0]),
            cr=here,
        )
        lines = _receivable_rows(env, pending, receivable, here)
        customers = _with_receivable_customers(
            env, company, segments, customers, lines, here
        )
        lines["balance"] = engine.to_units(lines["balance"], decimals)
        if "team" not in lines:
            lines["team"] = receivable_teams(env, lines, moves, here)
        history = "tier" in segments and tier_history_read(env, company, here)
    return moves, lines, claims, customers, history


def first_invoice_day(env, company):
    """The day of the company's first posted invoice or credit note."""
    env.cr.execute(
        SQL(
            "SELECT MIN(invoice_date) FROM account_move WHERE company_id = %s "
            "AND state = 'posted' AND move_type IN %s",
            company.id,
            CUSTOMER_MOVE_TYPES,
        )
    )
    return env.cr.fetchone()[0]


def cohort_counts(env, company, last, segment_type="all", segment_value="all"):
    """{cohort month: {k: customers of the cohort invoiced k months
    after it}}, up to the month ``last``, of the invoices of a segment
    (:func:`cohort_segment`)."""
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            WITH months AS (
                SELECT DISTINCT commercial_partner_id AS partner,
                       date_trunc('month', invoice_date)::date AS m
                  FROM account_move
                 WHERE company_id = %(company)s AND state = 'posted'
                   AND move_type = %(invoice)s AND %(segment)s
            ), cohorts AS (
                SELECT partner, MIN(m) AS cohort FROM months GROUP BY partner
            )
            SELECT c.cohort,
                   (EXTRACT(YEAR FROM age(mo.m, c.cohort)) * 12
                    + EXTRACT(MONTH FROM age(mo.m, c.cohort)))::int AS k,
                   COUNT(DISTINCT c.partner)
              FROM cohorts c JOIN months mo ON mo.partner = c.partner
             WHERE mo.m <= %(last)s
          GROUP BY 1, 2
            """,
            company=company.id,
            invoice=CUSTOMER_INVOICE,
            last=last,
            segment=cohort_segment(env, company, segment_type, segment_value),
        )
    )
    counts = defaultdict(dict)
    for cohort, k, count in env.cr.fetchall():
        counts[cohort][k] = count
    return counts


def cohort_segment(env, company, segment_type, segment_value):
    """The condition on an invoice (of account_move) of a segment: its
    sales team, or the tier or country of its customer (the key of
    :func:`customer_read`; '' for none); TRUE for all customers (or a tier
    without ``crm_loyalty``)."""
    if segment_type == "all" or (
        segment_type == "tier" and "crm.loyalty.state" not in env
    ):
        return SQL("TRUE")
    key = int(segment_value or 0)
    if segment_type == "team":
        return SQL("COALESCE(account_move.team_id, 0) = %s", key)
    return SQL(
        "(SELECT %s FROM res_partner lp %s "
        "WHERE lp.id = account_move.commercial_partner_id) = %s",
        _SEGMENT_KEYS[segment_type],
        _segment_joins(env, company),
        key,
    )


def _receivable_rows(env, pending, receivable, cr):
    """The receivable items: the Future read on the second cursor, counted
    as a query of this transaction, or read now with ``cr``."""
    if not pending:
        return read_rows(env, *receivable, cr=cr)
    env.cr.sql_log_count += 1
    return pending.result()


def _with_receivable_customers(env, company, segments, customers, lines, cr):
    """``customers`` and the partners of receivable items alone (payments of
    others...)."""
    known = customers["id"]
    unread = engine.lookup(known, known, lines["partner"])[1]
    unread_partners = np.unique(lines["partner"][unread & (lines["partner"] > 0)])
    if not len(unread_partners):
        return customers
    more = read_rows(
        env, *customer_read(env, company, segments, unread_partners), cr=cr
    )
    return {
        column: np.concatenate([values, more[column]])
        for column, values in customers.items()
    }


def receivable_teams(env, lines, moves, cr):
    """The sales team of the move of each receivable item: that of the
    invoices ``moves``, the others' (payments...) read with ``cr``."""
    teams, other = engine.lookup(moves["id"], moves["team"], lines["move"])
    other_moves = np.unique(lines["move"][other])
    if len(other_moves):
        read = read_rows(
            env,
            SQL(
                "SELECT id, COALESCE(team_id, 0) FROM account_move WHERE id = ANY(%s)",
                sql_ids(other_moves),
            ),
            [("id", "int"), ("team", "int")],
            cr=cr,
        )
        teams[other] = engine.lookup(read["id"], read["team"], lines["move"][other])[0]
    return teams


@contextlib.contextmanager
def snapshot_cursors(env):
    """(here, aside): two cursors that see the same data, each on a
    connection of its own, so that two reads can run at the same time
    (PostgreSQL's exported snapshots); or (this transaction's cursor,
    None) when this transaction has written one of the tables the KPIs
    read (its rows are not committed: no other connection sees them).
    The two cursors see what is committed when they start, which a
    transaction that has written none of those tables sees too, but for
    what was committed since it started."""
    cr = env.cr
    if _has_written_read_tables(cr):
        yield cr, None
        return
    connection = sql_db.db_connect(cr.dbname)
    with (
        contextlib.closing(connection.cursor()) as here,
        contextlib.closing(connection.cursor()) as aside,
    ):
        here.execute(SQL("SELECT pg_export_snapshot()"))
        aside.execute(SQL("SET TRANSACTION SNAPSHOT %s", here.fetchone()[0]))
        for cursor in (here, aside):
            # no JIT compilation: seconds per query, for queries that run once
            cursor.execute(SQL("SET LOCAL jit = off"))
        yield here, aside


def _has_written_read_tables(cr):
    """Whether the transaction of ``cr`` has written a table the KPIs read."""
    cr.execute(
        SQL(
            "SELECT EXISTS (SELECT FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s) AND n_tup_ins + n_tup_upd + n_tup_del > 0)",
            list(READ_TABLES),
        )
    )
    return cr.fetchone()[0]


def read_rows(env, query, columns, cr=None):
    """{name: numpy array} of the rows of ``query`` (:class:`SQL`), read
    at once in PostgreSQL's binary format (:func:`engine.read_copy`):
    hundreds of thousands of rows in a fraction of a second. ``cr``: the
    cursor to read with, by default this transaction's."""
    cr = cr or env.cr
    start = time.perf_counter()
    rows = engine.read_copy(cr, cr.mogrify(query), columns)
    _count_query(env, time.perf_counter() - start)
    return rows


def _count_query(env, seconds):
    """Count a query read past this transaction's cursor as this cursor
    counts its own (tests' query counts, request statistics)."""
    env.cr.sql_log_count += 1
    thread = threading.current_thread()
    if hasattr(thread, "query_count"):
        thread.query_count += 1
    if hasattr(thread, "query_time"):
        thread.query_time += seconds


def invoice_read(company, last):
    """(query, columns) of the posted invoices and credit notes of the
    company up to the month of ``last``, one row per move: id, customer
    (partner), sales team (0 for none), day, invoice (True for an
    invoice, False for a credit note), untaxed amount. Answered from an
    index of crm_kpi alone."""
    return (
        SQL(
            """
            SELECT m.id, m.commercial_partner_id, COALESCE(m.team_id, 0),
                   m.invoice_date, m.move_type = %s,
                   COALESCE(m.amount_untaxed_signed, 0)::float8
              FROM account_move m
             WHERE m.company_id = %s AND m.state = 'posted'
               AND m.move_type IN %s AND m.invoice_date < %s
               AND m.commercial_partner_id IS NOT NULL
            """,
            CUSTOMER_INVOICE,
            company.id,
            CUSTOMER_MOVE_TYPES,
            add_months(last, 1),
        ),
        [
            ("id", "int"),
            ("partner", "int"),
            ("team", "int"),
            ("day", "date"),
            ("invoice", "bool"),
            ("amount", "float"),
        ],
    )


def month_invoice_read(company, first, last):
    """(query, columns) of the company's invoices and credit notes up to
    the month of ``last`` that the KPIs of the months from ``first`` need,
    from the figures kept per customer and month (crm.kpi.customer.month):
    the columns of :func:`invoice_read` but the id, one row per customer,
    sales team, month and 90-day reach (:func:`.engine.ninety_day_reach`)
    with its invoices (a count) and amount, for the months from
    :func:`counted_since` on. Of the months before, one row per customer
    and team, without amount: its last month with an invoice (or credit
    note when it has no invoice), which is all the customer base of the
    months from ``first`` needs to know of them."""
    return (
        SQL(
            """
            SELECT v.partner_id, COALESCE(v.team_id, 0), v.month,
                   v.invoice_count, v.amount, v.amount_90d_1, v.amount_90d_2,
                   v.amount_90d_3
              FROM crm_kpi_customer_month v
             WHERE v.company_id = %(company)s
               AND v.month >= %(since)s AND v.month <= %(last)s
               AND v.partner_id IS NOT NULL
               AND v.invoice_count + v.refund_count > 0
            UNION ALL
            SELECT v.partner_id, COALESCE(v.team_id, 0),
                   COALESCE(MAX(v.month) FILTER (WHERE v.invoice_count > 0),
                            MAX(v.month)),
                   BOOL_OR(v.invoice_count > 0)::int, 0.0, 0.0, 0.0, 0.0
              FROM crm_kpi_customer_month v
             WHERE v.company_id = %(company)s AND v.month < %(since)s
               AND v.partner_id IS NOT NULL
               AND v.invoice_count + v.refund_count > 0
          GROUP BY v.partner_id, v.team_id
            """,
            company=company.id,
            since=counted_since(company, first),
            last=month_start(last),
        ),
        [
            ("partner", "int"),
            ("team", "int"),
            ("day", "date"),
            ("invoice", "int"),
            ("amount", "float"),
            ("amount_1", "float"),
            ("amount_2", "float"),
            ("amount_3", "float"),
        ],
    )


def split_by_reach(rows):
    """The rows of :func:`month_invoice_read` (amounts in units), one per
    90-day reach (:func:`.engine.ninety_day_reach`) with an amount: the
    amount of reach k is the part within the 90 days ending k months
    later but not k + 1; a row's invoices are counted in its reach 0."""
    reaching = [
        rows.pop(name) for name in ("amount", "amount_1", "amount_2", "amount_3")
    ]
    reaching.append(np.zeros_like(reaching[0]))
    parts = []
    for reach in range(engine.MAX_REACH + 1):
        amount = reaching[reach] - reaching[reach + 1]
        keep = amount != 0 if reach else np.ones(len(amount), dtype=bool)
        parts.append(
            {
                "partner": rows["partner"][keep],
                "team": rows["team"][keep],
                "day": rows["day"][keep],
                "invoice": rows["invoice"][keep] if not reach else 0 * amount[keep],
                "amount": amount[keep],
                "reach": np.full(int(keep.sum()), reach, dtype=np.int64),
            }
        )
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def counted_since(company, first):
    """The first month whose invoices the KPIs of the months from ``first``
    need one by one: those of the window ending with ``first`` (the
    invoices and revenue of the window), and at least 12 months back (the
    customer base a year before: to know whether a customer is in the base
    in a month, the month of its last invoice before is enough)."""
    return add_months(month_start(first), -max(company.crm_kpi_window_months, 12))


def earliest_month(env, company, last, cr):
    """The month of the company's first invoice or credit note up to the
    month of ``last`` (an array of one day, or none), where the engine's
    months start (:func:`.counting.invoice_grain`)."""
    cr.execute(
        SQL(
            "SELECT MIN(month) FROM crm_kpi_customer_month WHERE company_id = %s "
            "AND month <= %s AND partner_id IS NOT NULL "
            "AND invoice_count + refund_count > 0",
            company.id,
            month_start(last),
        )
    )
    if cr is not env.cr:
        _count_query(env, 0.0)
    earliest = cr.fetchone()[0]
    return np.array([earliest] if earliest else [], dtype="datetime64[D]")


def month_receivable_read(company, first, last):
    """(query, columns) of the company's customer receivable up to the
    month of ``last``, from the figures kept per customer and month: the
    columns of :func:`receivable_read` but the move, and the sales team of
    the moves; one row per partner, team and month, the months before
    ``first`` dated the month before it (all the KPIs need of them: the
    receivable open when the months start)."""
    return (
        SQL(
            """
            SELECT COALESCE(v.partner_id, 0), COALESCE(v.team_id, 0),
                   GREATEST(v.month, %(opening)s), v.receivable_change
              FROM crm_kpi_customer_month v
             WHERE v.company_id = %(company)s AND v.month <= %(last)s
               AND v.receivable_count > 0
            """,
            company=company.id,
            opening=add_months(month_start(first), -1),
            last=month_start(last),
        ),
        [
            ("partner", "int"),
            ("team", "int"),
            ("day", "date"),
            ("balance", "float"),
        ],
    )


def receivable_read(company, last):
    """(query, columns) of the posted items of the company's customer
    receivable up to the month of ``last``: partner (0 for none), move,
    day and balance."""
    return (
        SQL(
            """
            SELECT COALESCE(l.partner_id, 0), l.move_id, l.date,
                   COALESCE(l.balance, 0)::float8
              FROM account_move_line l
             WHERE l.company_id = %s AND l.parent_state = 'posted'
               AND l.account_id = ANY(ARRAY(
                   SELECT id FROM account_account
                    WHERE account_type = 'asset_receivable'
               ))
               AND l.date < %s
            """,
            company.id,
            add_months(last, 1),
        ),
        [
            ("partner", "int"),
            ("move", "int"),
            ("day", "date"),
            ("balance", "float"),
        ],
    )


def claim_read(company):
    """(query, columns) of the company's active claims: id, partner (0 for
    none), sales team (0 for none), month of the claim date and of its
    closing (1900 when there is none), whether it is closed, and the
    days from claim date to closing."""
    return (
        SQL(
            """
            SELECT c.id, COALESCE(c.partner_id, 0), COALESCE(c.team_id, 0),
                   COALESCE(date_trunc('month', c.date)::date, %(none)s),
                   COALESCE(date_trunc('month', c.date_closed)::date, %(none)s),
                   c.is_closed AND c.date_closed IS NOT NULL,
                   COALESCE(
                       EXTRACT(EPOCH FROM c.date_closed - c.date) / 86400.0, 0
                   )::float8
              FROM crm_claim c
             WHERE c.company_id = %(company)s AND c.active
            """,
            none=NO_MONTH,
            company=company.id,
        ),
        [
            ("id", "int"),
            ("partner", "int"),
            ("team", "int"),
            ("opened", "date"),
            ("closed_on", "date"),
            ("closed", "bool"),
            ("days", "float"),
        ],
    )


# the segment key of a customer, read from its partner (alias lp)
_SEGMENT_KEYS = {
    "all": SQL("0"),
    # a commercial partner's own, else looked up for the contact
    "country": SQL(
        "COALESCE(CASE WHEN lp.commercial_partner_id = lp.id "
        "THEN lp.country_id ELSE (SELECT p.country_id FROM res_partner p "
        "WHERE p.id = lp.commercial_partner_id) END, 0)"
    ),
    "tier": SQL("COALESCE(ls.tier_id, 0)"),
}


def customer_read(env, company, segments, partners):
    """(query, columns) of ``partners`` (a sorted array of distinct ids),
    and maybe of other partners: id, commercial partner, and for each
    segment type of the
    customer (:func:`.catalogue.customer_segment_types`) the key of its
    commercial partner (0 for none). Ids that fill most of their range are
    read as that range: quicker than looking up each."""
    types = customer_segment_types(segments)
    if len(partners) and partners[-1] - partners[0] < 2 * len(partners):
        which = SQL("lp.id BETWEEN %s AND %s", int(partners[0]), int(partners[-1]))
    else:
        which = SQL("lp.id = ANY(%s)", sql_ids(partners))
    return (
        SQL(
            """
            SELECT lp.id, COALESCE(lp.commercial_partner_id, lp.id), %s
              FROM res_partner lp
                   %s
             WHERE %s
            """,
            SQL(", ").join(_SEGMENT_KEYS[t] for t in types),
            _segment_joins(env, company),
            which,
        ),
        [("id", "int"), ("commercial", "int")] + [(t, "int") for t in types],
    )


def _segment_joins(env, company):
    """The joins the segment keys of :func:`customer_read` read from,
    after the partner (alias lp)."""
    if "crm.loyalty.state" not in env:
        return SQL()
    return SQL(
        "LEFT JOIN crm_loyalty_state ls "
        "ON ls.partner_id = lp.commercial_partner_id "
        "AND ls.company_id = %s",
        company.id,
    )


def tier_history_read(env, company, cr=None):
    """{partner, month, tier, initial: array} of the loyalty tier changes
    of the company's customers (crm_loyalty's tier history; empty arrays
    without it): the last change of each customer and month, sorted by
    customer and month, with the tier the customer held before its first
    change (0 for none)."""
    columns = [
        ("partner", "int"),
        ("month", "date"),
        ("tier", "int"),
        ("initial", "int"),
    ]
    if "crm.loyalty.tier.history" not in env:
        return {
            name: np.zeros(0, dtype="datetime64[D]" if kind == "date" else np.int32)
            for name, kind in columns
        }
    query = SQL(
        """
        SELECT DISTINCT ON (h.partner_id, date_trunc('month', h.date))
               h.partner_id, date_trunc('month', h.date)::date,
               COALESCE(h.new_tier_id, 0),
               COALESCE(FIRST_VALUE(h.old_tier_id) OVER (
                   PARTITION BY h.partner_id ORDER BY h.date, h.id), 0)
          FROM crm_loyalty_tier_history h
         WHERE h.company_id = %s
      ORDER BY h.partner_id, date_trunc('month', h.date), h.date DESC, h.id DESC
        """,
        company.id,
    )
    return read_rows(env, query, columns, cr=cr)


def sql_ids(ids):
    """An int4[] of ``ids`` (a numpy array), as one literal: quicker to
    send than a parameter per id."""
    return SQL("%s::int4[]", "{" + ",".join(map(str, ids.tolist())) + "}")
