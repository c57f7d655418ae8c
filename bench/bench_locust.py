"""Load test: many staff at once (``make bench-load``).

For each number of HTTP workers (``--workers``, default 2 and 4) an Odoo
server is started (plus one cron worker whose loyalty recompute is due
every minute), then Locust (``bench/load/locustfile.py``, in its own
virtual environment ``.venv-load``: it needs newer gevent and requests than
Odoo 19 pins) runs N salespeople opening 360 screens and the Customers 360
list while an accountant posts invoices, for N in ``--users`` (default 1, 5,
10, 20), ``--seconds`` each. With ``--replica`` the servers read through the
streaming replica of ``make replica``, and the rows each cluster served are
recorded.

Per run: 360 screens per second, p50/p95/p99 of the 360 screen and of the
list, invoices posted, failures, the loyalty cron runs in the server log,
and errors in it. The results go to ``docs/benchmarks/load.json``.

    bench_locust.py -d bench_s [--workers 2,4] [--users 1,5,10,20]
                    [--seconds 60] [--replica]
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

from bench_common import RESULTS, ROOT, with_env
from bench_load import (
    BASE_URL,
    JOB_RE,
    api_key,
    log_problems,
    start_server,
    stop_server,
    wait_http,
)
from bench_replica import SOCKET_DIR, counters

LOCUST = ROOT / ".venv-load" / "bin" / "locust"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
SAMPLE = 2000


def setup(env):
    """The API key, the company, the customers the users pick from, the
    large customer; the loyalty cron due every minute from now on."""
    company = env.ref("base.main_company")
    env.cr.execute(
        "SELECT DISTINCT commercial_partner_id FROM account_move "
        "WHERE company_id = %s AND move_type = 'out_invoice' AND state = 'posted' "
        "ORDER BY 1 LIMIT %s",
        (company.id, SAMPLE),
    )
    customers = [row[0] for row in env.cr.fetchall()]
    big = env["res.partner"].search([("ref", "=", "BENCH-1")]).id
    cron = env.ref("crm_loyalty.ir_cron_loyalty_recompute")
    saved = {
        "interval_number": cron.interval_number,
        "interval_type": cron.interval_type,
    }
    cron.write(
        {
            "interval_number": 1,
            "interval_type": "minutes",
            "nextcall": datetime.now() - timedelta(seconds=5),
            "active": True,
        }
    )
    key = api_key(env)
    env.cr.commit()
    return key, company.id, customers, big, cron.id, saved


def cron_runs(log, cron_id, since):
    """How many runs of the cron job ``cron_id`` ended after ``since``."""
    ended = [
        datetime.strptime(match.group(1)[:19], "%Y-%m-%d %H:%M:%S")
        for match in map(JOB_RE.match, log.read_text(errors="replace").splitlines())
        if match and int(match["id"]) == cron_id and match["status"] != "starting"
    ]
    return sum(1 for stamp in ended if stamp >= since)


def restore_cron(env, cron_id, saved):
    env["ir.cron"].browse(cron_id).write(saved)
    env.cr.commit()


def stats(prefix):
    """{request name: {count, failures, p50, p95, p99, rps}} from Locust's
    ``<prefix>_stats.csv``."""
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "per_s": round(float(row["Requests/s"]), 1),
            }
    return rows


def run_locust(args, env_vars, users, prefix):
    subprocess.run(
        [
            str(LOCUST),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            BASE_URL,
            "-u",
            str(users + 1),  # the accountant is one of them
            "-r",
            str(users + 1),
            "-t",
            f"{args.seconds}s",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, **env_vars},
        check=False,
        cwd=ROOT,
        capture_output=True,
    )
    return stats(prefix)


def summary(rows, served_rows, cron_runs):
    screen = rows.get("360 screen", {})
    listing = rows.get("Customers 360 list", {})
    posted = rows.get("post invoice: post", {})
    total = rows.get("Aggregated", {})
    result = {
        "screens_per_s": screen.get("per_s", 0),
        "screen_p50_ms": screen.get("p50_ms"),
        "screen_p95_ms": screen.get("p95_ms"),
        "screen_p99_ms": screen.get("p99_ms"),
        "list_per_s": listing.get("per_s", 0),
        "list_p50_ms": listing.get("p50_ms"),
        "list_p95_ms": listing.get("p95_ms"),
        "invoices_posted": posted.get("count", 0) - posted.get("failures", 0),
        "post_p95_ms": posted.get("p95_ms"),
        "failures": total.get("failures", 0),
        "loyalty_cron_runs": cron_runs,
    }
    if served_rows:
        result["rows_read"] = served_rows
    return result


def one_server(args, workers, prepared):
    key, company, customers, big, cron_id, _saved = prepared
    log = ROOT / ".odoo-data" / "logs" / f"bench_load_{args.database}_{workers}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    extra = []
    if args.replica:
        extra = [
            f"--db_replica_host={SOCKET_DIR}",
            f"--db_replica_port={args.replica_port}",
        ]
    server = start_server(
        args.database, log, cron_threads=1, workers=workers, extra=extra
    )
    env_vars = {
        "LOAD_DB": args.database,
        "LOAD_KEY": key,
        "LOAD_COMPANY": str(company),
        "LOAD_BIG": str(big),
        "LOAD_CUSTOMERS": ",".join(map(str, customers)),
        "LOAD_POSTERS": "1",
    }
    results = {}
    try:
        wait_http()
        for users in args.users:
            prefix = f"/tmp/bench_load_{workers}_{users}"
            before = datetime.now().replace(microsecond=0)
            ports = {"primary": args.primary_port, "replica": args.replica_port}
            start = (
                {n: counters(p, args.database) for n, p in ports.items()}
                if args.replica
                else {}
            )
            rows = run_locust(args, env_vars, users, prefix)
            served_rows = {}
            if args.replica:
                time.sleep(11)  # idle backends flush their statistics
                served_rows = {
                    n: counters(p, args.database)[1] - start[n][1]
                    for n, p in ports.items()
                }
            runs = cron_runs(log, cron_id, before)
            results[str(users)] = summary(rows, served_rows, runs)
            print(
                f"[load] {workers} workers, {users} users: {results[str(users)]}",
                flush=True,
            )
    finally:
        stop_server(server)
    problems = log_problems(log)
    return {
        "users": results,
        "server_log_problems": len(problems),
        "first_problems": problems[:3],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-d", "--database", default="bench_s")
    parser.add_argument("--workers", default="2,4")
    parser.add_argument("--users", default="1,5,10,20")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--replica", action="store_true")
    parser.add_argument("--primary-port", type=int, default=5432)
    parser.add_argument("--replica-port", type=int, default=5433)
    args = parser.parse_args()
    args.users = [int(n) for n in args.users.split(",")]
    if not LOCUST.exists():
        raise SystemExit(
            "Locust is missing: run `make bench-load` (it installs .venv-load)"
        )
    prepared = with_env(args.database, setup)
    result = {
        "database": args.database,
        "date": date.today().isoformat(),
        "seconds": args.seconds,
        "replica": args.replica,
        "workers": {},
    }
    try:
        for workers in (int(n) for n in args.workers.split(",")):
            result["workers"][str(workers)] = one_server(args, workers, prepared)
    finally:
        with_env(args.database, lambda env: restore_cron(env, prepared[4], prepared[5]))
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "load-replica.json" if args.replica else "load.json"
    (RESULTS / name).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    sys.exit(main())
