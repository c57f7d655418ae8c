"""What the benchmark modules share: paths, the database helpers, the timing
of one measure and the Odoo environment it runs in.

The other modules of ``bench/`` import this one, which imports none of
them. It puts ``demo/`` on the import path, for the generator's names
(``demo_names``) and its check (``demo_check``).
"""

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "demo"))
RESULTS = ROOT / "docs" / "benchmarks"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ODOO = str(ROOT / ".venv" / "bin" / "odoo")
SUPERUSER_ID = 1
ADMIN_ID = 2
# back to no loyalty state: the first recompute (P1) and the cron jobs (P4)
RESET_TIERS_SQL = """
    DELETE FROM crm_loyalty_state;
    UPDATE res_partner SET specific_property_product_pricelist = NULL
     WHERE specific_property_product_pricelist IS NOT NULL;
    DELETE FROM crm_loyalty_tier_history;
    UPDATE res_company SET loyalty_last_run = NULL, loyalty_last_full_run = NULL;
"""


# ------------------------------------------------------------------ database
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


# ------------------------------------------------------------------ measures
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


def extrapolated(env, loop, sample, total_customers):
    """One timed run of ``loop`` over ``sample`` customers, extrapolated to
    ``total_customers``."""
    result = timed(env, loop, 1)
    result["sample"] = sample
    result["extrapolated_s"] = result["median_s"] / max(sample, 1) * total_customers
    return result


def with_env(db, func):
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", str(ROOT / "odoo.conf"), "-d", db, "--log-level=warn"])
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        return func(env)


# ----------------------------------------------------------------- customers
def companies(env):
    return env["crm.loyalty.tier"].search([]).company_id.sorted("id")


def customers(env, company):
    from demo_names import REF_PREFIX

    env.cr.execute(
        "SELECT count(DISTINCT m.commercial_partner_id) FROM account_move m "
        "JOIN res_partner p ON p.id = m.commercial_partner_id "
        "WHERE m.company_id = %s AND p.ref LIKE %s",
        (company.id, REF_PREFIX + "%"),
    )
    return env.cr.fetchone()[0]


def sample_customers(env, company, sample):
    """The first ``sample`` customers of ``company`` with an invoice."""
    env.cr.execute(
        "SELECT DISTINCT commercial_partner_id FROM account_move "
        "WHERE company_id = %s AND move_type = 'out_invoice' "
        "ORDER BY commercial_partner_id LIMIT %s",
        (company.id, sample),
    )
    return env["res.partner"].browse([r[0] for r in env.cr.fetchall()])
