"""The report gives a verdict where the scale issue sets a target at L."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import bench_report


def measure(seconds):
    return {"median_s": seconds, "runs_s": [seconds], "queries": 1}


def cells(line):
    return [cell.strip() for cell in line.strip("|").split("|")]


def nightly(run_s, floor_s):
    return {
        "floor_nightly": measure(floor_s),
        "nightly_1pct": {**measure(run_s), "result": 9166},
        "nightly_customers_read": 27051,
        "steady_1pct": measure(23.77),
    }


def test_nightly_run_at_l_is_judged_against_its_targets():
    missed = bench_report.p1_nightly_rows(nightly(3.44, 0.89), "L")[1]
    assert cells(missed)[4:6] == ["≤ 1.5 s and ≤ 2× its floor (1.78 s)", "**missed**"]
    # under 1.5 s but more than twice its floor: still missed
    assert cells(bench_report.p1_nightly_rows(nightly(1.4, 0.5), "L")[1])[5] == (
        "**missed**"
    )
    assert cells(bench_report.p1_nightly_rows(nightly(1.2, 0.7), "L")[1])[5] == "met"


def test_nightly_run_below_l_shows_the_target_without_a_verdict():
    row = cells(bench_report.p1_nightly_rows(nightly(0.25, 0.10), "M")[1])
    assert row[4:6] == ["at L: ≤ 1.5 s and ≤ 2× its floor", ""]


def test_first_recompute_memory_at_l_is_judged_against_one_gigabyte():
    assert cells(bench_report.memory_row({"process_rss_peak_mb": 528}, "L")[0])[
        4:6
    ] == ["< 1 GB (at L)", "met"]
    assert (
        cells(bench_report.memory_row({"process_rss_peak_mb": 1100}, "L")[0])[5]
        == "**missed**"
    )
    assert cells(bench_report.memory_row({"process_rss_peak_mb": 270}, "M")[0])[
        4:6
    ] == ["", ""]


def test_backfill_at_l_is_judged_against_three_times_its_floor():
    p3 = {"floor_sql": measure(5.70), "backfill": {**measure(14.23), "result": 3744}}
    assert cells(bench_report.p3_backfill_rows(p3, "L")[0])[4:6] == [
        "≤ 3× floor (17.10 s)",
        "met",
    ]
    p3["backfill"] = {**measure(18.0), "result": 3744}
    assert cells(bench_report.p3_backfill_rows(p3, "L")[0])[5] == "**missed**"
