"""The benchmark says what disk a size needs before it builds it."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_build import SIZES, check_disk


def test_size_l_is_a_million_customers_and_ten_million_invoices():
    assert SIZES["L"] == (1_000_000, 10_000_000)


def test_too_little_disk_stops_with_what_is_needed():
    with pytest.raises(SystemExit) as stop:
        check_disk("L", 5e9, "/var/lib/postgresql/15/main")
    assert "size L needs about 25 GB free" in str(stop.value)
    assert "/var/lib/postgresql/15/main" in str(stop.value)
    assert "has 5.0 GB" in str(stop.value)


def test_enough_disk_goes_on():
    assert check_disk("S", 5e9, "/data") is None
