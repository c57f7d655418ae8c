"""The 360 figures read by other systems over Odoo's JSON-2 API, with a
bearer API key, over real HTTP.

Company A (the users' only allowed company) and company B:
- Acme (company) and its contact Ann, in A: 1,000 on LC+4 due LC+14
  (overdue), 500 on M due M+2 (LC = first day of last month, M = today's
  month start); 5 other invoiced customers in A (100 to 500);
- Bravo, a customer of company B only (its partner belongs to B).
"""

import io
import json
from datetime import datetime, timedelta

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, fields, http
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tests.common import Opener
from odoo.tools import SQL, mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import post_invoice

# tables a read of the API must never write to
WATCHED_TABLES = (
    "res_partner",
    "account_move",
    "crm_claim",
    "mail_message",
    "res_users_apikeys",
    "crm_partner_relation",
)


@tagged("post_install", "-at_install")
class TestCustomer360Api(AccountTestInvoicingCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company_a = cls.company_data["company"]
        cls.company_b = cls.setup_other_company(name="Api Company B")["company"]
        month = fields.Date.today().replace(day=1)
        last_closed = month - relativedelta(months=1)
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "Acme", "is_company": True})
        cls.ann = Partner.create({"name": "Ann", "parent_id": cls.acme.id})
        cls.bravo = Partner.create(
            {"name": "Bravo", "is_company": True, "company_id": cls.company_b.id}
        )
        cls.invoice(
            cls.acme,
            last_closed + relativedelta(days=4),
            1000,
            due=last_closed + relativedelta(days=14),
        )
        cls.invoice(cls.ann, month, 500, due=month + relativedelta(months=2))
        for index in range(1, 6):
            customer = Partner.create({"name": f"Customer {index}"})
            due = month + relativedelta(months=2)
            cls.invoice(customer, month, 100 * index, due=due)
        cls.invoice(cls.bravo, month, 2000, company=cls.company_b)

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=cls.company_a.id,
                company_ids=[Command.set(cls.company_a.ids)],
            )

        cls.billing_user = user(
            "api_billing",
            "base.group_user,crm_360.group_crm_360_billing,base.group_allow_export",
        )
        cls.sales_user = user("api_sales", "sales_team.group_sale_salesman")
        cls.billing_key = cls.api_key(cls.billing_user)
        cls.sales_key = cls.api_key(cls.sales_user)

    @classmethod
    def invoice(cls, partner, day, amount, due=None, company=None):
        return post_invoice(
            cls.env, partner, day, amount, due=due, company=company or cls.company_a
        )

    @classmethod
    def api_key(cls, user, expiration=None):
        """A new API key of ``user``, as Preferences › Account Security ›
        New API Key makes it (the key's scope is empty: every RPC)."""
        expiration = expiration or datetime.now() + timedelta(hours=12)
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(None, f"{user.login} accounting", expiration)
        )

    # ----------------------------------------------------------- helpers
    def call(self, model, method, key=None, **body):
        """POST /json/2/<model>/<method> as another system does: no
        session, the database named by a header, the key as bearer."""
        headers = {"X-Odoo-Database": get_db_name()}
        if key:
            headers["Authorization"] = f"bearer {key}"
        session_opener, self.opener = self.opener, Opener(self)
        try:
            with mute_logger("odoo.http"):
                return self.url_open(
                    f"/json/2/{model}/{method}", json=body, headers=headers
                )
        finally:
            self.opener = session_opener

    def counts(self):
        self.env.flush_all()
        counts = {}
        for table in WATCHED_TABLES:
            self.env.cr.execute(SQL("SELECT COUNT(*) FROM %s", SQL.identifier(table)))
            counts[table] = self.env.cr.fetchone()[0]
        return counts

    def assertError(self, response, status, name, message=None):
        self.assertEqual(response.status_code, status, response.text)
        body = response.json()
        self.assertEqual(body["name"], name)
        self.assertNotIn("summary", body)
        if message:
            self.assertIn(message, body["message"])

    # ------------------------------------------------------------- tests
    def test_figures_for_an_allowed_customer(self):
        response = self.call(
            "res.partner", "customer_360_data", self.billing_key, ids=self.ann.ids
        )
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertTrue(data["billing_access"])
        self.assertEqual(data["partner"]["name"], "Acme")
        self.assertEqual(data["summary"]["balance_due"], 1500)
        self.assertEqual(data["summary"]["overdue_amount"], 1000)
        self.assertEqual(data["summary"]["invoice_count"], 2)
        # what the screen gets in-process, and JSON without any conversion
        expected = self.ann.with_user(self.billing_user).customer_360_data()
        self.assertEqual(data, json.loads(json.dumps(expected)))

    def test_no_billing_figures_without_the_billing_group(self):
        response = self.call(
            "res.partner", "customer_360_data", self.sales_key, ids=self.acme.ids
        )
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertFalse(data["billing_access"])
        self.assertEqual(data["partner"]["name"], "Acme")
        for key in ("billing", "value"):
            self.assertNotIn(key, data)
        for key in ("balance_due", "overdue_amount", "revenue_total", "invoice_count"):
            self.assertNotIn(key, data["summary"])
        self.assertNotIn("invoices", data["domains"])
        self.assertNotIn("1000", response.text)
        # nor the list's figures
        response = self.call(
            "crm.customer.360", "export_rows", self.sales_key, limit=10, offset=0
        )
        self.assertError(response, 403, "odoo.exceptions.AccessError")

    def test_unauthorized_without_a_valid_key(self):
        revoked = self.api_key(self.billing_user)
        self.env["res.users.apikeys"].with_user(self.billing_user).search(
            [("user_id", "=", self.billing_user.id)], order="id desc", limit=1
        )._remove()
        expired = self.api_key(
            self.billing_user, expiration=datetime.now() - timedelta(minutes=1)
        )
        for key in (None, revoked, expired, "not-a-key"):
            with self.subTest(key=key and key[:4]):
                response = self.call(
                    "res.partner", "customer_360_data", key, ids=self.acme.ids
                )
                self.assertEqual(response.status_code, 401, response.text)
                self.assertNotIn("summary", response.text)
                self.assertIn("bearer", response.headers["WWW-Authenticate"].lower())
        # the valid key still works
        response = self.call(
            "res.partner", "customer_360_data", self.billing_key, ids=self.acme.ids
        )
        self.assertEqual(response.status_code, 200)

    def test_customer_of_a_company_not_allowed(self):
        for key in (self.billing_key, self.sales_key):
            response = self.call(
                "res.partner", "customer_360_data", key, ids=self.bravo.ids
            )
            self.assertError(response, 403, "odoo.exceptions.AccessError")
            self.assertNotIn("2000", response.text)
        # company B rows are not exported, whatever the domain
        response = self.call(
            "crm.customer.360",
            "export_rows",
            self.billing_key,
            domain=[["partner_id", "=", self.bravo.id]],
        )
        self.assertEqual(response.json()["rows"], [])
        self.assertEqual(response.json()["total"], 0)

    def test_bad_arguments_are_refused_and_write_nothing(self):
        before = self.counts()
        partner, rows = "res.partner", "crm.customer.360"
        key = self.billing_key
        for model, method, body, status, message in (
            (partner, "customer_360_data", {"ids": []}, 422, "one customer"),
            (partner, "customer_360_data", {"ids": [1, 2]}, 422, "one customer"),
            (partner, "customer_360_data", {"ids": ["7"]}, 422, "whole number"),
            (partner, "customer_360_data", {"ids": [10**8]}, 404, None),
            (
                partner,
                "customer_360_data",
                {"ids": self.acme.ids, "timeline_limit": 10**4},
                422,
                "timeline page",
            ),
            (
                partner,
                "customer_360_data",
                {"ids": self.acme.ids, "unknown": 1},
                422,
                "unknown",
            ),
            (
                partner,
                "write",
                {"ids": self.acme.ids, "vals": {"name": "X"}},
                403,
                None,
            ),
            (rows, "export_rows", {"limit": 1001}, 422, "from 1 to 1000"),
            (rows, "export_rows", {"limit": 0}, 422, "from 1 to 1000"),
            (rows, "export_rows", {"offset": -1}, 422, "offset"),
            (rows, "export_rows", {"limit": "10"}, 422, "limit"),
            (rows, "export_rows", {"offset": 1.5}, 422, "offset"),
            (rows, "export_rows", {"domain": [["nope", "=", 1]]}, 422, "domain"),
            (rows, "export_rows", {"domain": "all"}, 422, "domain"),
            (rows, "export_rows", {"ids": [1]}, 422, "with ids"),
            (rows, "unlink", {"ids": [1]}, 403, None),
        ):
            with self.subTest(method=method, body=body):
                response = self.call(model, method, key, **body)
                self.assertEqual(response.status_code, status, response.text)
                self.assertNotIn("summary", response.text)
                if message:
                    self.assertIn(message, response.json()["message"])
        self.assertEqual(self.counts(), before)

    def test_export_rows_in_pages(self):
        seen, offset, totals = [], 0, set()
        while offset is not None:
            response = self.call(
                "crm.customer.360",
                "export_rows",
                self.billing_key,
                domain=[],
                limit=3,
                offset=offset,
            )
            self.assertEqual(response.status_code, 200, response.text)
            page = response.json()
            self.assertLessEqual(len(page["rows"]), 3)
            seen += page["rows"]
            totals.add(page["total"])
            offset = page["next_offset"]
        List = self.env["crm.customer.360"].with_user(self.billing_user)
        expected = List.search([], order="revenue_12m desc, id")
        self.assertEqual(totals, {len(expected)})
        self.assertEqual([row["id"] for row in seen], expected.ids)
        acme = next(row for row in seen if row["partner_id"][0] == self.acme.id)
        self.assertEqual(acme["balance_due"], 1500)
        self.assertEqual(acme["overdue_amount"], 1000)
        self.assertEqual(acme["company_id"], [self.company_a.id, self.company_a.name])
        self.assertEqual(acme["currency_id"][1], self.company_a.currency_id.name)
        self.assertTrue(acme["is_overdue"])
        self.assertNotIn(self.bravo.id, [row["partner_id"][0] for row in seen])
        overdue = self.call(
            "crm.customer.360",
            "export_rows",
            self.billing_key,
            domain=[["is_overdue", "=", True]],
        ).json()
        self.assertEqual([row["partner_id"][1] for row in overdue["rows"]], ["Acme"])
        self.assertIsNone(overdue["next_offset"])

    def test_export_rows_query_count_per_page(self):
        List = self.env["crm.customer.360"].with_user(self.billing_user)
        self.assertGreaterEqual(List.search_count([]), 6)
        List.export_rows([], limit=1)  # caches of access rights and rules
        for limit in (1, 6):
            self.env.invalidate_all()
            with self.assertQueryCount(6):
                page = List.export_rows([], limit=limit, offset=0)
            self.assertEqual(len(page["rows"]), limit)

    def test_native_xlsx_export_gives_the_same_figures(self):
        columns = ["partner_id", "balance_due", "overdue_amount", "revenue_total"]
        List = self.env["crm.customer.360"].with_user(self.billing_user)
        records = List.search([], order="revenue_12m desc, id")
        rows = List.export_rows([], limit=1000)["rows"]
        expected = [
            [row["partner_id"][1], *(row[name] for name in columns[1:])] for row in rows
        ]
        # export_data is what the list's Export gives, in every format
        self.assertEqual(records.export_data(columns)["datas"], expected)
        self.authenticate(self.billing_user.login, self.billing_user.login)
        response = self.url_open(
            "/web/export/xlsx",
            data={
                "data": json.dumps(
                    {
                        "model": "crm.customer.360",
                        "fields": [
                            {
                                "name": name,
                                "label": name,
                                "type": List._fields[name].type,
                            }
                            for name in columns
                        ],
                        "ids": records.ids,
                        "domain": [],
                        "import_compat": False,
                    }
                ),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(cells, expected)

    def test_documented_on_the_doc_page(self):
        """Odoo's /doc page shows the signatures and docstrings."""
        self.billing_user.group_ids += self.env.ref("api_doc.group_allow_doc")
        self.authenticate(self.billing_user.login, self.billing_user.login)
        for model, method, parameter in (
            ("res.partner", "customer_360_data", "timeline_limit"),
            ("crm.customer.360", "export_rows", "limit"),
        ):
            response = self.url_open(f"/doc/{model}.json")
            self.assertEqual(response.status_code, 200, response.text[:300])
            doc = response.json()["methods"][method]
            self.assertEqual(doc["module"], "crm_360")
            self.assertEqual(doc["parameters"][parameter]["annotation"], "int")
            self.assertTrue(doc["parameters"][parameter]["doc"])
            self.assertIn("JSON", doc["return"]["doc"])
