from collections import Counter
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import post_invoice, register_payment

ORDER_KINDS = {"quotation_sent", "order_confirmed"}
BILLING_KINDS = {
    "invoice_posted",
    "credit_note_posted",
    "payment_received",
    "installment_due",
}


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestTimelineEvents(AccountTestInvoicingCommon):
    """The documents' events on the 360 timeline; today is 2026-07-15.

    X (company) and its contact Y:
    - quotation to Y of 100, sent, dated 2026-03-01 10:00; a draft one;
    - order of 250 confirmed 2026-04-02 09:00;
    - invoice of 1,000 on 2026-05-01 in two installments, 300 due 05-31
      (paid 06-05) and 700 due 06-30 (unpaid: due, unpaid);
    - credit note of 50 on 2026-06-15;
    - complaint of Y opened 2026-06-20 09:00, closed 2026-07-10 16:00;
    - opportunity of 5,000 won 2026-06-25 12:00, one of 1,000 lost
      2026-07-12 08:00;
    - invoice of 600 in a foreign currency on 2026-07-01, due 08-01;
    - advance payment of 200 received 2026-07-05.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.foreign = cls.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        cls.x = cls.env["res.partner"].create(
            {"name": "X Timeline", "is_company": True}
        )
        cls.y = cls.env["res.partner"].create({"name": "Yago", "parent_id": cls.x.id})
        with freeze_time("2026-07-15"):
            cls.quotation = cls.order(cls.y, 100, "2026-03-01 10:00:00", "sent")
            cls.order(cls.y, 70, "2026-03-02 10:00:00", "draft")
            cls.confirmed = cls.order(cls.x, 250, "2026-04-02 09:00:00", "sale")
            terms = cls.env["account.payment.term"].create(
                {
                    "name": "30/70",
                    "line_ids": [
                        Command.create(
                            {"value": "percent", "value_amount": 30, "nb_days": 30}
                        ),
                        Command.create(
                            {"value": "percent", "value_amount": 70, "nb_days": 60}
                        ),
                    ],
                }
            )
            cls.split = cls.invoice(cls.x, "2026-05-01", 1000, terms=terms)
            cls.first_payment = cls.pay(cls.split, "2026-06-05", 300)
            cls.refund = cls.invoice(cls.x, "2026-06-15", 50, "out_refund")
            cls.foreign_invoice = cls.invoice(
                cls.x, "2026-07-01", 600, due="2026-08-01", currency=cls.foreign
            )
            cls.advance = cls.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": cls.x.id,
                    "amount": 200,
                    "date": "2026-07-05",
                }
            )
            cls.advance.action_post()
        cls.claim = cls.env["crm.claim"].create(
            {"name": "Scratched", "partner_id": cls.y.id, "date": "2026-06-20 09:00:00"}
        )
        cls.claim.stage_id = cls.env["crm.claim.stage"].search(
            [("is_closed", "=", True)], limit=1
        )
        cls.claim.date_closed = "2026-07-10 16:00:00"
        cls.won = cls.lead(cls.x, "Big deal", 5000)
        cls.won.action_set_won()
        cls.won.date_closed = "2026-06-25 12:00:00"
        cls.lost = cls.lead(cls.y, "Small deal", 1000)
        cls.lost.action_set_lost()
        cls.lost.date_closed = "2026-07-12 08:00:00"

    @classmethod
    def order(cls, partner, amount, day, state):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product_a.id,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if state == "sent":
            order.action_quotation_sent()
        elif state == "sale":
            order.action_confirm()
        order.date_order = day
        return order

    @classmethod
    def invoice(cls, partner, day, amount, move_type="out_invoice", **kw):
        return post_invoice(cls.env, partner, day, amount, move_type=move_type, **kw)

    @classmethod
    def pay(cls, invoice, day, amount):
        return register_payment(cls.env, invoice, day, amount)

    @classmethod
    def lead(cls, partner, name, revenue):
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "partner_id": partner.id,
                "expected_revenue": revenue,
            }
        )

    def timeline(self, partner=None, user=None, **page):
        partner = partner or self.x
        if user:
            partner = partner.with_user(user)
        return partner.customer_360_data(**page)["timeline"]

    def events(self, timeline):
        return [item for item in timeline["items"] if item.get("event")]

    def test_kinds_order_amounts_and_links(self):
        events = self.events(self.timeline(timeline_limit=100))
        eur = self.foreign.id
        usd = self.company.currency_id.id
        self.assertEqual(
            [
                (
                    e["channel"],
                    e["date"],
                    self.env[e["model"]].browse(e["res_id"]),
                    e["amount"],
                )
                for e in events
            ],
            [
                ("opportunity_lost", "2026-07-12 08:00:00", self.lost, 1000),
                ("claim_closed", "2026-07-10 16:00:00", self.claim, None),
                ("payment_received", "2026-07-05 00:00:00", self.advance, 200),
                ("invoice_posted", "2026-07-01 00:00:00", self.foreign_invoice, 600),
                ("installment_due", "2026-06-30 00:00:00", self.split, 700),
                ("opportunity_won", "2026-06-25 12:00:00", self.won, 5000),
                ("claim_opened", "2026-06-20 09:00:00", self.claim, None),
                ("credit_note_posted", "2026-06-15 00:00:00", self.refund, 50),
                ("payment_received", "2026-06-05 00:00:00", self.first_payment, 300),
                ("invoice_posted", "2026-05-01 00:00:00", self.split, 1000),
                ("order_confirmed", "2026-04-02 09:00:00", self.confirmed, 250),
                ("quotation_sent", "2026-03-01 10:00:00", self.quotation, 100),
            ],
        )
        by_kind = {}
        for event in events:
            by_kind.setdefault(event["channel"], event)
        # amounts in the document's currency, with what the screen formats
        foreign = by_kind["invoice_posted"]
        self.assertEqual((foreign["currency_id"], foreign["currency"]), (eur, "EUR"))
        self.assertEqual(by_kind["installment_due"]["currency_id"], usd)
        self.assertEqual(by_kind["installment_due"]["record"], self.split.name)
        self.assertEqual(by_kind["opportunity_won"]["currency_id"], usd)
        self.assertEqual(by_kind["claim_closed"]["currency_id"], False)
        self.assertEqual(by_kind["quotation_sent"]["body"], "Quotation sent")
        self.assertEqual(by_kind["quotation_sent"]["record"], self.quotation.name)

    def test_installments_fall_due_one_by_one(self):
        """Each installment is an event of its own, at its due date, while it
        is not paid: on 2026-07-15 only the 700 due 06-30 is (the 300 due
        05-31 was paid); paid, it leaves the timeline."""
        due = [
            (e["date"], e["amount"])
            for e in self.events(self.timeline(timeline_limit=100))
            if e["channel"] == "installment_due"
        ]
        self.assertEqual(due, [("2026-06-30 00:00:00", 700)])
        self.pay(self.split, "2026-07-14", 700)
        kinds = {e["channel"] for e in self.events(self.timeline(timeline_limit=100))}
        self.assertNotIn("installment_due", kinds)

    def test_pages_give_each_entry_once(self):
        """Pages of 5 give every entry once, in the order of the whole list,
        also when messages and documents share the same date."""
        for day in ("2026-07-15", "2026-07-15", "2026-07-15"):
            self.invoice(self.x, day, 10)
        for partner in (self.x, self.y, self.x):
            partner.message_post(body="Same second", message_type="comment")
        whole = self.timeline(timeline_limit=100)
        ids = []
        for offset in range(0, whole["total"], 5):
            page = self.timeline(timeline_offset=offset, timeline_limit=5)
            self.assertEqual(page["total"], whole["total"])
            ids += [item["id"] for item in page["items"]]
        self.assertEqual(len(ids), whole["total"])
        self.assertEqual(len(set(ids)), len(ids), "no entry twice")
        self.assertEqual(ids, [item["id"] for item in whole["items"]])
        self.assertEqual(len(self.events(whole)), 15)

    def test_user_without_sales_rights(self):
        """A user with billing rights who may not read orders sees the
        invoices and payments, not the orders."""
        billing = new_test_user(
            self.env,
            login="tl_billing",
            groups="base.group_user,crm_360.group_crm_360_billing",
            company_id=self.company.id,
        )
        kinds = Counter(e["channel"] for e in self.events(self.timeline(user=billing)))
        self.assertFalse(ORDER_KINDS & set(kinds))
        self.assertEqual(kinds["invoice_posted"], 2)
        self.assertEqual(kinds["credit_note_posted"], 1)
        self.assertEqual(kinds["payment_received"], 2)

    def test_user_without_invoicing_rights(self):
        """A salesman sees the orders, complaints and opportunities, not the
        invoices, payments nor installments; the total counts what he sees."""
        salesman = new_test_user(
            self.env,
            login="tl_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
        )
        timeline = self.timeline(user=salesman, timeline_limit=100)
        kinds = {e["channel"] for e in self.events(timeline)}
        self.assertFalse(BILLING_KINDS & kinds)
        self.assertEqual(
            kinds,
            ORDER_KINDS
            | {"claim_opened", "claim_closed", "opportunity_won", "opportunity_lost"},
        )
        self.assertEqual(timeline["total"], len(timeline["items"]))
        accountant = new_test_user(
            self.env,
            login="tl_accountant",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        kinds = {e["channel"] for e in self.events(self.timeline(user=accountant))}
        self.assertLessEqual(BILLING_KINDS, kinds)

    def test_record_rules(self):
        """A salesman who sees his own documents only sees the events of his
        own orders and opportunities."""
        salesman = new_test_user(
            self.env,
            login="tl_own",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        (self.quotation | self.confirmed).user_id = self.env.user
        (self.won | self.lost).user_id = self.env.user
        self.confirmed.copy({"user_id": salesman.id}).action_confirm()
        timeline = self.timeline(user=salesman, timeline_limit=100)
        kinds = Counter(e["channel"] for e in self.events(timeline))
        self.assertEqual(kinds["order_confirmed"], 1)
        self.assertEqual(kinds["quotation_sent"], 0)
        self.assertEqual(kinds["opportunity_won"], 0)
        self.assertEqual(timeline["total"], len(timeline["items"]))

    def test_customer_without_messages_has_a_timeline(self):
        """The issue's customer: six invoices, four payments and an
        opportunity, and no message, has them on its timeline."""
        customer = self.env["res.partner"].create(
            {"name": "Norte Retail", "is_company": True}
        )
        invoices = [
            self.invoice(
                customer,
                f"2026-0{month}-10",
                100 * month,
                due=f"2026-0{month + 1}-10",
            )
            for month in range(1, 7)
        ]
        for invoice in invoices[:4]:
            self.pay(invoice, "2026-07-01", invoice.amount_total)
        opportunity = self.lead(customer, "Renewal", 900)
        opportunity.action_set_won()
        timeline = self.timeline(customer)
        kinds = Counter(item["channel"] for item in timeline["items"])
        self.assertGreaterEqual(timeline["total"], 11)
        self.assertEqual(kinds["invoice_posted"], 6)
        self.assertEqual(kinds["payment_received"], 4)
        self.assertEqual(kinds["opportunity_won"], 1)
        # the two unpaid invoices fell due on 06-10 and 07-10
        self.assertEqual(kinds["installment_due"], 2)
        self.assertEqual(timeline["total"], 13)

    def test_queries_do_not_grow_with_history(self):
        """The timeline of a customer with 200 documents of every kind costs
        the queries of one with 10."""
        small, big = (
            self.env["res.partner"].create({"name": name, "is_company": True})
            for name in ("Small history", "Big history")
        )
        self.history(small, 1)
        self.history(big, 20)

        def count(partner):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            partner.customer_360_data()
            return self.env.cr.sql_log_count - before

        # warm the caches (a new environment per request in real use)
        count(small)
        count(big)
        queries = count(small)
        self.assertEqual(count(big), queries)
        self.env.invalidate_all()
        with self.assertQueryCount(queries):
            timeline = big.customer_360_data()["timeline"]
        self.assertEqual(len(timeline["items"]), 20)
        self.assertGreaterEqual(timeline["total"], 200)

    def history(self, partner, n):
        """10 × ``n`` documents of every kind for ``partner``: 2n orders, 3n
        invoices and n credit notes, 2n payments, n complaints and n
        opportunities, half of them closed."""
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_a.id, "price_unit": 10}
                        )
                    ],
                }
                for _i in range(2 * n)
            ]
        )
        orders[:n].action_quotation_sent()
        orders[n:].action_confirm()
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_refund" if i % 4 == 3 else "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date(2026, 1, 1 + i % 28),
                    "invoice_date_due": date(2026, 2, 1 + i % 28),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Bulk", "price_unit": 10, "tax_ids": []}
                        )
                    ],
                }
                for i in range(4 * n)
            ]
        )
        moves.action_post()
        payments = self.env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "amount": 5,
                    "date": date(2026, 2, 1 + i % 28),
                }
                for i in range(2 * n)
            ]
        )
        payments.action_post()
        claims = self.env["crm.claim"].create(
            [
                {
                    "name": f"Claim {i}",
                    "partner_id": partner.id,
                    "date": datetime(2026, 3, 1 + i % 28),
                }
                for i in range(n)
            ]
        )
        claims[: max(n // 2, 1)].stage_id = self.env["crm.claim.stage"].search(
            [("is_closed", "=", True)], limit=1
        )
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": f"Deal {i}",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "expected_revenue": 100,
                }
                for i in range(n)
            ]
        )
        leads[: max(n // 2, 1)].action_set_won()
        leads[max(n // 2, 1) :].action_set_lost()
