"""Write the demo story of the CRM suite into a database (deterministic).

Two companies (the main one in EUR, a second one in USD), about 200
customers (companies with contacts, private persons, households), three years
of quotations, orders, posted invoices, credit notes and payments (some late,
some unpaid and overdue), complaints linked to invoices and orders,
opportunities and logged calls and e-mails, and a CRM go-live date twelve
months ago after which customers buy more often and complain less.

Dates are relative to today, so the story always looks current. The same
seed gives the same story. The add-ons of the suite that are installed get
their part: loyalty tiers, the go-live date, household relations, KPI
snapshots.

Usage: demo_story.py -d DATABASE [--customers 200] [--years 3] [--seed 42]
                     [--addons-path addons]
       demo_story.py -d DATABASE --fast --customers 100000 --invoices 1000000

``--fast`` writes a scaled-up customer base by set-based SQL instead
(``demo_fast.py``: customers with contacts, posted invoices and credit notes
with their journal items, claims, notes), for benchmarks: 100k customers and
1M invoices take minutes instead of days.
"""

import argparse
import logging
import random
import sys
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

from odoo import Command, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

from demo_names import (
    COMPANY_KINDS,
    COMPANY_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    REF_PREFIX,
)

ROOT = Path(__file__).resolve().parent.parent
_logger = logging.getLogger("demo_story")
SUPERUSER_ID = 1
PRODUCTS = [
    ("Annual maintenance plan", "service", 1200.0),
    ("On-site installation", "service", 450.0),
    ("Training day", "service", 800.0),
    ("Support hours pack", "service", 300.0),
    ("Sensor kit", "consu", 180.0),
    ("Control unit", "consu", 950.0),
    ("Replacement filters", "consu", 60.0),
    ("Premium cabinet", "consu", 2200.0),
]
CLAIM_SUBJECTS = [
    "Delivered late",
    "Damaged on arrival",
    "Invoice amount disputed",
    "Installation incomplete",
    "Missing parts",
    "Technician did not show up",
]
LOG_SUBJECTS = [
    "Call: follow-up on last order",
    "Call: renewal of the maintenance plan",
    "E-mail: price list requested",
    "Call: satisfaction check",
    "E-mail: new catalogue sent",
]


