"""The scenarios P1 to P3, each run in an Odoo process of its own by
``bench.py scenario NAME``: the add-on's method measured against its
anchors (:mod:`bench_anchors`) on the same data."""

import statistics
from datetime import date, timedelta
from unittest import mock

from dateutil.relativedelta import relativedelta

from bench_anchors import (
    KPI_FLOOR_SQL,
    KPI_RECEIVABLE_SQL,
    SPEND_SQL,
    UPDATE_SQL,
    floor_360,
    floor_read_group,
    orm_360,
    orm_kpi_loop,
    orm_loop,
)
from bench_common import (
    ADMIN_ID,
    RESET_TIERS_SQL,
    SUPERUSER_ID,
    companies,
    customers,
    rss_mb,
    timed,
    vacuum,
)


# --------------------------------------------------------------- scenario P1
def scenario_p1(env, runs):
    cr, out = env.cr, {}
    today = date.today()
    start = today - relativedelta(months=12)
    comps = companies(env)
    out["customers"] = sum(customers(env, c) for c in comps)
    cr.execute("SELECT count(*) FROM account_move WHERE move_type LIKE 'out_%%'")
    out["invoices"] = cr.fetchone()[0]

    def floor_select():
        cr.execute(SPEND_SQL, {"start": start, "today": today})
        return len(cr.fetchall())

    out["floor_sql_group_by"] = timed(env, floor_select, runs)
    out["floor_read_group"] = timed(
        env, lambda: floor_read_group(env, comps, start, today), runs
    )
    out["orm_loop"] = orm_loop(env, comps, start, today, out["customers"])
    out.update(recomputes(env, comps, start, today, runs))
    out["posting"] = posting(env, comps[0], runs=max(runs, 15))
    return out


def recomputes(env, comps, start, today, runs):
    """The first recompute (from no loyalty state), then the steady state
    with no change and with ~1% of the customers changing tier."""
    cr, engine, out = env.cr, env["crm.loyalty.engine"], {}

    def recompute_all():
        return sum(engine.recompute_company(company) for company in comps)

    def floor_update():
        cr.execute(UPDATE_SQL, {"start": start, "today": today})
        return cr.rowcount

    def reset():
        cr.execute(RESET_TIERS_SQL)

    out["first"] = timed(env, recompute_all, runs, setup=reset)
    # reach the steady state once, for good, as autovacuum leaves it
    reset()
    out["first_committed"] = timed(env, recompute_all, 1, commit=True)
    vacuum(cr.dbname, ["crm_loyalty_state", "crm_loyalty_tier_history", "res_partner"])
    # the floor of the steady state: every customer's state row exists,
    # the bulk write updates them all
    out["floor_sql_update"] = timed(env, floor_update, runs)
    out["steady_0"] = timed(env, recompute_all, runs)
    out["steady_1pct"] = timed(
        env, recompute_all, runs, setup=lambda: one_percent(cr, start)
    )
    out.update(nightly(env, comps, today, runs))
    return out


def nightly(env, comps, today, runs):
    """The nightly run a day after the previous one, ~1% of the customers
    with an invoice written since: it reads the customers changed since
    (``_changed_customer_ids``) and recomputes those only; its floor reads
    and writes the same customers by one SQL statement (known ids)."""
    cr, engine, out = env.cr, env["crm.loyalty.engine"], {}
    Partner = env["res.partner"]
    changed = {}

    def setup():
        cr.execute(
            "UPDATE res_company SET loyalty_last_run = now() AT TIME ZONE 'UTC' "
            "- interval '1 day', loyalty_last_full_run = now() AT TIME ZONE 'UTC' "
            "- interval '1 day' WHERE id = ANY(%s)",
            [comps.ids],
        )
        one_percent(cr, today - relativedelta(months=12), written=True)
        env.invalidate_all()
        changed.update({c: engine._changed_customer_ids(c) for c in comps})

    def incremental():
        return sum(
            engine.recompute_company(c, Partner.browse(engine._changed_customer_ids(c)))
            for c in comps
        )

    def floor():
        ids = [i for c in comps for i in changed[c]]
        cr.execute(
            UPDATE_SQL.replace(
                "GROUP BY", "AND commercial_partner_id = ANY(%(ids)s) GROUP BY"
            ),
            {"start": today - relativedelta(months=12), "today": today, "ids": ids},
        )
        return cr.rowcount

    out["nightly_1pct"] = timed(env, incremental, runs, setup=setup)
    out["nightly_customers_read"] = sum(len(ids) for ids in changed.values())
    out["floor_nightly"] = timed(env, floor, runs, setup=setup)
    return out


