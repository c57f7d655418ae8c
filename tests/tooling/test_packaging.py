"""Licences and packaging of the add-ons: manifestoo's licence check passes
on the repository and fails when an add-on that depends on AGPL code says
LGPL; an add-on builds as an odoo-addon-* wheel with whool, offline."""

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
MANIFESTOO = PYTHON.parent / "manifestoo"
# the add-ons that depend, directly or not, on OCA's crm_claim (AGPL-3)
AGPL_ADDONS = [
    "addons/crm_claim_closing",
    "addons/crm_360",
    "addons/crm_kpi",
    "addons/crm_360_loyalty",
    "addons/crm_360_mass_mailing",
    "tests/test_crm_suite",
]
LGPL_ADDONS = [
    "addons/crm_suite_base",
    "addons/crm_loyalty",
    "addons/crm_loyalty_sale_loyalty",
]


def manifest(addon_dir):
    return ast.literal_eval((addon_dir / "__manifest__.py").read_text())


def check_licenses(root):
    return subprocess.run(
        [
            str(MANIFESTOO),
            "--addons-path-python",
            str(PYTHON),
            "--select-addons-dir",
            str(root / "addons"),
            "--select-addons-dir",
            str(root / "tests"),
            "check-licenses",
            "--transitive",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": str(PYTHON.parent)},
    )


def test_manifest_licences():
    for addon in AGPL_ADDONS:
        assert manifest(ROOT / addon)["license"] == "AGPL-3", addon
    for addon in LGPL_ADDONS:
        assert manifest(ROOT / addon)["license"] == "LGPL-3", addon


def test_licences_of_the_repository_are_compatible():
    result = check_licenses(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("addon", AGPL_ADDONS)
def test_lgpl_addon_on_agpl_code_fails_the_check(tmp_path, addon):
    for folder in ("addons", "tests"):
        shutil.copytree(
            ROOT / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns("static", "i18n", "__pycache__"),
        )
    path = tmp_path / addon / "__manifest__.py"
    text = path.read_text()
    assert '"license": "AGPL-3"' in text
    path.write_text(text.replace('"license": "AGPL-3"', '"license": "LGPL-3"'))
    result = check_licenses(tmp_path)
    assert result.returncode != 0
    name = Path(addon).name
    assert re.search(
        rf"^{name} \(LGPL-3\) depends on \w+ \(AGPL-3\)", result.stdout, re.MULTILINE
    ), result.stdout + result.stderr


def test_addon_builds_as_wheel(tmp_path):
    """crm_loyalty builds as odoo_addon_crm_loyalty-<manifest version>[.N]
    (whool adds the number of commits since the version was set) with the
    add-on under odoo/addons/, without a download (no build isolation, no
    index)."""
    addon = ROOT / "addons/crm_loyalty"
    result = subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--wheel-dir",
            str(tmp_path),
            str(addon),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = [p.name for p in tmp_path.glob("*.whl")]
    assert len(wheels) == 1, wheels
    version = re.escape(manifest(addon)["version"])
    assert re.fullmatch(
        rf"odoo_addon_crm_loyalty-{version}(\.\d+)?-py3-none-any\.whl", wheels[0]
    ), wheels[0]
    with zipfile.ZipFile(tmp_path / wheels[0]) as wheel:
        names = wheel.namelist()
        assert "odoo/addons/crm_loyalty/__manifest__.py" in names
        assert "odoo/addons/crm_loyalty/static/description/icon.png" in names
        assert "odoo/addons/crm_loyalty/pyproject.toml" not in names
        metadata = wheel.read(
            next(n for n in names if n.endswith(".dist-info/METADATA"))
        ).decode()
    assert "Name: odoo-addon-crm_loyalty\n" in metadata
    assert "License: LGPL-3\n" in metadata
    assert "Requires-Dist: odoo-addon-crm_suite_base==19.0.*\n" in metadata
