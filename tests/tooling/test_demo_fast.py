"""The fast writer numbers invoices as the journal's sequence does, past a
million invoices per company and year too."""

import sys
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "demo"))

from demo_fast import MOVE_NAME


@pytest.fixture
def cr():
    connection = psycopg2.connect(dbname="postgres")
    try:
        yield connection.cursor()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "number,name",
    [
        (1, "INV/2026/000001"),
        (999_999, "INV/2026/999999"),
        (1_000_000, "INV/2026/1000000"),
        (1_234_567, "INV/2026/1234567"),
    ],
)
def test_move_name_follows_the_sequence(cr, number, name):
    query = MOVE_NAME.code.replace("s.", "")
    cr.execute(
        f"SELECT {query} FROM (SELECT %s::text AS prefix, %s::int AS number) t",
        ["INV/2026/", number],
    )
    assert cr.fetchone()[0] == name
