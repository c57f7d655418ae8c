from datetime import datetime

from odoo.exceptions import MissingError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL


@tagged("post_install", "-at_install")
class TestClaimClosingBadInput(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.claim = cls.env["crm.claim"].create(
            {"name": "Broken parcel", "date": datetime(2026, 3, 2, 10)}
        )
        cls.claim.stage_id = cls.env.ref("crm_claim.stage_claim2")
        cls.claim.date_closed = datetime(2026, 3, 10, 10)

    def state(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT stage_id, date, date_closed, is_closed FROM crm_claim "
                "WHERE id = %s",
                self.claim.id,
            )
        )
        return self.env.cr.fetchall()

    def test_closing_before_opening(self):
        before = self.state()
        for values in (
            {"date_closed": datetime(2026, 3, 1, 10)},
            {"date": datetime(2026, 4, 1)},
        ):
            with self.assertRaises(ValidationError) as caught:
                self.claim.write(values)
            self.assertIn("before the claim date", str(caught.exception))
            self.env.invalidate_all(flush=False)
            self.assertEqual(self.state(), before)

    def test_stage_that_does_not_exist(self):
        before = self.state()
        with self.assertRaises(MissingError):
            self.claim.write({"stage_id": 10**8})
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.state(), before)
