"""Who sees what, tried over JSON-RPC as the web client calls the server.

Every cell of the matrix is a real request to ``/web/dataset/call_kw`` (or a
portal page) in an authenticated session of the role, so the access checks of
the RPC layer, the ACLs, the record rules and the allowed companies of the
session all run. The JSON-2 cells call Odoo's external API
(``/json/2/<model>/<method>``) as accounting and BI systems do: no session,
the role's API key as bearer. Each cell states the exact outcome expected
for each role: a figure, the names of the records seen, ``denied``
(AccessError, login required), ``refused`` (a UserError for everyone) or
``401 unauthorized`` (the API without a valid key). Every try is recorded and
written to ``.odoo-data/security_matrix.json``; ``make security-report``
turns it into ``docs/security.md``.

Data (relative to today; LC = first day of the last closed month, M = first
day of the current month), company A (main) and company B:

- Acme (shared customer) in A: 1,000 on LC+4 due LC+14 (overdue), 500 on M;
  in B: 7,000 on LC+6. Invoices other than the overdue one fall due in M+2.
  Silver tier (1,000) in A, Gold (5,000) in B; a spare tier (90,000) in A
  that nobody reaches.
- Bolt (another portal customer) in A: 300 on LC+9.
- Bravo (a customer of company B only) in B: 2,000 on LC+6.
- Claims: Acme in A about its overdue invoice, Acme in B about its B
  invoice (both invoices are in dispute), Bolt in A about nothing in
  particular. Orders and leads of Acme in A: one of the "own documents"
  salesperson, one of another salesperson.
- KPI snapshots of LC-2 .. M in A and B; go-live of A is LC-1.
"""

import re
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields, http
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tests.common import Opener
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .access_matrix import (
    DENIED,
    DENIED_ERRORS,
    REFUSED,
    REFUSED_ERRORS,
    ROLES,
    MatrixRecorder,
)

NOT_TRIED = None
LOGIN = "login page"
UNAUTHORIZED = "401 unauthorized"


def expect(*groups, default=DENIED, **by_role):
    """Expected outcome of one cell for every role: ``default``, then each
    ``(roles, outcome)`` of ``groups``, then ``role=outcome``."""
    expected = dict.fromkeys(ROLES, default)
    for roles, outcome in groups:
        expected.update(dict.fromkeys(roles, outcome))
    unknown = (set(expected) | set(by_role)) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    expected.update(by_role)
    return expected


