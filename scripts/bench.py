"""Benchmarks of the suite at scale (``make bench SIZE=S|M``).

    bench.py all --size S      build (or reuse) bench_s, run every scenario,
                               write docs/benchmarks/S.json and docs/benchmarks.md
    bench.py build --size S    only the database
    bench.py report            docs/benchmarks.md from the JSON results
    bench.py scenario NAME -d DB [--runs 3]   one scenario, JSON on stdout

Each scenario runs in its own Odoo process (so that its peak memory is its
own) and measures the add-on's method against its anchors on the same
data: the obvious ORM loop (timed on a sample, extrapolated) and the raw
SQL that is the practical floor. Every measured run is rolled back, so runs
see the same data; the reported figure is the median of the runs.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import bench_load
from dateutil.relativedelta import relativedelta

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
RESULTS = ROOT / "docs" / "benchmarks"
SIZES = {"S": (10_000, 100_000), "M": (100_000, 1_000_000), "XS": (1_000, 20_000)}
BASE_DB = "bench_base"
SUPERUSER_ID = 1
ADMIN_ID = 2
SCENARIOS = ["p1", "p2", "p3"]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ODOO = str(ROOT / ".venv" / "bin" / "odoo")


# ----------------------------------------------------------------- helpers
def psql(db, query):
    out = subprocess.run(
        ["psql", "-X", "-d", db, "-tAc", query],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def vacuum(db, tables=()):
    """VACUUM ANALYZE ``tables`` (default: the whole database) of ``db``:
    what autovacuum does after the scenarios' bulk writes and rollbacks,
    done by hand since it may be off (it is off on the machine of this
    report). Without it, dead rows and stale statistics pile up from one
    measure to the next."""
    psql(db, "VACUUM ANALYZE " + ", ".join(tables))


def db_exists(db):
    return psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"


def filestore(db):
    return ROOT / ".odoo-data" / "filestore" / db


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(env, func, runs, setup=None, commit=False):
    """Median wall time (s), queries and peak RSS over ``runs`` runs of
    ``func``, each one after ``setup`` and rolled back (unless ``commit``)."""
    cr = env.cr
    times, queries, result = [], [], None
    for _run in range(runs):
        if setup:
            setup()
        env.invalidate_all()
        count = cr.sql_log_count
        start = time.perf_counter()
        result = func()
        env.flush_all()
        times.append(time.perf_counter() - start)
        queries.append(cr.sql_log_count - count)
        if commit:
            cr.commit()
        else:
            cr.rollback()
    return {
        "median_s": statistics.median(times),
        "runs_s": [round(t, 4) for t in times],
        "queries": int(statistics.median(queries)),
        "rss_peak_mb": round(rss_mb()),
        "result": result if isinstance(result, (int, float, str)) else None,
    }


def with_env(db, func):
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", str(ROOT / "odoo.conf"), "-d", db, "--log-level=warn"])
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        return func(env)


def companies(env):
    return env["crm.loyalty.tier"].search([]).company_id.sorted("id")


def customers(env, company):
    from demo_fast import REF_PREFIX

    env.cr.execute(
        "SELECT count(DISTINCT m.commercial_partner_id) FROM account_move m "
        "JOIN res_partner p ON p.id = m.commercial_partner_id "
        "WHERE m.company_id = %s AND p.ref LIKE %s",
        (company.id, REF_PREFIX + "%"),
    )
    return env.cr.fetchone()[0]


# --------------------------------------------------------------- scenario P1
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
RESET_TIERS_SQL = """
    DELETE FROM crm_loyalty_state;
    UPDATE res_partner SET specific_property_product_pricelist = NULL
     WHERE specific_property_product_pricelist IS NOT NULL;
    DELETE FROM crm_loyalty_tier_history;
