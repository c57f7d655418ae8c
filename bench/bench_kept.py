"""Scenario ``kept``: the figures that posting and the nightly run keep are
checked against a full recompute from the invoices, at the database's size.

A day of work goes through the ORM as users would do it (invoices posted,
an invoice reset to draft and cancelled, credit notes, payments, customers
merged), a day after the previous nightly run; then the nightly loyalty run
reads the customers changed since (``_cron_recompute``). A full recompute
from the invoices must then find nothing to change: no loyalty state, no
360 value figure (spend, invoices, last invoice, the spend of the two last
half-years) differs from what was kept. The whole run is rolled back.
"""

import time
from unittest import mock

from bench_common import ADMIN_ID

# customers touched by each kind of work (300 operations at any size; a
# merge rewrites every column that refers to a partner, some of them
# without an index: a few only)
POSTED = 150
RESET = 40
REFUNDED = 50
PAID = 50
MERGED_PAIRS = 10

STATE_SQL = """
    SELECT company_id, partner_id, tier_id, earned_tier_id,
           round(amount::numeric, 2), review_date, at_risk, previous_pricelist_id
      FROM crm_loyalty_state ORDER BY company_id, partner_id
"""
VALUE_SQL = """
    SELECT company_id, partner_id, invoice_count, round(amount::numeric, 2),
           last_invoice_date, round(amount_last_6m::numeric, 2),
           round(amount_prev_6m::numeric, 2)
      FROM crm_customer_360_value ORDER BY company_id, partner_id
"""


def scenario_kept(env, runs):
    """One day of mixed work, the nightly run, then the full recompute:
    the differences found (0 when the kept figures are right)."""
    del runs  # one pass: the check is its result, not its time
    cr = env.cr
    comps = env["res.company"].search([]).sorted("id")
    # the previous nightly run, a day ago; what exists was written before it
    cr.execute(
        "UPDATE res_company SET loyalty_last_run = now() AT TIME ZONE 'UTC' "
        "- interval '1 day', loyalty_last_full_run = now() AT TIME ZONE 'UTC' "
        "- interval '2 days', write_date = now() AT TIME ZONE 'UTC' - interval '3 days'"
    )
    cr.execute(
        "UPDATE crm_loyalty_tier SET write_date = now() AT TIME ZONE 'UTC' "
        "- interval '3 days'"
    )
    env.invalidate_all()
    engine = env["crm.loyalty.engine"]
    # the previous nightly run's tiers (a database that has none yet)
    for company in comps:
        engine.recompute_company(company)
    env.flush_all()
    out = {"operations": {}}
    start = time.perf_counter()
    for company in comps:
        for kind, count in a_day_of_work(env, company).items():
            out["operations"][kind] = out["operations"].get(kind, 0) + count
    out["work_s"] = round(time.perf_counter() - start, 1)

    start = time.perf_counter()
    with mock.patch.object(
        type(env["ir.cron"]), "_commit_progress", lambda *a, **k: float("inf")
    ):
        engine._cron_recompute()
    env.flush_all()
    out["nightly_s"] = round(time.perf_counter() - start, 2)
    out["nightly_customers_read"] = sum(
        len(engine._changed_customer_ids(c)) for c in comps
    )
    kept_states, kept_values = rows(cr, STATE_SQL), rows(cr, VALUE_SQL)

    start = time.perf_counter()
    out["full_tier_changes"] = sum(engine.recompute_company(c) for c in comps)
    env["crm.customer.360.value"]._refresh()
    env.flush_all()
    out["full_recompute_s"] = round(time.perf_counter() - start, 2)
    out["loyalty_states"] = len(kept_states)
    out["loyalty_state_differences"] = differences(kept_states, rows(cr, STATE_SQL))
    out["value_rows"] = len(kept_values)
    out["value_differences"] = differences(kept_values, rows(cr, VALUE_SQL))
    out["ok"] = not (
        out["full_tier_changes"]
        or out["loyalty_state_differences"]
        or out["value_differences"]
    )
    cr.rollback()
    return out


def rows(cr, query):
    cr.execute(query)
    return cr.fetchall()


def differences(kept, full):
    """Rows of ``kept`` and ``full`` that are not in the other."""
    return len(set(kept) ^ set(full))


