# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta

from odoo import fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class StatementCommon(AccountTestInvoicingCommon):
    """A customer with two invoices (one partly paid), a credit note not yet
    matched and a payment not yet applied: receivable balance
    1000 - 400 + 500 - 200 - 300 = 600."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        today = fields.Date.context_today(cls.env.user)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Statement Customer", "is_company": True}
        )
        cls.invoice_paid_in_part = cls._post(1000, today - relativedelta(days=40))
        cls._register_payment(cls.invoice_paid_in_part, amount=400, payment_date=today)
        cls.invoice_open = cls._post(500, today - relativedelta(days=10))
        cls.credit_note = cls._post(200, today - relativedelta(days=5), "out_refund")
        cls.unapplied_payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cls.customer.id,
                "amount": 300,
                "date": today,
                "journal_id": cls.company_data["default_journal_bank"].id,
                "payment_method_line_id": cls.inbound_payment_method_line.id,
            }
        )
        cls.unapplied_payment.action_post()

    @classmethod
    def _post(cls, amount, date, move_type="out_invoice"):
        return cls._create_invoice_one_line(
            move_type=move_type,
            partner_id=cls.customer.id,
            invoice_date=date,
            price_unit=amount,
            tax_ids=[],
            post=True,
        )