def one_percent(cr, start, written=False):
    """~1% of the customers get a large invoice amount: they move up (with
    ``written``, the invoices carry the write date the ORM would give them)."""
    stamp = ", write_date = now() AT TIME ZONE 'UTC'" if written else ""
    cr.execute(
        """
        UPDATE account_move m
           SET amount_untaxed_signed = amount_untaxed_signed + 50000"""
        + stamp
        + """
          FROM (SELECT DISTINCT ON (commercial_partner_id) id FROM account_move
                 WHERE move_type = 'out_invoice' AND state = 'posted'
                   AND invoice_date > %s AND commercial_partner_id %% 100 = 7
              ORDER BY commercial_partner_id, id) pick
         WHERE m.id = pick.id
        """,
        (start,),
    )


def posting(env, company, runs, model="crm.loyalty.engine", hook="recompute_company"):
    """action_post of one invoice of a customer with history, with and
    without a hook of the suite (``model``'s method ``hook`` made a no-op:
    by default the loyalty engine's call at posting)."""
    from odoo import Command

    env = env(user=ADMIN_ID, context={"allowed_company_ids": [company.id]})
    Move = env["account.move"].with_company(company)
    partner_id = customer_with_history(env, company)
    draft = {}

    def setup():
        draft["move"] = Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_line_ids": [
                    Command.create({"name": "Bench", "price_unit": 500.0})
                ],
            }
        )
        env.flush_all()

    def post():
        draft["move"].action_post()
        return draft["move"].name

    timed(env, post, 2, setup=setup)  # warm-up
    hooked_class = type(env[model])
    runs_with, runs_without = [], []
    for _run in range(runs):  # alternated, so that both see the same load
        runs_with.append(timed(env, post, 1, setup=setup))
        with mock.patch.object(hooked_class, hook, lambda *a, **k: None):
            runs_without.append(timed(env, post, 1, setup=setup))
    with_hook, without = merge_runs(runs_with), merge_runs(runs_without)
    return {
        "with_hook": with_hook,
        "without_hook": without,
        "overhead_ms": (with_hook["median_s"] - without["median_s"]) * 1000,
    }


def customer_with_history(env, company):
    """A customer of ``company`` with many invoices (not the most)."""
    env.cr.execute(
        "SELECT commercial_partner_id FROM account_move WHERE company_id = %s "
        "AND move_type = 'out_invoice' GROUP BY 1 ORDER BY count(*) DESC "
        "OFFSET 100 LIMIT 1",
        (company.id,),
    )
    return env.cr.fetchone()[0]


def merge_runs(results):
    """One measure from several measures of one run each."""
    times = [r["median_s"] for r in results]
    return {
        "median_s": statistics.median(times),
        "runs_s": [round(t, 4) for t in times],
        "queries": int(statistics.median(r["queries"] for r in results)),
        "rss_peak_mb": round(rss_mb()),
    }


# --------------------------------------------------------------- scenario P2
def scenario_p2(env, runs):
    from demo_names import REF_PREFIX

    out = {}
    admin = env(user=ADMIN_ID)
    for key, ref in (("big", "1"), ("small", "2")):
        partner = admin["res.partner"].search([("ref", "=", REF_PREFIX + ref)])
        company = partner.with_user(SUPERUSER_ID).invoice_ids.company_id[:1]
        partner = partner.with_context(allowed_company_ids=company.ids)
        counts = {
            "invoices": len(partner.sudo().invoice_ids),
            "claims": admin["crm.claim"]
            .sudo()
            .search_count([("partner_id", "child_of", partner.id)]),
            "messages": admin["mail.message"]
            .sudo()
            .search_count([("model", "=", "res.partner"), ("res_id", "=", partner.id)]),
        }
        timed(admin, partner.customer_360_data, 1)  # warm-up
        out[key] = {**counts, **timed(admin, partner.customer_360_data, max(runs, 5))}
        out[key]["orm"] = timed(admin, lambda p=partner: orm_360(p), max(runs, 5))
        out[key]["floor"] = timed(admin, lambda p=partner: floor_360(p), max(runs, 5))
    out["list"] = customers_360_list(admin, runs)
    return out


