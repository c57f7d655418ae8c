from datetime import date

from freezegun import freeze_time
from markupsafe import Markup

from odoo.tests import tagged
from odoo.tools import SQL

from .common import LoyaltyCase

CUSTOMERS = 60


@tagged("post_install", "-at_install")
class TestLoyaltyBulk(LoyaltyCase):
    """The engine writes its history rows and chatter notes by SQL (one
    statement each, whatever the number of changes): they must be the ones
    the ORM would write."""

    @freeze_time("2026-06-15")
    def test_many_changes_logged_like_one(self):
        customers = self.env["res.partner"].create(
            [
                {"name": f"Bulk customer {i}", "is_company": True}
                for i in range(CUSTOMERS)
            ]
        )
        # the invoices exist before the tiers do: the recompute gives them all
        self.env["crm.loyalty.tier"].search(
            [("company_id", "=", self.company.id)]
        ).active = False
        for i, customer in enumerate(customers):
            self.invoice(customer, 1500 if i % 2 else 6000, "2026-06-01")
        self.invoice(self.customer, 1200, "2026-06-01")
        (self.bronze | self.silver | self.gold).active = True

        changed = self.recompute()

        self.assertEqual(changed, CUSTOMERS + 1)
        gold, silver = customers[0], customers[1]
        self.assertEqual(gold.loyalty_tier_id, self.gold)
        self.assertEqual(silver.loyalty_tier_id, self.silver)
        self.assertEqual(gold.property_product_pricelist, self.gold_pricelist)
        history = self.history(gold)
        self.assertEqual(len(history), 1)
        self.assertEqual(
            (history.reason, history.new_tier_id, history.old_tier_id),
            ("initial", self.gold, self.env["crm.loyalty.tier"]),
        )
        self.assertEqual(history.date, date(2026, 6, 15))
        self.assertAlmostEqual(history.amount, 6000)
        self.assertEqual(history.user_id, self.env.user)
        note = gold.message_ids.filtered(lambda m: "<b>Gold</b>" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertEqual(
            str(note.body),
            f"<p>no tier → <b>Gold</b> (Initial tier, {self.company.name})</p>",
        )
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(note.author_id, self.env.user.partner_id)
        self.assertEqual(note.message_type, "notification")
        # the same columns as the chatter note the ORM writes
        orm_note = silver._message_log_batch(bodies={silver.id: Markup("<p>x</p>")})
        columns = ["author_id", "email_from", "reply_to", "subtype_id",
                   "message_type", "is_internal", "model", "res_id"]  # fmt: skip
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM mail_message WHERE id IN %s ORDER BY id",
                SQL(", ").join(SQL.identifier(c) for c in columns),
                (note.id, orm_note.id),
            )
        )
        bulk_row, orm_row = self.env.cr.fetchall()
        self.assertEqual(bulk_row[:-1], orm_row[:-1])
        self.assertEqual((bulk_row[-1], orm_row[-1]), (gold.id, silver.id))
