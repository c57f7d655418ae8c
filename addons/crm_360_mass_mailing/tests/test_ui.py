from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestOfferSuppressionTour(AccountTestInvoicingCommon, HttpCase):
    def test_champions_who_do_not_own_the_product(self):
        """Five customers, two of them champions (the most recent and most
        frequent buyers); one champion owns Mortgage X."""
        company = self.company_data["company"]
        marketer = new_test_user(
            self.env,
            login="offer_tour",
            groups="mass_mailing.group_mass_mailing_user,crm_360.group_crm_360_billing",
            company_id=company.id,
        )
        mortgage = self.env["product.product"].create({"name": "Mortgage X"})
        today = fields.Date.today()
        Partner = self.env["res.partner"]
        customers = {}
        for name, last_days_ago, invoices in (
            ("Ana Champion", 5, 4),
            ("Ben Champion", 6, 3),
            ("Cal Middle", 7, 2),
            ("Dee Former", 200, 1),
            ("Eli Former", 230, 1),
        ):
            customer = Partner.create(
                {"name": name, "email": f"{name.split()[0].lower()}@tour.example"}
            )
            customers[name] = customer
            for index in range(invoices):
                self._post(
                    customer,
                    today - timedelta(days=last_days_ago + 30 * index),
                    mortgage if name == "Ana Champion" and not index else None,
                )
        self.env["crm.customer.360.value"]._cron_refresh()
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Mortgage X for our champions",
                "body_html": "<p>Rates are down.</p>",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
                "mailing_domain": "[]",
                "user_id": marketer.id,
            }
        )
        self.start_tour(
            f"/odoo/action-mass_mailing.mailing_mailing_action_mail/{mailing.id}?debug=1",
            "crm_360_mass_mailing_tour",
            login=marketer.login,
        )
        self.assertEqual(mailing.crm_360_product_ids, mortgage)
        suppressed = Partner.search(mailing.action_view_crm_360_suppressed()["domain"])
        self.assertEqual(suppressed, customers["Ana Champion"])
        recipients = Partner.browse(mailing.with_company(company)._get_recipients())
        self.assertEqual(recipients, customers["Ben Champion"])

    def _post(self, customer, day, product=None):
        line = {"name": "Work", "price_unit": 500, "tax_ids": [Command.clear()]}
        if product:
            line["product_id"] = product.id
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": day,
                "invoice_line_ids": [Command.create(line)],
            }
        )
        move.action_post()
