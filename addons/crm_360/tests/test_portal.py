from odoo import Command, http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestClaimPortal(AccountTestInvoicingCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        Partner = cls.env["res.partner"]
        cls.mine = Partner.create({"name": "Portal Customer", "is_company": True})
        cls.theirs = Partner.create({"name": "Someone Else", "is_company": True})
        cls.portal_user = new_test_user(
            cls.env,
            login="claim_portal_user",
            password="claim_portal_user",
            groups="base.group_portal",
            partner_id=Partner.create(
                {
                    "name": "Pat Portal",
                    "parent_id": cls.mine.id,
                    "email": "pat@x.example",
                }
            ).id,
        )
        cls.my_invoice = cls._posted(cls.mine)
        cls.their_invoice = cls._posted(cls.theirs)
        cls.their_claim = cls.env["crm.claim"].create(
            {"name": "Their complaint", "partner_id": cls.theirs.id}
        )

    @classmethod
    def _posted(cls, partner):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": "2026-01-10",
                "invoice_line_ids": [
                    Command.create({"name": "Work", "price_unit": 100, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def _submit(self, document):
        return self.url_open(
            "/my/claims/submit",
            data={
                "document": f"{document._name},{document.id}",
                "subject": "Wrong amount",
                "description": "Billed twice",
                "csrf_token": http.Request.csrf_token(self),
            },
        )

    def test_customer_files_and_follows_a_complaint(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open("/my/claims")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.my_invoice.name, page.text)
        self.assertNotIn(self.their_invoice.name, page.text)
        self.assertNotIn("Their complaint", page.text)
        self._submit(self.my_invoice)
        claim = self.env["crm.claim"].search([("name", "=", "Wrong amount")])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.model_ref_id, self.my_invoice)
        self.assertEqual(claim.partner_id, self.portal_user.partner_id)
        page = self.url_open("/my/claims")
        self.assertIn("Wrong amount", page.text)
        self.assertIn(claim.stage_id.name, page.text)

    def test_no_complaint_about_someone_elses_invoice(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._submit(self.their_invoice)
        self.assertIn("error=document", response.url)
        self.assertFalse(self.env["crm.claim"].search([("name", "=", "Wrong amount")]))

    def test_bad_form_values_file_nothing(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        Claim = self.env["crm.claim"].sudo()
        count = Claim.search_count([])
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.mine.id,
                "invoice_line_ids": [
                    Command.create({"name": "Work", "price_unit": 50, "tax_ids": []})
                ],
            }
        )
        draft.message_subscribe(self.mine.ids)
        quotation = self.env["sale.order"].create(
            {"partner_id": self.mine.id, "state": "sent"}
        )
        mine = f"account.move,{self.my_invoice.id}"
        for document, subject, error in (
            (mine, "", "missing"),
            (mine, "   ", "missing"),
            ("", "Wrong amount", "missing"),
            ("account.move,", "Wrong amount", "missing"),
            ("account.move,abc", "Wrong amount", "missing"),
            ("account.move,-1", "Wrong amount", "missing"),
            (f"res.partner,{self.mine.id}", "Wrong amount", "missing"),
            ("account.move,999999999", "Wrong amount", "document"),
            (f"account.move,{draft.id}", "Wrong amount", "document"),
            (f"sale.order,{quotation.id}", "Wrong amount", "document"),
            (mine, "x" * 300, "long"),
        ):
            response = self.url_open(
                "/my/claims/submit",
                data={
                    "document": document,
                    "subject": subject,
                    "csrf_token": http.Request.csrf_token(self),
                },
            )
            self.assertIn(f"error={error}", response.url, (document, subject))
        self.assertEqual(Claim.search_count([]), count)
        page = self.url_open("/my/claims?error=long")
        self.assertIn("The subject is too long", page.text)
