from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MockEmail


@tagged("post_install", "-at_install")
class TestOfferSuppression(AccountTestInvoicingCommon, MockEmail):
    """A mortgage offer: who bought a mortgage in the last 24 months is left
    out of the recipients.

    - Owner bought a mortgage 3 months ago, and Owner's contact Clerk reads
      the company's mail: both left out;
    - Spouse shares Owner's household (through Owner's child Kid, who never
      bought: a household over two links): left out with the household
      option only, and so is Kid;
    - Old Owner bought one 30 months ago, Returner bought one and returned it
      (credit note), Saver bought a savings account: all mailed.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref(
            "mass_mailing.group_mass_mailing_user"
        ) + cls.env.ref("sales_team.group_sale_manager")
        Category = cls.env["product.category"]
        loans = Category.create({"name": "Loans"})
        mortgages = Category.create({"name": "Mortgages", "parent_id": loans.id})
        Product = cls.env["product.product"]
        cls.mortgage = Product.create({"name": "Mortgage", "categ_id": mortgages.id})
        cls.savings = Product.create({"name": "Savings Account"})
        cls.loans = loans
        Partner = cls.env["res.partner"]
        people = {}
        for name in ("Owner", "Spouse", "Kid", "Old Owner", "Returner", "Saver"):
            people[name] = Partner.create(
                {
                    "name": name,
                    "email": f"{name.lower().replace(' ', '.')}@offer.example",
                    "is_company": name == "Owner",
                }
            )
        people["Clerk"] = Partner.create(
            {
                "name": "Clerk",
                "email": "clerk@offer.example",
                "parent_id": people["Owner"].id,
            }
        )
        cls.people = people
        cls.everyone = Partner.browse([p.id for p in people.values()])
        Relation = cls.env["crm.partner.relation"]
        Relation.create(
            [
                {
                    "partner_id": people["Kid"].id,
                    "related_partner_id": people["Owner"].id,
                    "relation_type": "child",
                },
                {
                    "partner_id": people["Spouse"].id,
                    "related_partner_id": people["Kid"].id,
                    "relation_type": "parent",
                },
            ]
        )
        today = fields.Date.today()
        cls.sell(people["Owner"], cls.mortgage, today - relativedelta(months=3))
        cls.sell(people["Old Owner"], cls.mortgage, today - relativedelta(months=30))
        cls.sell(people["Returner"], cls.mortgage, today - relativedelta(months=2))
        cls.sell(
            people["Returner"],
            cls.mortgage,
            today - relativedelta(months=1),
            "out_refund",
        )
        cls.sell(people["Saver"], cls.savings, today - relativedelta(months=1))
        cls.env["crm.customer.360.value"]._cron_refresh()

    @classmethod
    def sell(cls, partner, product, day, move_type="out_invoice"):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": day,
                "date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": 1000,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _mailing(self, **values):
        return self.env["mailing.mailing"].create(
            {
                "subject": "A mortgage for you",
                "body_html": "<p>Rates are down.</p>",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
                "mailing_domain": repr([("id", "in", self.everyone.ids)]),
                **values,
            }
        )

    def _send_through_the_queue(self, mailing):
        mailing.action_put_in_queue()
        with self.mock_mail_gateway(), self.enter_registry_test_mode():
            self.env.ref(
                "mass_mailing.ir_cron_mass_mailing_queue"
            ).sudo().method_direct_trigger()
            self.env["mail.mail"].sudo().search(
                [("mailing_id", "=", mailing.id)]
            ).send()
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", mailing.id)]
        )
        return self.env["res.partner"].browse(traces.mapped("res_id"))

    def names(self, *names):
        return self.env["res.partner"].browse([self.people[n].id for n in names])

    def test_buyers_are_left_out_of_a_sent_mailing(self):
        mailing = self._mailing(crm_360_product_ids=[Command.link(self.mortgage.id)])
        self.assertEqual(mailing.crm_360_suppressed_count, 2)
        action = mailing.action_view_crm_360_suppressed()
        self.assertEqual(
            self.env["res.partner"].search(action["domain"]),
            self.names("Owner", "Clerk"),
        )
        mailed = self._send_through_the_queue(mailing)
        self.assertEqual(len(mailed), 5, "one trace per recipient left")
        self.assertEqual(mailed, self.everyone - self.names("Owner", "Clerk"))
        self.assertEqual(mailing.state, "done")

    def test_household_and_categories(self):
        mailing = self._mailing(
            crm_360_categ_ids=[Command.link(self.loans.id)],
            crm_360_suppress_household=True,
        )
        suppressed = self.names("Owner", "Clerk", "Kid", "Spouse")
        self.assertEqual(mailing.crm_360_suppressed_count, 4)
        self.assertEqual(
            self.env["res.partner"].search(
                mailing.action_view_crm_360_suppressed()["domain"]
            ),
            suppressed,
        )
        mailed = self._send_through_the_queue(mailing)
        self.assertEqual(mailed, self.everyone - suppressed)

    def test_window_follows_the_setting(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.crm_360_suppression_months, 24)
        settings.crm_360_suppression_months = 36
        settings.execute()
        mailing = self._mailing(crm_360_product_ids=[Command.link(self.mortgage.id)])
        self.assertEqual(
            self.env["res.partner"].search(
                mailing.action_view_crm_360_suppressed()["domain"]
            ),
            self.names("Owner", "Clerk", "Old Owner"),
        )
        with self.assertRaisesRegex(ValidationError, "at least one month"):
            self.env["res.config.settings"].create({"crm_360_suppression_months": 0})
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(
                "crm_360_mass_mailing.suppression_months"
            ),
            "36",
        )

    def test_without_promoted_products_everyone_is_mailed(self):
        mailing = self._mailing()
        self.assertEqual(mailing.crm_360_suppressed_count, 0)
        self.assertEqual(self._send_through_the_queue(mailing), self.everyone)

    def test_a_segment_who_do_not_own_the_product(self):
        """Recipients chosen by the stored value fields (Saver's segment),
        without those who own the product."""
        segment = self.people["Saver"].customer_rfm_segment
        domain = [
            ("id", "in", self.everyone.ids),
            ("customer_rfm_segment", "=", segment),
        ]
        in_segment = self.env["res.partner"].search(domain)
        mailing = self._mailing(
            mailing_domain=repr(domain),
            crm_360_product_ids=[Command.link(self.mortgage.id)],
        )
        mailed = self._send_through_the_queue(mailing)
        self.assertEqual(mailed, in_segment - self.names("Owner", "Clerk"))
        self.assertIn(self.people["Saver"], mailed)

    def test_responses_by_segment(self):
        """After the send: opened, replied, clicked and ordered within 30
        days, by the segment the recipient was in; each count is that of
        the traces its cell opens."""
        mailing = self._mailing(crm_360_product_ids=[Command.link(self.mortgage.id)])
        self._send_through_the_queue(mailing)
        Trace = self.env["mailing.trace"]
        traces = Trace.search([("mass_mailing_id", "=", mailing.id)])
        by_partner = {trace.res_id: trace for trace in traces}
        saver = by_partner[self.people["Saver"].id]
        returner = by_partner[self.people["Returner"].id]
        self.assertEqual(
            saver.crm_360_rfm_segment, self.people["Saver"].customer_rfm_segment
        )
        self.assertTrue(saver.crm_360_rfm_segment)
        saver.set_opened()
        returner.set_replied()
        returner.links_click_datetime = fields.Datetime.now()
        sent = saver.sent_datetime or saver.create_date
        for partner, days in (("Saver", 2), ("Returner", 40)):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.people[partner].id,
                    "order_line": [Command.create({"product_id": self.savings.id})],
                }
            )
            order.action_confirm()
            order.date_order = sent + timedelta(days=days)
        self.assertEqual(
            (saver.crm_360_ordered, returner.crm_360_ordered), (True, False)
        )
        base = Domain("mass_mailing_id", "=", mailing.id)
        for groupby in ("crm_360_ordered", "crm_360_clicked", "trace_status"):
            cells = Trace._read_group(
                base, ["crm_360_rfm_segment", groupby], ["__count"]
            )
            self.assertEqual(sum(count for *_keys, count in cells), 5)
            for segment, value, count in cells:
                opened = Trace.search(
                    base
                    & Domain("crm_360_rfm_segment", "=", segment)
                    & Domain(groupby, "=", value)
                )
                self.assertEqual(len(opened), count)
        self.assertEqual(
            Trace.search(base & Domain("crm_360_ordered", "=", True)), saver
        )
        self.assertEqual(
            Trace.search(base & Domain("crm_360_clicked", "=", True)), returner
        )

    def test_marketer_without_billing_rights(self):
        """The value fields are billing figures: a marketer without them
        cannot target by them, and still sends an offer with suppression."""
        marketer = new_test_user(
            self.env,
            login="offer_marketer",
            groups="mass_mailing.group_mass_mailing_user",
        )
        mailing = self._mailing(
            crm_360_product_ids=[Command.link(self.mortgage.id)]
        ).with_user(marketer)
        self.assertEqual(mailing.crm_360_suppressed_count, 2)
        self.assertNotIn(
            "customer_rfm_segment",
            self.env["res.partner"].with_user(marketer).fields_get(),
        )
