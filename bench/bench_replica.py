"""Odoo with a PostgreSQL streaming replica (``make bench-replica``, after
``make replica``).

Starts a server with 2 HTTP workers and ``--db_replica_host`` /
``--db_replica_port`` on a database the replica streams, then calls it
through Odoo's JSON-2 API with an API key, as another system does:

1. the read-only methods (360 data of a large and a small customer, the
   Customers 360 export, the Customers 360 list as the web client reads it,
   the KPI comparisons, cohort table and trend) are called ``--calls`` times
   each: the transactions and rows each cluster served for the database
   (``pg_stat_database`` of the primary and of the replica);
2. writes (KPI snapshots computed, invoices posted) go to the primary;
3. during replication lag (replay paused on the replica): an invoice posted
   on the primary is missing from the 360 figures the replica serves until
   replay resumes;
4. the delay from a committed write to its visibility on the replica (the
   median and the maximum of ``--samples`` writes);
5. with the replica stopped, the read-only calls are served by the primary
   (Odoo falls back, and logs a warning).

Each step asserts what it shows; the result is written to
``docs/benchmarks/replica.json`` and printed. Exit status 1 when an
assertion fails.

    bench_replica.py -d bench_s [--calls 20] [--samples 20]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import date

from bench_common import RESULTS, ROOT, psql, with_env
from bench_load import Api, api_key, log_problems, start_server, stop_server, wait_http

SOCKET_DIR = "/var/run/postgresql"
# stats of other backends reach pg_stat_database when they are idle (10 s)
STATS_DELAY_S = 11


def cluster_psql(port, query, db="postgres"):
    out = subprocess.run(
        ["psql", "-X", "-h", SOCKET_DIR, "-p", str(port), "-d", db, "-tAc", query],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def counters(port, db):
    """(transactions, rows read) served by the cluster on ``port`` for ``db``."""
    row = cluster_psql(
        port,
        "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched "
        f"FROM pg_stat_database WHERE datname = '{db}'",
    )
    return tuple(int(v) for v in row.split("|"))


def served(args, work):
    """Run ``work`` and return what each cluster served for the database
    meanwhile: {"primary"|"replica": {"transactions", "rows_read"}}."""
    ports = {"primary": args.primary_port, "replica": args.replica_port}
    time.sleep(STATS_DELAY_S)
    before = {name: counters(port, args.database) for name, port in ports.items()}
    work()
    time.sleep(STATS_DELAY_S)
    after = {name: counters(port, args.database) for name, port in ports.items()}
    return {
        name: {
            "transactions": after[name][0] - before[name][0],
            "rows_read": after[name][1] - before[name][1],
        }
        for name in ports
    }


def setup(env):
    """API key of the administrator, the two benchmark customers, and a
    go-live date for the KPI comparisons (the main company's, if unset)."""
    company = env.ref("base.main_company")
    if not company.crm_go_live_date:
        company.crm_go_live_date = date.today().replace(day=1, month=1)
    partners = env["res.partner"].search([("ref", "in", ["BENCH-1", "BENCH-2"])])
    by_ref = {p.ref: p.id for p in partners}
    key = api_key(env)
    env.cr.commit()
    return key, by_ref["BENCH-1"], by_ref["BENCH-2"], company.id


def read_only_calls(call, big, small):
    """The read-only methods of the suite, as the screens and other systems
    call them."""
    return {
        "res.partner.customer_360_data (10,000 invoices)": lambda: call(
            "res.partner", "customer_360_data", ids=[big]
        ),
        "res.partner.customer_360_data (10 invoices)": lambda: call(
            "res.partner", "customer_360_data", ids=[small]
        ),
        "crm.customer.360.export_rows (100 rows)": lambda: call(
            "crm.customer.360", "export_rows", limit=100
        ),
        "crm.customer.360.web_search_read (the list, 80 rows)": lambda: call(
            "crm.customer.360",
            "web_search_read",
            domain=[],
            specification={"partner_id": {}, "balance_due": {}, "revenue_12m": {}},
            limit=80,
        ),
        "crm.kpi.snapshot.get_comparisons": lambda: call(
            "crm.kpi.snapshot", "get_comparisons"
        ),
        "crm.kpi.snapshot.get_cohort_table": lambda: call(
            "crm.kpi.snapshot", "get_cohort_table"
        ),
        "crm.kpi.snapshot.get_trend (retention)": lambda: call(
            "crm.kpi.snapshot", "get_trend", kpi_code="retention_rate"
        ),
    }


def step_reads(args, call, big, small):
    rows = {}
    for name, func in read_only_calls(call, big, small).items():
        times = []

        def work(func=func, times=times):
            for _ in range(args.calls):
                start = time.perf_counter()
                func()
                times.append(time.perf_counter() - start)

        result = served(args, work)
        result["median_ms"] = round(statistics.median(times) * 1000, 1)
        rows[name] = result
    return rows


def invoice_count(call, partner):
    return call("res.partner", "customer_360_data", ids=[partner])["summary"][
        "invoice_count"
    ]


def step_writes(args, call, small):
    last = date.today().replace(day=1)
    first = last.replace(year=last.year - 3)

    def work():
        call(
            "crm.kpi.snapshot",
            "compute_snapshots",
            date_from=first.isoformat(),
            date_to=last.isoformat(),
        )
        for _ in range(args.calls):
            call.post_invoice(small, 100, "Replica")

    return served(args, work)


def primary_invoice_count(args, partner):
    return int(
        cluster_psql(
            args.primary_port,
            "SELECT count(*) FROM account_move WHERE state = 'posted' "
            f"AND move_type = 'out_invoice' AND commercial_partner_id = {partner}",
            db=args.database,
        )
    )


def step_lag(args, call, small):
    before = invoice_count(call, small)
    cluster_psql(args.replica_port, "SELECT pg_wal_replay_pause()")
    try:
        call.post_invoice(small, 100, "Replica")
        time.sleep(2)
        during = invoice_count(call, small)
        on_primary = primary_invoice_count(args, small)
        lag = cluster_psql(
            args.primary_port,
            "SELECT COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) "
            "FROM pg_stat_replication LIMIT 1",
        )
    finally:
        cluster_psql(args.replica_port, "SELECT pg_wal_replay_resume()")
    start = time.perf_counter()
    after = invoice_count(call, small)
    while after == during and time.perf_counter() - start < 30:
        time.sleep(0.05)
        after = invoice_count(call, small)
    return {
        "invoices_before": before,
        "posted_on_primary_while_paused": 1,
        "invoices_on_primary": on_primary,
        "invoices_shown_by_replica_while_paused": during,
        "bytes_of_wal_not_replayed": int(float(lag)),
        "invoices_shown_after_resume": after,
        "seconds_to_catch_up_after_resume": round(time.perf_counter() - start, 2),
    }


def step_visibility(args, call, small):
    delays = []
    for index in range(args.samples):
        text = f"replica check {time.time()} {index}"
        call("res.partner", "write", ids=[small], vals={"comment": text})
        start = time.perf_counter()
        while True:
            seen = call("res.partner", "read", ids=[small], fields=["comment"])
            if text in (seen[0]["comment"] or ""):
                break
            if time.perf_counter() - start > 30:
                raise AssertionError("a write was not visible on the replica in 30 s")
            time.sleep(0.005)
        delays.append(time.perf_counter() - start)
    return {
        "samples": len(delays),
        "median_ms": round(statistics.median(delays) * 1000, 1),
        "max_ms": round(max(delays) * 1000, 1),
    }


def step_replica_down(args, call, small, version, name):
    subprocess.run(["pg_ctlcluster", version, name, "stop"], check=True)
    try:
        answers, errors = 0, []
        for _ in range(5):
            try:
                invoice_count(call, small)
                answers += 1
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                errors.append(str(error)[:200])
    finally:
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True)
    return {"calls": 5, "answered": answers, "errors": errors}