def amount(value):
    return f"{value:g}"


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccountTestInvoicingCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recorder = MatrixRecorder()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company_a = cls.company_data["company"]
        cls.company_b = cls.setup_other_company(name="Matrix Company B")["company"]
        cls.env.user.group_ids += (
            cls.env.ref("sales_team.group_sale_manager")
            + cls.env.ref("crm_loyalty.group_crm_loyalty_manager")
            + cls.env.ref("crm_kpi.group_crm_kpi_manager")
        )
        cls.env.user.company_ids += cls.company_b
        cls.company_label = {cls.company_a.id: "A", cls.company_b.id: "B"}
        cls.month = fields.Date.today().replace(day=1)
        cls.last_closed = cls.month - relativedelta(months=1)
        cls._create_customers()
        cls._create_users()
        cls._create_tiers()
        cls._create_documents()
        cls._create_snapshots()
        cls._create_api_keys()

    @classmethod
    def tearDownClass(cls):
        cls.recorder.save()
        super().tearDownClass()

    # ------------------------------------------------------------ fixture
    @classmethod
    def _create_customers(cls):
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "Acme", "is_company": True})
        cls.bolt = Partner.create({"name": "Bolt", "is_company": True})
        cls.bravo = Partner.create(
            {"name": "Bravo", "is_company": True, "company_id": cls.company_b.id}
        )
        cls.dora = Partner.create({"name": "Dora"})
        cls.ann = Partner.create(
            {"name": "Ann Acme", "parent_id": cls.acme.id, "email": "ann@acme.test"}
        )
        cls.bob = Partner.create(
            {"name": "Bob Bolt", "parent_id": cls.bolt.id, "email": "bob@bolt.test"}
        )
        cls.env["crm.partner.relation"].create(
            {
                "partner_id": cls.acme.id,
                "related_partner_id": cls.dora.id,
                "relation_type": "household",
            }
        )

    @classmethod
    def _create_users(cls):
        a, b = cls.company_a, cls.company_b

        def user(role, groups, partner=None, companies=a):
            values = {"company_id": a.id, "company_ids": [Command.set(companies.ids)]}
            if partner:
                values["partner_id"] = partner.id
            else:
                values["name"] = role
            return new_test_user(
                cls.env, login=f"matrix_{role}", groups=groups, **values
            )

        cls.users = {
            "portal": user("portal", "base.group_portal", cls.ann),
            "portal_bolt": user("portal_bolt", "base.group_portal", cls.bob),
            "sales_own": user("sales_own", "sales_team.group_sale_salesman"),
            "sales_all": user("sales_all", "sales_team.group_sale_salesman_all_leads"),
            "billing": user("billing", "account.group_account_invoice"),
            "accountant": user("accountant", "account.group_account_user"),
            "billing_360": user(
                "billing_360", "base.group_user,crm_360.group_crm_360_billing"
            ),
            "loyalty_manager": user(
                "loyalty_manager",
                # Contact Creation: Odoo gives it to new employees by default
                "base.group_partner_manager,crm_loyalty.group_crm_loyalty_manager",
            ),
            "kpi_user": user("kpi_user", "crm_kpi.group_crm_kpi_user"),
            "kpi_manager": user("kpi_manager", "crm_kpi.group_crm_kpi_manager"),
            "admin": user(
                "admin",
                "base.group_system,sales_team.group_sale_manager,"
                "account.group_account_manager",
                companies=a + b,
            ),
        }
        cls.users["admin_ab"] = cls.users["admin"]
        cls.role_companies = {role: [a.id] for role in ROLES}
        cls.role_companies["admin_ab"] = [a.id, b.id]

    @classmethod
    def _create_tiers(cls):
        Tier = cls.env["crm.loyalty.tier"]
        cls.silver = Tier.create(
            {"name": "Silver", "min_amount": 1000, "company_id": cls.company_a.id}
        )
        cls.spare = Tier.create(
            {"name": "Spare", "min_amount": 90000, "company_id": cls.company_a.id}
        )
        cls.gold = Tier.create(
            {"name": "Gold", "min_amount": 5000, "company_id": cls.company_b.id}
        )

    @classmethod
    def _invoice(cls, partner, day, value, company, due=None):
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Work",
                                "price_unit": value,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.invoice_date_due = due or cls.month + relativedelta(months=2)
        move.action_post()
        return move

    @classmethod
    def _create_documents(cls):
        a, b, lc = cls.company_a, cls.company_b, cls.last_closed
        cls.acme_invoice = cls._invoice(
            cls.acme,
            lc + relativedelta(days=4),
            1000,
            a,
            due=lc + relativedelta(days=14),
        )
        cls._invoice(cls.acme, cls.month, 500, a)
        cls.bolt_invoice = cls._invoice(cls.bolt, lc + relativedelta(days=9), 300, a)
        cls.acme_invoice_b = cls._invoice(cls.acme, lc + relativedelta(days=6), 7000, b)
        cls._invoice(cls.bravo, lc + relativedelta(days=6), 2000, b)
        Order = cls.env["sale.order"].with_company(a)
        cls.order_own, cls.order_other = Order.create(
            [
                {
                    "partner_id": cls.acme.id,
                    "user_id": user.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product_a.id, "product_uom_qty": 1}
                        )
                    ],
                }
                for user in (cls.users["sales_own"], cls.users["admin"])
            ]
        )
        (cls.order_own + cls.order_other).action_confirm()
        cls.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "partner_id": cls.acme.id,
                    "user_id": user.id,
                    "company_id": a.id,
                    "type": "opportunity",
                }
                for name, user in (
                    ("Acme upsell", cls.users["sales_own"]),
                    ("Acme renewal", cls.users["admin"]),
                )
            ]
        )
        cls.claim_a, cls.claim_b, cls.claim_bolt = cls.env["crm.claim"].create(
            [
                {
                    "name": "Acme claim A",
                    "partner_id": cls.ann.id,
                    "company_id": a.id,
                    "model_ref_id": f"account.move,{cls.acme_invoice.id}",
                },
                {
                    "name": "Acme claim B",
                    "partner_id": cls.acme.id,
                    "company_id": b.id,
                    "model_ref_id": f"account.move,{cls.acme_invoice_b.id}",
                },
                {"name": "Bolt claim", "partner_id": cls.bob.id, "company_id": a.id},
            ]
        )

    @classmethod
    def _create_snapshots(cls):
        cls.company_a.crm_go_live_date = cls.last_closed - relativedelta(months=1)
        # no transition: the two months from go-live on are the months after
        cls.company_a.crm_kpi_transition_months = 0
        Snapshot = cls.env["crm.kpi.snapshot"]
        for company in (cls.company_a, cls.company_b):
            Snapshot.with_company(company).compute_snapshots(
                cls.last_closed - relativedelta(months=2), cls.month
            )
        revenue = Snapshot.search(
            [
                ("kpi_code", "=", "revenue"),
                ("segment_type", "=", "all"),
                ("date_from", "=", cls.last_closed),
            ]
        )
        cls.revenue_a = revenue.filtered(lambda s: s.company_id == cls.company_a)
        cls.revenue_b = revenue.filtered(lambda s: s.company_id == cls.company_b)

    # ---------------------------------------------------------------- RPC
    def rpc(self, model, method, *args, companies=None, **kwargs):
        """Call ``model.method`` as the web client does, in the session of
        the current role, with the role's selected companies."""
        context = kwargs.pop("context", {})
        context.setdefault("allowed_company_ids", companies or self.companies)
        kwargs["context"] = context
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": model,
                "method": method,
                "args": list(args),
                "kwargs": kwargs,
            },
        }
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/web/dataset/call_kw/{model}.{method}", json=payload, timeout=120
            )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            error = body["error"]["data"]
            raise RpcError(error["name"], error["message"])
        return body.get("result")

    def page(self, url, data=None):
        with mute_logger("odoo.http"):
            return self.url_open(url, data=data, timeout=120)

    def by_company(self, rows, field):
        totals = {}
        for row in rows:
            company = row["company_id"][0] if row["company_id"] else False
            label = self.company_label.get(company, "other")
            totals[label] = totals.get(label, 0) + row[field]
        return ", ".join(f"{c}: {amount(v)}" for c, v in sorted(totals.items()))

    @staticmethod
    def names(rows, field="name"):
        values = sorted(
            (row[field][1] if isinstance(row[field], list) else row[field]) or "none"
            for row in rows
        )
        return ", ".join(values) or "none"

    # ------------------------------------------------------------- cells
    def _cells(self):
        """[(target, operation, try, expected by role)], reads first: the
        writes of a role's test are rolled back after it."""
        manager = "loyalty_manager", "admin", "admin_ab"
        # every claim of their companies; invoicing users, those about invoices
        claim_readers = ("sales_own", "sales_all", "loyalty_manager", "admin")
        invoicing = ("billing", "accountant")
        tier_readers = ("sales_own", "sales_all", "billing", "accountant") + manager
        kpi_readers = ("kpi_user", "kpi_manager", "admin", "admin_ab")
        billing = ("billing", "accountant", "billing_360", "admin", "admin_ab")
        internal = [r for r in ROLES if r not in ("public", "portal")]
        snap_a = f"A: {amount(1800)}"
        snap_ab = f"A: {amount(1800)}, B: {amount(9000)}"

        return [
            # -------------------------------------------------- loyalty
            (
                "crm.loyalty.tier",
                "search_read",
                lambda: self.names(
                    self.rpc("crm.loyalty.tier", "search_read", [], ["name"])
                ),
                expect(
                    # a portal customer reads the tiers of its company: its
                    # page says which tier comes next
                    (tier_readers + ("portal",), "Silver, Spare"),
                    admin_ab="Gold, Silver, Spare",
                ),
            ),
            (
                "crm.loyalty.tier",
                "read a company B tier",
                lambda: self.names(
                    self.rpc("crm.loyalty.tier", "read", self.gold.ids, ["name"])
                ),
                expect(admin_ab="Gold"),
            ),
            (
                "crm.loyalty.tier.history",
                "search_read",
                lambda: self.names(
                    self.rpc(
                        "crm.loyalty.tier.history",
                        "search_read",
                        [("partner_id", "=", self.acme.id)],
                        ["new_tier_id"],
                    ),
                    "new_tier_id",
                ),
                expect((tier_readers, "Silver"), admin_ab="Gold, Silver"),
            ),
            (
                "crm.loyalty.tier.history",
                "formatted_read_group",
                lambda: self.by_company(
                    self.rpc(
                        "crm.loyalty.tier.history",
                        "formatted_read_group",
                        [("partner_id", "=", self.acme.id)],
                        ["company_id"],
                        ["__count"],
                    ),
                    "__count",
                ),
                expect((tier_readers, "A: 1"), admin_ab="A: 1, B: 1"),
            ),
            (
                "res.partner",
                "read loyalty tier",
                lambda: self.names(
                    self.rpc("res.partner", "read", self.acme.ids, ["loyalty_tier_id"]),
                    "loyalty_tier_id",
                ),
                expect((internal, "Silver"), portal="Silver"),
            ),
            # ------------------------------------------------------ KPI
            (
                "crm.kpi.snapshot",
                "search_read",
                lambda: self.by_company(
                    self.rpc(
                        "crm.kpi.snapshot",
                        "search_read",
                        [("kpi_code", "=", "revenue"), ("segment_type", "=", "all")],
                        ["company_id", "value"],
                    ),
                    "value",
                ),
                expect((kpi_readers, snap_a), admin_ab=snap_ab),
            ),
            (
                "crm.kpi.snapshot",
                "formatted_read_group",
                lambda: self.by_company(
                    self.rpc(
                        "crm.kpi.snapshot",
                        "formatted_read_group",
                        [("kpi_code", "=", "revenue"), ("segment_type", "=", "all")],
                        ["company_id"],
                        ["value:sum"],
                    ),
                    "value:sum",
                ),
                expect((kpi_readers, snap_a), admin_ab=snap_ab),
            ),
            (
                "crm.kpi.snapshot",
                "web_read_group",
                lambda: self.by_company(
                    self.rpc(
                        "crm.kpi.snapshot",
                        "web_read_group",
                        [("kpi_code", "=", "revenue"), ("segment_type", "=", "all")],
                        ["company_id"],
                        ["value:sum"],
                    )["groups"],
                    "value:sum",
                ),
                expect((kpi_readers, snap_a), admin_ab=snap_ab),
            ),
            (
                "crm.kpi.snapshot",
                "read a company B snapshot",
                lambda: amount(
                    self.rpc("crm.kpi.snapshot", "read", self.revenue_b.ids, ["value"])[
                        0
                    ]["value"]
                ),
                expect(admin_ab=amount(9000)),
            ),
            (
                "crm.kpi.snapshot",
                "get_comparison",
                lambda: self._comparison_label(
                    self.rpc("crm.kpi.snapshot", "get_comparison", "revenue")
                ),
                expect((kpi_readers, "after go-live: 2 months, mean 650")),
            ),
            (
                "crm.kpi.snapshot",
                "get_cohort_table",
                lambda: self._cohort_label(
                    self.rpc("crm.kpi.snapshot", "get_cohort_table", 12)
                ),
                expect((kpi_readers, "2 customers in cohorts")),
            ),
            (
                "crm.kpi.snapshot",
                "action_open_details",
                lambda: self.rpc(
                    "crm.kpi.snapshot", "action_open_details", self.revenue_a.ids
                )["res_model"],
                # the drill-down reads the invoices behind the figure
                expect((("admin", "admin_ab"), "account.move")),
            ),
            (
                "crm.kpi.comparison",
                "create and read",
                self._try_comparison,
                expect((kpi_readers, f"go-live {self.company_a.crm_go_live_date}")),
            ),
            (
                "crm.kpi.comparison",
                "create for company B",
                lambda: (
                    self.rpc(
                        "crm.kpi.comparison",
                        "create",
                        {"company_id": self.company_b.id},
                    )
                    and "created"
                ),
                expect(admin_ab="created"),
            ),
            # ------------------------------------------------------ 360
            (
                "res.partner",
                "customer_360_data",
                lambda: self._customer_360_label(self.acme),
                expect(
                    sales_own="no billing, claims 1, open orders 1, leads 1, "
                    "tier Silver",
                    sales_all="no billing, claims 1, open orders 2, leads 2, "
                    "tier Silver",
                    # the complaint about Acme's invoice
                    billing="revenue 1500, overdue 1000, claims 1, open orders 2, "
                    "leads 0, tier -",
                    accountant="revenue 1500, overdue 1000, claims 1, open orders 2, "
                    "leads 0, tier -",
                    billing_360="revenue 1500, overdue 1000, claims 0, open orders -, "
                    "leads 0, tier -",
                    # Contact Creation lets read claims (OCA crm_claim)
                    loyalty_manager="no billing, claims 1, open orders -, leads 0, "
                    "tier Silver",
                    kpi_user="no billing, claims 0, open orders -, leads 0, tier -",
                    kpi_manager="no billing, claims 0, open orders -, leads 0, tier -",
                    admin="revenue 1500, overdue 1000, claims 1, open orders 2, "
                    "leads 2, tier Silver",
                    admin_ab="revenue 8500, overdue 1000, claims 2, open orders 2, "
                    "leads 2, tier Silver",
                ),
            ),
            (
                "res.partner",
                "customer_360_data of a company B customer",
                lambda: self._customer_360_label(self.bravo),
                expect(
                    admin_ab="revenue 2000, overdue 0, claims 0, open orders 0, "
                    "leads 0, tier none"
                ),
            ),
            (
                "res.partner",
                "customer_360_data of another portal customer",
                lambda: self._customer_360_label(self.bolt),
                expect(
                    sales_own="no billing, claims 1, open orders 0, leads 0, tier none",
                    sales_all="no billing, claims 1, open orders 0, leads 0, tier none",
                    billing="revenue 300, overdue 0, claims 0, open orders 0, leads 0, "
                    "tier -",
                    accountant="revenue 300, overdue 0, claims 0, open orders 0, "
                    "leads 0, tier -",
                    billing_360="revenue 300, overdue 0, claims 0, open orders -, "
                    "leads 0, tier -",
                    loyalty_manager="no billing, claims 1, open orders -, leads 0, "
                    "tier none",
                    kpi_user="no billing, claims 0, open orders -, leads 0, tier -",
                    kpi_manager="no billing, claims 0, open orders -, leads 0, tier -",
                    admin="revenue 300, overdue 0, claims 1, open orders 0, leads 0, "
                    "tier none",
                    admin_ab="revenue 300, overdue 0, claims 1, open orders 0, "
                    "leads 0, tier none",
                ),
            ),
            (
                "crm.customer.360",
                "search_read",
                lambda: self.by_company(
                    self.rpc(
                        "crm.customer.360",
                        "search_read",
                        [("partner_id", "=", self.acme.id)],
                        ["company_id", "revenue_total"],
                    ),
                    "revenue_total",
                ),
                expect(
                    (billing, f"A: {amount(1500)}"),
                    admin_ab=f"A: {amount(1500)}, B: {amount(7000)}",
                ),
            ),
            (
                "crm.customer.360",
                "web_read_group",
                lambda: self.by_company(
                    self.rpc(
                        "crm.customer.360",
                        "web_read_group",
                        [
                            (
                                "partner_id",
                                "in",
                                (self.acme + self.bolt + self.bravo).ids,
                            )
                        ],
                        ["company_id"],
                        ["revenue_total:sum"],
                    )["groups"],
                    "revenue_total:sum",
                ),
                expect((billing, snap_a), admin_ab=snap_ab),
            ),
            (
                "account.move",
                "search_read",
                lambda: (
                    self.by_company(
                        self.rpc(
                            "account.move",
                            "search_read",
                            [
                                (
                                    "partner_id",
                                    "in",
                                    (self.acme + self.bolt + self.bravo).ids,
                                ),
                                ("state", "=", "posted"),
                            ],
                            ["company_id", "amount_untaxed_signed"],
                        ),
                        "amount_untaxed_signed",
                    )
                    or "none"
                ),
                expect(
                    (billing, snap_a),
                    portal=f"A: {amount(1500)}",
                    sales_own="none",
                    sales_all=snap_a,
                    admin_ab=snap_ab,
                ),
            ),
            (
                "res.partner",
                "read another portal customer",
                lambda: self.names(
                    self.rpc("res.partner", "read", self.bolt.ids, ["name"])
                ),
                expect((internal, "Bolt")),
            ),
            (
                "sale.order",
                "search_read",
                lambda: self.names(
                    self.rpc(
                        "sale.order",
                        "search_read",
                        [("partner_id", "child_of", self.acme.id)],
                        ["user_id"],
                    ),
                    "user_id",
                ),
                expect(
                    (
                        ("portal", "sales_all", "billing", "accountant", "admin"),
                        "admin, sales_own",
                    ),
                    sales_own="sales_own",
                    admin_ab="admin, sales_own",
                ),
            ),
            (
                "crm.claim",
                "search_read",
                lambda: self.names(
                    self.rpc(
                        "crm.claim",
                        "search_read",
                        [("partner_id", "child_of", (self.acme + self.bolt).ids)],
                        ["name"],
                    )
                ),
                expect(
                    (claim_readers, "Acme claim A, Bolt claim"),
                    # those about the invoices they read
                    (invoicing, "Acme claim A"),
                    portal="Acme claim A",
                    admin_ab="Acme claim A, Acme claim B, Bolt claim",
                ),
            ),
            (
                "crm.claim",
                "read a claim about an invoice",
                lambda: self._claim_label(self.claim_a),
                expect(
                    (claim_readers + invoicing, "Acme claim A, New, deadline -"),
                    portal="Acme claim A, New, deadline -",
                    admin_ab="Acme claim A, New, deadline -",
                ),
            ),
            (
                "crm.claim",
                "read a claim about no invoice",
                lambda: self._claim_label(self.claim_bolt),
                expect(
                    (claim_readers, "Bolt claim, New, deadline -"),
                    admin_ab="Bolt claim, New, deadline -",
                ),
            ),
            (
                "crm.claim",
                "read a claim about a company B invoice",
                lambda: self._claim_label(self.claim_b),
                expect(admin_ab="Acme claim B, New, deadline -"),
            ),
            (
                "account.move",
                "read in dispute",
                lambda: self._dispute_label(
                    self.rpc(
                        "account.move",
                        "read",
                        self.acme_invoice.ids,
                        ["in_dispute", "dispute_claim_count"],
                    )[0]
                ),
                # a flag, whoever reads the invoice, complaint rights or not
                expect(
                    (billing + ("portal", "sales_all"), "in dispute, 1 complaint"),
                ),
            ),
            (
                "account.move",
                "search_count in dispute",
                lambda: str(
                    self.rpc(
                        "account.move",
                        "search_count",
                        [
                            (
                                "partner_id",
                                "in",
                                (self.acme + self.bolt + self.bravo).ids,
                            ),
                            ("in_dispute", "=", True),
                        ],
                    )
                ),
                expect(
                    (billing + ("portal", "sales_all"), "1"),
                    sales_own="0",
                    admin_ab="2",
                ),
            ),
            (
                "sale.order",
                "read in dispute",
                lambda: self._dispute_label(
                    self.rpc(
                        "sale.order",
                        "read",
                        self.order_own.ids,
                        ["in_dispute", "dispute_claim_count"],
                    )[0]
                ),
                expect(
                    (
                        (
                            "portal",
                            "sales_own",
                            "sales_all",
                            "billing",
                            "accountant",
                            "admin",
                            "admin_ab",
                        ),
                        "not in dispute",
                    ),
                ),
            ),
            (
                "crm.partner.relation",
                "search_read",
                lambda: self.names(
                    self.rpc(
                        "crm.partner.relation",
                        "search_read",
                        [("partner_id", "=", self.acme.id)],
                        ["related_partner_id"],
                    ),
                    "related_partner_id",
                ),
                expect((internal, "Dora")),
            ),
            (
                "res.partner",
                "action_open_customer_360",
                lambda: self.rpc(
                    "res.partner", "action_open_customer_360", self.acme.ids
                )["tag"],
                # only an action (the screen then reads what the user may read)
                expect(
                    (internal, "crm_360.customer_360"), portal="crm_360.customer_360"
                ),
            ),
            (
                "account.move",
                "action_crm_360_new_claim",
                lambda: self.rpc(
                    "account.move", "action_crm_360_new_claim", self.acme_invoice.ids
                )["res_model"],
                expect((billing + ("sales_all",), "crm.claim"), portal="crm.claim"),
            ),
            (
                "sale.order",
                "action_crm_360_new_claim (another salesperson's order)",
                lambda: self.rpc(
                    "sale.order", "action_crm_360_new_claim", self.order_other.ids
                )["res_model"],
                expect(
                    (
                        ("sales_all", "billing", "accountant", "admin", "admin_ab"),
                        "crm.claim",
                    ),
                    portal="crm.claim",
                ),
            ),
            (
                "res.partner",
                "select company B",
                lambda: self.names(
                    self.rpc(
                        "res.partner",
                        "search_read",
                        [("id", "=", self.acme.id)],
                        ["name"],
                        companies=[self.company_a.id, self.company_b.id],
                    )
                ),
                expect(admin="Acme", admin_ab="Acme"),
            ),
            # ----------------------------------------------- portal pages
            (
                "/my/claims",
                "GET",
                self._try_my_claims,
                expect(
                    default="no claims",
                    public=LOGIN,
                    portal="Acme claim A",
                    sales_own="Acme claim A, Bolt claim",
                    sales_all="Acme claim A, Bolt claim",
                    loyalty_manager="Acme claim A, Bolt claim",
                    billing="Acme claim A",
                    accountant="Acme claim A",
                    # a web page: every company the user is allowed in
                    admin="Acme claim A, Acme claim B, Bolt claim",
                    admin_ab="Acme claim A, Acme claim B, Bolt claim",
                ),
            ),
            (
                "/my/loyalty",
                "GET",
                self._try_my_loyalty,
                expect(default=NOT_TRIED, public=LOGIN, portal="Silver, not Bolt's"),
            ),
            (
                "/my/claims/submit",
                "POST about an own invoice",
                lambda: self._try_submit(self.acme_invoice),
                expect(default=NOT_TRIED, public=LOGIN, portal="claim filed"),
            ),
            (
                "/my/claims/submit",
                "POST about another customer's invoice",
                lambda: self._try_submit(self.bolt_invoice),
                expect(
                    default=NOT_TRIED, public=LOGIN, portal="refused, nothing written"
                ),
            ),
            (
                "/my/claims/submit",
                "POST about an own invoice of company B",
                lambda: self._try_submit(self.acme_invoice_b),
                expect(
                    default=NOT_TRIED, public=LOGIN, portal="refused, nothing written"
                ),
            ),
            # ----------------------------------------- writes and actions
            (
                "crm.claim",
                "write a claim about an invoice",
                lambda: (
                    self.rpc("crm.claim", "write", self.claim_a.ids, {"priority": "2"})
                    and "written"
                ),
                expect((("sales_own", "sales_all", "admin", "admin_ab"), "written")),
            ),
            (
                "crm.claim",
                "log a note on a claim about an invoice (chatter)",
                lambda: self._try_chatter(self.claim_a, "mail.mt_note"),
                expect(
                    (
                        ("sales_own", "sales_all", "admin", "admin_ab") + invoicing,
                        "posted",
                    )
                ),
            ),
            (
                "crm.claim",
                "log a note on a claim about an invoice (message_post)",
                lambda: (
                    self.rpc(
                        "crm.claim",
                        "message_post",
                        self.claim_a.ids,
                        body="Paid on the 10th",
                        message_type="comment",
                        subtype_xmlid="mail.mt_note",
                    )
                    and "posted"
                ),
                expect(
                    (
                        ("sales_own", "sales_all", "admin", "admin_ab") + invoicing,
                        "posted",
                    )
                ),
            ),
            (
                "crm.claim",
                "send a message on a claim about an invoice (chatter)",
                lambda: self._try_chatter(self.claim_a, "mail.mt_comment"),
                # invoicing users log notes only
                expect((("sales_own", "sales_all", "admin", "admin_ab"), "posted")),
            ),
            (
                "crm.claim",
                "log a note on a claim about no invoice (chatter)",
                lambda: self._try_chatter(self.claim_bolt, "mail.mt_note"),
                expect((("sales_own", "sales_all", "admin", "admin_ab"), "posted")),
            ),
            (
                "crm.loyalty.tier.history",
                "write",
                lambda: self.rpc(
                    "crm.loyalty.tier.history",
                    "write",
                    self.env["crm.loyalty.tier.history"]
                    .search([("partner_id", "=", self.acme.id)])
                    .ids,
                    {"amount": 1},
                ),
                expect(default=REFUSED, public=DENIED),
            ),
            (
                "crm.loyalty.tier.history",
                "unlink",
                lambda: self.rpc(
                    "crm.loyalty.tier.history",
                    "unlink",
                    self.env["crm.loyalty.tier.history"]
                    .search([("partner_id", "=", self.acme.id)])
                    .ids,
                ),
                expect(),
            ),
            (
                "crm.kpi.snapshot",
                "write",
                lambda: self.rpc(
                    "crm.kpi.snapshot", "write", self.revenue_a.ids, {"value": 1}
                ),
                expect(default=REFUSED, public=DENIED),
            ),
            (
                "crm.kpi.snapshot",
                "unlink",
                lambda: self.rpc("crm.kpi.snapshot", "unlink", self.revenue_a.ids),
                expect(),
            ),
            (
                "crm.kpi.snapshot",
                "compute_snapshots",
                lambda: (
                    self.rpc(
                        "crm.kpi.snapshot",
                        "compute_snapshots",
                        fields.Date.to_string(self.month),
                        fields.Date.to_string(self.month),
                    )
                    and "done"
                ),
                expect((("kpi_manager", "admin", "admin_ab"), "done")),
            ),
            (
                "crm.kpi.recompute",
                "action_recompute",
                self._try_kpi_recompute,
                expect((("kpi_manager", "admin", "admin_ab"), "done")),
            ),
            (
                "crm.loyalty.tier",
                "action_recompute_all",
                lambda: (
                    self.rpc("crm.loyalty.tier", "action_recompute_all", []) and "done"
                ),
                expect((manager, "done")),
            ),
            (
                "res.partner",
                "action_loyalty_recompute",
                lambda: (
                    self.rpc("res.partner", "action_loyalty_recompute", self.acme.ids)
                    or "done"
                ),
                expect((manager, "done")),
            ),
            (
                "crm.partner.relation",
                "create",
                lambda: (
                    self.rpc(
                        "crm.partner.relation",
                        "create",
                        {
                            "partner_id": self.bolt.id,
                            "related_partner_id": self.dora.id,
                            "relation_type": "other",
                        },
                    )
                    and "created"
                ),
                expect((("sales_own", "sales_all", "admin", "admin_ab"), "created")),
            ),
            (
                "crm.loyalty.whatif",
                "create for company B",
                lambda: (
                    self.rpc(
                        "crm.loyalty.whatif",
                        "create",
                        {"company_id": self.company_b.id},
                    )
                    and "created"
                ),
                # a manager allowed in company A only is told to choose one of
                # their companies before any access rule is reached
                expect(admin_ab="created", loyalty_manager=REFUSED),
            ),
            (
                "crm.loyalty.whatif",
                "preview",
                self._try_whatif_preview,
                expect((manager, "1 would go down")),
            ),
            (
                "crm.loyalty.whatif",
                "action_apply",
                self._try_whatif_apply,
                expect((manager, "applied, Acme has no tier")),
            ),
            (
                "res.partner",
                "write loyalty override",
                lambda: (
                    self.rpc(
                        "res.partner",
                        "write",
                        self.acme.ids,
                        {
                            "loyalty_override_tier_id": self.silver.id,
                            "loyalty_override_until": fields.Date.to_string(
                                self.month + relativedelta(months=2)
                            ),
                            "loyalty_override_reason": "Key account",
                        },
                    )
                    and "written"
                ),
                expect((manager, "written")),
            ),
            (
                "crm.loyalty.tier",
                "create",
                lambda: (
                    self.rpc(
                        "crm.loyalty.tier",
                        "create",
                        {"name": "Platinum", "min_amount": 50000},
                    )
                    and "created"
                ),
                expect((manager, "created")),
            ),
            (
                "crm.loyalty.tier",
                "write",
                lambda: (
                    self.rpc(
                        "crm.loyalty.tier",
                        "write",
                        self.spare.ids,
                        {"min_amount": 95000},
                    )
                    and "written"
                ),
                expect((manager, "written")),
            ),
            (
                "crm.loyalty.tier",
                "unlink",
                lambda: (
                    self.rpc("crm.loyalty.tier", "unlink", self.spare.ids) and "deleted"
                ),
                expect((manager, "deleted")),
            ),
        ]

    # ------------------------------------------------------- cell helpers
    def _customer_360_label(self, partner):
        return self._label_360(
            self.rpc("res.partner", "customer_360_data", partner.ids)
        )

    @staticmethod
    def _label_360(data):
        summary = data["summary"]
        if data["billing_access"]:
            parts = [
                f"revenue {amount(summary['revenue_total'])}",
                f"overdue {amount(summary['overdue_amount'])}",
            ]
        else:
            parts = ["no billing"]
        orders = summary["open_order_count"]
        parts += [
            f"claims {summary['claim_count']}",
            f"open orders {'-' if orders is None else orders}",
            f"leads {len(data['opportunities'])}",
            f"tier {data['loyalty']['tier'] or 'none'}"
            if "loyalty" in data
            else "tier -",
        ]
        return ", ".join(parts)

    def _claim_label(self, claim):
        values = self.rpc(
            "crm.claim",
            "read",
            claim.ids,
            ["name", "stage_id", "user_id", "date_deadline", "description"],
        )[0]
        deadline = values["date_deadline"] or "-"
        return f"{values['name']}, {values['stage_id'][1]}, deadline {deadline}"

    @staticmethod
    def _dispute_label(values):
        if not values["in_dispute"]:
            return "not in dispute"
        return f"in dispute, {values['dispute_claim_count']} complaint"

    def _try_chatter(self, claim, subtype):
        """Post from the chatter, as the web client does."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "thread_model": "crm.claim",
                "thread_id": claim.id,
                "post_data": {
                    "body": "Tried by the access matrix",
                    "message_type": "comment",
                    "subtype_xmlid": subtype,
                },
            },
        }
        with mute_logger("odoo.http"):
            response = self.url_open("/mail/message/post", json=payload, timeout=120)
        body = response.json()
        if "error" in body:
            error = body["error"]["data"]
            if error["name"] == "werkzeug.exceptions.NotFound":
                # the chatter's answer to a document the user may not post on
                return DENIED
            raise RpcError(error["name"], error["message"])
        return "posted"

    @staticmethod
    def _comparison_label(data):
        return (
            f"after go-live: {data['after_months']} months, "
            f"mean {amount(data['after_mean'])}"
        )

    @staticmethod
    def _cohort_label(table):
        size = sum(row["size"] for side in ("before", "after") for row in table[side])
        return f"{size} customers in cohorts"

    def _try_comparison(self):
        wizard = self.rpc("crm.kpi.comparison", "create", {})
        values = self.rpc("crm.kpi.comparison", "read", [wizard], ["go_live_date"])
        return f"go-live {values[0]['go_live_date']}"

    def _try_kpi_recompute(self):
        day = fields.Date.to_string(self.month)
        wizard = self.rpc(
            "crm.kpi.recompute", "create", {"date_from": day, "date_to": day}
        )
        self.rpc("crm.kpi.recompute", "action_recompute", [wizard])
        state = self.rpc("crm.kpi.recompute", "read", [wizard], ["state"])
        return state[0]["state"]

    def _whatif(self):
        return self.rpc(
            "crm.loyalty.whatif",
            "create",
            {
                "line_ids": [
                    Command.create(
                        {"tier_id": self.silver.id, "proposed_min_amount": 2000}
                    ),
                    Command.create(
                        {"tier_id": self.spare.id, "proposed_min_amount": 90000}
                    ),
                ]
            },
        )

    def _try_whatif_preview(self):
        wizard = self._whatif()
        counts = self.rpc("crm.loyalty.whatif", "read", [wizard], ["downgrade_count"])[
            0
        ]
        return f"{counts['downgrade_count']} would go down"

    def _try_whatif_apply(self):
        wizard = self._whatif()
        self.rpc("crm.loyalty.whatif", "action_apply", [wizard])
        tier = self.rpc("res.partner", "read", self.acme.ids, ["loyalty_tier_id"])
        return f"applied, Acme has {tier[0]['loyalty_tier_id'] or 'no tier'}"

    def _try_my_claims(self):
        response = self.page("/my/claims")
        if "/web/login" in response.url:
            return LOGIN
        if response.status_code != 200:
            return DENIED
        names = ("Acme claim A", "Acme claim B", "Bolt claim")
        return ", ".join(n for n in names if n in response.text) or "no claims"

    def _try_my_loyalty(self):
        response = self.page("/my/loyalty")
        if "/web/login" in response.url:
            return LOGIN
        if response.status_code != 200:
            return DENIED
        tier = re.search(r'o_portal_loyalty_tier">([^<]*)<', response.text)
        others = "Bolt's too" if self.bolt.name in response.text else "not Bolt's"
        return f"{tier.group(1) if tier else 'no tier'}, {others}"

    def _try_submit(self, document):
        Claim = self.env["crm.claim"]
        before = Claim.search_count([])
        data = {
            "document": f"{document._name},{document.id}",
            "subject": "Matrix complaint",
            "description": "Tried by the access matrix",
        }
        if getattr(self, "session", None):
            data["csrf_token"] = http.Request.csrf_token(self)
        response = self.page("/my/claims/submit", data=data)
        if "/web/login" in response.url:
            return LOGIN
        filed = Claim.search([("name", "=", "Matrix complaint")])
        if "error=document" in response.url and Claim.search_count([]) == before:
            return "refused, nothing written"
        if len(filed) == 1 and filed.model_ref_id == document:
            filed.unlink()
            return "claim filed"
        return f"unexpected: {response.url}"

    # ------------------------------------------------------ JSON-2 API
    @classmethod
    def _create_api_keys(cls):
        """A valid and an expired API key per user (the portal user's by
        code: Odoo offers API keys to internal users only)."""
        cls.api_keys, cls.expired_keys = {}, {}
        Keys = cls.env["res.users.apikeys"]
        for role, user in cls.users.items():
            for keys, expiration in (
                (cls.api_keys, datetime.now() + timedelta(hours=12)),
                (cls.expired_keys, datetime.now() - timedelta(minutes=1)),
            ):
                keys[role] = Keys.with_user(user)._generate(
                    None, f"matrix {role}", expiration
                )

    def api(self, model, method, key=None, **body):
        """POST /json/2/<model>/<method> as another system does: no session,
        the role's API key as bearer, the role's selected companies."""
        body.setdefault("context", {"allowed_company_ids": self.companies})
        headers = {"X-Odoo-Database": get_db_name()}
        key = key or self.api_keys.get(self.role)
        if key:
            headers["Authorization"] = f"bearer {key}"
        session_opener, self.opener = self.opener, Opener(self)
        try:
            with mute_logger("odoo.http"):
                response = self.url_open(
                    f"/json/2/{model}/{method}", json=body, headers=headers, timeout=120
                )
        finally:
            self.opener = session_opener
        if response.status_code == 401:
            raise RpcError(UNAUTHORIZED, response.text[:200])
        if response.status_code != 200:
            error = response.json()
            raise RpcError(error["name"], error["message"])
        return response.json()

    def _rpc_expected(self, target, operation):
        """The expected outcomes of a JSON-RPC cell: the API gives the same,
        but to the public (no key)."""
        expected = next(
            dict(cells[3])
            for cells in self._cells()
            if cells[:2] == (target, operation)
        )
        expected["public"] = UNAUTHORIZED
        return expected

    @staticmethod
    def _catalogue_label(catalogue):
        keys = {key for kpi in catalogue for key in kpi}
        figures = keys - {"code", "name", "unit", "higher_is_better", "formula"}
        return f"figures {sorted(figures)}" if figures else "definitions, no figures"

    def _api_cells(self):
        """The JSON-2 API (``/json/2/<model>/<method>``, bearer API key) that
        accounting and BI systems use: the same figures as the web client's
        JSON-RPC for the key's user, 401 without a valid key."""
        billing = ("billing", "accountant", "billing_360", "admin", "admin_ab")
        with_key = [r for r in ROLES if r != "public"]
        partner, rows, kpi = (
            "JSON-2 res.partner",
            "JSON-2 crm.customer.360",
            "JSON-2 crm.kpi.snapshot",
        )
        return [
            (
                partner,
                "customer_360_data of Acme",
                lambda: self._label_360(
                    self.api("res.partner", "customer_360_data", ids=self.acme.ids)
                ),
                self._rpc_expected("res.partner", "customer_360_data"),
            ),
            (
                partner,
                "customer_360_data of Bravo (company B)",
                lambda: self._label_360(
                    self.api("res.partner", "customer_360_data", ids=self.bravo.ids)
                ),
                expect(
                    public=UNAUTHORIZED,
                    admin_ab="revenue 2000, overdue 0, claims 0, open orders 0, "
                    "leads 0, tier none",
                ),
            ),
            (
                partner,
                "customer_360_data with an expired key",
                lambda: self._label_360(
                    self.api(
                        "res.partner",
                        "customer_360_data",
                        key=self.expired_keys[self.role],
                        ids=self.acme.ids,
                    )
                ),
                expect((with_key, UNAUTHORIZED), public=NOT_TRIED),
            ),
            (
                rows,
                "export_rows: balance due",
                lambda: self.by_company(
                    self.api("crm.customer.360", "export_rows", limit=1000)["rows"],
                    "balance_due",
                ),
                expect(
                    (billing, f"A: {amount(1800)}"),
                    public=UNAUTHORIZED,
                    admin_ab=f"A: {amount(1800)}, B: {amount(9000)}",
                ),
            ),
            (
                rows,
                "export_rows, limit over 1,000",
                lambda: self.api("crm.customer.360", "export_rows", limit=1001),
                expect((with_key, REFUSED), public=UNAUTHORIZED),
            ),
            (
                kpi,
                "get_comparison",
                lambda: self._comparison_label(
                    self.api("crm.kpi.snapshot", "get_comparison", kpi_code="revenue")
                ),
                self._rpc_expected("crm.kpi.snapshot", "get_comparison"),
            ),
            (
                kpi,
                "get_cohort_table",
                lambda: self._cohort_label(
                    self.api("crm.kpi.snapshot", "get_cohort_table", horizon=12)
                ),
                self._rpc_expected("crm.kpi.snapshot", "get_cohort_table"),
            ),
            (
                kpi,
                "get_kpi_catalogue",
                lambda: self._catalogue_label(
                    self.api("crm.kpi.snapshot", "get_kpi_catalogue")
                ),
                # the KPIs' names and formulas, no figure: any user
                expect((with_key, "definitions, no figures"), public=UNAUTHORIZED),
            ),
        ]

    # ---------------------------------------------------------------- run
    def _attempt(self, attempt):
        self.last_error = ""
        try:
            return attempt()
        except RpcError as error:
            self.last_error = str(error)
            if error.name in DENIED_ERRORS:
                return DENIED
            if error.name in REFUSED_ERRORS:
                return REFUSED
            if error.name == UNAUTHORIZED:
                return UNAUTHORIZED
            return f"error {error}"

    def _run_role(self, role):
        self.role = role
        self.companies = self.role_companies[role]
        if role != "public":
            user = self.users[role]
            self.authenticate(user.login, user.login)
        mismatches = []
        for target, operation, attempt, expected in self._cells() + self._api_cells():
            if expected[role] is NOT_TRIED:
                continue
            outcome = self._attempt(attempt)
            self.recorder.add(role, target, operation, expected[role], outcome)
            if outcome != expected[role]:
                mismatches.append(
                    f"{target} {operation}: expected {expected[role]!r}, "
                    f"got {outcome!r} {self.last_error}"
                )
        self.assertFalse(mismatches, f"{role}:\n" + "\n".join(mismatches))

    def test_public(self):
        self._run_role("public")

    def test_portal(self):
        self._run_role("portal")

    def test_sales_own(self):
        self._run_role("sales_own")

    def test_sales_all(self):
        self._run_role("sales_all")

    def test_billing(self):
        self._run_role("billing")

    def test_accountant(self):
        self._run_role("accountant")

    def test_billing_360(self):
        self._run_role("billing_360")

    def test_loyalty_manager(self):
        self._run_role("loyalty_manager")

    def test_kpi_user(self):
        self._run_role("kpi_user")

    def test_kpi_manager(self):
        self._run_role("kpi_manager")

    def test_admin(self):
        self._run_role("admin")

    def test_admin_both_companies(self):
        self._run_role("admin_ab")
