"""Upgrade from the first released version of the add-ons that keep data:
tiers, tier history, the customers' tiers and KPI snapshots written by that
version are all still there, unchanged, after ``-u`` with today's code.

The first released version of an add-on is the commit that added its
manifest; it is exported with ``git archive`` into a temporary addons path.
"""

import ast
import os
import subprocess
import tarfile
from io import BytesIO

import pytest
from conftest import (
    ODOO,
    PORT,
    PREFIX,
    ROOT,
    assert_clean_log,
    create_copy,
    driver,
    drop,
    install,
    log_path,
    query,
    run,
)
from loyalty_state import assert_consistent

# the add-ons whose data must survive, with the one they depend on
MIGRATED = ["crm_claim_closing", "crm_loyalty", "crm_kpi"]
KEPT_TABLES = ["crm_loyalty_tier", "crm_loyalty_tier_history", "crm_kpi_snapshot"]
# the customers' loyalty values: company-dependent columns of res_partner in
# the first version (copied to every contact), rows of crm_loyalty_state
# (one per customer and company, which contacts read) today
LOYALTY_VALUES = {
    "loyalty_tier_id": ("tier_id", "int"),
    "loyalty_earned_tier_id": ("earned_tier_id", "int"),
    "loyalty_amount": ("amount", "float"),
    "loyalty_review_date": ("review_date", "date"),
    "loyalty_at_risk": ("at_risk", "boolean"),
}


def first_commit(addon):
    return subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--",
         f"addons/{addon}/__manifest__.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()[-1]  # fmt: skip


def export_first_versions(target):
    for addon in MIGRATED:
        archive = subprocess.run(
            ["git", "archive", first_commit(addon), f"addons/{addon}"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout  # fmt: skip
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target / "addons"


def table_columns(database, table):
    return [
        row[0]
        for row in query(
            database,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY column_name",
            (table,),
        )
    ]


def dump(database, tables):
    """{table: rows} over the columns each table had in the old version."""
    out = {}
    for table, columns in tables.items():
        select = ", ".join(f'"{column}"' for column in columns)
        out[table] = query(database, f"SELECT {select} FROM {table} ORDER BY id")
    return out


def loyalty_values(database):
    """[(partner, company, tier, earned tier, spend, review date, at risk)]
    of every partner, contacts included, in every company where it has
    loyalty values, from wherever the installed version keeps them."""
    if "loyalty_tier_id" in table_columns(database, "res_partner"):
        values = [
            f"({column}->>c.key)::{cast}"
            for column, (_state, cast) in LOYALTY_VALUES.items()
        ]
        held = " OR ".join(f"{column}->>c.key IS NOT NULL" for column in LOYALTY_VALUES)
        sql = (
            f"SELECT p.id, c.id, {', '.join(values)} FROM res_partner p "
            "JOIN (SELECT id, id::text AS key FROM res_company) c "
            f"ON {held}"
        )
    else:
        values = [f"s.{state}::{cast}" for state, cast in LOYALTY_VALUES.values()]
        held = " OR ".join(
            f"s.{state} IS NOT NULL" for state, _cast in LOYALTY_VALUES.values()
        )
        sql = (
            f"SELECT p.id, s.company_id, {', '.join(values)} FROM res_partner p "
            "JOIN crm_loyalty_state s ON s.partner_id = p.commercial_partner_id "
            f"WHERE {held}"
        )
    return [
        (*row[:6], bool(row[6]))
        for row in query(database, f"SELECT * FROM ({sql}) v ORDER BY 1, 2")
    ]


@pytest.fixture
def old_database(tmp_path):
    name = f"{PREFIX}_migration"
    drop(name)
    log_path(name).unlink(missing_ok=True)
    base = os.environ.get("FAULTS_BASE_FROM")
    old_addons = export_first_versions(tmp_path)
    if base:  # what the add-ons depend on is there already
        create_copy(base, name)
        # the base knows today's add-ons; the first release knew none of
        # those written since, and Odoo would auto-install one whose
        # dependencies are there (a bridge to an Odoo app) from a path
        # that does not have it
        later = sorted(
            manifest.parent.name
            for manifest in (ROOT / "addons").glob("*/__manifest__.py")
            if not (old_addons / manifest.parent.name).exists()
        )
        query(
            name,
            "UPDATE ir_module_module SET auto_install = FALSE "
            "WHERE state = 'uninstalled' AND name = ANY(%s) RETURNING name",
            (later,),
        )
    yield name, old_addons
    drop(name)


def test_upgrade_from_first_release_keeps_loyalty_and_kpi_data(old_database):
    database, old_addons = old_database
    log = log_path(database)
    install(database, MIGRATED, addons_path=str(old_addons), log=log)
    driver("loyalty-data", database, "--addons-path", str(old_addons), log=log)
    assert_clean_log(log)
    tables = {table: table_columns(database, table) for table in KEPT_TABLES}
    before = dump(database, tables)
    before_values = loyalty_values(database)
    assert before["crm_loyalty_tier_history"], "the old version wrote no tier change"
    assert any(row[2] for row in before_values), "the old version gave no tier"
    assert before["crm_kpi_snapshot"], "the old version wrote no KPI snapshot"

    run(
        [ODOO, "-c", "odoo.conf", "--addons-path=addons", "-d", database,
         "-u", ",".join(MIGRATED), "--stop-after-init", "--http-port", str(PORT),
         "--log-level=info"],
        log,
    )  # fmt: skip
    assert_clean_log(log)
    assert dump(database, tables) == before
    assert loyalty_values(database) == before_values
    versions = dict(
        query(
            database,
            "SELECT name, latest_version FROM ir_module_module WHERE name = ANY(%s)",
            (MIGRATED,),
        )
    )
    manifests = {
        addon: ast.literal_eval(
            (ROOT / "addons" / addon / "__manifest__.py").read_text()
        )["version"]
        for addon in MIGRATED
    }
    assert versions == manifests
    assert_consistent(database)
