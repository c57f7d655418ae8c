from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import post_invoice, register_payment


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestCustomer360(AccountTestInvoicingCommon):
    """Hand-computed figures; today is 2026-07-15.

    X (company) and its contact Y:
    - 2025-03-01 400, paid 2025-03-21 (20 days);
    - 2026-01-10 1,000, paid 2026-02-19 (40 days);
    - 2026-05-01 500 to Y, due 2026-05-31, 200 paid: 300 open, 45 days late;
    - 2026-06-01 600 in a currency at 2 per company unit (300), due 07-01;
    - 2026-07-01 800, due 2026-07-31;
    - credit note 2026-07-05 100, not reconciled.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.foreign = cls.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        cls.x = cls.env["res.partner"].create(
            {"name": "X Industries", "is_company": True}
        )
        cls.y = cls.env["res.partner"].create(
            {"name": "Yolanda", "parent_id": cls.x.id}
        )
        with freeze_time("2026-07-15"):
            old = cls.invoice(cls.x, "2025-03-01", 400)
            cls.pay(old, "2025-03-21")
            first = cls.invoice(cls.x, "2026-01-10", 1000)
            cls.pay(first, "2026-02-19")
            cls.late = cls.invoice(cls.y, "2026-05-01", 500, due="2026-05-31")
            cls.pay(cls.late, "2026-06-10", amount=200)
            cls.invoice(
                cls.x, "2026-06-01", 600, due="2026-07-01", currency=cls.foreign
            )
            cls.invoice(cls.x, "2026-07-01", 800, due="2026-07-31")
            cls.invoice(cls.x, "2026-07-05", 100, move_type="out_refund")
        Claim = cls.env["crm.claim"]
        Claim.create(
            {"name": "Broken", "partner_id": cls.y.id, "date": datetime(2026, 6, 1)}
        )
        Claim.create(
            {
                "name": "Late",
                "partner_id": cls.x.id,
                "stage_id": cls.env.ref("crm_claim.stage_claim2").id,
            }
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.y.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product_a.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.action_confirm()

    @classmethod
    def invoice(cls, partner, day, amount, move_type="out_invoice", due=None, **kw):
        return post_invoice(
            cls.env,
            partner,
            day,
            amount,
            move_type=move_type,
            due=due,
            company=kw.get("company") or cls.company,
            currency=kw.get("currency"),
        )

    @classmethod
    def pay(cls, invoice, day, amount=None):
        register_payment(cls.env, invoice, day, amount)

    def test_summary_figures(self):
        summary = self.x.customer_360_data()["summary"]
        self.assertAlmostEqual(summary["revenue_total"], 2900)
        self.assertAlmostEqual(summary["revenue_12m"], 2500)
        self.assertEqual(summary["invoice_count"], 5)
        self.assertAlmostEqual(summary["balance_due"], 1300)
        self.assertAlmostEqual(summary["overdue_amount"], 600)
        self.assertEqual(summary["overdue_count"], 2)
        self.assertAlmostEqual(summary["avg_days_to_pay"], 30.0)
        self.assertEqual(summary["claim_count"], 2)
        self.assertEqual(summary["open_claim_count"], 1)
        self.assertEqual(summary["open_order_count"], 1)
        # the same from a contact: figures are those of the commercial partner
        self.assertEqual(self.y.customer_360_data()["summary"], summary)

    def test_aging_buckets(self):
        """Each receivable item is aged by its own due date, the credit note
        (-100, entered on 07-15, so due that day) included: the buckets add
        up to the balance."""
        aging = self.x.customer_360_data()["billing"]["aging"]
        self.assertEqual(
            aging,
            {"not_due": 700, "1_30": 300, "31_60": 300, "61_90": 0, "over_90": 0},
        )
        self.assertAlmostEqual(sum(aging.values()), 1300)

    def test_figures_equal_the_lists_they_open(self):
        data = self.x.customer_360_data()
        Move = self.env["account.move"]
        overdue = Move.search(data["domains"]["overdue"])
        self.assertEqual(len(overdue), data["summary"]["overdue_count"])
        invoices = Move.search(data["domains"]["invoices"])
        self.assertAlmostEqual(sum(invoices.mapped("amount_untaxed_signed")), 2900)
        claims = self.env["crm.claim"].search(data["domains"]["open_claims"])
        self.assertEqual(len(claims), data["summary"]["open_claim_count"])
        # the ledger's figures: the residual of the journal items listed
        Line = self.env["account.move.line"]
        summary, domains = data["summary"], data["domains"]
        for key, figure in (
            ("balance", summary["balance_due"]),
            ("unapplied", summary["unapplied_credit"]),
            ("overdue_items", summary["overdue_amount"]),
            *(
                (f"aging_{bucket}", amount)
                for bucket, amount in data["billing"]["aging"].items()
            ),
        ):
            lines = Line.search(domains[key])
            self.assertAlmostEqual(
                sum(lines.mapped("amount_residual")), figure, msg=key
            )
        self.assertEqual(len(Line.search(domains["overdue_items"])), 2)

    def test_list_agrees_with_the_screen(self):
        """A credit note not matched with the overdue invoice it credits
        (Norte Retail's case): the invoices' residual put it in no aging
        bucket, so that the buckets added up to more than the balance. The
        list and the screen now read the same receivable items: the same
        balance and overdue amount, the buckets add up to the balance and
        the overdue amount beyond the balance is the unapplied credit."""
        norte = self.env["res.partner"].create(
            {"name": "Norte Retail", "is_company": True}
        )
        self.invoice(norte, "2026-04-01", 10400, due="2026-05-01")
        self.invoice(
            norte, "2026-06-01", 1100, move_type="out_refund", due="2026-06-01"
        )
        data = norte.customer_360_data()
        summary, aging = data["summary"], data["billing"]["aging"]
        self.assertAlmostEqual(summary["balance_due"], 9300)
        self.assertAlmostEqual(summary["overdue_amount"], 10400)
        self.assertAlmostEqual(summary["unapplied_credit"], -1100)
        self.assertAlmostEqual(aging["61_90"], 10400)
        self.assertAlmostEqual(aging["31_60"], -1100)
        self.assertAlmostEqual(sum(aging.values()), summary["balance_due"])
        row = self.env["crm.customer.360"].search([("partner_id", "=", norte.id)])
        self.assertEqual(len(row), 1)
        self.assertAlmostEqual(row.balance_due, summary["balance_due"])
        self.assertAlmostEqual(row.overdue_amount, summary["overdue_amount"])
        self.assertAlmostEqual(row.unapplied_credit, summary["unapplied_credit"])
        self.assertTrue(row.is_overdue)
        # and for X, whose contact and foreign-currency invoices count too
        # (the view ages by the database's date, which freezegun leaves
        # alone: only the balance is compared)
        x_row = self.env["crm.customer.360"].search([("partner_id", "=", self.x.id)])
        x_summary = self.x.customer_360_data()["summary"]
        self.assertAlmostEqual(x_row.balance_due, x_summary["balance_due"])

    def test_salesperson_without_billing_rights(self):
        salesman = new_test_user(
            self.env,
            login="x360_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
        )
        data = self.x.with_user(salesman).customer_360_data()
        self.assertFalse(data["billing_access"])
        self.assertNotIn("billing", data)
        self.assertNotIn("revenue_total", data["summary"])
        self.assertEqual(data["summary"]["claim_count"], 2)

    def test_accountant_without_sales_rights(self):
        accountant = new_test_user(
            self.env,
            login="x360_billing_only",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        data = self.x.with_user(accountant).customer_360_data()
        self.assertTrue(data["billing_access"])
        self.assertAlmostEqual(data["summary"]["overdue_amount"], 600)
        # Odoo lets invoicing users read orders, not leads nor claims: those
        # sections are empty rather than an access error
        self.assertEqual(data["sales"]["order_count"], 1)
        self.assertEqual(data["opportunities"], [])
        self.assertEqual(data["complaints"], [])
        self.assertEqual(data["summary"]["claim_count"], 0)

    def test_billing_group_alone_and_claim_readers(self):
        """The billing group given alone, and an employee who reads claims
        through Contact Creation (OCA crm_claim), get the screen without an
        access error."""
        billing_only = new_test_user(
            self.env,
            login="x360_billing_group",
            groups="base.group_user,crm_360.group_crm_360_billing",
            company_id=self.company.id,
        )
        data = self.x.with_user(billing_only).customer_360_data()
        self.assertAlmostEqual(data["summary"]["overdue_amount"], 600)
        # 800 not due and the credit note of -100 (see test_aging_buckets)
        self.assertEqual(data["billing"]["aging"]["not_due"], 700)
        self.assertIsNone(data["sales"])
        contacts = new_test_user(
            self.env,
            login="x360_contacts",
            groups="base.group_user,base.group_partner_manager",
            company_id=self.company.id,
        )
        data = self.x.with_user(contacts).customer_360_data()
        self.assertEqual(data["summary"]["claim_count"], 2)
        self.assertEqual(
            sorted(c["stage"] for c in data["complaints"]),
            sorted(
                self.env["crm.claim"]
                .search([("partner_id", "child_of", self.x.id)])
                .stage_id.mapped("name")
            ),
        )

    def test_only_allowed_companies(self):
        other = self.setup_other_company(name="360 Other Co")["company"]
        self.env.user.company_ids += other
        self.invoice(self.x, "2026-07-02", 5000, company=other)
        # a user of the first company only does not see the other company's sale
        accountant = new_test_user(
            self.env,
            login="x360_accountant",
            groups="account.group_account_invoice,sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        summary = self.x.with_user(accountant).customer_360_data()["summary"]
        self.assertAlmostEqual(summary["revenue_total"], 2900)
        # a user of both companies sees both, in the current company's currency
        both = self.x.with_context(allowed_company_ids=[self.company.id, other.id])
        self.assertAlmostEqual(
            both.customer_360_data()["summary"]["revenue_total"], 7900
        )

    def test_value_figures_access(self):
        """The stored value figures are billing figures: users without
        invoicing rights cannot read them, and those with them read the
        rows of their companies only."""
        other = self.setup_other_company(name="360 Value Co")["company"]
        self.env.user.company_ids += other
        self.invoice(self.x, "2026-07-02", 5000, company=other)
        Value = self.env["crm.customer.360.value"]
        salesman = new_test_user(
            self.env,
            login="x360_value_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            Value.with_user(salesman).search([])
        accountant = new_test_user(
            self.env,
            login="x360_value_accountant",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        rows = Value.with_user(accountant).search([("partner_id", "=", self.x.id)])
        self.assertEqual(rows.company_id, self.company)
        self.assertAlmostEqual(rows.amount, 2900)
        self.assertEqual(rows.invoice_count, 5)
        with self.assertRaises(AccessError):
            rows.with_user(accountant).write({"amount": 0})

    def test_timeline_across_documents_and_channels(self):
        self.late.message_post(body="Reminder sent", message_type="comment")
        self.x.activity_schedule(
            "mail.mail_activity_data_call", summary="Call about the late invoice"
        )
        self.env["calendar.event"].create(
            {
                "name": "Quarterly review",
                "start": datetime(2026, 7, 20, 10),
                "stop": datetime(2026, 7, 20, 11),
                "partner_ids": [Command.link(self.y.id)],
            }
        )
        timeline = self.x.customer_360_data()["timeline"]
        channels = {item["channel"] for item in timeline["items"]}
        self.assertLessEqual({"call", "meeting", "note"}, channels)
        records = {item["record"] for item in timeline["items"]}
        self.assertIn(self.late.name, records)
        dates = [item["date"] for item in timeline["items"]]
        self.assertEqual(dates, sorted(dates, reverse=True), "newest first")
        # pages follow each other without gaps nor repeats
        first = self.x.customer_360_data(timeline_limit=2)["timeline"]
        second = self.x.customer_360_data(timeline_offset=2, timeline_limit=2)[
            "timeline"
        ]
        ids = [i["id"] for i in first["items"] + second["items"]]
        self.assertEqual(ids, [i["id"] for i in timeline["items"][:4]])
        self.assertEqual(first["total"], timeline["total"])

    def test_value_scores_rank_and_risk(self):
        """Four customers of the company: X (last bought 07-05, 5 invoices,
        2,900), C (02-01, 2 invoices, 600), and A and B alike (07-10, one
        invoice of 100 each). Quintiles of 4 customers are their positions;
        equal customers share the first of their positions."""
        a, b, c = self.env["res.partner"].create(
            [{"name": "A"}, {"name": "B"}, {"name": "C"}]
        )
        self.invoice(a, "2026-07-10", 100)
        self.invoice(b, "2026-07-10", 100)
        self.invoice(c, "2026-01-05", 300)
        self.invoice(c, "2026-02-01", 300)
        # the customers invoiced before A, B and C are ranked again at night
        self.env["crm.customer.360.value"]._cron_refresh()
        value = self.x.customer_360_data()["value"]
        self.assertEqual(value["rfm"], "344")
        self.assertEqual(value["segment"], "Loyal")
        self.assertAlmostEqual(value["lifetime_value"], 2900)
        self.assertEqual((value["rank"], value["customers"]), (1, 4))
        # overdue invoices and an open complaint; spend is not falling
        # (1,500 in the last 6 months against 1,000 in the 6 before)
        self.assertTrue(value["risk"])
        self.assertEqual(value["risk_reasons"], ["Overdue invoices", "Open complaints"])
        c_value = c.customer_360_data()["value"]
        self.assertEqual((c_value["rfm"], c_value["segment"]), ("233", "Slipping away"))
        self.assertEqual(c_value["rank"], 2)
        a_value = a.customer_360_data()["value"]
        b_value = b.customer_360_data()["value"]
        self.assertEqual((a_value["rfm"], a_value["segment"]), ("511", "Recent"))
        self.assertEqual(
            b_value["rfm"], a_value["rfm"], "equal customers, equal scores"
        )
        self.assertEqual((a_value["rank"], b_value["rank"]), (3, 3))

    def test_value_without_invoice(self):
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        value = newcomer.customer_360_data()["value"]
        self.assertIsNone(value["rfm"])
        self.assertIsNone(value["rank"])
        self.assertEqual(value["lifetime_value"], 0.0)
        self.assertFalse(value["risk"])

    def test_value_ranking_follows_posting_and_merging(self):
        """The stored figures follow posting, reset to draft, cancelling and
        merging: the customer whose invoice changes is ranked at once among
        the others, every customer is ranked again by the daily refresh,
        which also repairs a change made outside the ORM."""
        Value = self.env["crm.customer.360.value"]
        big, small = self.env["res.partner"].create(
            [{"name": "Big Buyer"}, {"name": "Small Buyer"}]
        )
        big_invoice = self.invoice(big, "2026-07-10", 5000)

        def rank_of(partner):
            value = partner.customer_360_data()["value"]
            return value["rank"], value["customers"]

        self.assertEqual(rank_of(big), (1, 2))
        self.assertEqual(rank_of(self.x), (1, 1), "ranked again at night")
        Value._cron_refresh()
        self.assertEqual(rank_of(self.x), (2, 2))
        big_invoice.button_draft()
        self.assertEqual(rank_of(big), (None, 0))
        Value._cron_refresh()
        self.assertEqual(rank_of(self.x), (1, 1))
        big_invoice.action_post()
        self.assertEqual(rank_of(big), (1, 2))
        big_invoice.button_draft()
        big_invoice.button_cancel()
        Value._cron_refresh()
        self.assertEqual(rank_of(self.x), (1, 1))

        self.invoice(big, "2026-07-10", 1000)
        self.invoice(small, "2026-07-10", 3000)
        Value._cron_refresh()
        self.assertEqual(rank_of(self.x), (2, 3))
        self.env["base.partner.merge.automatic.wizard"].create({})._merge(
            (big | small).ids, big
        )
        self.assertEqual(big.customer_360_data()["value"]["lifetime_value"], 4000)
        self.assertEqual(rank_of(big), (1, 2), "the merged customers count once")
        Value._cron_refresh()
        self.assertEqual(rank_of(self.x), (2, 2))

        self.env.cr.execute(
            "UPDATE crm_customer_360_value SET amount = 0, value_rank = 2"
            " WHERE partner_id = %s",
            [big.id],
        )
        Value.invalidate_model()
        self.assertEqual(rank_of(big), (2, 2))
        Value._cron_refresh()
        self.assertEqual(rank_of(big), (1, 2))
        self.assertEqual(big.customer_360_data()["value"]["lifetime_value"], 4000)

    def test_complaint_about_a_document_the_user_cannot_read(self):
        """A salesman who sees only his own orders sees the complaint about
        a colleague's order, without the order (and without an error)."""
        salesman = new_test_user(
            self.env,
            login="x360_own_orders",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        order = self.env["sale.order"].search([("partner_id", "=", self.y.id)])
        order.user_id = self.env.user
        own = order.copy({"user_id": salesman.id})
        Claim = self.env["crm.claim"]
        Claim.create(
            {
                "name": "About the colleague's order",
                "partner_id": self.x.id,
                "model_ref_id": f"sale.order,{order.id}",
            }
        )
        Claim.create(
            {
                "name": "About my order",
                "partner_id": self.x.id,
                "model_ref_id": f"sale.order,{own.id}",
            }
        )
        complaints = self.x.with_user(salesman).customer_360_data()["complaints"]
        documents = {c["name"]: c["document"] for c in complaints}
        self.assertEqual(documents["About the colleague's order"], "")
        self.assertEqual(documents["About my order"], own.name)
        # the administrator sees both documents
        complaints = self.x.customer_360_data()["complaints"]
        documents = {c["name"]: c["document_id"] for c in complaints}
        self.assertEqual(documents["About the colleague's order"], order.id)

    def test_timeline_counts_only_what_the_user_may_read(self):
        salesman = new_test_user(
            self.env,
            login="x360_own_timeline",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        order = self.env["sale.order"].search([("partner_id", "=", self.y.id)])
        order.user_id = self.env.user
        own = order.copy({"user_id": salesman.id})
        order.message_post(body="Colleague's note", message_type="comment")
        own.message_post(body="My note", message_type="comment")
        everything = self.x.customer_360_data(timeline_limit=100)["timeline"]
        mine = self.x.with_user(salesman).customer_360_data(timeline_limit=100)[
            "timeline"
        ]
        for timeline in (everything, mine):
            self.assertEqual(len(timeline["items"]), timeline["total"])

        # the documents' events count too, each user those he may read
        # (tested in test_timeline_events); the messages differ by one
        def messages(timeline):
            return sum(1 for item in timeline["items"] if not item.get("event"))

        self.assertEqual(messages(mine), messages(everything) - 1)
        bodies = {item["body"] for item in mine["items"]}
        self.assertIn("My note", bodies)
        self.assertNotIn("Colleague's note", bodies)
        self.assertIn(
            "Colleague's note", {item["body"] for item in everything["items"]}
        )

    def test_queries_do_not_grow_with_history(self):
        """A customer with 100 times the invoices, and many more complaints
        about them, messages and contacts, costs the same queries."""

        def count(partner):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            partner.customer_360_data()
            return self.env.cr.sql_log_count - before

        Partner = self.env["res.partner"]
        small = Partner.create({"name": "Small", "is_company": True})
        big = Partner.create({"name": "Big", "is_company": True})
        for partner, size in ((small, 10), (big, 1000)):
            Partner.create(
                [
                    {"name": f"Contact {i}", "parent_id": partner.id}
                    for i in range(size // 100 + 1)
                ]
            )
            moves = self.env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": date(2026, 1, 1),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Bulk",
                                    "price_unit": 10,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for _i in range(size)
                ]
            )
            moves.action_post()
            self.env["crm.claim"].create(
                [
                    {
                        "name": f"About {move.name}",
                        "partner_id": partner.id,
                        "model_ref_id": f"account.move,{move.id}",
                    }
                    for move in moves[: size // 10]
                ]
            )
            # messages on invoices neither complained about nor among the
            # last ones, so that no section finds another's in its cache
            middle, messages = size // 2, max(size // 20, 1)
            for move in moves[middle - messages : middle]:
                move.message_post(body="Reminder", message_type="comment")
                partner.message_post(body="Call back", message_type="comment")
        # warm the caches of each customer's environment (a new one per
        # request in real use): what is compared is the work of the screen
        count(small)
        count(big)
        self.assertEqual(count(small), count(big))
