"""The generator of docs/security.md (no Odoo needed)."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import security_report


def matrix(*rows):
    return {
        "odoo_version": "19.0",
        "date": "2026-11-25",
        "roles": [["public", "Not logged in"], ["portal", "Portal customer"]],
        "rows": [
            dict(
                zip(
                    ("role", "target", "operation", "expected", "outcome"),
                    row,
                    strict=True,
                )
            )
            for row in rows
        ],
    }


def test_one_table_per_target_in_role_order():
    text = security_report.render(
        matrix(
            ("portal", "crm.claim", "search_read", "Acme | B", "Acme | B"),
            ("public", "crm.claim", "search_read", "denied", "denied"),
            ("portal", "/my/claims", "GET", "Acme", "Acme"),
        )
    )
    assert "Odoo 19.0" in text and "2026-11-25" in text
    assert "Tried: 3 (role, model or page, operation) cells" in text
    assert "| search_read | denied | Acme \\| B | 2 |" in text
    assert "| GET |  | Acme | 1 |" in text
    assert text.index("## `/my/claims`") < text.index("## `crm.claim`")


def test_same_input_same_document(tmp_path):
    data = matrix(
        ("public", "crm.claim", "read", "denied", "denied"),
        ("portal", "crm.claim", "read", "Acme", "Acme"),
    )
    source = tmp_path / "matrix.json"
    source.write_text(json.dumps(data))
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    assert security_report.main(["x", str(source), str(first)]) == 0
    data["rows"].reverse()
    source.write_text(json.dumps(data))
    assert security_report.main(["x", str(source), str(second)]) == 0
    assert first.read_text() == second.read_text()


def test_unexpected_outcome_is_not_written(tmp_path, capsys):
    source = tmp_path / "matrix.json"
    source.write_text(
        json.dumps(matrix(("portal", "crm.claim", "read", "denied", "Bolt")))
    )
    target = tmp_path / "security.md"
    assert security_report.main(["x", str(source), str(target)]) == 1
    assert not target.exists()
    assert "expected 'denied', got 'Bolt'" in capsys.readouterr().err


def test_a_cell_recorded_twice_is_refused():
    row = ("portal", "crm.claim", "read", "Acme", "Acme")
    with pytest.raises(ValueError, match="same cell twice"):
        security_report.render(matrix(row, row))
