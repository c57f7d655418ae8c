from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# a customer with every kind of document, every section shown: 87 queries
# before the sections read their figures and lists in one query; what is
# left is read by the ORM (display names, mail and calendar access checks,
# activities, loyalty figures)
QUERY_BUDGET = 31
USER_GROUPS = (
    "base.group_user,base.group_partner_manager,account.group_account_invoice,"
    "sales_team.group_sale_manager,crm_360.group_crm_360_billing,"
    "crm_loyalty.group_crm_loyalty_user,mass_mailing.group_mass_mailing_user"
)


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestScreenQueries(AccountTestInvoicingCommon):
    """The customer 360 screen, with every bridge installed, costs at most
    ``QUERY_BUDGET`` queries for a small customer and for one with a long
    history of every kind of document, the same for both."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += (
            cls.env.ref("crm_loyalty.group_crm_loyalty_manager")
            + cls.env.ref("sales_team.group_sale_manager")
            + cls.env.ref("mass_mailing.group_mass_mailing_user")
        )
        cls.user = new_test_user(
            cls.env,
            login="x360_screen_queries",
            groups=USER_GROUPS,
            company_id=cls.company_data["company"].id,
        )
        cls.env["crm.loyalty.tier"].create({"name": "Silver", "min_amount": 100})
        Partner = cls.env["res.partner"]
        tag = cls.env["res.partner.category"].create({"name": "Key account"})
        cls.small, cls.big, cls.peer = Partner.create(
            [
                {"name": name, "is_company": True, "email": f"{name}@example.com"}
                for name in ("small", "big", "peer")
            ]
        )
        for customer in (cls.small, cls.big):
            customer.write(
                {
                    "country_id": cls.env.ref("base.be").id,
                    "category_id": [Command.link(tag.id)],
                    "child_ids": [
                        Command.create({"name": f"{customer.name} buyer", "email": ""})
                    ],
                }
            )
            cls.env["crm.partner.relation"].create(
                {"partner_id": customer.id, "related_partner_id": cls.peer.id}
            )
            mailing = cls.env["mailing.mailing"].create(
                {
                    "subject": f"Offers to {customer.name}",
                    "mailing_model_id": cls.env.ref("base.model_res_partner").id,
                }
            )
            cls.env["mailing.trace"].create(
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": customer.id,
                    "email": customer.email,
                    "trace_status": "open",
                }
            )
        extra = cls.env["product.product"].create({"name": "Extra", "list_price": 5})
        cls.history(cls.peer, 1, extra)
        cls.history(cls.small, 1)
        cls.history(cls.big, 20)

    @classmethod
    def history(cls, partner, n, product=None):
        """``n`` × orders, invoices, payments, complaints (on an invoice),
        opportunities, messages, activities and meetings of ``partner``."""
        products = (product or cls.product_a) | cls.product_b
        orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": p.id, "price_unit": 10})
                        for p in products
                    ],
                }
                for _i in range(2 * n)
            ]
        )
        orders[n:].action_confirm()
        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_refund" if i % 4 == 3 else "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date(2026, 1, 1 + i % 28),
                    "invoice_date_due": date(2026, 2, 1 + i % 28),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Work", "price_unit": 200, "tax_ids": []}
                        )
                    ],
                }
                for i in range(4 * n)
            ]
        )
        moves.action_post()
        payments = cls.env["account.payment"].create(
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
        cls.env["crm.claim"].create(
            [
                {
                    "name": f"Claim {i}",
                    "partner_id": partner.id,
                    "date": datetime(2026, 3, 1 + i % 28),
                    "model_ref_id": f"account.move,{moves[i].id}",
                }
                for i in range(n)
            ]
        )
        leads = cls.env["crm.lead"].create(
            [
                {"name": f"Deal {i}", "type": "opportunity", "partner_id": partner.id}
                for i in range(n)
            ]
        )
        leads[:1].action_set_won()
        for i in range(n):
            partner.message_post(body=f"Call {i}", message_type="comment")
            partner.activity_schedule(
                "mail.mail_activity_data_todo", summary=f"Follow up {i}"
            )
        cls.env["calendar.event"].create(
            [
                {
                    "name": f"Meeting {i}",
                    "start": datetime(2026, 4, 1 + i % 28, 10),
                    "stop": datetime(2026, 4, 1 + i % 28, 11),
                    "partner_ids": [Command.link(partner.id)],
                }
                for i in range(n)
            ]
        )

    def count(self, partner):
        """Queries of the screen of ``partner``, caches of a new request."""
        partner = partner.with_user(self.user)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        data = partner.customer_360_data()
        return self.env.cr.sql_log_count - before, data

    def test_query_budget_small_and_long_history(self):
        self.count(self.small)  # caches of access rights, rules and groups
        small, small_data = self.count(self.small)
        big, big_data = self.count(self.big)
        self.assertLessEqual(small, QUERY_BUDGET)
        self.assertEqual(big, small)
        # every section was shown, with figures of the long history
        self.assertEqual(big_data["summary"]["invoice_count"], 60)
        self.assertEqual(len(big_data["timeline"]["items"]), 20)
        self.assertEqual(len(big_data["billing"]["invoices"]), 10)
        self.assertEqual(len(big_data["complaints"]), 20)
        self.assertTrue(big_data["complaints"][0]["document"])
        self.assertEqual(len(big_data["sales"]["orders"]), 10)
        self.assertEqual(
            [p["name"] for p in big_data["sales"]["cross_sell"]], ["Extra"]
        )
        cross_sell = big_data["household"]["household"]["cross_sell"]
        self.assertEqual([p["name"] for p in cross_sell], ["Extra"])
        # small and big are both related to peer: one household of three
        self.assertEqual(big_data["household"]["household"]["size"], 3)
        self.assertEqual(big_data["campaigns"]["sent"], 1)
        self.assertEqual(big_data["loyalty"]["tier"], "Silver")
        self.assertEqual(small_data["partner"]["tags"], ["Key account"])