def replica_cluster(port):
    """(version, name) of the cluster listening on ``port``."""
    for line in subprocess.run(
        ["pg_lsclusters", "-h"], capture_output=True, text=True, check=True
    ).stdout.splitlines():
        version, name, cluster_port, status, *_ = line.split()
        if int(cluster_port) == port:
            if "recovery" not in status:
                raise SystemExit(f"the cluster on port {port} is not a running replica")
            return version, name
    raise SystemExit(f"no replica listens on port {port}: run `make replica` first")


def check(result):
    """What each step must show; the failed statements."""
    failed = []
    for name, row in result["reads"].items():
        if row["replica"]["rows_read"] <= 10 * max(row["primary"]["rows_read"], 1):
            failed.append(f"{name}: not served by the replica ({row})")
    # each request reads the registry's signaling sequences on the replica
    # (a few rows): the writes' own reads are on the primary
    writes = result["writes"]
    if writes["replica"]["rows_read"] * 100 > writes["primary"]["rows_read"]:
        failed.append(f"writes: not served by the primary ({writes})")
    lag = result["lag"]
    if lag["invoices_shown_by_replica_while_paused"] != lag["invoices_before"]:
        failed.append(f"lag: the replica was not behind ({lag})")
    if lag["invoices_on_primary"] != lag["invoices_before"] + 1:
        failed.append(f"lag: the primary does not hold the new invoice ({lag})")
    if lag["invoices_shown_after_resume"] != lag["invoices_before"] + 1:
        failed.append(f"lag: the replica did not catch up ({lag})")
    down = result["replica_down"]
    if down["answered"] != down["calls"]:
        failed.append(f"replica down: not every call was answered ({down})")
    return failed


def run(args):
    version, name = replica_cluster(args.replica_port)
    key, big, small, company = with_env(args.database, setup)
    log = ROOT / ".odoo-data" / "logs" / f"bench_replica_{args.database}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(
        args.database,
        log,
        cron_threads=0,
        extra=[
            f"--db_replica_host={SOCKET_DIR}",
            f"--db_replica_port={args.replica_port}",
        ],
    )
    try:
        wait_http()
        call = Api(args.database, key)
        call.session.headers["X-Odoo-Company"] = str(company)
        result = {"database": args.database, "date": date.today().isoformat()}
        result["writes"] = step_writes(args, call, small)
        result["reads"] = step_reads(args, call, big, small)
        result["lag"] = step_lag(args, call, small)
        result["visibility"] = step_visibility(args, call, small)
        result["replica_down"] = step_replica_down(args, call, small, version, name)
    finally:
        stop_server(server)
    result["server_log_warnings_and_errors"] = log_problems(log)[:5]
    result["failed"] = check(result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-d", "--database", default="bench_s")
    parser.add_argument("--primary-port", type=int, default=5432)
    parser.add_argument("--replica-port", type=int, default=5433)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    if (
        psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'")
        != "1"
    ):
        raise SystemExit(
            f"no database {args.database}: build one with "
            "`.venv/bin/python bench/bench.py build --size S` first"
        )
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "replica.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    for line in result["failed"]:
        print(f"[replica] FAILED: {line}", file=sys.stderr)
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
