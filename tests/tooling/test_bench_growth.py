"""The growth table fits each measure over the sizes and extrapolates it."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import bench_growth
import bench_report


def results(invoices, first_s, overhead_ms=None):
    p1 = {"invoices": invoices, "first": {"median_s": first_s}}
    if overhead_ms is not None:
        p1["posting"] = {"overhead_ms": overhead_ms}
    return {"p1": p1}


def test_a_fixed_part_plus_a_cost_per_invoice_is_found_again():
    # 0.5 s fixed + 2 s per million invoices
    points = [(n, 0.5 + 2e-6 * n) for n in (100_000, 1_000_000, 10_000_000)]
    fixed, per = bench_growth.fit(points)
    assert fixed == pytest.approx(0.5)
    assert per * 1e6 == pytest.approx(2.0)


def test_noise_around_a_constant_stays_about_constant():
    fixed, per = bench_growth.fit([(1e5, 0.030), (1e6, 0.029), (1e7, 0.031)])
    assert fixed == pytest.approx(0.030, abs=0.001)
    assert fixed + per * 1e8 == pytest.approx(0.030, abs=0.02)


def test_a_cost_that_shrinks_with_the_data_is_taken_as_fixed():
    fixed, per = bench_growth.fit([(1e5, 0.040), (1e6, 0.030), (1e7, 0.020)])
    assert per == 0
    assert fixed == pytest.approx(0.030)


def test_the_table_extrapolates_to_a_hundred_million_invoices():
    all_results = {
        "S": results(100_000, 1.0 + 1e-5 * 100_000, overhead_ms=4),
        "M": results(1_000_000, 1.0 + 1e-5 * 1_000_000, overhead_ms=4),
    }
    lines = bench_growth.table(all_results, ["S", "M"])
    first = next(line for line in lines if "first recompute" in line)
    # 1 s + 10 s per million: 11 s at M, 1,001 s (17 min) at 100 million
    assert "| 2.00 s | 11.00 s | 1.00 s | 10.00 s | 17 min |" in first
    posting = next(line for line in lines if "P1 loyalty: posting" in line)
    assert "| 4.0 ms | 4.0 ms | 4.0 ms | 0.0 ms | 4.0 ms |" in posting


def test_a_measure_of_one_size_has_no_fit():
    lines = bench_growth.table(
        {"S": results(100_000, 2.0), "M": {"p1": {"invoices": 1_000_000}}}, ["S", "M"]
    )
    first = next(line for line in lines if "first recompute" in line)
    assert first.endswith("| 2.00 s |  |  |  | (one size only) |")


def test_the_scaling_document_keeps_its_text_around_the_table():
    start, end = bench_report.GROWTH_START, bench_report.GROWTH_END
    text = f"intro\n{start}\nold\n{end}\nafter\n"
    new = bench_report.with_growth(text, ["| new |"])
    assert new == f"intro\n{start}\n| new |\n{end}\nafter\n"
    assert bench_report.with_growth("no markers", ["x"]) == "no markers"


def test_an_overhead_measured_below_zero_counts_as_none():
    fixed, per = bench_growth.fit([(1e5, -0.005), (1e6, 0.004), (1e7, 0.004)])
    assert fixed + per * 1e7 == pytest.approx(0.004, abs=0.001)
    assert fixed >= 0 and per >= 0
