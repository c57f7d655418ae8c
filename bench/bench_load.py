"""Benchmarks that need a running Odoo server (called by bench.py all).

* P4: the loyalty recompute and a 36-month KPI backfill run as cron jobs of
  a server with 2 HTTP workers and a cron worker, while another process
  posts invoices through the HTTP workers (Odoo's JSON-2 API, with an API
  key of the administrator). Afterwards: errors in
  the server log and in the posting process, and a fresh recompute that
  must find nothing left to change (no lost tier change).
* Cron workers: the first recompute of the main company split in two
  customer batches (two cron jobs), run by a server with 1, then 2 cron
  workers.
"""

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import requests
from dateutil.relativedelta import relativedelta

from bench_common import ODOO, RESET_TIERS_SQL, ROOT, with_env

PORT = int(os.environ.get("BENCH_PORT", "8212"))
BASE_URL = f"http://127.0.0.1:{PORT}"
JOB_RE = re.compile(
    r"^(\S+ \S+) .*Job '(?P<name>.+)' \((?P<id>\d+)\) (?P<status>starting|[a-z ]+"
    r" \(#loop .*duration (?P<duration>[\d.]+)s\))"
)


def start_server(db, log, cron_threads, workers=2, extra=()):
    log.unlink(missing_ok=True)
    return subprocess.Popen(
        [
            ODOO,
            "-c",
            "odoo.conf",
            "-d",
            db,
            f"--db-filter=^{db}$",
            f"--http-port={PORT}",
            f"--workers={workers}",
            f"--max-cron-threads={cron_threads}",
            f"--logfile={log}",
            "--limit-time-real=3600",
            "--limit-time-cpu=3600",
            "--limit-time-real-cron=3600",
            "--limit-memory-soft=4294967296",
            "--limit-memory-hard=6442450944",
            "--log-level=info",
            *extra,
        ],
        cwd=ROOT,
        start_new_session=True,
    )


def stop_server(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_http(timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(f"{BASE_URL}/web/health", timeout=10).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    raise SystemExit("[bench] the Odoo server did not answer")


class ApiError(Exception):
    """An error answered by the JSON-2 API."""


class Api:
    """Odoo's JSON-2 API (``POST /json/2/<model>/<method>``) as another
    system calls it: an API key as bearer, the database in a header."""

    def __init__(self, db, key):
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"bearer {key}", "X-Odoo-Database": db}
        )

    def __call__(self, model, method, **body):
        response = self.session.post(
            f"{BASE_URL}/json/2/{model}/{method}", json=body, timeout=600
        )
        if response.status_code != 200:
            raise ApiError(f"{response.status_code} {response.text[:300]}")
        return response.json()

    def post_invoice(self, partner, amount, label):
        """Create and post a customer invoice of one line; its id."""
        moves = self(
            "account.move",
            "create",
            vals_list=[
                {
                    "move_type": "out_invoice",
                    "partner_id": partner,
                    "invoice_line_ids": [(0, 0, {"name": label, "price_unit": amount})],
                }
            ],
        )
        self("account.move", "action_post", ids=moves)
        return moves[0]


def jobs(log):
    """{cron id: {"start": datetime, "end": datetime, "status": str}}."""
    found = {}
    if not log.exists():
        return found
    for line in log.read_text(errors="replace").splitlines():
        match = JOB_RE.match(line)
        if not match:
            continue
        stamp = datetime.strptime(match.group(1)[:19], "%Y-%m-%d %H:%M:%S")
        job = found.setdefault(int(match["id"]), {"name": match["name"]})
        if match["status"] == "starting":
            job["start"] = stamp
        else:
            job["end"] = stamp
            job["status"] = match["status"].split(" (")[0]
            job["duration_s"] = float(match["duration"])
    return found


def log_problems(log):
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [
        line[:300]
        for line in lines
        if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
    ]


