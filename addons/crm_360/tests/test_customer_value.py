import random
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import format_date
from odoo.tools.safe_eval import safe_eval

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.crm_360.models import crm_customer_360_value as value_module

from .common import post_invoice, register_payment


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestCustomerValue(AccountTestInvoicingCommon):
    """Five customers, today 2026-07-15 (the 6 months before: 2026-01-16 to
    07-15; the 6 before those: 2025-07-16 to 2026-01-15):

    - Overdue Complainer: 1,000 on 05-01 due 05-31, unpaid; an open complaint;
    - Falling Complainer: 2,000 on 2025-10-01 then 500 on 06-01, paid; an open
      complaint;
    - Falling Only: 1,000 on 2025-10-01 then 100 on 06-01, paid;
    - Overdue Only: 300 on 04-01 due 05-01, unpaid;
    - Fine: 5,000 on 07-01, paid.
    Churn risk (two of overdue, open complaints, falling spend): the two
    complainers.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        Partner = cls.env["res.partner"]
        names = ["Overdue Complainer", "Falling Complainer", "Falling Only"]
        names += ["Overdue Only", "Fine"]
        cls.overdue_claim, cls.falling_claim, cls.falling, cls.overdue, cls.fine = (
            Partner.create([{"name": name, "is_company": True} for name in names])
        )
        cls.customers = cls.overdue_claim | cls.falling_claim | cls.falling
        cls.customers |= cls.overdue | cls.fine
        with freeze_time("2026-07-15"):
            cls.late = cls.invoice(cls.overdue_claim, "2026-05-01", 1000, "2026-05-31")
            cls.paid(cls.falling_claim, "2025-10-01", 2000)
            cls.paid(cls.falling_claim, "2026-06-01", 500)
            cls.paid(cls.falling, "2025-10-01", 1000)
            cls.paid(cls.falling, "2026-06-01", 100)
            cls.invoice(cls.overdue, "2026-04-01", 300, "2026-05-01")
            cls.paid(cls.fine, "2026-07-01", 5000)
            cls.claims = cls.env["crm.claim"].create(
                [
                    {"name": "Broken", "partner_id": cls.overdue_claim.id},
                    {"name": "Late", "partner_id": cls.falling_claim.id},
                ]
            )
        cls.at_risk = cls.overdue_claim | cls.falling_claim
        # the others were ranked as each one was invoiced: all of them again,
        # as the nightly refresh does
        cls.env["crm.customer.360.value"]._cron_refresh()

    @classmethod
    def invoice(cls, partner, day, amount, due=None):
        return post_invoice(cls.env, partner, day, amount, due=due)

    @classmethod
    def paid(cls, partner, day, amount):
        register_payment(cls.env, cls.invoice(partner, day, amount), day)

    def _filter_domain(self, view_xmlid, name):
        """The domain of the search view's filter ``name``, as the web client
        applies it."""
        arch = etree.fromstring(self.env.ref(view_xmlid).arch)
        return safe_eval(arch.xpath(f"//filter[@name='{name}']")[0].get("domain"))

    def _churn_risk_everywhere(self):
        """The customers at churn risk by the stored field, the Customers
        360 list's filter, the contacts' filter and the 360 screen's flag."""
        mine = [("partner_id", "in", self.customers.ids)]
        stored = (
            self.env["crm.customer.360.value"]
            .search(mine + [("churn_risk", "=", True)])
            .partner_id
        )
        listed = (
            self.env["crm.customer.360"]
            .search(
                mine
                + self._filter_domain(
                    "crm_360.crm_customer_360_view_search", "churn_risk"
                )
            )
            .partner_id
        )
        contacts = self.env["res.partner"].search(
            [("id", "in", self.customers.ids)]
            + self._filter_domain(
                "crm_360.res_partner_view_search", "filter_customer_churn_risk"
            )
        )
        screen = self.customers.filtered(
            lambda p: p.customer_360_data()["value"]["risk"]
        )
        return stored, listed, contacts, screen

    def test_churn_risk_is_one_rule(self):
        for found in self._churn_risk_everywhere():
            self.assertEqual(found, self.at_risk)
        reasons = self.falling_claim.customer_360_data()["value"]["risk_reasons"]
        self.assertEqual(
            reasons, ["Open complaints", "Spending less than in the 6 months before"]
        )
        # paying the overdue invoice and closing a complaint take the
        # customers out at once, everywhere
        register_payment(self.env, self.late, "2026-07-15")
        self.claims.filtered(
            lambda c: c.partner_id == self.falling_claim
        ).stage_id = self.env.ref("crm_claim.stage_claim2")
        for found in self._churn_risk_everywhere():
            self.assertFalse(found)
        # a complaint reopened for the overdue customer brings it back
        self.env["crm.claim"].create({"name": "Again", "partner_id": self.overdue.id})
        for found in self._churn_risk_everywhere():
            self.assertEqual(found, self.overdue)

    def test_segments_open_their_customers(self):
        """Each cell of the Segments pivot (customers and lifetime value by
        RFM segment) opens the customers it counts."""
        List = self.env["crm.customer.360"]
        base = Domain("partner_id", "in", self.customers.ids)
        cells = List._read_group(
            base, ["rfm_segment"], ["__count", "revenue_total:sum"]
        )
        self.assertEqual(sum(count for _segment, count, _total in cells), 5)
        self.assertAlmostEqual(sum(total for *_rest, total in cells), 9900)
        for segment, count, total in cells:
            rows = List.search(base & Domain("rfm_segment", "=", segment))
            self.assertEqual(len(rows), count)
            self.assertAlmostEqual(sum(rows.mapped("revenue_total")), total)
        # Fine bought most, last and alone in the highest fifth of spend
        fine = List.search([("partner_id", "=", self.fine.id)])
        self.assertEqual((fine.value_rank, fine.rfm_score[0]), (1, "5"))

    def test_customer_fields_search_group_and_order(self):
        Partner = self.env["res.partner"]
        mine = [("id", "in", self.customers.ids)]
        ordered = Partner.search(mine, order="customer_value_rank")
        self.assertEqual(
            ordered.mapped("customer_lifetime_value"), [5000, 2500, 1100, 1000, 300]
        )
        groups = Partner._read_group(
            mine, ["customer_rfm_segment"], ["__count", "customer_lifetime_value:sum"]
        )
        self.assertAlmostEqual(sum(total for *_rest, total in groups), 9900)
        for segment, count, _total in groups:
            self.assertEqual(
                Partner.search_count(mine + [("customer_rfm_segment", "=", segment)]),
                count,
            )
            self.assertEqual(
                self.customers.filtered(
                    lambda p, s=segment: p.customer_rfm_segment == s
                ).ids,
                Partner.search(mine + [("customer_rfm_segment", "=", segment)]).ids,
            )
        newcomer = Partner.create({"name": "Never Invoiced"})
        self.assertEqual(
            Partner.search(
                [("id", "in", (self.customers | newcomer).ids)]
                + [("customer_rfm_segment", "=", False)]
            ),
            newcomer,
        )
        self.assertEqual(
            Partner.search(mine + [("customer_value_rank", "<=", 2)]),
            self.fine | self.falling_claim,
        )

    def test_customer_value_needs_billing_rights(self):
        salesman = new_test_user(
            self.env,
            login="value_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
        )
        Partner = self.env["res.partner"].with_user(salesman)
        with self.assertRaises(AccessError):
            Partner.search([("customer_churn_risk", "=", True)])
        with self.assertRaises(AccessError):
            Partner.browse(self.fine.id).read(["customer_rfm_segment"])
        self.assertNotIn("customer_rfm_segment", Partner.fields_get())
        accountant = new_test_user(
            self.env,
            login="value_accountant",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        found = (
            self.env["res.partner"]
            .with_user(accountant)
            .search(
                [("id", "in", self.customers.ids), ("customer_churn_risk", "=", True)]
            )
        )
        self.assertEqual(found, self.at_risk)

    def test_customer_ranked_at_posting_as_at_night(self):
        """A customer re-ranked at posting against the stored rows of the
        others gets the scores and rank the nightly ranking gives it."""
        Value = self.env["crm.customer.360.value"]
        Value._cron_refresh()
        rows = Value.search([("partner_id", "in", self.customers.ids)])
        nightly = {
            row.partner_id: (
                row.rfm_score,
                row.rfm_segment,
                row.value_rank,
                row.customer_count,
            )
            for row in rows
        }
        clear = (
            "UPDATE crm_customer_360_value SET rfm_score = NULL, rfm_segment = NULL,"
            " value_rank = NULL, customer_count = NULL WHERE id = ANY(%s)"
        )
        for row in rows:
            self.env.cr.execute(clear, [row.ids])
            Value._refresh(partners=row.partner_id)
        self._assert_scores(rows, nightly)
        # many customers at once (a batch of postings): ranked by the
        # company's window functions, the same positions
        self.env.cr.execute(clear, [rows.ids])
        with patch.object(value_module, "RANK_ONE_BY_ONE", 1):
            Value._refresh(partners=self.customers - self.fine)
        fine = rows.filtered(lambda r: r.partner_id == self.fine)
        self._assert_scores(rows - fine, nightly)
        self.assertFalse(fine.rfm_score, "only the given customers are written")

    def test_posting_scores_as_the_full_ranking(self):
        """Invoices and credit notes posted one at a time, each after a full
        ranking of the company: the invoiced customer (new or not) gets at
        posting the scores, rank and count of customers that ranking the
        whole company again gives it, on the boundaries of the fifths too,
        and the others keep theirs."""
        Value = self.env["crm.customer.360.value"]
        draw = random.Random(19)
        days = [f"2026-0{month}-10" for month in range(1, 8)]
        amounts = [100, 200, 300, 500, 800]
        crowd = self.env["res.partner"].create(
            [{"name": f"Crowd {i}"} for i in range(32)]
        )
        for partner in crowd[:16]:
            self.invoice(partner, draw.choice(days), draw.choice(amounts))
        for _posting in range(24):
            Value._cron_refresh()
            partner = draw.choice(crowd)
            others = Value.search(
                [("company_id", "=", self.company.id), ("partner_id", "!=", partner.id)]
            )
            ranked = [self._scores(other) for other in others]
            post_invoice(
                self.env,
                partner,
                draw.choice(days),
                draw.choice(amounts) / 4,
                move_type=draw.choice(["out_invoice", "out_invoice", "out_refund"]),
            )
            row = Value.search([("partner_id", "=", partner.id)])
            at_posting = self._scores(row)
            self.assertEqual([self._scores(other) for other in others], ranked)
            Value._refresh(companies=self.company)
            self.assertEqual(self._scores(row), at_posting, partner.name)

    def test_screen_says_the_date_of_the_ranking(self):
        """The 360 screen says the day of the company's last full ranking,
        which the scores and rank compare with, also after a posting."""
        ranked_on = format_date(self.env, date(2026, 7, 15))
        self.assertEqual(self.fine.customer_360_data()["value"]["ranked_on"], ranked_on)
        with freeze_time("2026-07-16"):
            self.invoice(self.fine, "2026-07-16", 100)
            value = self.fine.customer_360_data()["value"]
        self.assertEqual(value["ranked_on"], ranked_on)
        newcomer = self.env["res.partner"].create({"name": "Not Invoiced"})
        self.assertFalse(newcomer.customer_360_data()["value"]["ranked_on"])

    def _scores(self, row):
        row.invalidate_recordset()
        return (
            row.rfm_score,
            row.rfm_segment,
            row.value_rank,
            row.customer_count,
        )

    def _assert_scores(self, rows, nightly):
        rows.invalidate_recordset()
        for row in rows:
            self.assertEqual(
                (row.rfm_score, row.rfm_segment, row.value_rank, row.customer_count),
                nightly[row.partner_id],
            )


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestHousehold(AccountTestInvoicingCommon):
    """Ann and Bob share a household, Bob is Carl's spouse, Carl's child Dan
    has never bought, Eve is only "other" to Carl: the household is Ann, Bob,
    Carl and Dan, linked directly or through each other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_manager")
        Partner = cls.env["res.partner"]
        cls.ann, cls.bob, cls.carl, cls.dan, cls.eve = Partner.create(
            [{"name": name} for name in ("Ann", "Bob", "Carl", "Dan", "Eve")]
        )
        Relation = cls.env["crm.partner.relation"]
        cls.relations = Relation.create(
            [
                {"partner_id": cls.ann.id, "related_partner_id": cls.bob.id},
                {
                    "partner_id": cls.bob.id,
                    "related_partner_id": cls.carl.id,
                    "relation_type": "spouse",
                },
                {
                    "partner_id": cls.dan.id,
                    "related_partner_id": cls.carl.id,
                    "relation_type": "child",
                },
                {
                    "partner_id": cls.eve.id,
                    "related_partner_id": cls.carl.id,
                    "relation_type": "other",
                },
            ]
        )
        with freeze_time("2026-07-15"):
            for partner, amount in (
                (cls.ann, 100),
                (cls.bob, 200),
                (cls.carl, 300),
                (cls.eve, 400),
            ):
                post_invoice(cls.env, partner, "2026-07-01", amount)

    def test_household_value_takes_every_member(self):
        members = self.ann | self.bob | self.carl | self.dan
        Partner = self.env["res.partner"]
        self.assertEqual(
            (self.ann.customer_household_size, self.ann.customer_household_value),
            (4, 600),
        )
        self.assertEqual(self.eve.customer_household_size, 1, "on her own")
        household = self.ann.customer_household_id
        self.assertEqual(
            Partner.search([("customer_household_id", "=", household.id)]),
            members - self.dan,
            "the members with figures in the company",
        )
        self.assertIn(household, members)
        row = self.env["crm.customer.360"].search([("partner_id", "=", self.carl.id)])
        self.assertEqual((row.household_id, row.household_value), (household, 600))
        # Bob and Carl part: Carl and Dan make a household of their own
        self.relations[1].unlink()
        self.env.invalidate_all()
        self.assertEqual(
            (self.ann.customer_household_size, self.ann.customer_household_value),
            (2, 300),
        )
        self.assertEqual(
            (self.carl.customer_household_size, self.carl.customer_household_value),
            (2, 300),
        )
        # a new invoice of Bob's adds to Ann's household at once
        post_invoice(self.env, self.bob, "2026-07-10", 50)
        self.env.invalidate_all()
        self.assertEqual(self.ann.customer_household_value, 350)

    def test_household_on_the_360_screen(self):
        """Every member, its spend and last purchase; the household's value
        opens the invoices it sums; what the others ordered that Ann has not
        is suggested for the household."""
        for partner, product in (
            (self.ann, self.product_b),
            (self.bob, self.product_a),
            (self.carl, self.product_a),
            (self.carl, self.product_b),
        ):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
            order.action_confirm()
        data = self.ann.customer_360_data()
        household = data["household"]["household"]
        self.assertEqual(household["size"], 4)
        self.assertEqual(
            [
                (m["name"], m["revenue"], m["last_purchase"])
                for m in household["members"]
            ],
            [
                ("Bob", 200, "2026-07-01"),
                ("Carl", 300, "2026-07-01"),
                ("Dan", 0.0, False),
            ],
        )
        self.assertAlmostEqual(household["value"], 600)
        invoices = self.env["account.move"].search(
            data["domains"]["household_invoices"]
        )
        self.assertAlmostEqual(sum(invoices.mapped("amount_untaxed_signed")), 600)
        self.assertEqual(
            [(p["id"], p["members"]) for p in household["cross_sell"]],
            [(self.product_a.id, 2)],
        )
        # Eve, "other" to Carl only, has no household
        self.assertEqual(
            self.eve.customer_360_data()["household"]["household"]["members"], []
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestCustomerValueCompanies(AccountTestInvoicingCommon):
    def test_fields_are_those_of_the_current_company(self):
        other = self.setup_other_company(name="Value Co B")["company"]
        self.env.user.company_ids += other
        customer = self.env["res.partner"].create({"name": "Two Companies"})
        with freeze_time("2026-07-15"):
            post_invoice(self.env, customer, "2026-07-01", 700)
            post_invoice(self.env, customer, "2026-07-02", 5000, company=other)
        Partner = self.env["res.partner"]
        self.assertEqual(customer.customer_lifetime_value, 700)
        in_b = customer.with_company(other)
        self.assertEqual(in_b.customer_lifetime_value, 5000)
        self.assertEqual(
            Partner.search(
                [("id", "=", customer.id), ("customer_lifetime_value", ">", 1000)]
            ),
            Partner,
        )
        self.assertEqual(
            Partner.with_company(other).search(
                [("id", "=", customer.id), ("customer_lifetime_value", ">", 1000)]
            ),
            customer,
        )