def customers_360_list(env, runs):
    """A page of 80 rows of the Customers 360 list as the web client reads
    it (``web_search_read``, with the count of its pager), in the list's
    order, on page 5, with the Overdue filter, and ordered by balance."""
    List = env["crm.customer.360"]
    spec = {
        "partner_id": {"fields": {"display_name": {}}},
        "invoice_count": {},
        "revenue_12m": {},
        "balance_due": {},
        "overdue_amount": {},
        "last_invoice_date": {},
    }
    pages = {
        "first_page": {},
        "page_5": {"offset": 320},
        "overdue_filter": {"domain": [("is_overdue", "=", True)]},
        "by_balance": {"order": "balance_due desc"},
    }
    return {
        name: timed(
            env,
            lambda kw=kw: List.web_search_read(
                domain=kw.get("domain", []),
                specification=spec,
                limit=80,
                offset=kw.get("offset", 0),
                order=kw.get("order"),
            )["length"],
            max(runs, 5),
        )
        for name, kw in pages.items()
    }


# --------------------------------------------------------------- scenario P3
def scenario_p3(env, runs):
    cr = env.cr
    last = date.today().replace(day=1) - timedelta(days=1)
    first = (last - relativedelta(months=35)).replace(day=1)
    comps = env["res.company"].search([]).sorted("id")
    Snapshot = env["crm.kpi.snapshot"]
    base_rss = rss_mb()

    def backfill():
        return sum(
            Snapshot.with_company(company).compute_snapshots(first, last)
            for company in comps
        )

    def floor():
        cr.execute(KPI_FLOOR_SQL, {"first": first, "last": last})
        return len(cr.fetchall())

    def floor_with_receivable():
        cr.execute(KPI_RECEIVABLE_SQL, {"last": last})
        return floor() + len(cr.fetchall())

    def clear():
        cr.execute("DELETE FROM crm_kpi_snapshot")

    store = snapshot_writing(env, comps, first, last)
    out = {"months": 36, "companies": len(comps)}
    out["orm_loop"] = orm_kpi_loop(
        env, comps[0], first, last, sum(customers(env, c) for c in comps)
    )
    out["floor_sql"] = timed(env, floor, runs)
    out["floor_sql_receivable"] = timed(env, floor_with_receivable, runs)
    out["backfill"] = timed(env, backfill, runs, setup=clear)
    out.update(monthly_run(env, comps, last, runs, clear))
    out["store"] = timed(env, store, runs, setup=clear)
    out["rss_before_mb"] = round(base_rss)
    cr.execute("SELECT count(*) FROM account_move WHERE move_type LIKE 'out_%%'")
    out["invoices"] = cr.fetchone()[0]
    return out


def monthly_run(env, comps, last, runs, clear):
    """The monthly run (the month that just closed, every company) against
    its floor (that of the backfill, for that month alone), and what the
    kept customer-month figures add to posting an invoice."""
    Snapshot = env["crm.kpi.snapshot"]
    month = last.replace(day=1)

    def monthly():
        return sum(
            Snapshot.with_company(company).compute_snapshots(month, month)
            for company in comps
        )

    def floor():
        env.cr.execute(KPI_FLOOR_SQL, {"first": month, "last": last})
        return len(env.cr.fetchall())

    out = {
        "monthly_floor_sql": timed(env, floor, runs),
        "monthly": timed(env, monthly, runs, setup=clear),
    }
    if "crm.kpi.customer.month" in env:
        out["posting"] = posting(
            env, comps[0], max(runs, 15), "crm.kpi.customer.month", "_refresh_keys"
        )
    return out


def snapshot_writing(env, comps, first, last):
    """A function that writes the snapshots of ``comps`` from ``first`` to
    ``last``, computed here beforehand: the writing alone."""
    Snapshot = env["crm.kpi.snapshot"]
    computed = [
        (
            company,
            Snapshot.with_company(company)._snapshot_rows(
                company, first, last.replace(day=1)
            ),
        )
        for company in comps
    ]
    env.cr.rollback()

    def store():
        return sum(
            Snapshot._store(company, rows, date.today().replace(day=1))
            for company, rows in computed
        )

    return store


