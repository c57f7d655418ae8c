from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyBadInput(LoyaltyCase):
    """Invalid values are refused with a message that says what to change,
    and nothing is written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company(name="Loyalty Bad Input Co")[
            "company"
        ]
        cls.other_tier = cls.env["crm.loyalty.tier"].create(
            {"name": "Far Gold", "min_amount": 10, "company_id": cls.other_company.id}
        )

    def database_state(self):
        """What a user could see change: tiers, settings, customers' loyalty
        data and the history, read from the database."""
        self.env.flush_all()
        queries = {
            "tiers": "SELECT id, name->>'en_US', min_amount, active, pricelist_id "
            "FROM crm_loyalty_tier ORDER BY id",
            "company": "SELECT id, loyalty_window_type, loyalty_window_months, "
            "loyalty_grace_days FROM res_company ORDER BY id",
            "partners": "SELECT id, loyalty_override_tier_id, "
            "loyalty_override_until, loyalty_override_reason, active "
            "FROM res_partner WHERE loyalty_override_tier_id IS NOT NULL "
            "OR id IN (SELECT partner_id FROM crm_loyalty_state) ORDER BY id",
            "states": "SELECT partner_id, company_id, tier_id, earned_tier_id, "
            "amount, review_date, at_risk, previous_pricelist_id "
            "FROM crm_loyalty_state ORDER BY partner_id, company_id",
            "history": "SELECT COUNT(*) FROM crm_loyalty_tier_history",
        }
        state = {}
        for key, query in queries.items():
            self.env.cr.execute(SQL(query))
            state[key] = self.env.cr.fetchall()
        return state

    def assertRefused(self, exception, pattern, function, *args, **kwargs):
        """``function`` raises ``exception`` whose message matches ``pattern``,
        and the database is as it was."""
        before = self.database_state()
        # assertRaises (not assertRaisesRegex) rolls the failed call back
        with self.assertRaises(exception) as caught:
            function(*args, **kwargs)
        self.assertRegex(str(caught.exception), pattern)
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.database_state(), before)

    # ---------------------------------------------------------------- tiers
    def test_tier_values(self):
        Tier = self.env["crm.loyalty.tier"]
        for values, pattern in (
            ({"name": "  ", "min_amount": 2000}, "Give the tier a name"),
            ({"name": "Void", "min_amount": float("nan")}, "not a number"),
            ({"name": "Endless", "min_amount": float("inf")}, "not a number"),
            ({"name": "Lead", "min_amount": -0.01}, "cannot be negative"),
        ):
            self.assertRefused(ValidationError, pattern, Tier.create, values)
        self.assertRefused(
            ValidationError, "not a number", self.silver.write, {"min_amount": 1e400}
        )
        self.assertRefused(
            UserError,
            "belongs to another company",
            self.silver.write,
            {
                "pricelist_id": self.env["product.pricelist"]
                .create({"name": "Far", "company_id": self.other_company.id})
                .id
            },
        )

    @freeze_time("2026-06-15")
    def test_huge_threshold_is_reached_by_nobody(self):
        summit = self.env["crm.loyalty.tier"].create(
            {"name": "Summit", "min_amount": 1e20}
        )
        self.invoice(self.customer, 900_000_000, "2026-06-01")
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.customer.loyalty_next_tier_id, summit)
        self.assertAlmostEqual(
            self.customer.loyalty_amount_to_next, 1e20 - 900_000_000, delta=1e6
        )
        self.assertLess(self.customer.loyalty_progress, 0.01)

    def test_settings_values(self):
        for values, pattern in (
            ({"loyalty_window_months": 0}, "at least one month"),
            ({"loyalty_window_months": -12}, "at least one month"),
            ({"loyalty_window_months": 10000}, "at most 120 months"),
            ({"loyalty_grace_days": -1}, "cannot be negative"),
            ({"loyalty_grace_days": 100000}, "at most 3650 days"),
        ):
            self.assertRefused(ValidationError, pattern, self.company.write, values)
        self.assertRefused(
            ValidationError,
            "at most 120 months",
            self.env["res.config.settings"].create,
            {"loyalty_window_months": 10000},
        )

    @freeze_time("2026-06-15")
    def test_longest_window_counts_old_invoices(self):
        self.company.loyalty_window_months = 120
        self.invoice(self.customer, 1500, "2017-01-10")
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(str(self.customer.loyalty_review_date), "2036-06-15")

    # ------------------------------------------------------------ overrides
    @freeze_time("2026-06-15")
    def test_override_values(self):
        reason = {"loyalty_override_reason": "Key account"}
        for values, pattern in (
            ({"loyalty_override_tier_id": self.other_tier.id}, "choose a tier of"),
            ({"loyalty_override_tier_id": 999_999}, "no longer exists"),
            (
                {"loyalty_override_tier_id": [self.gold.id, self.silver.id]},
                "Choose one tier",
            ),
            ({"loyalty_override_tier_id": "gold"}, "Choose one tier"),
            (
                {
                    "loyalty_override_tier_id": self.gold.id,
                    "loyalty_override_reason": " ",
                },
                "override reason is required",
            ),
            (
                {
                    "loyalty_override_tier_id": self.gold.id,
                    "loyalty_override_until": "next year",
                },
                "not a date",
            ),
        ):
            self.assertRefused(
                ValidationError, pattern, self.customer.write, {**reason, **values}
            )
        self.silver.active = False
        self.assertRefused(
            ValidationError,
            "archived",
            self.customer.write,
            {**reason, "loyalty_override_tier_id": self.silver.id},
        )

    # -------------------------------------------- tiers deleted while in use
    @freeze_time("2026-06-15")
    def test_tier_in_use_cannot_be_deleted(self):
        self.invoice(self.customer, 100, "2026-06-01")
        self.invoice(self.customer, 1400, "2026-06-02")
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        # silver is held by the customer, bronze is in the history
        self.assertRefused(UserError, "archive it instead", self.silver.unlink)
        self.assertRefused(UserError, "archive it instead", self.bronze.unlink)
        self.assertRefused(
            UserError, "archive it instead", (self.bronze | self.gold).unlink
        )
        # gold is in no one's tier nor history: it can go
        self.gold.unlink()
        self.assertEqual(
            self.env["crm.loyalty.tier"].search_count(
                [("company_id", "=", self.company.id)]
            ),
            2,
        )

    @freeze_time("2026-06-15")
    def test_archived_tier_moves_its_customers_at_recompute(self):
        self.invoice(self.customer, 1500, "2026-06-01")
        self.silver.active = False
        self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.bronze)
        self.assertEqual(self.history()[-1].old_tier_id, self.silver)
        # a threshold review: the customer moved because the tiers changed
        self.assertEqual(self.history()[-1].reason, "review")

    @freeze_time("2026-06-15")
    def test_deleted_pricelist_of_a_tier(self):
        own = self.env["product.pricelist"].create({"name": "Negotiated"})
        self.customer.property_product_pricelist = own
        self.invoice(self.customer, 6000, "2026-06-01")
        self.assertEqual(self.customer.property_product_pricelist, self.gold_pricelist)
        self.gold_pricelist.unlink()
        self.assertFalse(self.gold.pricelist_id)
        self.assertNotEqual(self.customer.property_product_pricelist.id, False)
        # leaving gold still gives the customer's own pricelist back
        with freeze_time("2027-08-01"):
            self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(self.customer.property_product_pricelist, own)

    # ------------------------------------------------------------ what-if
    @freeze_time("2026-06-15")
    def test_whatif_bad_thresholds(self):
        self.invoice(self.customer, 1500, "2026-06-01")
        for silver, gold, pattern in (
            (-1, 5000, "negative"),
            (5000, 5000, "keep the tiers in their order"),
            (6000, 5000, "keep the tiers in their order"),
        ):
            wizard = Form(self.env["crm.loyalty.whatif"])
            with wizard.line_ids.edit(1) as line:
                line.proposed_min_amount = silver
            with wizard.line_ids.edit(2) as line:
                line.proposed_min_amount = gold
            record = wizard.save()
            self.assertRefused(UserError, pattern, record.action_apply)
        # a huge top threshold is valid: the customer keeps silver
        wizard = Form(self.env["crm.loyalty.whatif"])
        with wizard.line_ids.edit(2) as line:
            line.proposed_min_amount = 1e20
        wizard.save().action_apply()
        self.assertAlmostEqual(self.gold.min_amount, 1e20, delta=1e6)
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)

    def test_whatif_other_company(self):
        Whatif = self.env["crm.loyalty.whatif"]
        self.assertRefused(
            ValidationError,
            "choose tiers of",
            Whatif.create,
            {
                "line_ids": [
                    Command.create(
                        {"tier_id": self.other_tier.id, "proposed_min_amount": 99}
                    )
                ]
            },
        )
        outsider = new_test_user(
            self.env,
            login="loyalty_whatif_outsider",
            groups="sales_team.group_sale_salesman,crm_loyalty.group_crm_loyalty_manager",
            company_id=self.company.id,
        )
        self.assertRefused(
            ValidationError,
            "not allowed",
            Whatif.with_user(outsider).create,
            {"company_id": self.other_company.id},
        )

    # ------------------------------------------------------------- merges
    @freeze_time("2026-06-15")
    def test_merged_customers_keep_history_and_get_combined_tier(self):
        other = self.env["res.partner"].create(
            {"name": "Acme Twin", "is_company": True}
        )
        # the source had an override that has since expired: merging goes
        # on, by a user who is no Loyalty Manager
        with freeze_time("2026-01-01"):
            other.write(
                {
                    "loyalty_override_tier_id": self.gold.id,
                    "loyalty_override_reason": "Launch",
                    "loyalty_override_until": "2026-03-01",
                }
            )
        self.invoice(self.customer, 1500, "2026-05-01")
        self.invoice(other, 4000, "2026-06-01")
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.assertEqual(other.loyalty_tier_id, self.silver)
        histories = self.history(self.customer) | self.history(other)
        merger = new_test_user(
            self.env,
            login="loyalty_merger",
            groups="base.group_erp_manager,base.group_partner_manager,"
            "sales_team.group_sale_salesman,account.group_account_invoice",
            company_id=self.company.id,
        )
        wizard = (
            self.env["base.partner.merge.automatic.wizard"].with_user(merger).create({})
        )
        wizard._merge((self.customer | other).ids, self.customer)
        self.assertFalse(other.exists())
        self.assertEqual(self.customer.loyalty_amount, 5500)
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.history(self.customer) - histories, self.history()[-1:])
        self.assertLessEqual(histories, self.history(self.customer))
        self.assertEqual(self.history()[-1].reason, "upgrade")

    @freeze_time("2026-06-15")
    def test_merge_recomputes_every_company(self):
        platinum = self.env["crm.loyalty.tier"].create(
            {
                "name": "Far Platinum",
                "min_amount": 60,
                "company_id": self.other_company.id,
            }
        )
        other = self.env["res.partner"].create(
            {"name": "Acme Twin", "is_company": True}
        )
        self.invoice(other, 50, "2026-06-01", company=self.other_company)
        self.invoice(self.customer, 20, "2026-06-01", company=self.other_company)
        self.assertEqual(
            self.customer.with_company(self.other_company).loyalty_tier_id,
            self.other_tier,
        )
        self.env["base.partner.merge.automatic.wizard"].create({})._merge(
            (self.customer | other).ids, self.customer
        )
        partner = self.customer.with_company(self.other_company)
        self.assertEqual(partner.loyalty_amount, 70)
        self.assertEqual(partner.loyalty_tier_id, platinum)

    @freeze_time("2026-06-15")
    def test_archived_customer_keeps_tier_and_counts(self):
        self.invoice(self.customer, 1500, "2026-06-01")
        self.customer.action_archive()
        self.recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.invoice(self.customer, 4000, "2026-06-02")
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
