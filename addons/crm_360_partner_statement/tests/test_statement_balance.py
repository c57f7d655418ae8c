# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import StatementCommon

EXPECTED_BALANCE = 600.0


@tagged("post_install", "-at_install")
class TestStatementBalance(StatementCommon):
    def _statement_currency(self):
        """The company-currency part of partner_statement's outstanding
        statement of the customer, printed as the 360 screen's button does."""
        action = self.customer.action_crm_360_partner_statement()
        wizard = (
            self.env[action["res_model"]].with_context(**action["context"]).create({})
        )
        report = self.env["report.partner_statement.outstanding_statement"]
        values = report._get_report_values(
            self.customer.ids, wizard._prepare_statement()
        )
        currencies = values["data"][self.customer.id]["currencies"]
        self.assertEqual(list(currencies), [self.company.currency_id.id])
        return currencies[self.company.currency_id.id]

    def _statement_balance(self):
        """The statement's closing balance."""
        return self._statement_currency()["amount_due"]

    def test_the_fixture_is_what_it_says(self):
        self.assertEqual(self.invoice_paid_in_part.amount_residual, 600)
        self.assertEqual(self.invoice_open.amount_residual, 500)
        self.assertEqual(self.credit_note.amount_residual, 200)
        self.assertEqual(self.unapplied_payment.state, "in_process")
        self.assertTrue(self.unapplied_payment.move_id)

    def test_statement_balance_is_the_receivable_balance(self):
        self.assertAlmostEqual(self.customer.credit, EXPECTED_BALANCE)
        self.assertAlmostEqual(self._statement_balance(), self.customer.credit)

    def test_statement_lists_what_is_open(self):
        """Each open item once, the credit note and payment as credits."""
        lines = self._statement_currency()["lines"]
        self.assertEqual(
            sorted(line["open_amount"] for line in lines),
            [-300.0, -200.0, 500.0, 600.0],
        )

    def test_statement_balance_is_the_360_balance_due(self):
        """The 360 screen's balance due is the receivable ledger's balance, as
        the statement's: the unapplied payment (300 here) counts in both."""
        balance_due = self.customer.customer_360_data()["summary"]["balance_due"]
        self.assertAlmostEqual(balance_due, self._statement_balance())

    def test_360_balance_due_agrees_without_unapplied_payment(self):
        """Once the payment is cancelled, the statement and the 360 screen
        both show the balance without it."""
        self.unapplied_payment.action_draft()
        self.unapplied_payment.action_cancel()
        self.customer.invalidate_recordset(["credit"])
        balance_due = self.customer.customer_360_data()["summary"]["balance_due"]
        self.assertAlmostEqual(balance_due, EXPECTED_BALANCE + 300)
        self.assertAlmostEqual(self._statement_balance(), balance_due)
        self.assertAlmostEqual(self.customer.credit, balance_due)
