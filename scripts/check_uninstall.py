"""Uninstall each of this repository's add-ons in turn and check that the
database still works after each one: the registry loads, the standard
screens of partners, quotations, invoices, leads and claims still render,
and a customer can still be created and searched. Once crm_loyalty is
uninstalled, the customers that were on their tier's pricelist have the
pricelist they had before their tier again.

With --reinstall, the add-ons are then installed again one by one (those
depended on first), with the same check after each, and the screens of each
add-on's own models render too. --uninstalled-copy NAME copies the database
as it is once every add-on is uninstalled (what they depend on only), before
any reinstall: the migration test of tests/faults starts from it.

Usage: check_uninstall.py -d DATABASE [--reinstall] [--uninstalled-copy NAME]
                          [--logfile LOG]
"""

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from odoo import api
from odoo.modules.registry import Registry
from odoo.netsvc import init_logger
from odoo.sql_db import close_db
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


def check_database(dbname, step, models=()):
    registry = Registry.new(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for model in [*SCREENS, *models]:
            env[model].get_views([(False, "form"), (False, "list"), (False, "search")])
            env[model].search_read([], limit=5)
        partner = env["res.partner"].create({"name": f"After {step}"})
        found = env["res.partner"].search([("name", "=", partner.name)])
        assert found == partner, "a new customer cannot be found again"
        env["account.move"]._read_group([], ["move_type"], ["amount_total_signed:sum"])
        cr.rollback()


def tier_pricelists(dbname):
    """{(company id, customer id): the pricelist it had before its tier} of
    the customers on their tier's pricelist (crm_loyalty installed)."""
    with Registry(dbname).cursor() as cr:
        if "crm.loyalty.state" not in api.Environment(cr, SUPERUSER_ID, {}):
            return {}
        cr.execute(
            """SELECT s.company_id, s.partner_id, s.previous_pricelist_id
                 FROM crm_loyalty_state s
                 JOIN crm_loyalty_tier t ON t.id = s.tier_id
                 JOIN res_partner p ON p.id = s.partner_id
                WHERE (p.specific_property_product_pricelist
                       ->> s.company_id::text)::int = t.pricelist_id"""
        )
        return {(company, partner): pl for company, partner, pl in cr.fetchall()}


def check_pricelists_back(dbname, expected):
    """Every customer (and contact) of ``expected`` has its pricelist back,
    and the demo story has such customers, some with a pricelist of their own."""
    assert expected, "no customer on a tier's pricelist: nothing was checked"
    assert any(expected.values()), "no customer had a pricelist before its tier"
    with Registry(dbname).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for (company, customer), previous in expected.items():
            partners = (
                env["res.partner"]
                .with_company(company)
                .search([("commercial_partner_id", "=", customer)])
            )
            for partner in partners:
                got = partner.specific_property_product_pricelist.id or None
                assert got == previous, (
                    f"{partner.display_name} has pricelist {got} in company "
                    f"{company} after uninstalling crm_loyalty, not {previous}"
                )


def uninstall(dbname, name):
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        module = installed(env, [name])
        if not module:
            return False
        module.button_immediate_uninstall()
    return True


def install(dbname, name):
    """Install ``name``; the names of the models it defines."""
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["ir.module.module"].update_list()
        module = env["ir.module.module"].search([("name", "=", name)])
        if module.state != "installed":  # glue add-ons install by themselves
            module.button_immediate_install()
    with Registry(dbname).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        data = env["ir.model.data"].search(
            [("module", "=", name), ("model", "=", "ir.model")]
        )
        return [
            model.model
            for model in env["ir.model"].browse(data.mapped("res_id"))
            if not model.transient and not env[model.model]._abstract
        ]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--reinstall", action="store_true")
    parser.add_argument("--uninstalled-copy", metavar="NAME")
    parser.add_argument("--logfile", help="Odoo's log, in its own format")
    args = parser.parse_args()
    config.parse_config(
        [
            "-c",
            str(ROOT / "odoo.conf"),
            "--addons-path=addons,tests",
            "-d",
            args.database,
            *([f"--logfile={args.logfile}"] if args.logfile else []),
        ]
    )
    if args.logfile:
        init_logger()
    order = dependents_first(addons("addons", "tests"))
    removed = []
    for name in order:
        pricelists = tier_pricelists(args.database) if name == "crm_loyalty" else None
        if not uninstall(args.database, name):
            continue
        removed.append(name)
        check_database(args.database, f"uninstalling {name}")
        if pricelists is not None:
            check_pricelists_back(args.database, pricelists)
            print(
                f"[uninstall] {name}: {len(pricelists)} customers have the "
                "pricelist they had before their tier"
            )
        print(f"[uninstall] {name}: uninstalled, database still works")
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        left = installed(env, order)
        if left:
            print(f"[uninstall] still installed: {', '.join(left.mapped('name'))}")
            return 1
    if args.uninstalled_copy:
        close_db(args.database)
        subprocess.run(
            ["createdb", "-T", args.database, args.uninstalled_copy], check=True
        )
    if args.reinstall:
        for name in reversed(removed):
            models = install(args.database, name)
            check_database(args.database, f"reinstalling {name}", models)
            print(f"[reinstall] {name}: installed again, database still works")
    return 0


if __name__ == "__main__":
    sys.exit(main())
