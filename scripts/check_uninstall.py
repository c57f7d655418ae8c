"""Uninstall each of this repository's add-ons in turn and check that the
database still works after each one: the registry loads, the standard
screens of partners, quotations, invoices, leads and claims still render,
and a customer can still be created and searched.

Usage: check_uninstall.py -d DATABASE
"""

import argparse
import logging
import sys
from pathlib import Path

from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from addons import addons, dependents_first

_logger = logging.getLogger("check_uninstall")
SUPERUSER_ID = 1
SCREENS = ["res.partner", "sale.order", "account.move", "crm.lead", "crm.claim"]


def installed(env, names):
    return env["ir.module.module"].search(
        [("name", "in", names), ("state", "=", "installed")]
    )


def check_database(dbname, removed):
    registry = Registry.new(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for model in SCREENS:
            env[model].get_views([(False, "form"), (False, "list"), (False, "search")])
        partner = env["res.partner"].create({"name": f"After uninstalling {removed}"})
        found = env["res.partner"].search([("name", "=", partner.name)])
        assert found == partner, "a new customer cannot be found again"
        env["account.move"]._read_group([], ["move_type"], ["amount_total_signed:sum"])
        cr.rollback()


def uninstall(dbname, name):
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        module = installed(env, [name])
        if not module:
            return False
        module.button_immediate_uninstall()
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(
        [
            "-c",
            str(ROOT / "odoo.conf"),
            "--addons-path=addons,tests",
            "-d",
            args.database,
        ]
    )
    order = dependents_first(addons("addons", "tests"))
    for name in order:
        if not uninstall(args.database, name):
            continue
        check_database(args.database, name)
        print(f"[uninstall] {name}: uninstalled, database still works")
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        left = installed(env, order)
        if left:
            print(f"[uninstall] still installed: {', '.join(left.mapped('name'))}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
