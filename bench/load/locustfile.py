"""Locust users of the load test (``make bench-load``, see bench_locust.py).

Salespeople open the 360 screen of random customers (one call in twenty on
the customer with 10,000 invoices) and page through the Customers 360 list;
an accountant posts invoices meanwhile. They call Odoo's JSON-2 API with an
API key, as the web client's read-only calls and other systems do.

Read from the environment (bench_locust.py sets them): ``LOAD_DB``,
``LOAD_KEY`` (API key), ``LOAD_COMPANY``, ``LOAD_BIG`` (the large customer),
``LOAD_CUSTOMERS`` (comma-separated ids to pick from) and
``LOAD_POSTERS`` (accountant users: 0 or 1).
"""

import os
import random

from locust import HttpUser, between, task

CUSTOMERS = [int(i) for i in os.environ.get("LOAD_CUSTOMERS", "").split(",") if i]
BIG = int(os.environ.get("LOAD_BIG", "0"))
BIG_SHARE = 0.05


def headers():
    return {
        "Authorization": f"bearer {os.environ['LOAD_KEY']}",
        "X-Odoo-Database": os.environ["LOAD_DB"],
        "X-Odoo-Company": os.environ.get("LOAD_COMPANY", ""),
    }


class Salesperson(HttpUser):
    """Opens 360 screens and the Customers 360 list."""

    weight = 20
    wait_time = between(0, 0)

    def on_start(self):
        self.client.headers.update(headers())

    @task(4)
    def open_360(self):
        partner = BIG if random.random() < BIG_SHARE else random.choice(CUSTOMERS)
        self.client.post(
            "/json/2/res.partner/customer_360_data",
            json={"ids": [partner]},
            name="360 screen",
        )

    @task(1)
    def open_list(self):
        self.client.post(
            "/json/2/crm.customer.360/web_search_read",
            json={
                "domain": [],
                "specification": {
                    "partner_id": {"fields": {"display_name": {}}},
                    "invoice_count": {},
                    "revenue_12m": {},
                    "balance_due": {},
                    "overdue_amount": {},
                    "last_invoice_date": {},
                },
                "limit": 80,
                "offset": 80 * random.randrange(10),
                "order": "revenue_12m desc",
            },
            name="Customers 360 list",
        )


class Accountant(HttpUser):
    """Posts an invoice for a random customer, about one a second."""

    fixed_count = int(os.environ.get("LOAD_POSTERS", "1"))
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.headers.update(headers())

    @task
    def post_invoice(self):
        created = self.client.post(
            "/json/2/account.move/create",
            json={
                "vals_list": [
                    {
                        "move_type": "out_invoice",
                        "partner_id": random.choice(CUSTOMERS),
                        "invoice_line_ids": [
                            [0, 0, {"name": "Load test", "price_unit": 250}]
                        ],
                    }
                ]
            },
            name="post invoice: create",
        )
        if created.ok:
            self.client.post(
                "/json/2/account.move/action_post",
                json={"ids": created.json()},
                name="post invoice: post",
            )
