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
