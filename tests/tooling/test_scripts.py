"""Tests of the repository's own tooling (no Odoo needed)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import addons
import check_log

LINE = "2026-11-23 22:57:01,131 8141 {level} testdb {logger}: {msg}\n"


def write_log(tmp_path, *lines):
    path = tmp_path / "odoo.log"
    path.write_text("".join(LINE.format(**line) for line in lines))
    return path


def ok_report(run=5, failed=0, errors=0):
    return {
        "level": "INFO",
        "logger": "odoo.tests.result",
        "msg": f"{failed} failed, {errors} error(s) of {run} tests "
        "when loading database 'x'",
    }


def test_clean_log_passes(tmp_path):
    path = write_log(
        tmp_path, {"level": "INFO", "logger": "odoo.modules", "msg": "ok"}, ok_report()
    )
    assert check_log.check(path)


def test_warning_fails(tmp_path, capsys):
    path = write_log(
        tmp_path,
        {
            "level": "WARNING",
            "logger": "odoo.fields",
            "msg": "Field x: unknown parameter",
        },
        ok_report(),
    )
    assert not check_log.check(path)
    assert "Field x: unknown parameter" in capsys.readouterr().out


def test_skipped_tour_fails(tmp_path, capsys):
    path = write_log(
        tmp_path,
        {
            "level": "INFO",
            "logger": "odoo.addons.crm_360.tests.test_tour",
            "msg": "skipped test_tour (TestTour) : "
            "websocket-client module is not installed",
        },
        ok_report(),
    )
    assert not check_log.check(path)
    assert "skipped test" in capsys.readouterr().out


def test_no_test_run_fails(tmp_path):
    assert not check_log.check(write_log(tmp_path, ok_report(run=0)))
    assert not check_log.check(
        write_log(tmp_path, {"level": "INFO", "logger": "x", "msg": "y"})
    )


def test_summary_line(tmp_path):
    path = write_log(tmp_path, ok_report(run=12, failed=1, errors=2))
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts/check_log.py"), "--summary", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "9 passed, 3 failed"


def test_summary_adds_pytest_reports(tmp_path):
    """Fault tests (pytest) count in the summary; a skipped one is a failure."""
    path = write_log(tmp_path, ok_report(run=12, failed=1))
    report = tmp_path / "faults.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest" tests="5" failures="1" errors="0" '
        'skipped="1"></testsuite></testsuites>'
    )
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts/check_log.py"), "--summary", str(path),
         "--junit", str(report), "--junit", str(tmp_path / "missing.xml")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # fmt: skip
    # 11 + 3 passed; 1 + 2 failed, and a missing report is one failure
    assert out.strip() == "14 passed, 4 failed"


def test_server_log_needs_no_test_report(tmp_path):
    clean = write_log(tmp_path, {"level": "INFO", "logger": "odoo", "msg": "up"})
    assert check_log.check(clean, expect_tests=False)
    assert not check_log.check(clean)
    warned = write_log(tmp_path, {"level": "WARNING", "logger": "odoo", "msg": "x"})
    assert not check_log.check(warned, expect_tests=False)


def test_addons_found_and_ordered():
    names = addons.addons("addons", "tests")
    on_disk = {p.parent.name for p in ROOT.glob("*/*/__manifest__.py")}
    assert set(names) == on_disk - {"node_modules"}
    assert {"crm_loyalty", "crm_claim_closing", "test_crm_suite"} <= set(names)
    order = addons.dependents_first(names)
    # an add-on is uninstalled before what it depends on
    for name in names:
        for dep in addons._manifest(name).get("depends", []):
            if dep in names:
                assert order.index(name) < order.index(dep), (name, dep)


def test_setup_fails_without_odoo(tmp_path):
    """With no Odoo anywhere, set-up stops and says what to provide."""
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("scripts", "requirements.txt", "constraints.txt"):
        subprocess.run(["cp", "-r", str(ROOT / name), str(copy / name)], check=True)
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # a python3 that cannot import odoo, and no network for the archive
    (fake_bin / "curl").write_text("#!/bin/sh\nexit 6\n")
    (fake_bin / "curl").chmod(0o755)
    env = {
        "PATH": f"{fake_bin}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ODOO_ARCHIVE_URL": "http://127.0.0.1:9/none.tar.gz",
        "PIP_NO_INDEX": "1",
    }
    result = subprocess.run(
        ["bash", str(copy / "scripts/setup.sh")],
        capture_output=True,
        text=True,
        env=env,
        cwd=copy,
        timeout=600,
        check=False,
    )
    assert result.returncode != 0
    assert "Odoo 19.0 was not found" in result.stderr
    assert "ODOO_SRC=/path/to/odoo" in result.stderr