# --------------------------------------------------------------- scenario P5
# The floor of the nightly refresh of the stored customer value: what it
# stores, read in one statement (figures of the posted invoices by company
# and customer, the overdue and complaint flags, the four ranks), no write.
VALUE_FLOOR_SQL = """
    WITH fresh AS (
        SELECT m.company_id, m.commercial_partner_id AS partner_id,
               MAX(m.invoice_date) AS last_date,
               COUNT(*) FILTER (WHERE m.move_type = 'out_invoice') AS n,
               SUM(m.amount_untaxed_signed) AS amount,
               SUM(m.amount_untaxed_signed) FILTER (
                   WHERE m.invoice_date > %(half)s) AS last6,
               SUM(m.amount_untaxed_signed) FILTER (
                   WHERE m.invoice_date <= %(half)s AND m.invoice_date > %(year)s)
                   AS prev6
          FROM account_move m
         WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
      GROUP BY 1, 2
    ), flagged AS (
        SELECT fresh.*,
               EXISTS (SELECT 1 FROM res_partner rp
                         JOIN account_move_line l ON l.partner_id = rp.id
                         JOIN account_account a ON a.id = l.account_id
                        WHERE rp.commercial_partner_id = fresh.partner_id
                          AND l.company_id = fresh.company_id
                          AND l.parent_state = 'posted' AND l.amount_residual > 0
                          AND l.date_maturity < %(today)s
                          AND a.account_type = 'asset_receivable') AS overdue,
               EXISTS (SELECT 1 FROM res_partner rp
                         JOIN crm_claim c ON c.partner_id = rp.id
                        WHERE rp.commercial_partner_id = fresh.partner_id
                          AND c.active AND c.is_closed IS NOT TRUE) AS claims
          FROM fresh
    )
    SELECT SUM(pr + pf + pm + rk), COUNT(*) FILTER (WHERE overdue OR claims)
      FROM (SELECT flagged.*,
                   RANK() OVER (PARTITION BY company_id ORDER BY last_date DESC) AS pr,
                   RANK() OVER (PARTITION BY company_id ORDER BY n) AS pf,
                   RANK() OVER (PARTITION BY company_id ORDER BY amount) AS pm,
                   RANK() OVER (PARTITION BY company_id ORDER BY amount DESC) AS rk
              FROM flagged) ranked
"""


def scenario_p5(env, runs):
    """The nightly refresh of the stored customer value (RFM scores and
    segment, value rank, churn risk, households) against its SQL floor, and
    the cost it adds to posting an invoice."""
    cr, out = env.cr, {}
    Value = env["crm.customer.360.value"]
    today = date.today()
    params = {
        "today": today,
        "half": today - relativedelta(months=6),
        "year": today - relativedelta(months=12),
    }
    comps = env["res.company"].search([]).sorted("id")
    out["customers"] = sum(customers(env, c) for c in comps)
    cr.execute("SELECT count(*) FROM account_move WHERE move_type LIKE 'out_%%'")
    out["invoices"] = cr.fetchone()[0]

    def floor(jit="off"):
        # the refresh runs its statements without JIT compilation
        cr.execute("SELECT set_config('jit', %s, true)", [jit])
        cr.execute(VALUE_FLOOR_SQL, params)
        return cr.fetchone()[0]

    def refresh():
        Value._cron_refresh()
        cr.execute("SELECT count(*) FROM crm_customer_360_value")
        return cr.fetchone()[0]

    out["floor_sql"] = timed(env, floor, runs)
    out["floor_sql_jit"] = timed(env, lambda: floor("on"), runs)
    out["first"] = timed(
        env,
        refresh,
        runs,
        setup=lambda: cr.execute("DELETE FROM crm_customer_360_value"),
    )
    # the steady state, committed once, as the nightly job leaves it
    timed(env, refresh, 1, commit=True)
    vacuum(cr.dbname, ["crm_customer_360_value"])
    out["steady_0"] = timed(env, refresh, runs)
    out["steady_1pct"] = timed(
        env, refresh, runs, setup=lambda: one_percent(cr, params["year"])
    )
    out["posting"] = posting(
        env, comps[0], max(runs, 15), "crm.customer.360.value", "_refresh"
    )
    return out
