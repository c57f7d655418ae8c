"""Invoices posted over JSON-RPC, through a real Odoo server, for the
customers the loyalty recompute is writing, from another process.

Odoo retries an RPC call whose transaction fails on a serialization failure
or a deadlock (odoo.service.model.retrying); a cron is not retried, so the
recompute retries a company itself. To make the two transactions overlap at
a known point, the test holds a SHARE lock on the history table: whichever
transaction reaches its history INSERT first waits there, with its customers
written and locked, while the other one starts.
"""

import contextlib
import http.cookiejar
import json
import random
import threading
import time
import urllib.request

import pytest
from conftest import (
    ADDONS_PATH,
    DRIVER,
    LOGDIR,
    ODOO,
    PORT,
    PREFIX,
    PYTHON,
    assert_clean_log,
    backends_waiting,
    connect,
    create_copy,
    driver,
    drop,
    log_path,
    query,
    start,
    stop,
    wait_for,
)
from loyalty_state import assert_consistent, assert_history_chains, tiers

RPC_RETRY = "SERIALIZATION_FAILURE, 4 tries left"
RECOMPUTE_RETRY = "SERIALIZATION_FAILURE in"


class Server:
    """An Odoo HTTP server on one database, without cron workers."""

    def __init__(self, database, port):
        self.database, self.port = database, port
        self.log = log_path(f"{database}_server")
        self.process = start(
            [ODOO, "-c", "odoo.conf", f"--addons-path={ADDONS_PATH}", "-d", database,
             f"--db-filter=^{database}$", "--http-port", str(port),
             "--max-cron-threads=0", "--log-level=info"],
            self.log,
        )  # fmt: skip
        wait_for(self._up, "the Odoo server to answer", timeout=180)

    def _up(self):
        try:
            Session(self).call_route("/web/webclient/version_info", {})
        except OSError:
            return False
        return True

    def stop(self):
        stop(self.process)
        assert_clean_log(self.log)


class Session:
    """A user of the web client: logged in, calling models as its views do."""

    def __init__(self, server, login=None):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        if login:
            self.call_route(
                "/web/session/authenticate",
                {"db": server.database, "login": login, "password": login},
            )

    def call_route(self, route, params):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.server.port}{route}",
            data=json.dumps(
                {"jsonrpc": "2.0", "method": "call", "params": params}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=300) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def call(self, model, method, args, **kwargs):
        return self.call_route(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def post_invoice(self, partner_id, company_id, amount):
        context = {"allowed_company_ids": [company_id]}
        move_id = self.call(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_id,
                    "invoice_date": time.strftime("%Y-%m-%d"),
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Fault test",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [(5, 0, 0)],
                            },
                        ),
                    ],
                }
            ],
            context=context,
        )
        self.call("account.move", "action_post", [move_id], context=context)
        return move_id


class Client(threading.Thread):
    """Posts invoices in a thread, keeping any error the server returns."""

    def __init__(self, server, invoices):
        super().__init__()
        # logged in before the thread starts: Odoo's first login of a
        # database writes web.base.url, a conflict of its own
        self.session = Session(server, login="admin")
        self.invoices, self.errors = invoices, []

    def run(self):
        session = self.session
        for partner_id, company_id, amount in self.invoices:
            try:
                session.post_invoice(partner_id, company_id, amount)
            except Exception as error:  # noqa: BLE001  (reported by the test)
                self.errors.append(repr(error))


@pytest.fixture(scope="module")
def server(template):
    """One server for the tests of this module, on their own database; each
    test leaves it consistent and adds the tier changes it needs."""
    database = f"{PREFIX}_posting"
    for log in LOGDIR.glob(f"{database}*.log"):
        log.unlink()
    create_copy(template, database)
    running = Server(database, PORT + 1)
    try:
        yield running
        running.stop()
    finally:
        stop(running.process)
        drop(database)


@pytest.fixture
def database(server):
    return server.database


def companies(database):
    """Companies with tiers, in the order the recompute takes them."""
    return [
        row[0]
        for row in query(
            database,
            "SELECT id FROM res_company WHERE id IN "
            "(SELECT company_id FROM crm_loyalty_tier) ORDER BY sequence, name",
        )
    ]


def add_tier(database, quantile, *options):
    """A new tier (see driver.py add-tier): the first company the recompute
    takes, and a customer of it the recompute will upgrade."""
    upgrades = json.loads(
        driver("add-tier", database, "--quantile", quantile, *options).splitlines()[-1]
    )["upgrades"]
    company = companies(database)[0]
    assert upgrades[str(company)], "the new tier upgrades no customer"
    return company, int(upgrades[str(company)][0])


def top_tier(database, company):
    return query(
        database,
        "SELECT id FROM crm_loyalty_tier WHERE company_id = %s "
        "ORDER BY min_amount DESC LIMIT 1",
        (company,),
    )[0][0]


@contextlib.contextmanager
def history_table_held(database):
    """Hold a SHARE lock on the history table until the block ends (even on
    a failure, so that the tests after it are not blocked)."""
    holder = connect(database)
    holder.autocommit = False
    try:
        with holder.cursor() as cr:
            cr.execute("LOCK TABLE crm_loyalty_tier_history IN SHARE MODE")
        yield
    finally:
        holder.rollback()
        holder.close()


