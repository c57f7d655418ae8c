from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = date(2026, 7, 15)
# OCA Aged Partner Balance's columns, summed into the screen's buckets
OCA_BUCKETS = {
    "not_due": ("current",),
    "1_30": ("30_days",),
    "31_60": ("60_days",),
    "61_90": ("90_days",),
    "over_90": ("120_days", "older"),
}


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestLedgerFigures(AccountTestInvoicingCommon):
    """The 360 billing figures against hand-computed amounts, Odoo's own
    receivable balance (``res.partner.credit``) and OCA's Aged Partner
    Balance (``account_financial_report``). Today is 2026-07-15; company A
    in USD, EUR at 2.0 per USD from 06-01 and 2.5 from 07-01.

    Ledger Co (and its contact), company A:
    - 04-26 1,000 on 30/70 terms: 300 due 05-26 (50 days late: 31-60) and
      700 due 07-25 (not due);
    - 06-20 400 to the contact, due 07-05, 150 paid 07-01: 250 (1-30);
    - 06-05 1,000 EUR (500 USD), due 06-20, 600 EUR paid 07-01 at 2.5
      (240 USD, 60 of exchange loss): 400 EUR left, 200 USD (1-30);
    - credit note 07-10 of 200, not matched: -200 (1-30);
    - 03-01 100 due 03-31 paid 04-10, 05-01 100 due 05-31 paid 06-05.
    Balance 1,250 (1,450 debit, -200 credit), overdue 750 in 3 invoices,
    aging 700 / 250 / 300 / 0 / 0, 7.5 days late on average, 37.5 to pay.
    Company B (EUR): 03-01 250 EUR due 04-01 (over 90): 100 USD, and 07-15
    40 EUR due today (not due yet, as OCA ages it): 16 USD.

    Advance Co, company A (the issue's example): invoices of 1,000 (06-01,
    due 07-01) and 500 (07-10, due 08-09), a payment of 1,000 on 07-12 not
    reconciled: balance 500, unapplied -1,000, overdue 1,000.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.eur = cls.setup_other_currency(
            "EUR", rates=[("2026-01-01", 2.0), ("2026-07-01", 2.5)]
        )
        cls.company_b = cls.setup_other_company(
            name="Ledger B", currency_id=cls.eur.id
        )["company"]
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Ledger Co", "is_company": True})
        cls.contact = Partner.create(
            {"name": "Ledger Contact", "parent_id": cls.customer.id}
        )
        cls.advance = Partner.create({"name": "Advance Co", "is_company": True})
        cls.terms = cls.env["account.payment.term"].create(
            {
                "name": "30/70",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 30}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 70, "nb_days": 90}
                    ),
                ],
            }
        )
        with freeze_time("2026-07-15"):
            cls._ledger_co()
            cls._advance_co()

    @classmethod
    def _ledger_co(cls):
        cls.installments = cls.invoice(cls.customer, "2026-04-26", 1000, terms=True)
        partial = cls.invoice(cls.contact, "2026-06-20", 400, due="2026-07-05")
        cls.pay(partial, "2026-07-01", 150)
        foreign = cls.invoice(
            cls.customer, "2026-06-05", 1000, due="2026-06-20", currency=cls.eur
        )
        cls.pay(foreign, "2026-07-01", 600)
        cls.invoice(
            cls.customer, "2026-07-10", 200, due="2026-07-10", move_type="out_refund"
        )
        cls.pay(
            cls.invoice(cls.customer, "2026-03-01", 100, due="2026-03-31"), "2026-04-10"
        )
        cls.pay(
            cls.invoice(cls.customer, "2026-05-01", 100, due="2026-05-31"), "2026-06-05"
        )
        cls.invoice(
            cls.customer,
            "2026-03-01",
            250,
            due="2026-04-01",
            currency=cls.eur,
            company=cls.company_b,
        )
        cls.invoice(
            cls.customer,
            "2026-07-15",
            40,
            due="2026-07-15",
            currency=cls.eur,
            company=cls.company_b,
        )

    @classmethod
    def _advance_co(cls):
        cls.invoice(cls.advance, "2026-06-01", 1000, due="2026-07-01")
        cls.invoice(cls.advance, "2026-07-10", 500, due="2026-08-09")
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": cls.advance.id,
                "amount": 1000,
                "date": "2026-07-12",
            }
        )
        payment.action_post()

    @classmethod
    def invoice(cls, partner, day, amount, move_type="out_invoice", due=None, **kw):
        company = kw.get("company") or cls.company
        currency = kw.get("currency") or company.currency_id
        values = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": day,
            "date": day,
            "currency_id": currency.id,
            "invoice_line_ids": [
                Command.create(
                    {"name": "Work", "price_unit": amount, "tax_ids": [Command.clear()]}
                )
            ],
        }
        if kw.get("terms"):
            values["invoice_payment_term_id"] = cls.terms.id
        move = cls.env["account.move"].with_company(company).create(values)
        if due:
            move.invoice_date_due = due
        move.action_post()
        return move

    @classmethod
    def pay(cls, invoice, day, amount=None):
        values = {"payment_date": day}
        if amount:
            values["amount"] = amount
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(values)._create_payments()

    # ------------------------------------------------------------ helpers
    def billing(self, companies):
        """The billing section for a user allowed in ``companies``, the first
        one current."""
        return self.env["crm.customer.360.screen.billing"].with_context(
            allowed_company_ids=companies.ids
        )

    def figures(self, partner, companies):
        return self.billing(companies)._ledger_figures(partner)[partner.id]

    def oca_aged_balance(self, partner, company):
        """Residual and buckets of OCA's Aged Partner Balance of the customer
        and its contacts in ``company``, in its currency."""
        env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        wizard = env["aged.partner.balance.report.wizard"].create(
            {
                "company_id": company.id,
                "date_at": TODAY,
                "receivable_accounts_only": True,
                "target_move": "posted",
                "partner_ids": [
                    Command.set(
                        env["res.partner"]
                        .with_context(active_test=False)
                        .search([("commercial_partner_id", "=", partner.id)])
                        .ids
                    )
                ],
            }
        )
        wizard.onchange_type_accounts_only()
        data = wizard._prepare_report_data()
        data["date_at"] = fields.Date.to_string(data["date_at"])
        values = env[
            "report.account_financial_report.aged_partner_balance"
        ]._get_report_values(wizard.ids, data)
        partners = [
            row
            for account in values["aged_partner_balance"]
            for row in account["partners"]
        ]
        result = {"residual": sum(row["residual"] for row in partners)}
        for key, columns in OCA_BUCKETS.items():
            result[key] = sum(row[column] for row in partners for column in columns)
        return result

    def assertAmounts(self, actual, expected):
        self.assertEqual(set(actual), set(expected))
        for key, amount in expected.items():
            self.assertAlmostEqual(actual[key], amount, places=2, msg=key)

    # ------------------------------------------------------------ tests
    def test_hand_computed_figures(self):
        figures = self.figures(self.customer, self.company)
        self.assertAlmostEqual(figures["balance_due"], 1250)
        self.assertAlmostEqual(figures["unapplied_credit"], -200)
        # each installment on its own: the first 30% of the 30/70 invoice
        # is 50 days late although the invoice is due on 07-25
        self.assertAlmostEqual(figures["overdue_amount"], 750)
        self.assertEqual(figures["overdue_count"], 3)
        self.assertAmounts(
            figures["aging"],
            {"not_due": 700, "1_30": 250, "31_60": 300, "61_90": 0, "over_90": 0},
        )
        self.assertAlmostEqual(sum(figures["aging"].values()), figures["balance_due"])
        self.assertEqual(figures["avg_days_late"], 7.5)
        installments = self.installments.line_ids.filtered("date_maturity").filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(
            sorted(installments.mapped("date_maturity")),
            [date(2026, 5, 26), date(2026, 7, 25)],
        )

    def test_unapplied_advance(self):
        """The issue's example: 1,000 paid, not reconciled, against open
        invoices of 1,000 and 500: balance 500, not 1,500."""
        figures = self.figures(self.advance, self.company)
        self.assertAlmostEqual(figures["balance_due"], 500)
        self.assertAlmostEqual(figures["unapplied_credit"], -1000)
        self.assertAlmostEqual(figures["overdue_amount"], 1000)
        self.assertEqual(figures["overdue_count"], 1)
        self.assertAmounts(
            figures["aging"],
            {"not_due": 500, "1_30": 0, "31_60": 0, "61_90": 0, "over_90": 0},
        )
        summary = self.advance.customer_360_data()["summary"]
        self.assertAlmostEqual(summary["balance_due"], 500)
        self.assertAlmostEqual(summary["unapplied_credit"], -1000)

    def test_equal_to_odoo_partner_balance_and_oca_aged_balance(self):
        """Company by company, in its currency: the balance is Odoo's
        receivable balance of the customer, and the buckets and balance
        those of OCA's Aged Partner Balance."""
        cases = (
            (self.customer, self.company),
            (self.customer, self.company_b),
            (self.advance, self.company),
        )
        for partner, company in cases:
            with self.subTest(partner=partner.name, company=company.name):
                figures = self.figures(partner, company)
                credit = partner.with_company(company).credit
                self.assertAlmostEqual(figures["balance_due"], credit, places=2)
                oca = self.oca_aged_balance(partner, company)
                self.assertAlmostEqual(
                    oca["residual"], figures["balance_due"], places=2
                )
                self.assertAmounts(
                    figures["aging"], {key: oca[key] for key in OCA_BUCKETS}
                )
        in_b = self.figures(self.customer, self.company_b)
        self.assertAlmostEqual(in_b["balance_due"], 290)
        self.assertAlmostEqual(in_b["aging"]["not_due"], 40)
        self.assertAlmostEqual(in_b["aging"]["over_90"], 250)

    def test_two_companies_converted(self):
        """Allowed in both, the figures of B (250 EUR 105 days late, 40 EUR
        due today) are added at today's rate (2.5: 100 and 16 USD); a user
        of A only sees A's."""
        both = self.figures(self.customer, self.company + self.company_b)
        self.assertAlmostEqual(both["balance_due"], 1366)
        self.assertAlmostEqual(both["overdue_amount"], 850)
        self.assertEqual(both["overdue_count"], 4)
        self.assertAlmostEqual(both["aging"]["over_90"], 100)
        self.assertAlmostEqual(both["aging"]["not_due"], 716)
        self.assertAlmostEqual(sum(both["aging"].values()), 1366)
        accountant = new_test_user(
            self.env,
            login="ledger_accountant_a",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        summary = self.customer.with_user(accountant).customer_360_data()["summary"]
        self.assertAlmostEqual(summary["balance_due"], 1250)
        self.assertAlmostEqual(summary["overdue_amount"], 750)
        self.assertEqual(summary["avg_days_late"], 7.5)
        self.assertEqual(summary["avg_days_to_pay"], 37.5)

    def test_each_figure_opens_what_sums_to_it(self):
        """Each figure's domain, searched as the user, lists the journal
        items whose residual (converted) sums to it, and the invoices it
        counts."""
        companies = self.company + self.company_b
        customer = self.customer.with_context(allowed_company_ids=companies.ids)
        data = customer.customer_360_data()
        summary, domains = data["summary"], data["domains"]
        Line = self.env["account.move.line"].with_context(
            allowed_company_ids=companies.ids
        )

        def residual(key):
            lines = Line.search(domains[key])
            return sum(
                line.company_currency_id._convert(
                    line.amount_residual, self.company.currency_id, self.company, TODAY
                )
                for line in lines
            )

        self.assertAlmostEqual(residual("balance"), summary["balance_due"], places=2)
        self.assertAlmostEqual(
            residual("unapplied"), summary["unapplied_credit"], places=2
        )
        self.assertAlmostEqual(
            residual("overdue_items"), summary["overdue_amount"], places=2
        )
        for key, amount in data["billing"]["aging"].items():
            self.assertAlmostEqual(residual(f"aging_{key}"), amount, places=2, msg=key)
        overdue = (
            self.env["account.move"]
            .with_context(allowed_company_ids=companies.ids)
            .search(domains["overdue"])
        )
        self.assertEqual(len(overdue), summary["overdue_count"])
        settled = Line.search(domains["days_late"])
        self.assertEqual(len(settled), 2)

    def test_set_based(self):
        """Many customers cost the queries of one, and each gets its own
        figures."""
        billing = self.billing(self.company)
        customers = self.customer + self.advance
        billing._ledger_figures(customers)  # warm the caches

        def count(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            result = billing._ledger_figures(partners)
            return result, self.env.cr.sql_log_count - before

        many, many_queries = count(customers)
        one, one_queries = count(self.customer)
        self.assertEqual(many_queries, one_queries)
        self.assertEqual(many[self.customer.id], one[self.customer.id])
        self.assertAlmostEqual(many[self.advance.id]["balance_due"], 500)
