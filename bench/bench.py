"""Benchmarks of the suite at scale (``make bench SIZE=S|M|L``).

    bench.py all --size S      build (or reuse) bench_s, run every scenario,
                               write docs/benchmarks/S.json and docs/benchmarks.md
    bench.py build --size S    only the database
    bench.py report            docs/benchmarks.md from the JSON results
    bench.py scenario NAME -d DB [--runs 3]   one scenario, JSON on stdout
                               (p1, p2, p3, p5, kept: the kept figures
                               against a full recompute after a day of work)

Each scenario runs in its own Odoo process (so that its peak memory is its
own) and measures the add-on's method against its anchors on the same
data: the obvious ORM loop (timed on a sample, extrapolated) and the raw
SQL that is the practical floor. Every measured run is rolled back, so runs
see the same data; the reported figure is the median of the runs.

The modules of this folder: bench_common (what they all share), bench_build
(the database), bench_anchors and bench_scenarios (P1 to P3, P5), bench_kept
(the kept figures' check), bench_load
(P4 and the cron workers, with a running server), bench_report
(docs/benchmarks.md).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import bench_kept
import bench_load
import bench_report
import bench_scenarios
from bench_build import SIZES, build
from bench_common import PYTHON, RESULTS, ROOT, psql, rss_mb, vacuum, with_env

SCENARIOS = ["p1", "p2", "p3", "p5", "kept"]


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
            results[name] = bench_load.run_p4(db)
        elif name == "crons":
            vacuum(db)
            results[name] = bench_load.run_cron_scaling(db)
        else:
            results[name] = run_scenario(db, name, runs)
            results[name]["wall_s"] = round(time.perf_counter() - start)
        print(f"[bench] {size} {name} done in {time.perf_counter() - start:.0f} s")
        path.write_text(json.dumps(results, indent=1, default=str) + "\n")
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
        bench_report.write()
    elif args.command == "all":
        run_all(args.size, args.runs, args.only and args.only.split(","))
    else:
        module = bench_kept if args.name == "kept" else bench_scenarios
        func = getattr(module, f"scenario_{args.name}")
        result = with_env(args.database, lambda env: func(env, args.runs))
        result["process_rss_peak_mb"] = round(rss_mb())
        print(json.dumps(result, default=str))


if __name__ == "__main__":
    sys.exit(main())
