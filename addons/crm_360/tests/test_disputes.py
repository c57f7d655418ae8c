from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import post_invoice

READABLE = ["name", "stage_id", "user_id", "date_deadline", "description"]


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestDisputes(AccountTestInvoicingCommon):
    """Invoices of X in company A (today is 2026-07-15):

    - late: 500 due 2026-05-31 (45 days late), an open complaint;
    - due: 800 due 2026-07-31, 200 paid, an open complaint;
    - settled: 400 due 2026-07-01, its complaint closed;
    - calm: 300, no complaint.

    In company B, 700 with an open complaint. A complaint of X about nothing
    in particular, and an order of X with an open complaint.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.company_b = cls.setup_other_company(name="Disputes B")["company"]
        cls.env.user.company_ids += cls.company_b
        cls.closed = cls.env.ref("crm_claim.stage_claim2")
        cls.x = cls.env["res.partner"].create({"name": "X", "is_company": True})
        cls.late = cls.invoice(500, "2026-05-01", "2026-05-31")
        cls.due = cls.invoice(800, "2026-07-01", "2026-07-31")
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.due.ids
        ).create({"payment_date": "2026-07-10", "amount": 200})._create_payments()
        cls.settled = cls.invoice(400, "2026-06-01", "2026-07-01")
        cls.calm = cls.invoice(300, "2026-07-01", "2026-07-31")
        cls.invoice_b = cls.invoice(700, "2026-07-01", "2026-07-31", cls.company_b)
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.x.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product_a.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        cls.quiet_order = cls.order.copy()
        Claim = cls.env["crm.claim"]
        cls.claim_late = Claim.create(cls.claim_values("Damaged", cls.late))
        cls.claim_due = Claim.create(cls.claim_values("Wrong price", cls.due))
        Claim.create(
            dict(cls.claim_values("Settled", cls.settled), stage_id=cls.closed.id)
        )
        cls.claim_b = Claim.create(
            dict(
                cls.claim_values("In B", cls.invoice_b),
                company_id=cls.company_b.id,
            )
        )
        cls.claim_order = Claim.create(cls.claim_values("Late order", cls.order))
        cls.claim_other = Claim.create({"name": "Rude driver", "partner_id": cls.x.id})
        cls.invoicing = new_test_user(
            cls.env,
            login="dispute_invoicing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def invoice(cls, amount, day, due, company=None):
        return post_invoice(
            cls.env, cls.x, day, amount, due=due, company=company or cls.company
        )

    @classmethod
    def claim_values(cls, name, document):
        return {
            "name": name,
            "partner_id": cls.x.id,
            "model_ref_id": f"{document._name},{document.id}",
            "description": f"About {document.display_name}",
            "date_deadline": "2026-07-31",
        }

    def disputed(self, model, env=None, value=True):
        env = env or self.env
        companies = env.context.get("allowed_company_ids", self.company.ids)
        domain = [
            ("partner_id", "=", self.x.id),
            ("company_id", "in", companies),
            ("in_dispute", "=", value),
        ]
        if model == "account.move":
            domain.append(("move_type", "=", "out_invoice"))
        return env[model].search(domain)

    # ------------------------------------------------------------ flag
    def test_in_dispute_while_a_claim_is_open(self):
        self.assertTrue(self.late.in_dispute)
        self.assertEqual(self.late.dispute_claim_count, 1)
        self.assertFalse(self.settled.in_dispute)
        self.assertFalse(self.calm.in_dispute)
        self.assertEqual(self.calm.dispute_claim_count, 0)
        self.assertTrue(self.order.in_dispute)
        self.assertFalse(self.quiet_order.in_dispute)

    def test_closing_the_claim_ends_the_dispute(self):
        self.claim_late.stage_id = self.closed
        self.assertFalse(self.late.in_dispute)
        self.assertNotIn(self.late, self.disputed("account.move"))
        self.claim_late.stage_id = self.env.ref("crm_claim.stage_claim1")
        self.assertTrue(self.late.in_dispute)
        self.claim_late.action_archive()
        self.assertFalse(self.late.in_dispute)

    def test_claim_moved_to_another_document(self):
        self.claim_late.model_ref_id = f"account.move,{self.calm.id}"
        self.assertFalse(self.late.in_dispute)
        self.assertTrue(self.calm.in_dispute)

    def test_claim_about_a_deleted_document(self):
        draft = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": self.x.id}
        )
        reference = f"account.move,{draft.id}"
        draft.unlink()
        claim = self.env["crm.claim"].create(
            {"name": "Lost", "partner_id": self.x.id, "model_ref_id": reference}
        )
        self.assertFalse(claim.crm_360_move_id)
        claim.model_ref_id = f"sale.order,{self.quiet_order.id}"
        self.assertEqual(claim.crm_360_order_id, self.quiet_order)
        self.assertTrue(self.quiet_order.in_dispute)

    def test_filter(self):
        self.assertEqual(self.disputed("account.move"), self.late | self.due)
        self.assertEqual(
            self.disputed("account.move", value=False), self.settled | self.calm
        )
        self.assertEqual(
            self.env["account.move"].search_count(
                [
                    ("partner_id", "=", self.x.id),
                    ("company_id", "=", self.company.id),
                    ("move_type", "=", "out_invoice"),
                    ("in_dispute", "!=", True),
                ]
            ),
            2,
        )
        both = self.env(
            context=dict(
                self.env.context,
                allowed_company_ids=(self.company + self.company_b).ids,
            )
        )
        self.assertEqual(
            self.disputed("account.move", both), self.late | self.due | self.invoice_b
        )
        self.assertEqual(self.disputed("sale.order"), self.order)
        self.assertEqual(self.disputed("sale.order", value=False), self.quiet_order)

    def test_flag_of_many_documents_in_one_query(self):
        moves = self.late | self.due | self.settled | self.calm
        moves.invalidate_recordset()
        with self.assertQueryCount(1):
            self.assertEqual(moves.mapped("in_dispute"), [True, True, False, False])

    # --------------------------------------------------------- amounts
    def test_amount_in_dispute(self):
        """The open receivable of the invoices in dispute, by the due date of
        each item, as the invoicing user sees it (company A only)."""
        billing = self.env["crm.customer.360.screen.billing"]
        dispute = billing.with_user(self.invoicing)._ledger_figures(self.x)[self.x.id][
            "dispute"
        ]
        self.assertEqual(dispute["count"], 2)
        self.assertAlmostEqual(dispute["total"], 1100)
        self.assertEqual(
            dispute["aging"],
            {"not_due": 600, "1_30": 0, "31_60": 500, "61_90": 0, "over_90": 0},
        )
        self.claim_due.stage_id = self.closed
        dispute = billing.with_company(self.company)._ledger_figures(self.x)[self.x.id][
            "dispute"
        ]
        self.assertAlmostEqual(dispute["total"], 500)

    def test_amount_in_dispute_opens_its_items(self):
        """The screen's amount in dispute sums the journal items it opens."""
        data = self.x.with_company(self.company).customer_360_data()
        items = self.env["account.move.line"].search(data["domains"]["dispute"])
        self.assertEqual(items.move_id, self.late | self.due)
        self.assertAlmostEqual(
            sum(items.mapped("amount_residual")), data["billing"]["dispute"]["total"]
        )

    # ---------------------------------------------------------- access
    def test_invoicing_user_reads_the_claims_of_invoices(self):
        Claim = self.env["crm.claim"].with_user(self.invoicing)
        values = self.claim_late.with_user(self.invoicing).read(READABLE)[0]
        self.assertEqual(values["name"], "Damaged")
        self.assertEqual(values["stage_id"][0], self.claim_late.stage_id.id)
        self.assertEqual(values["description"], f"About {self.late.display_name}")
        self.assertEqual(str(values["date_deadline"]), "2026-07-31")
        self.assertEqual(
            sorted(Claim.search([("partner_id", "=", self.x.id)]).mapped("name")),
            ["Damaged", "Settled", "Wrong price"],
        )
        action = self.late.with_user(self.invoicing).action_crm_360_open_disputes()
        self.assertEqual(Claim.search(action["domain"]), self.claim_late)

    def test_invoicing_user_cannot_read_other_claims(self):
        for claim in (self.claim_other, self.claim_order, self.claim_b):
            with self.assertRaises(AccessError):
                claim.with_user(self.invoicing).read(["name"])

    def test_invoicing_user_cannot_edit_claims(self):
        with self.assertRaises(AccessError):
            self.claim_late.with_user(self.invoicing).write({"name": "Fixed"})
        with self.assertRaises(AccessError):
            self.env["crm.claim"].with_user(self.invoicing).create({"name": "New"})

    def test_invoicing_user_logs_a_note(self):
        claim = self.claim_late.with_user(self.invoicing)
        message = claim.message_post(
            body="Paid by transfer on the 10th",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertEqual(message.author_id, self.invoicing.partner_id)
        self.assertIn(message, self.claim_late.message_ids)
        with self.assertRaises(AccessError):
            claim.message_post(
                body="Dear customer",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        with self.assertRaises(AccessError):
            self.claim_other.with_user(self.invoicing).message_post(
                body="Note", message_type="comment", subtype_xmlid="mail.mt_note"
            )

    def test_salespeople_who_invoice_read_every_claim(self):
        both = new_test_user(
            self.env,
            login="dispute_both",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        claims = (
            self.env["crm.claim"]
            .with_user(both)
            .search([("partner_id", "=", self.x.id)])
        )
        self.assertEqual(len(claims), 5)
        claims.filtered(lambda c: c.name == "Rude driver").write({"priority": "2"})

    def test_anyone_who_reads_the_invoice_sees_the_flag(self):
        # billing figures of the 360 screen alone: no complaint rights at all
        reader = new_test_user(
            self.env,
            login="dispute_reader",
            groups="base.group_user,crm_360.group_crm_360_billing",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertTrue(self.late.with_user(reader).in_dispute)
        with self.assertRaises(AccessError):
            self.claim_late.with_user(reader).read(["name"])