def waiting(database, count, client=None):
    """Wait for ``count`` transactions waiting for a lock; fail at once with
    the client's error if its posting ended instead."""

    def ready():
        if client is not None and not client.is_alive():
            raise AssertionError(f"the posting ended without waiting: {client.errors}")
        return len(backends_waiting(database)) >= count

    return wait_for(ready, f"{count} transaction(s) waiting for a lock")


def test_recompute_retries_after_a_concurrent_posting(database, server):
    """The recompute read the customers before an invoice was posted for one
    of them: its UPDATE fails with a serialization failure, and it must try
    the company again rather than fail (and log an error) until tomorrow."""
    company, customer = add_tier(database, "0.5")
    log = log_path(database)
    client = Client(server, [(customer, company, 1e6)])
    with history_table_held(database):
        client.start()
        waiting(database, 1, client)  # the posting, history to write
        cron = start([PYTHON, DRIVER, "cron", "-d", database], log)
        waiting(database, 2)  # the recompute, waiting for the posting's customer
    client.join(timeout=300)
    assert cron.wait(timeout=300) == 0
    stop(cron)
    assert client.errors == []
    assert_clean_log(log)
    assert RECOMPUTE_RETRY in log.read_text(), "the recompute did not meet the posting"
    assert tiers(database)[customer][company] == top_tier(database, company)
    assert_history_chains(database)


def post_while_the_recompute_holds(database, server, customer, company, amount):
    """Post an invoice of ``amount`` for ``customer`` while the recompute
    has written its customers and waits to write their history; the
    posting must wait for it, fail once it commits, and be run again by
    Odoo's RPC layer without the client seeing an error or any log an
    error."""
    log = log_path(database)
    client = Client(server, [(customer, company, amount)])
    with history_table_held(database):
        cron = start([PYTHON, DRIVER, "cron", "-d", database], log)
        waiting(database, 1)  # the recompute, customers written, history to write
        client.start()
        waiting(database, 2, client)  # the posting, waiting for the recompute
    client.join(timeout=300)
    assert cron.wait(timeout=300) == 0
    stop(cron)
    assert client.errors == []
    assert_clean_log(log)
    with open(server.log, encoding="utf-8") as server_log:
        assert RPC_RETRY in server_log.read(), "the posting was not retried"
    assert_clean_log(server.log)


def test_posting_retried_after_the_recompute(database, server):
    """The recompute holds the customer when the invoice is posted: the
    posting fails with a serialization failure once the recompute commits,
    Odoo's RPC layer runs it again, and the user sees no error."""
    company, customer = add_tier(database, "0.25")
    post_while_the_recompute_holds(database, server, customer, company, 1e6)
    assert tiers(database)[customer][company] == top_tier(database, company)
    assert_history_chains(database)


def test_first_invoice_posted_while_the_recompute_reprices(database, server):
    """The recompute gives the customer its new tier's pricelist (a write of
    the customer's record) and holds it when the customer's first invoice is
    posted, which also writes the customer's record (its customer rank, at
    once for a first invoice): the posting must meet the recompute on its
    lock of the customer, not fail at that write and log an error."""
    company, customer = add_tier(database, "0.35", "--pricelist")
    query(
        database,
        "UPDATE res_partner SET customer_rank = 0 "
        "WHERE commercial_partner_id = %s RETURNING id",
        (customer,),
    )
    # a small invoice: the customer keeps the tier the recompute gives it
    post_while_the_recompute_holds(database, server, customer, company, 1.0)
    [(new_tier,)] = query(
        database,
        "SELECT id FROM crm_loyalty_tier "
        "WHERE company_id = %s AND pricelist_id IS NOT NULL ORDER BY id DESC LIMIT 1",
        (company,),
    )
    assert tiers(database)[customer][company] == new_tier
    assert_history_chains(database)


def test_posting_storm_during_recomputes(database, server):
    """Three clients post invoices for the same customers of both companies
    while the recompute runs twice: no client error, and every tier and
    history row is what it should be."""
    rng = random.Random(6)
    customers = [
        (pid, company)
        for pid, company in query(
            database,
            "SELECT partner_id, company_id FROM crm_loyalty_tier_history "
            "GROUP BY partner_id, company_id ORDER BY partner_id, company_id",
        )
    ][:6]
    plans = [
        [
            (*rng.choice(customers), rng.choice((500.0, 2500.0, 8000.0)))
            for _ in range(5)
        ]
        for _ in range(3)
    ]
    ranks = customer_ranks(database)
    log = log_path(database)
    for step, quantile in enumerate(("0.75", "0.1")):
        driver("add-tier", database, "--quantile", quantile)
        if step == 0:  # the administrator may post in both companies now
            clients = [Client(server, plan) for plan in plans]
            for client in clients:
                client.start()
        cron = start([PYTHON, DRIVER, "cron", "-d", database], log)
        assert cron.wait(timeout=300) == 0
        stop(cron)
    for client in clients:
        client.join(timeout=600)
    assert [error for client in clients for error in client.errors] == []
    assert_clean_log(log)
    assert_consistent(database)
    # every invoice counts in its customer's rank (accounting's count after
    # the commit was lost when it met the recompute)
    for plan in plans:
        for partner_id, _company, _amount in plan:
            ranks[partner_id] += 1
    assert customer_ranks(database) == ranks


def customer_ranks(database):
    return dict(query(database, "SELECT id, customer_rank FROM res_partner"))
