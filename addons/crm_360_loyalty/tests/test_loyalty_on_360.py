from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestLoyaltyOn360(AccountTestInvoicingCommon):
    def test_tier_on_screen_and_list(self):
        self.env.user.group_ids += self.env.ref("crm_loyalty.group_crm_loyalty_manager")
        Tier = self.env["crm.loyalty.tier"]
        silver = Tier.create({"name": "Silver", "min_amount": 1000})
        Tier.create({"name": "Gold", "min_amount": 5000})
        customer = self.env["res.partner"].create(
            {"name": "Tiered", "is_company": True}
        )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": "2026-06-01",
                "invoice_line_ids": [
                    Command.create({"name": "Work", "price_unit": 2000, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        loyalty = customer.customer_360_data()["loyalty"]
        self.assertEqual(loyalty["tier"], "Silver")
        self.assertEqual(loyalty["next_tier"], "Gold")
        self.assertAlmostEqual(loyalty["amount_to_next"], 3000)
        rows = self.env["crm.customer.360"].search(
            [("loyalty_tier_id", "=", silver.id)]
        )
        self.assertEqual(rows.partner_id, customer)
        # without loyalty rights: no loyalty section, no error
        clerk = new_test_user(self.env, login="x360_clerk", groups="base.group_user")
        self.assertNotIn("loyalty", customer.with_user(clerk).customer_360_data())

    def test_segments_by_tier_and_household_tiers(self):
        """The Segments pivot crosses RFM segments with tiers, each cell
        opening its customers; the household on the 360 screen shows each
        member's tier."""
        self.env.user.group_ids += self.env.ref(
            "crm_loyalty.group_crm_loyalty_manager"
        ) + self.env.ref("sales_team.group_sale_salesman")
        Tier = self.env["crm.loyalty.tier"]
        silver = Tier.create({"name": "Silver", "min_amount": 1000})
        gold = Tier.create({"name": "Gold", "min_amount": 5000})
        Partner = self.env["res.partner"]
        ann, bob, cid = Partner.create(
            [{"name": "Ann"}, {"name": "Bob"}, {"name": "Cid"}]
        )
        for partner, amount in ((ann, 6000), (bob, 1500), (cid, 200)):
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-06-01",
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Work", "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
        self.env["crm.customer.360.value"]._cron_refresh()
        List = self.env["crm.customer.360"]
        mine = [("partner_id", "in", (ann | bob | cid).ids)]
        cells = List._read_group(
            mine, ["rfm_segment", "loyalty_tier_id"], ["__count", "revenue_total:sum"]
        )
        self.assertEqual(
            {tier for _segment, tier, _count, _total in cells},
            {gold, silver, Tier},
        )
        for segment, tier, count, total in cells:
            rows = List.search(
                mine
                + [("rfm_segment", "=", segment), ("loyalty_tier_id", "=", tier.id)]
            )
            self.assertEqual(len(rows), count)
            self.assertAlmostEqual(sum(rows.mapped("revenue_total")), total)
        self.env["crm.partner.relation"].create(
            [
                {"partner_id": ann.id, "related_partner_id": bob.id},
                {
                    "partner_id": bob.id,
                    "related_partner_id": cid.id,
                    "relation_type": "sibling",
                },
            ]
        )
        household = ann.customer_360_data()["household"]["household"]
        self.assertEqual(
            [(m["name"], m["tier"], m["revenue"]) for m in household["members"]],
            [("Bob", "Silver", 1500), ("Cid", "", 200)],
        )
        self.assertAlmostEqual(household["value"], 7700)
