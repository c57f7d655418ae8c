# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.crm_360_partner_statement.hooks import uninstall_hook

BUTTON = "//button[@name='action_crm_360_partner_statement']"


@tagged("post_install", "-at_install")
class TestStatementButton(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = company = cls.company_data["company"]
        cls.other_company = cls.env["res.company"].create({"name": "Statement Co 2"})
        cls.accountant = new_test_user(
            cls.env,
            login="stmt_billing",
            groups="sales_team.group_sale_salesman,account.group_account_invoice,"
            "partner_statement.group_outstanding_statement,"
            "partner_statement.group_activity_statement",
            company_id=company.id,
            company_ids=[company.id, cls.other_company.id],
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="stmt_sales",
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Button Customer", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Button Contact", "parent_id": cls.customer.id}
        )

    def _form_arch(self, user):
        Partner = self.env["res.partner"].with_user(user)
        return etree.fromstring(
            Partner.get_views([(False, "form")])["views"]["form"]["arch"]
        )

    def test_install_turns_statements_on_for_invoicing_users(self):
        invoicing = self.env.ref("account.group_account_invoice")
        for xmlid in (
            "partner_statement.group_outstanding_statement",
            "partner_statement.group_activity_statement",
        ):
            self.assertIn(self.env.ref(xmlid), invoicing.all_implied_ids)
            # whoever may print a statement sees the 360 billing figures
            self.assertIn(
                self.env.ref("crm_360.group_crm_360_billing"),
                self.env.ref(xmlid).all_implied_ids,
            )

    def test_uninstall_takes_the_billing_figures_back(self):
        uninstall_hook(self.env)
        billing = self.env.ref("crm_360.group_crm_360_billing")
        for xmlid in (
            "partner_statement.group_outstanding_statement",
            "partner_statement.group_activity_statement",
        ):
            self.assertNotIn(billing, self.env.ref(xmlid).all_implied_ids)
        # invoicing users keep them through account's own groups
        self.assertIn(billing, self.accountant.all_group_ids)

    def test_button_on_form_for_billing_users_only(self):
        self.assertEqual(len(self._form_arch(self.accountant).xpath(BUTTON)), 1)
        self.assertEqual(len(self._form_arch(self.salesperson).xpath(BUTTON)), 0)

    def test_button_on_360_screen_for_billing_users_only(self):
        data = self.customer.with_user(self.accountant).customer_360_data()
        self.assertIs(data["statement_access"], True)
        data = self.customer.with_user(self.salesperson).customer_360_data()
        self.assertIs(data["statement_access"], False)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesperson).action_crm_360_partner_statement()

    def test_wizard_preset_for_the_customer_in_the_current_company(self):
        """From a contact, the statement is the company's, in the company the
        user is working in."""
        contact = self.contact.with_user(self.accountant).with_context(
            allowed_company_ids=[self.other_company.id, self.company.id]
        )
        action = contact.action_crm_360_partner_statement()
        self.assertEqual(action["res_model"], "outstanding.statement.wizard")
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["context"]["active_ids"], self.customer.ids)
        wizard_model = contact.env[action["res_model"]].with_context(
            **action["context"]
        )
        wizard = Form(wizard_model).save()
        self.assertEqual(wizard.company_id, self.other_company)
        self.assertEqual(wizard.number_partner_ids, 1)
        self.assertEqual(wizard._prepare_statement()["partner_ids"], self.customer.ids)
        # the activity statement, from the wizard, keeps customer and company
        action = wizard.action_crm_360_activity_statement()
        activity = wizard_model.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(activity._name, "activity.statement.wizard")
        self.assertEqual(activity.company_id, self.other_company)
        self.assertEqual(activity.date_end, wizard.date_end)
        self.assertEqual(
            activity.with_context(**action["context"])._prepare_statement()[
                "partner_ids"
            ],
            self.customer.ids,
        )
