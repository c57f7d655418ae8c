from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyWhatif(LoyaltyCase):
    @freeze_time("2026-06-15")
    def test_preview_then_apply(self):
        small = self.env["res.partner"].create({"name": "Small Shop"})
        self.invoice(self.customer, 3000, "2026-06-01")
        self.invoice(small, 500, "2026-06-01")
        wizard = Form(self.env["crm.loyalty.whatif"])
        self.assertEqual(wizard.mover_count, 0)
        with wizard.line_ids.edit(2) as gold:
            gold.proposed_min_amount = 2500
        with wizard.line_ids.edit(1) as silver:
            silver.proposed_min_amount = 400
        self.assertEqual(wizard.mover_count, 2)
        self.assertEqual(wizard.upgrade_count, 2)
        counts = {
            wizard.line_ids.edit(i).tier_id.name: (
                wizard.line_ids.edit(i).current_count,
                wizard.line_ids.edit(i).proposed_count,
            )
            for i in range(3)
        }
        self.assertEqual(counts["Gold"], (0, 1))
        self.assertEqual(counts["Silver"], (1, 1))
        self.assertEqual(counts["Bronze"], (1, 0))
        # nothing moved yet
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        wizard.save().action_apply()
        self.assertEqual(self.gold.min_amount, 2500)
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(small.loyalty_tier_id, self.silver)
        self.assertEqual(self.history()[-1].reason, "review")

    @freeze_time("2026-06-15")
    def test_customer_without_spend_counts_when_the_entry_tier_drops_to_zero(self):
        """A customer whose invoices are all older than the window has no
        tier while the entry tier needs some spend; the preview counts them
        among the movers when it drops to 0, as applying it does."""
        self.bronze.min_amount = 100
        old_buyer = self.env["res.partner"].create({"name": "Old Buyer"})
        self.invoice(old_buyer, 700, "2024-01-10")
        self.assertFalse(old_buyer.loyalty_tier_id)
        wizard = Form(self.env["crm.loyalty.whatif"])
        self.assertEqual(wizard.mover_count, 0)
        with wizard.line_ids.edit(0) as bronze:
            bronze.proposed_min_amount = 0
        self.assertEqual(wizard.mover_count, 1)
        self.assertEqual(wizard.upgrade_count, 1)
        wizard.save().action_apply()
        self.assertEqual(old_buyer.loyalty_tier_id, self.bronze)
        self.assertEqual(old_buyer.loyalty_amount, 0)

    @freeze_time("2026-06-15")
    def test_thresholds_must_keep_their_order(self):
        wizard = Form(self.env["crm.loyalty.whatif"])
        with wizard.line_ids.edit(1) as silver:
            silver.proposed_min_amount = 6000
        record = wizard.save()
        with self.assertRaisesRegex(UserError, "keep the tiers in their order"):
            record.action_apply()
        self.assertEqual(self.silver.min_amount, 1000)