def a_day_of_work(env, company):
    """The ORM operations of a day in ``company``, on customers with a few
    posted invoices (the share of the company's customers of the given
    counts); {kind: operations done}."""
    from odoo import Command, fields

    # as the administrator, bypassing the company access (the second
    # company is not among the administrator's companies): the work, not
    # its access rules, is what this scenario checks
    env = env(user=ADMIN_ID, su=True, context={"allowed_company_ids": [company.id]})
    share = company_share(env, company)
    counts = {
        kind: round(share * count)
        for kind, count in (
            ("posted", POSTED),
            ("reset_cancelled", RESET),
            ("refunded", REFUNDED),
            ("paid", PAID),
            ("merged", MERGED_PAIRS),
        )
    }
    Move = env["account.move"].with_company(company)
    customers = few_invoice_customers(
        env, company, sum(counts.values()) + counts["merged"]
    )
    taken = iter(customers)
    done = dict.fromkeys(("posted", "reset_cancelled", "refunded", "paid", "merged"), 0)

    today = fields.Date.context_today(Move)
    for _i in range(counts["posted"]):
        Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": next(taken),
                "invoice_date": today,
                "invoice_line_ids": [
                    Command.create({"name": "Day", "price_unit": 900.0})
                ],
            }
        ).action_post()
        done["posted"] += 1
    for kind in ("reset_cancelled", "refunded", "paid"):
        ids = [next(taken) for _i in range(counts[kind])]
        invoices = last_open_invoices(env, company, ids)
        if kind == "reset_cancelled":
            invoices.button_draft()
            invoices.button_cancel()
        elif kind == "refunded":
            invoices._reverse_moves(
                [{"invoice_date": today, "ref": "Day"} for _m in invoices]
            ).action_post()
        else:
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoices.ids
            ).create({"payment_date": today, "group_payment": False})._create_payments()
        done[kind] += len(invoices)
    wizard = env["base.partner.merge.automatic.wizard"]
    for _i in range(counts["merged"]):
        merged, kept = next(taken), next(taken)
        wizard.create({})._merge([merged, kept], env["res.partner"].browse(kept))
        done["merged"] += 1
    env.flush_all()
    return done


def company_share(env, company):
    """The part of the customers that are ``company``'s."""
    env.cr.execute(
        "SELECT count(DISTINCT commercial_partner_id) FILTER (WHERE company_id = %s)"
        "::float / count(DISTINCT commercial_partner_id) FROM account_move "
        "WHERE move_type = 'out_invoice' AND state = 'posted'",
        (company.id,),
    )
    return env.cr.fetchone()[0]


def few_invoice_customers(env, company, count):
    """``count`` companies that are customers of ``company`` only, with
    two to five posted invoices, a receivable still open, and no
    contacts of their own (a merge then moves a few rows)."""
    env.cr.execute(
        """
        SELECT m.commercial_partner_id
          FROM account_move m
          JOIN res_partner p ON p.id = m.commercial_partner_id
         WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
           AND m.payment_state = 'not_paid'
         GROUP BY m.commercial_partner_id
        HAVING bool_and(m.company_id = %s) AND count(*) BETWEEN 2 AND 5
           AND NOT EXISTS (SELECT 1 FROM res_partner c
                            WHERE c.parent_id = m.commercial_partner_id)
         ORDER BY m.commercial_partner_id
         LIMIT %s
        """,
        (company.id, count),
    )
    return [r[0] for r in env.cr.fetchall()]


def last_open_invoices(env, company, partner_ids):
    """The newest unpaid posted invoice of each of ``partner_ids``."""
    env.cr.execute(
        """
        SELECT DISTINCT ON (commercial_partner_id) id FROM account_move
         WHERE company_id = %s AND move_type = 'out_invoice' AND state = 'posted'
           AND payment_state = 'not_paid' AND commercial_partner_id = ANY(%s)
         ORDER BY commercial_partner_id, invoice_date DESC, id DESC
        """,
        (company.id, partner_ids),
    )
    return (
        env["account.move"]
        .with_company(company)
        .browse(r[0] for r in env.cr.fetchall())
    )
