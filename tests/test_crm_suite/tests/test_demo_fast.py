import importlib
import sys
from pathlib import Path

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

DEMO = Path(__file__).resolve().parents[3] / "demo"


def load_script(name):
    """A module of the repository's demo/ folder (its modules import each
    other by name, as when run as scripts)."""
    if str(DEMO) not in sys.path:
        sys.path.insert(0, str(DEMO))
    return importlib.import_module(name)


@tagged("post_install", "-at_install")
class TestDemoFast(AccountTestInvoicingCommon):
    """The benchmark generator's SQL rows are valid for the ORM: balanced
    posted moves that open, total and post like the ORM's own, and the
    loyalty engine and the 360 screen work on them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref(
            "crm_loyalty.group_crm_loyalty_manager"
        ) + cls.env.ref("sales_team.group_sale_manager")
        cls.fast = load_script("demo_fast")
        cls.demo_check = load_script("demo_check")
        cls.company = cls.company_data["company"]
        Tier = cls.env["crm.loyalty.tier"]
        cls.silver = Tier.create({"name": "Silver", "min_amount": 1000})
        cls.gold = Tier.create({"name": "Gold", "min_amount": 5000})
        loader = cls.fast.FastLoader(
            cls.env, cls.company, customers=20, invoices=300, years=2, seed=7,
            big=(60, 6, 8), small=(10, 1, 5),
        )  # fmt: skip
        cls.counts = loader.load()

    def test_rows_are_valid_for_the_orm(self):
        self.assertEqual(self.counts["customers"], 20)
        self.assertEqual(self.counts["invoices"] + self.counts["credit notes"], 300)
        Move = self.env["account.move"]
        moves = Move.search(
            [("commercial_partner_id.ref", "=like", "BENCH-%")], order="id"
        )
        self.assertEqual(len(moves), 300)
        # balanced, ORM totals, and a new invoice posts with the next number
        self.assertEqual(self.demo_check.check(self.env), [])
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual(set(moves.mapped("payment_state")), {"not_paid"})
        for move in (
            moves[:5] | moves.filtered(lambda m: m.move_type == "out_refund")[:5]
        ):
            receivable = move.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            )
            self.assertEqual(len(move.line_ids), 2)
            self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0.0)
            self.assertAlmostEqual(receivable.balance, move.amount_total_signed)
            self.assertAlmostEqual(move.amount_residual, move.amount_total)
            self.assertTrue(move.name.startswith(("INV/", "RINV/")))
        big = self.env["res.partner"].search([("ref", "=", "BENCH-1")])
        self.assertEqual(len(big.child_ids), 1)
        self.assertEqual(
            Move.search_count([("commercial_partner_id", "=", big.id)]), 60
        )

    def test_add_ons_work_on_the_rows(self):
        changed = self.env["crm.loyalty.engine"].recompute_company(self.company)
        tiered = self.env["res.partner"].search(
            [("ref", "=like", "BENCH-%"), ("loyalty_tier_id", "!=", False)]
        )
        self.assertEqual(changed, len(tiered))
        self.assertTrue(tiered)
        big = self.env["res.partner"].search([("ref", "=", "BENCH-1")])
        big = big.with_context(allowed_company_ids=self.company.ids)
        data = big.customer_360_data()
        self.assertEqual(data["partner"]["id"], big.id)
        self.assertEqual(data["summary"]["claim_count"], 6)
        self.assertEqual(len(data["complaints"]), 6)
        # the 8 generated notes (the tier change is a notification, not
        # shown), next to the events of its 60 invoices and credit notes and
        # its 6 complaints
        events, _page = big.env["crm.customer.360.screen.timeline"]._events(big, 1)
        self.assertEqual(data["timeline"]["total"] - events, 8)
        self.assertGreaterEqual(events, 60 + 6)

    def test_negotiated_prices_by_sql_as_by_the_orm(self):
        """The fast story's negotiated pricelists (one UPDATE) are what the
        ORM writes: the same customers, and their contacts, in each company."""
        story = load_script("demo_story").Story(self.env, 20, 2, 7)
        # customers as the build leaves them (posting gives the rank)
        self.env["res.partner"].search(
            [("ref", "=like", "BENCH-%"), ("parent_id", "=", False)]
        ).customer_rank = 1
        by_orm, by_sql = self.company, self.setup_other_company()["company"]
        story.negotiated_prices(by_orm)
        story.negotiated_prices(by_sql, by_sql=True)
        partners = self.env["res.partner"].search([])
        self.assertTrue(partners.filtered("parent_id.customer_rank"))

        def negotiated(company):
            return {
                partner.id
                for partner in partners.with_company(company)
                if (partner.specific_property_product_pricelist.name or "").startswith(
                    "Negotiated"
                )
            }

        # customers and, through the ORM's sync, their contacts
        self.assertTrue(partners.browse(negotiated(by_orm)).filtered("parent_id"))
        self.assertEqual(negotiated(by_sql), negotiated(by_orm))
