from datetime import datetime

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.crm_claim_closing.hooks import post_init_hook


@tagged("post_install", "-at_install")
class TestClaimClosing(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.salesman = new_test_user(
            cls.env,
            login="claim_closing_salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.stage_new = cls.env.ref("crm_claim.stage_claim1")
        cls.stage_progress = cls.env.ref("crm_claim.stage_claim5")
        cls.stage_settled = cls.env.ref("crm_claim.stage_claim2")
        cls.stage_rejected = cls.env.ref("crm_claim.stage_claim3")
        cls.partner = cls.env["res.partner"].create({"name": "Claimant"})

    def _claim(self, **vals):
        return (
            self.env["crm.claim"]
            .with_user(self.salesman)
            .create({"name": "Broken parcel", "partner_id": self.partner.id, **vals})
        )

    def test_default_closing_stages(self):
        closed = self.env["crm.claim.stage"].search([("is_closed", "=", True)])
        self.assertIn(self.stage_settled, closed)
        self.assertIn(self.stage_rejected, closed)
        self.assertNotIn(self.stage_new, closed)
        self.assertNotIn(self.stage_progress, closed)

    def test_close_stamps_and_reopen_clears(self):
        with freeze_time("2026-03-02 10:00:00"):
            claim = self._claim(stage_id=self.stage_new.id)
        self.assertFalse(claim.is_closed)
        self.assertFalse(claim.date_closed)
        with freeze_time("2026-03-09 15:30:00"):
            claim.stage_id = self.stage_settled
        self.assertTrue(claim.is_closed)
        self.assertEqual(claim.date_closed, datetime(2026, 3, 9, 15, 30))
        # moving between closing stages keeps the first closing date
        with freeze_time("2026-03-10 08:00:00"):
            claim.stage_id = self.stage_rejected
        self.assertEqual(claim.date_closed, datetime(2026, 3, 9, 15, 30))
        claim.stage_id = self.stage_progress
        self.assertFalse(claim.is_closed)
        self.assertFalse(claim.date_closed)
        with freeze_time("2026-04-01 09:00:00"):
            claim.stage_id = self.stage_settled
        self.assertEqual(claim.date_closed, datetime(2026, 4, 1, 9, 0))

    def test_created_closed(self):
        with freeze_time("2026-05-05 12:00:00"):
            claim = self._claim(stage_id=self.stage_rejected.id)
        self.assertEqual(claim.date_closed, datetime(2026, 5, 5, 12, 0))

    def test_install_on_closed_claims_dated_later(self):
        """Claims already in a closing stage when the add-on is installed get
        their last change as closing date, or their own date when it is later
        (the install failed on crm_claim's demo data, dated days ahead)."""
        with freeze_time("2026-05-05 12:00:00"):
            past = self._claim(stage_id=self.stage_new.id)
            ahead = self._claim(
                stage_id=self.stage_new.id, date=datetime(2026, 5, 8, 9, 0)
            )
        claims = past | ahead
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_claim SET stage_id = %s, date_closed = NULL, "
            "write_date = '2026-05-05 12:00:00' WHERE id IN %s",
            (self.stage_settled.id, tuple(claims.ids)),
        )
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.assertEqual(past.date_closed, datetime(2026, 5, 5, 12, 0))
        self.assertEqual(ahead.date_closed, datetime(2026, 5, 8, 9, 0))

    def test_open_and_closed_filters(self):
        open_claim = self._claim(stage_id=self.stage_progress.id)
        closed_claim = self._claim(stage_id=self.stage_settled.id)
        claims = open_claim | closed_claim
        Claim = self.env["crm.claim"].with_user(self.salesman)
        self.assertEqual(
            Claim.search([("id", "in", claims.ids), ("is_closed", "=", False)]),
            open_claim,
        )
        self.assertEqual(
            Claim.search([("id", "in", claims.ids), ("is_closed", "=", True)]),
            closed_claim,
        )

    def test_custom_closing_stage(self):
        stage = self.env["crm.claim.stage"].create(
            {"name": "Refunded", "is_closed": True, "case_default": True}
        )
        claim = self._claim(stage_id=self.stage_new.id)
        claim.stage_id = stage
        self.assertTrue(claim.date_closed)