def wait_jobs(log, cron_ids, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = jobs(log)
        if all("end" in found.get(cid, {}) for cid in cron_ids):
            return found
        time.sleep(2)
    return jobs(log)


# ------------------------------------------------------------ set-up (ORM)
def prepare(env, kind, months=36):
    """Reset the tiers, the snapshots and the crons; create the jobs to run.
    Return the ids of the cron jobs to trigger."""
    cr = env.cr
    cr.execute(RESET_TIERS_SQL)
    cr.execute("DELETE FROM crm_kpi_snapshot")
    cr.execute("UPDATE ir_cron SET active = FALSE WHERE cron_name LIKE 'Benchmark:%%'")
    now = datetime.now() - timedelta(minutes=1)
    far = datetime.now() + timedelta(days=30)
    cr.execute("UPDATE ir_cron SET nextcall = %s WHERE active", (far,))
    if kind == "p4":
        ids = p4_jobs(env, now, months)
    else:
        ids = loyalty_batch_jobs(env, now)
    cr.commit()
    return ids


def p4_jobs(env, now, months):
    """The loyalty recompute cron and a KPI backfill job of ``months``
    months, both due ``now``."""
    loyalty = env.ref("crm_loyalty.ir_cron_loyalty_recompute")
    last = date.today().replace(day=1) - timedelta(days=1)
    first = (last - relativedelta(months=months - 1)).replace(day=1)
    kpi = env["ir.cron"].create(
        {
            "name": "Benchmark: KPI backfill",
            "model_id": env.ref("crm_kpi.model_crm_kpi_snapshot").id,
            "state": "code",
            "code": "for company in env['res.company'].search([]):\n"
            f"    model.with_company(company).compute_snapshots('{first}', "
            f"'{last}')",
            "interval_number": 1,
            "interval_type": "days",
            "nextcall": now,
        }
    )
    loyalty.write({"active": True, "nextcall": now})
    return [loyalty.id, kpi.id]


# the first recompute of the main company split in CRON_BATCHES jobs, run
# by servers of 1, 2 and 4 cron workers
CRON_BATCHES = 4
CRON_WORKERS = (1, 2, 4)


def loyalty_batch_jobs(env, now, batches=CRON_BATCHES):
    """``batches`` jobs due ``now`` that recompute the main company's tiers,
    each for one range of its customers (disjoint, of equal size)."""
    cr = env.cr
    model = env.ref("crm_loyalty.model_crm_loyalty_engine")
    company = env.ref("base.main_company")
    cr.execute(
        "SELECT DISTINCT commercial_partner_id FROM account_move "
        "WHERE company_id = %s AND move_type LIKE 'out_%%' ORDER BY 1",
        (company.id,),
    )
    partner_ids = [r[0] for r in cr.fetchall()]
    bounds = [partner_ids[len(partner_ids) * i // batches] for i in range(batches)]
    bounds.append(partner_ids[-1] + 1)
    ids = []
    for index, (low, high) in enumerate(itertools.pairwise(bounds)):
        cron = env["ir.cron"].create(
            {
                "name": f"Benchmark: loyalty batch {index + 1}/{batches}",
                "model_id": model.id,
                "state": "code",
                "code": "model.recompute_company(env.ref('base.main_company'), "
                "partners=env['res.partner'].search(["
                f"('id', '>=', {low}), ('id', '<', {high}), "
                "('parent_id', '=', False)]))",
                "interval_number": 1,
                "interval_type": "days",
                "nextcall": now,
            }
        )
        ids.append(cron.id)
    return ids


def leftover(env, companies=None):
    """Tier changes and state differences a fresh recompute of ``companies``
    (default: every company with tiers) would still make (rolled back): both
    0 when no change was lost."""
    engine = env["crm.loyalty.engine"]
    reasons = states = 0
    for company in companies or env["crm.loyalty.tier"].search([]).company_id:
        company = company.with_company(company)
        today = date.today()
        tiers = env["crm.loyalty.tier"].search(
            [("company_id", "=", company.id)], order="min_amount"
        )
        ids = engine._customer_ids(company)
        spend = engine._read_spend(company, today, ids)
        current = engine._read_states(company, ids)
        changes = engine._apply_rules(
            company, tiers, today, spend, current, "recompute"
        )
        states += len(changes)
        reasons += sum(1 for change in changes.values() if change["reason"])
    env.cr.rollback()
    return reasons, states


# ----------------------------------------------------------------- poster
def api_key(env):
    """A new API key of the administrator, valid for a day (committed)."""
    admin = env.ref("base.user_admin")
    return (
        env["res.users.apikeys"]
        .with_user(admin)
        ._generate(None, "Benchmark load", datetime.now() + timedelta(days=1))
    )


def poster(db, key, stop_file, out_file):
    """Post invoices through the JSON-2 API until ``stop_file`` exists."""
    call = Api(db, key)
    partners = call(
        "res.partner",
        "search",
        domain=[
            ("ref", "=like", "BENCH-%"),
            ("ref", "not in", ["BENCH-1", "BENCH-2"]),
        ],
        limit=200,
        order="id",
    )
    posted, errors, times = [], [], []
    index = 0
    while not Path(stop_file).exists():
        partner = partners[(index * 37) % len(partners)]
        index += 1
        start = time.perf_counter()
        try:
            call.post_invoice(partner, 4000, "Load")
            posted.append(partner)
            times.append(time.perf_counter() - start)
        except (ApiError, requests.RequestException) as error:
            errors.append(str(error)[:300])
    times.sort()
    Path(out_file).write_text(
        json.dumps(
            {
                "posted": len(posted),
                "errors": errors,
                "median_post_s": times[len(times) // 2] if times else None,
                "max_post_s": times[-1] if times else None,
            }
        )
    )


# -------------------------------------------------------------- scenarios
def run_p4(db, timeout=3600):
    log = ROOT / ".odoo-data" / "logs" / f"bench_p4_{db}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cron_ids = with_env(db, lambda env: prepare(env, "p4"))
    key = with_env(db, api_key)
    stop_file = Path(f"/tmp/bench_p4_{db}.stop")
    out_file = Path(f"/tmp/bench_p4_{db}.json")
    stop_file.unlink(missing_ok=True)
    server = start_server(db, log, cron_threads=1)
    try:
        wait_http()
        thread = threading.Thread(target=poster, args=(db, key, stop_file, out_file))
        thread.start()
        start = time.perf_counter()
        found = wait_jobs(log, cron_ids, timeout)
        elapsed = time.perf_counter() - start
        time.sleep(5)  # a few more postings once the jobs are done
        stop_file.touch()
        thread.join()
    finally:
        stop_server(server)
    posting = json.loads(out_file.read_text())
    reasons, states = with_env(db, leftover)
    problems = log_problems(log)
    return {
        "cron_jobs": "; ".join(
            f"{j['name']}: {j.get('status', 'not finished')} in "
            f"{j.get('duration_s', 0):.1f} s"
            for cid, j in found.items()
            if cid in cron_ids
        ),
        "wall_time_until_both_done_s": round(elapsed, 1),
        "invoices_posted_meanwhile": posting["posted"],
        "posting_errors": len(posting["errors"]),
        "posting_median_s": posting["median_post_s"],
        "posting_max_s": posting["max_post_s"],
        "server_log_error_lines": len(problems),
        "first_errors": " / ".join(problems[:3] + posting["errors"][:3]) or "none",
        "fresh_recompute_tier_changes_left": reasons,
        "fresh_recompute_state_differences_left": states,
    }


def run_cron_scaling(db, timeout=3600):
    results = {"batches": CRON_BATCHES}
    for threads in CRON_WORKERS:
        log = ROOT / ".odoo-data" / "logs" / f"bench_cron{threads}_{db}.log"
        cron_ids = with_env(db, lambda env: prepare(env, "cron"))
        server = start_server(db, log, cron_threads=threads)
        try:
            found = wait_jobs(log, cron_ids, timeout)
        finally:
            stop_server(server)
        done = [found.get(cid, {}) for cid in cron_ids]
        if not all("end" in job and "start" in job for job in done):
            results[threads] = {"error": f"jobs not finished: {done}"}
            continue
        results[threads] = {
            "wall_s": (
                max(j["end"] for j in done) - min(j["start"] for j in done)
            ).total_seconds(),
            "job_durations_s": [j["duration_s"] for j in done],
            "statuses": [j["status"] for j in done],
            "log_errors": len(log_problems(log)),
        }
        # the jobs recompute the main company only
        results[threads]["changes_left"] = with_env(
            db, lambda env: leftover(env, env.ref("base.main_company"))
        )
    if "wall_s" in results[1]:
        results["speedups"] = {
            n: results[1]["wall_s"] / max(results[n]["wall_s"], 1e-9)
            for n in CRON_WORKERS[1:]
            if "wall_s" in results[n]
        }
    return results


if __name__ == "__main__":
    sys.exit("use bench.py p4 / bench.py crons")