"""


def scenario_p1(env, runs):
    cr, engine, out = env.cr, env["crm.loyalty.engine"], {}
    today = date.today()
    start = today - relativedelta(months=12)
    comps = companies(env)
    out["customers"] = sum(customers(env, c) for c in comps)
    cr.execute("SELECT count(*) FROM account_move WHERE move_type LIKE 'out_%%'")
    out["invoices"] = cr.fetchone()[0]

    def recompute_all():
        return sum(engine.recompute_company(company) for company in comps)

    def floor_select():
        cr.execute(SPEND_SQL, {"start": start, "today": today})
        return len(cr.fetchall())

    def floor_update():
        cr.execute(UPDATE_SQL, {"start": start, "today": today})
        return cr.rowcount

    def floor_read_group():
        Move = env["account.move"]
        return sum(
            len(
                Move._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("state", "=", "posted"),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("invoice_date", ">", start),
                        ("invoice_date", "<=", today),
                    ],
                    ["commercial_partner_id"],
                    ["amount_untaxed_signed:sum"],
                )
            )
            for company in comps
        )

    out["floor_sql_group_by"] = timed(env, floor_select, runs)
    out["floor_read_group"] = timed(env, floor_read_group, runs)
    out["orm_loop"] = orm_loop(env, comps, start, today, out["customers"])

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

    def one_percent():
        """~1% of the customers get a large invoice amount: they move up."""
        cr.execute(
            """
            UPDATE account_move m
               SET amount_untaxed_signed = amount_untaxed_signed + 50000
              FROM (SELECT DISTINCT ON (commercial_partner_id) id FROM account_move
                     WHERE move_type = 'out_invoice' AND state = 'posted'
                       AND invoice_date > %s AND commercial_partner_id %% 100 = 7
                  ORDER BY commercial_partner_id, id) pick
             WHERE m.id = pick.id
            """,
            (start,),
        )

    out["steady_1pct"] = timed(env, recompute_all, runs, setup=one_percent)
    out["posting"] = posting(env, comps[0], runs=max(runs, 15))
    return out


def sample_customers(env, company, sample):
    """The first ``sample`` customers of ``company`` with an invoice."""
    env.cr.execute(
        "SELECT DISTINCT commercial_partner_id FROM account_move "
        "WHERE company_id = %s AND move_type = 'out_invoice' "
        "ORDER BY commercial_partner_id LIMIT %s",
        (company.id, sample),
    )
    return env["res.partner"].browse([r[0] for r in env.cr.fetchall()])


def extrapolated(env, loop, sample, total_customers):
    """One timed run of ``loop`` over ``sample`` customers, extrapolated to
    ``total_customers``."""
    result = timed(env, loop, 1)
    result["sample"] = sample
    result["extrapolated_s"] = result["median_s"] / max(sample, 1) * total_customers
    return result


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
                [
                    ("company_id", "=", company.id),
                    ("commercial_partner_id", "=", partner.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("invoice_date", ">", start),
                    ("invoice_date", "<=", today),
                ],
                [],
                ["amount_untaxed_signed:sum"],
            )
            tiers.filtered(lambda t, a=amount: t.min_amount <= (a or 0))[-1:]
        return len(partners)

    return extrapolated(env, loop, len(partners), total_customers)


def posting(env, company, runs):
    """action_post of one invoice of a customer with history, with and
    without the loyalty posting hook (the engine call made a no-op)."""
    from odoo import Command

    env = env(user=ADMIN_ID, context={"allowed_company_ids": [company.id]})
    Move = env["account.move"].with_company(company)
    env.cr.execute(
        "SELECT commercial_partner_id FROM account_move WHERE company_id = %s "
        "AND move_type = 'out_invoice' GROUP BY 1 ORDER BY count(*) DESC "
        "OFFSET 100 LIMIT 1",
        (company.id,),
    )
    partner_id = env.cr.fetchone()[0]
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
    engine_class = type(env["crm.loyalty.engine"])
    runs_with, runs_without = [], []
    for _run in range(runs):  # alternated, so that both see the same load
        runs_with.append(timed(env, post, 1, setup=setup))
        with mock.patch.object(engine_class, "recompute_company", lambda *a, **k: 0):
            runs_without.append(timed(env, post, 1, setup=setup))

    def merge(results):
        times = [r["median_s"] for r in results]
        return {
            "median_s": statistics.median(times),
            "runs_s": [round(t, 4) for t in times],
            "queries": int(statistics.median(r["queries"] for r in results)),
            "rss_peak_mb": round(rss_mb()),
        }

    with_hook, without = merge(runs_with), merge(runs_without)
    return {
        "with_hook": with_hook,
        "without_hook": without,
        "overhead_ms": (with_hook["median_s"] - without["median_s"]) * 1000,
    }


# --------------------------------------------------------------- scenario P2
def scenario_p2(env, runs):
    from demo_fast import REF_PREFIX

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
    return out


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


# --------------------------------------------------------------- scenario P3
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


def scenario_p3(env, runs):
    cr = env.cr
    last = date.today().replace(day=1) - timedelta(days=1)
    first = (last - relativedelta(months=35)).replace(day=1)
    comps = env["res.company"].search([]).sorted("id")
    base_rss = rss_mb()

    def backfill():
        Snapshot = env["crm.kpi.snapshot"]
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
    cr.rollback()

    def store():
        # the writing alone, of rows computed beforehand
        return sum(
            Snapshot._store(company, rows, date.today().replace(day=1))
            for company, rows in computed
        )

    out = {"months": 36, "companies": len(comps)}
    out["orm_loop"] = orm_kpi_loop(
        env, comps[0], first, last, sum(customers(env, c) for c in comps)
    )
    out["floor_sql"] = timed(env, floor, runs)
    out["floor_sql_receivable"] = timed(env, floor_with_receivable, runs)
    out["backfill"] = timed(env, backfill, runs, setup=clear)
    out["store"] = timed(env, store, runs, setup=clear)
    out["rss_before_mb"] = round(base_rss)
    cr.execute("SELECT count(*) FROM account_move WHERE move_type LIKE 'out_%%'")
    out["invoices"] = cr.fetchone()[0]
    return out


def orm_kpi_loop(env, company, first, last, total_customers, sample=1000):
    """The obvious ORM approach to the KPI backfill: per customer, its
    invoices, receivable and claims grouped by month with ``_read_group``,
    then added up per month in Python (active and new customers, revenue,
    invoices, receivable, claims: the reads every KPI needs; the customer
    base, retention and the segments would come on top), on ``sample``
    customers, extrapolated to every customer."""
    partners = sample_customers(env, company, sample)
    Move, Line = env["account.move"], env["account.move.line"]
    Claim = env["crm.claim"]
    before = last + timedelta(days=1)

    def loop():
        months = {}
        for partner in partners:
            rows = Move._read_group(
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
                figures = months.setdefault(month, [0, 0.0, 0, 0, 0.0, 0])
                figures[0] += 1
                figures[1] += amount
                figures[2] += count
            if rows and rows[0][0] >= first:
                months[rows[0][0]][3] += 1  # a new customer
            for month, balance in Line._read_group(
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
                months.setdefault(month, [0, 0.0, 0, 0, 0.0, 0])[4] += balance
            for month, count in Claim._read_group(
                [("company_id", "=", company.id), ("partner_id", "=", partner.id)],
                ["date:month"],
                ["__count"],
            ):
                months.setdefault(month, [0, 0.0, 0, 0, 0.0, 0])[5] += count
        return len(partners)

    return extrapolated(env, loop, len(partners), total_customers)


# -------------------------------------------------------------- commands
def build(size):
    n_customers, n_invoices = SIZES[size]
    db = f"bench_{size.lower()}"
    modules = subprocess.run(
        [sys.executable, "scripts/addons.py", "--product"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    if db_exists(db):
        # the add-ons may have changed since the database was built
        print(f"[bench] reusing database {db}, upgrading {modules}")
        odoo_init(db, "-u", modules)
        return db
    if not db_exists(BASE_DB):
        print(f"[bench] installing {modules} into {BASE_DB}")
        odoo_init(BASE_DB, "-i", modules, "--without-demo=True")
    else:
        odoo_init(BASE_DB, "-u", modules)
    print(f"[bench] {db}: {n_customers} customers, {n_invoices} invoices")
    subprocess.run(["createdb", "-T", BASE_DB, db], check=True)
    if filestore(BASE_DB).exists():
        shutil.copytree(filestore(BASE_DB), filestore(db), dirs_exist_ok=True)
    start = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            "scripts/demo_story.py",
            "-d",
            db,
            "--fast",
            "--customers",
            str(n_customers),
            "--invoices",
            str(n_invoices),
        ],
        check=True,
        cwd=ROOT,
    )
    print(f"[bench] data written in {time.perf_counter() - start:.0f} s")
    problems = with_env(db, check_data)
    if problems:
        raise SystemExit("[bench] invalid data: " + "; ".join(problems))
    print("[bench] ORM check passed")
    psql(db, "VACUUM ANALYZE")
    return db


def odoo_init(db, *args):
    """Install or upgrade add-ons in ``db`` (``args``: -i/-u and modules)."""
    subprocess.run(
        [ODOO, "-c", "odoo.conf", "-d", db, *args, "--stop-after-init"]
        + ["--log-level=warn"],
        check=True,
        cwd=ROOT,
    )


def check_data(env):
    from demo_fast import check

    problems = check(env)
    env.cr.rollback()
    return problems


def run_scenario(db, name, runs):
    vacuum(db)
    proc = subprocess.run(
        [PYTHON, __file__, "scenario", name, "-d", db, "--runs", str(runs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode:
        sys.stderr.write(proc.stderr[-5000:])
        raise SystemExit(f"[bench] scenario {name} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine():
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem),
        "postgresql": psql("postgres", "SHOW server_version"),
        "python": platform.python_version(),
        "date": date.today().isoformat(),
    }


def run_all(size, runs, only=None):
    db = build(size)
    results = {"size": size, "database": db, "machine": machine(), "runs": runs}
    path = RESULTS / f"{size}.json"
    if path.exists():
        results = {**json.loads(path.read_text()), **results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in only or [*SCENARIOS, "p4", "crons"]:
        print(f"[bench] {size} {name} …", flush=True)
        start = time.perf_counter()
        if name == "p4":
            vacuum(db)
            results[name] = bench_load.run_p4(db, with_env)
        elif name == "crons":
            vacuum(db)
            results[name] = bench_load.run_cron_scaling(db, with_env)
        else:
            results[name] = run_scenario(db, name, runs)
            results[name]["wall_s"] = round(time.perf_counter() - start)
        print(f"[bench] {size} {name} done in {time.perf_counter() - start:.0f} s")
        path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    import bench_report

    bench_report.write()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["all", "build", "report", "scenario"])
    parser.add_argument("name", nargs="?")
    parser.add_argument("--size", default="S", choices=sorted(SIZES))
    parser.add_argument("-d", "--database")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="comma-separated scenarios")
    args = parser.parse_args()
    if args.command == "build":
        build(args.size)
    elif args.command == "report":
        import bench_report

        bench_report.write()
    elif args.command == "all":
        run_all(args.size, args.runs, args.only and args.only.split(","))
    else:
        func = globals()[f"scenario_{args.name}"]
        result = with_env(args.database, lambda env: func(env, args.runs))
        result["process_rss_peak_mb"] = round(rss_mb())
        print(json.dumps(result, default=str))


if __name__ == "__main__":
    sys.exit(main())
