"""Odoo-side steps of the fault tests, each run as its own process.

    driver.py COMMAND -d DATABASE [options]

add-tier   a new tier in every company with tiers, at the --quantile
           (median by default) of the spends of the customers below the top
           tier (with a pricelist of its own with --pricelist), so that the
           next recompute
           has upgrades to write, and the recompute made due now; the
           administrator gets access to every company. Prints the customers
           the recompute will upgrade, by company
cron       run the loyalty recompute if it is due, as Odoo's cron worker
           does (ir.cron._process_jobs_loop)
fresh      recompute every company in a transaction that is rolled back and
           print, as JSON, the tiers a fresh recompute gives
loyalty-data  (migration test) tiers, invoices that move customers between
           tiers, and KPI snapshots, in the database's main company

The log goes to stderr in Odoo's format, for scripts/check_log.py.
"""

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from odoo import Command, api, fields
from odoo.modules.registry import Registry
from odoo.netsvc import init_logger
from odoo.sql_db import db_connect
from odoo.tools import config

ROOT = Path(__file__).resolve().parents[2]
SUPERUSER_ID = 1
LOYALTY_CRON = "crm_loyalty.ir_cron_loyalty_recompute"


def run_cron(database):
    from odoo.addons.base.models.ir_cron import IrCron

    registry = Registry(database)
    with registry.cursor() as cr:
        job_id = environment(cr).ref(LOYALTY_CRON).id
    with db_connect(database).cursor() as cron_cr:
        IrCron._process_jobs_loop(cron_cr, job_ids=[job_id])
    return 0


def environment(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def add_tier(env, args):
    thresholds = {}
    for company in env["crm.loyalty.tier"].search([]).company_id:
        taken = set(
            env["crm.loyalty.tier"]
            .search([("company_id", "=", company.id)])
            .mapped("min_amount")
        )
        top = max(taken)
        env.cr.execute(
            "SELECT s.amount, t.min_amount FROM crm_loyalty_state s "
            "JOIN crm_loyalty_tier t ON t.id = s.tier_id "
            "WHERE s.company_id = %s ORDER BY 1",
            (company.id,),
        )
        below_top = [row for row in env.cr.fetchall() if 0 < row[0] < top]
        # a spend of the customers below the top tier (the median by
        # default), less a cent: those above it and not in a higher tier
        # move up on the recompute; preferably a spend a cent above its
        # customer's tier, so that this customer moves up
        spends = [s for s, floor in below_top if s - 0.01 > floor] or [
            s for s, _floor in below_top
        ]
        amount = round(spends[int(len(spends) * args.quantile)] - 0.01, 2)
        while amount in taken:
            amount = round(amount - 0.01, 2)
        pricelist = False
        if args.pricelist:
            pricelist = env["product.pricelist"].create(
                {"name": f"Platinum prices {amount}", "company_id": company.id}
            )
        env["crm.loyalty.tier"].with_company(company).create(
            {
                "name": f"Platinum {amount}",
                "min_amount": amount,
                "company_id": company.id,
                "pricelist_id": pricelist and pricelist.id,
            }
        )
        thresholds[company.id] = amount
    env.flush_all()
    # the administrator posts invoices in both companies
    env.ref("base.user_admin").company_ids |= env["res.company"].search([])
    env.ref(LOYALTY_CRON).nextcall = fields.Datetime.now() - timedelta(minutes=1)
    env.flush_all()
    before = partner_tiers(env)
    after = recomputed_tiers(env)
    upgrades = {
        company: sorted(
            pid
            for pid, by_company in after.items()
            if by_company.get(company) != before.get(pid, {}).get(company)
            and env["res.partner"].browse(int(pid)).commercial_partner_id.id == int(pid)
        )
        for company in map(str, thresholds)
    }
    print(json.dumps({"thresholds": thresholds, "upgrades": upgrades}))


def partner_tiers(env):
    """{customer id: {company id: tier id}} (as JSON keys) of every customer
    with a tier."""
    env.cr.execute(
        "SELECT partner_id, company_id, tier_id FROM crm_loyalty_state "
        "WHERE tier_id IS NOT NULL ORDER BY partner_id, company_id"
    )
    tiers = {}
    for pid, company, tier in env.cr.fetchall():
        tiers.setdefault(str(pid), {})[str(company)] = tier
    return tiers


def recomputed_tiers(env):
    """The tiers of every customer after a recompute, without keeping it."""
    with env.cr.savepoint(flush=True) as savepoint:
        for company in env["crm.loyalty.tier"].search([]).company_id:
            env["crm.loyalty.engine"].recompute_company(company)
        env.flush_all()
        tiers = partner_tiers(env)
        savepoint.rollback()
    env.invalidate_all()
    return tiers


def fresh(env, args):
    print(json.dumps(recomputed_tiers(env)))


def invoice(env, company, partner_id, amount, day):
    """A posted customer invoice of one untaxed line."""
    move = (
        env["account.move"]
        .with_company(company)
        .create(
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "invoice_date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Fault test",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
    )
    move.action_post()
    return move


def loyalty_data(env, args):
    """Tiers, tier changes and KPI snapshots written with the installed code."""
    company = env.company
    tiers = env["crm.loyalty.tier"].create(
        [
            {"name": "Bronze", "min_amount": 0},
            {"name": "Silver", "min_amount": 1000},
            {"name": "Gold", "min_amount": 5000},
        ]
    )
    today = date.today()
    for index in range(6):
        customer = env["res.partner"].create(
            {"name": f"Migration customer {index}", "is_company": True}
        )
        env["res.partner"].create({"name": f"Buyer {index}", "parent_id": customer.id})
        for days_ago, amount in ((150, 700.0 * index + 10), (60, 900.0 * index)):
            if amount:
                day = today - timedelta(days=days_ago)
                invoice(env, company, customer.id, amount, day)
    env["crm.loyalty.engine"].recompute_company(company)
    if "crm.kpi.snapshot" in env:
        first = (today - timedelta(days=200)).replace(day=1)
        last = today.replace(day=1) - timedelta(days=1)
        env["crm.kpi.snapshot"].compute_snapshots(first, last)
    print(json.dumps({"tiers": tiers.ids}))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "command", choices=["add-tier", "cron", "fresh", "loyalty-data"]
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", default="addons,tests")
    parser.add_argument("--quantile", type=float, default=0.5)
    parser.add_argument(
        "--pricelist",
        action="store_true",
        help="add-tier: the new tier gives a pricelist of its own",
    )
    args = parser.parse_args()
    config.parse_config(
        [
            "-c",
            str(ROOT / "odoo.conf"),
            f"--addons-path={args.addons_path}",
            "-d",
            args.database,
            "--log-level=info",
        ]
    )
    init_logger()
    if args.command == "cron":
        return run_cron(args.database)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = environment(cr)
        {
            "add-tier": add_tier,
            "fresh": fresh,
            "loyalty-data": loyalty_data,
        }[args.command](env, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