class Story:
    def __init__(self, env, customers, years, seed):
        self.env = env
        self.rng = random.Random(seed)
        self.today = date.today()
        self.start = self.today - relativedelta(years=years)
        self.go_live = (self.today - relativedelta(months=12)).replace(day=1)
        self.customers_wanted = customers
        self.years = years
        self.seed = seed

    # ------------------------------------------------------------- companies
    def companies(self):
        env = self.env
        eur = env.ref("base.EUR")
        usd = env.ref("base.USD")
        (eur | usd).write({"active": True})
        main = env.ref("base.main_company")
        main.write(
            {
                "name": "Aurora Servicios S.L.",
                "currency_id": eur.id,
                "country_id": env.ref("base.es").id,
                "city": "Zaragoza",
            }
        )
        second = env["res.company"].search([("name", "=", "Aurora Services Inc.")])
        if not second:
            second = env["res.company"].create(
                {
                    "name": "Aurora Services Inc.",
                    "currency_id": usd.id,
                    "country_id": env.ref("base.us").id,
                    "city": "Boston",
                }
            )
            # the account module loads the company's chart of accounts when
            # the transaction commits: commit now, the story needs its journals
            env.cr.commit()
        env.user.write({"company_ids": [Command.link(second.id)]})
        return main, second

    # -------------------------------------------------------------- partners
    def partners(self):
        rng, Partner = self.rng, self.env["res.partner"]
        spain = self.env.ref("base.es")
        customers = []
        n_companies = int(self.customers_wanted * 0.55)
        for i in range(n_companies):
            name = f"{COMPANY_WORDS[i % 16]} {COMPANY_KINDS[(i // 16) % 6]}"
            if i >= 96:
                name += f" {i // 96 + 1}"
            company = Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "country_id": spain.id,
                    "city": rng.choice(["Madrid", "Zaragoza", "Valencia", "Bilbao"]),
                    "email": f"info{i}@{name.split()[0].lower()}.example.com",
                }
            )
            Partner.create(
                [
                    {
                        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        "parent_id": company.id,
                        "type": "contact",
                        "email": f"contact{i}.{k}@example.com",
                    }
                    for k in range(rng.randint(1, 3))
                ]
            )
            customers.append(company)
        households = self.persons(self.customers_wanted - n_companies, customers)
        return customers, households

    def persons(self, count, customers):
        """``count`` private persons appended to ``customers``, some sharing
        the street and last name of the previous one; return those pairs
        (households)."""
        rng, Partner = self.rng, self.env["res.partner"]
        spain = self.env.ref("base.es")
        households, street_of = [], None
        for i in range(count):
            last = rng.choice(LAST_NAMES)
            if street_of and rng.random() < 0.3:  # same household as the previous
                street, last = street_of
            else:
                street = f"Calle {rng.choice(COMPANY_WORDS)} {rng.randint(1, 99)}"
            person = Partner.create(
                {
                    "name": f"{rng.choice(FIRST_NAMES)} {last}",
                    "street": street,
                    "city": "Zaragoza",
                    "country_id": spain.id,
                    "email": f"person{i}@example.com",
                }
            )
            if street_of and street == street_of[0]:
                households.append((customers[-1], person))
            street_of = (street, last)
            customers.append(person)
        return households

    def products(self):
        Product = self.env["product.product"]
        return [
            Product.create(
                {
                    "name": name,
                    "type": kind,
                    "list_price": price,
                    "taxes_id": False,
                    "invoice_policy": "order",
                }
            )
            for name, kind, price in PRODUCTS
        ]

    # ----------------------------------------------------------------- sales
    def purchase_months(self, customer_index):
        """Months (first days) in which a customer orders: before go-live
        customers buy rarely and often stop; after it, they come back more."""
        rng = self.rng
        joined = self.start + timedelta(days=rng.randint(0, 900))
        months, month = [], joined.replace(day=1)
        stopped = False
        while month <= self.today:
            after = month >= self.go_live
            if not after and not stopped and rng.random() < 0.03:
                stopped = True  # churned before the CRM
            if after and stopped and rng.random() < 0.08:
                stopped = False  # won back
            if not stopped and rng.random() < (0.32 if after else 0.16):
                months.append(month)
            month += relativedelta(months=1)
        return months

    def orders(self, customers, products, main, second, shared):
        rng, SaleOrder = self.rng, self.env["sale.order"]
        values = []
        for index, customer in enumerate(customers):
            company = second if index % 9 == 0 else main
            for month in self.purchase_months(index):
                day = month + timedelta(days=rng.randint(0, 27))
                if day > self.today:
                    continue
                values.append((day, company, customer))
            if customer in shared:  # also buys from the other company
                values.append(
                    (self.today - timedelta(days=rng.randint(5, 200)), second, customer)
                )
        values.sort(key=lambda v: v[0])
        orders = SaleOrder
        for day, company, customer in values:
            lines = [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": rng.randint(1, 4),
                        "price_unit": product.list_price,
                        "tax_ids": False,
                    }
                )
                for product in rng.sample(products, rng.randint(1, 3))
            ]
            orders |= SaleOrder.with_company(company).create(
                {
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "date_order": datetime.combine(day, time(10)),
                    "order_line": lines,
                }
            )
        story_dates = {order: order.date_order for order in orders}
        quotations = orders.filtered(lambda o: rng.random() < 0.12)
        confirmed = orders - quotations
        for company, group in confirmed.grouped("company_id").items():
            group.with_company(company).action_confirm()
        for order in confirmed:  # confirming stamps today: keep the story's date
            order.date_order = story_dates[order]
        return confirmed

    def invoices(self, orders):
        rng = self.rng
        invoices = self.env["account.move"]
        by_company = defaultdict(list)
        for order in orders:
            day = order.date_order.date() + timedelta(days=rng.randint(0, 5))
            if day > self.today or rng.random() < 0.04:
                continue  # not invoiced yet
            by_company[order.company_id].append((day, order))
        for company, items in by_company.items():
            items.sort(key=lambda item: item[0])
            for day, order in items:
                move = order.with_company(company)._create_invoices()
                move.write(
                    {
                        "invoice_date": day,
                        "date": day,
                        "invoice_date_due": day + timedelta(days=30),
                    }
                )
                invoices |= move
        for company, moves in invoices.grouped("company_id").items():
            for move in moves.sorted(lambda m: (m.invoice_date, m.id)):
                move.with_company(company).action_post()
        return invoices

    def credit_notes(self, invoices):
        rng, refunds = self.rng, self.env["account.move"]
        for invoice in invoices.filtered(lambda m: rng.random() < 0.05):
            day = min(
                invoice.invoice_date + timedelta(days=rng.randint(3, 40)), self.today
            )
            line = invoice.invoice_line_ids[:1]
            refund = (
                self.env["account.move"]
                .with_company(invoice.company_id)
                .create(
                    {
                        "move_type": "out_refund",
                        "partner_id": invoice.partner_id.id,
                        "invoice_date": day,
                        "date": day,
                        # due on its own date (else the day the story is written)
                        "invoice_date_due": day,
                        "reversed_entry_id": invoice.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": line.product_id.id,
                                    "quantity": 1,
                                    "price_unit": round(line.price_unit * 0.5, 2),
                                    "tax_ids": False,
                                }
                            )
                        ],
                    }
                )
            )
            refund.action_post()
            refunds |= refund
        return refunds

    def payments(self, invoices):
        """Most invoices paid (some late, some in part); recent ones and a few
        old ones stay open and overdue."""
        rng = self.rng
        for invoice in invoices.sorted(lambda m: (m.invoice_date, m.id)):
            age = (self.today - invoice.invoice_date).days
            draw = rng.random()
            if draw < 0.06 or age < 20:
                continue  # unpaid
            due = invoice.invoice_date_due or invoice.invoice_date
            late = draw < 0.25
            day = due + timedelta(
                days=rng.randint(10, 75) if late else -rng.randint(0, 10)
            )
            day = max(min(day, self.today), invoice.invoice_date)
            amount = invoice.amount_residual * (0.5 if draw > 0.95 else 1.0)
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).with_company(invoice.company_id).create(
                {"payment_date": day, "amount": amount}
            )._create_payments()

    # ---------------------------------------------------------- support, CRM
    def claims(self, invoices):
        rng, Claim = self.rng, self.env["crm.claim"]
        stages = [
            self.env.ref("crm_claim.stage_claim1"),
            self.env.ref("crm_claim.stage_claim5"),
            self.env.ref("crm_claim.stage_claim2"),
            self.env.ref("crm_claim.stage_claim3"),
        ]
        for invoice in invoices:
            after = invoice.invoice_date >= self.go_live
            if rng.random() > (0.035 if after else 0.09):
                continue
            opened = datetime.combine(
                min(
                    invoice.invoice_date + timedelta(days=rng.randint(1, 20)),
                    self.today,
                ),
                time(9),
            )
            age = (self.today - opened.date()).days
            stage = (
                stages[2 if rng.random() < 0.8 else 3]
                if age > 30
                else rng.choice(stages)
            )
            source = invoice.invoice_line_ids.sale_line_ids.order_id[:1]
            ref = rng.choice([invoice, source]) if source else invoice
            claim = Claim.with_company(invoice.company_id).create(
                {
                    "name": rng.choice(CLAIM_SUBJECTS),
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "date": opened,
                    "date_deadline": opened.date() + timedelta(days=14),
                    "model_ref_id": f"{ref._name},{ref.id}",
                    "stage_id": stage.id,
                    "priority": rng.choice(["0", "1", "1", "2"]),
                }
            )
            if "date_closed" in claim._fields and stage in stages[2:]:
                days = rng.randint(2, 12) if after else rng.randint(5, 30)
                claim.date_closed = min(opened + timedelta(days=days), datetime.now())

    def leads(self, customers):
        rng, Lead = self.rng, self.env["crm.lead"]
        stages = self.env["crm.stage"].search([("is_won", "=", False)])
        for customer in rng.sample(customers, min(len(customers), 120)):
            lead = Lead.create(
                {
                    "name": f"{rng.choice(PRODUCTS)[0]} for {customer.name}",
                    "partner_id": customer.id,
                    "type": "opportunity",
                    "expected_revenue": rng.choice([800, 1500, 4000, 9000]),
                    "stage_id": rng.choice(stages).id,
                    "probability": rng.randint(10, 90),
                }
            )
            draw = rng.random()
            if draw < 0.15:
                lead.action_set_lost()
            elif draw < 0.35:
                lead.action_set_won()

    def interactions(self, customers):
        rng = self.rng
        note = self.env.ref("mail.mt_note")
        for customer in customers:
            for _i in range(rng.randint(0, 4)):
                day = self.start + timedelta(
                    days=rng.randint(0, (self.today - self.start).days)
                )
                message = customer.message_post(
                    body=rng.choice(LOG_SUBJECTS),
                    message_type="comment",
                    subtype_id=note.id,
                )
                message.date = datetime.combine(day, time(11))

    # -------------------------------------------------------------- add-ons
    def suite(self, main, second, households, compute=True):
        env = self.env
        for company in (main, second):
            if "crm_go_live_date" in company._fields:
                company.crm_go_live_date = self.go_live
        if "crm.partner.relation" in env:
            env["crm.partner.relation"].create(
                [
                    {
                        "partner_id": a.id,
                        "related_partner_id": b.id,
                        "relation_type": "household",
                    }
                    for a, b in households
                    if a != b
                ]
            )
        if "crm.loyalty.tier" in env:
            self.loyalty_tiers(main, second, compute)
        if compute and "crm.kpi.snapshot" in env:
            for company in (main, second):
                env["crm.kpi.snapshot"].with_company(company).compute_snapshots(
                    self.start.replace(day=1),
                    self.today.replace(day=1) - timedelta(days=1),
                )

    def loyalty_tiers(self, main, second, compute):
        """Bronze, Silver and Gold in each company (Gold with a 5% pricelist),
        the tiers computed if ``compute``."""
        env = self.env
        for company, scale in ((main, 1.0), (second, 1.2)):
            gold_prices = env["product.pricelist"].create(
                {
                    "name": f"Gold customers ({company.currency_id.name})",
                    "company_id": company.id,
                    "currency_id": company.currency_id.id,
                    "item_ids": [
                        Command.create(
                            {"compute_price": "percentage", "percent_price": 5}
                        )
                    ],
                }
            )
            Tier = env["crm.loyalty.tier"].with_company(company)
            for name, amount, pricelist in (
                ("Bronze", 0, False),
                ("Silver", 3000, False),
                ("Gold", 10000, gold_prices.id),
            ):
                Tier.create(
                    {
                        "name": name,
                        "min_amount": amount * scale,
                        "company_id": company.id,
                        "pricelist_id": pricelist,
                    }
                )
            # the fast story writes them by SQL, as the rest of its rows
            self.negotiated_prices(company, by_sql=not compute)
            if compute:
                env["crm.loyalty.engine"].recompute_company(company)

    def negotiated_prices(self, company, by_sql=False):
        """One customer in three has a negotiated pricelist in ``company``:
        the tier's pricelist replaces it, leaving the tier gives it back.
        ``by_sql``: the value the ORM would write on each customer and its
        contacts, in one UPDATE (the ORM writes them one customer at a
        time: at a million customers, longer than the rest of the build)."""
        env = self.env
        negotiated = env["product.pricelist"].create(
            {
                "name": f"Negotiated prices ({company.currency_id.name})",
                "company_id": company.id,
                "currency_id": company.currency_id.id,
            }
        )
        customers = env["res.partner"].search(
            [("parent_id", "=", False), ("customer_rank", ">", 0)], order="id"
        )
        if not by_sql:
            customers[::3].with_company(company).property_product_pricelist = negotiated
            return
        env.flush_all()
        env.cr.execute(
            SQL(
                """
                UPDATE res_partner
                   SET specific_property_product_pricelist =
                       COALESCE(specific_property_product_pricelist, '{}')
                       || jsonb_build_object(%s, %s)
                 WHERE commercial_partner_id = ANY(%s)
                """,
                str(company.id),
                negotiated.id,
                customers[::3].ids,
            )
        )
        env["res.partner"].invalidate_model(
            ["specific_property_product_pricelist", "property_product_pricelist"]
        )

    def write(self):
        main, second = self.companies()
        customers, households = self.partners()
        shared = set(self.rng.sample(customers, len(customers) // 10))
        products = self.products()
        orders = self.orders(customers, products, main, second, shared)
        invoices = self.invoices(orders)
        refunds = self.credit_notes(invoices)
        self.payments(invoices)
        self.claims(invoices)
        self.leads(customers)
        self.interactions(customers)
        self.suite(main, second, households)
        return {
            "customers": len(customers),
            "orders": len(orders),
            "invoices": len(invoices),
            "credit notes": len(refunds),
            "claims": self.env["crm.claim"].search_count([]),
        }

    def write_fast(self, invoices):
        """The scaled story by set-based SQL (demo_fast): customers, posted
        invoices and credit notes, claims and notes, the loyalty tiers and
        the go-live date; tiers and KPI snapshots are left to compute."""
        from demo_fast import FastLoader

        main, second = self.companies()
        counts = FastLoader(
            self.env, (main, second), self.customers_wanted, invoices,
            years=self.years, seed=self.seed,
        ).load()  # fmt: skip
        self.suite(main, second, [], compute=False)
        return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--addons-path", default="addons")
    parser.add_argument(
        "--fast", action="store_true", help="set-based SQL writer (demo_fast.py)"
    )
    parser.add_argument(
        "--invoices", type=int, default=100_000, help="with --fast: invoice rows"
    )
    args = parser.parse_args()
    config.parse_config(
        [
            "-c",
            str(ROOT / "odoo.conf"),
            f"--addons-path={args.addons_path}",
            "-d",
            args.database,
        ]
    )
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        marker = (
            ("ref", "=", REF_PREFIX + "1")
            if args.fast
            else ("name", "=", "Iberia Retail")
        )
        if env["res.partner"].search_count([marker]):
            print("[demo] the demo story is already in this database")
            return 0
        story = Story(env, args.customers, args.years, args.seed)
        counts = story.write_fast(args.invoices) if args.fast else story.write()
    print("[demo] " + ", ".join(f"{count} {what}" for what, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
