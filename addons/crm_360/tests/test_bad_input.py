from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, mute_logger


@tagged("post_install", "-at_install")
class TestCustomer360BadInput(TransactionCase):
    """Invalid values are refused with a message that says what to change,
    and nothing is written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        Partner = cls.env["res.partner"]
        cls.anna, cls.ben, cls.carl = Partner.create(
            [{"name": "Anna"}, {"name": "Ben"}, {"name": "Carl"}]
        )
        cls.Relation = cls.env["crm.partner.relation"]
        cls.Relation.create(
            {
                "partner_id": cls.anna.id,
                "related_partner_id": cls.ben.id,
                "relation_type": "parent",
            }
        )

    def relations(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, related_partner_id, relation_type "
                "FROM crm_partner_relation ORDER BY id"
            )
        )
        return self.env.cr.fetchall()

    def assertRefused(self, exception, pattern, function, *args, **kwargs):
        before = self.relations()
        # assertRaises (not assertRaisesRegex) rolls the failed call back
        with self.assertRaises(exception) as caught:
            function(*args, **kwargs)
        self.assertRegex(str(caught.exception), pattern)
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.relations(), before)

    def test_timeline_page_arguments(self):
        for offset, limit in (
            (-1, 20),
            (0, 0),
            (0, -5),
            (0, 10_000),
            ("10", 20),
            (0, [20]),
            (0, None),
            (1.5, 20),
        ):
            with self.assertRaises(UserError) as caught:
                self.anna.customer_360_data(offset, limit)
            self.assertIn("timeline page", str(caught.exception))
        self.anna.message_post(
            body="Called about the renewal",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        page = self.anna.customer_360_data(timeline_offset=10**6)["timeline"]
        self.assertEqual(page["items"], [])
        self.assertGreater(page["total"], 0)

    def test_one_existing_customer(self):
        with self.assertRaises(UserError) as caught:
            (self.anna | self.ben).customer_360_data()
        self.assertIn("one customer at a time", str(caught.exception))
        with self.assertRaises(MissingError):
            self.env["res.partner"].browse(10**8).customer_360_data()

    def test_archived_customer_has_a_screen(self):
        self.ben.action_archive()
        data = self.ben.customer_360_data()
        self.assertEqual(data["partner"]["name"], "Ben")
        members = self.anna.customer_360_data()["household"]["members"]
        self.assertEqual([m["name"] for m in members], ["Ben"])

    def test_relation_values(self):
        create = self.Relation.create
        self.assertRefused(
            ValidationError,
            "cannot be related to itself",
            create,
            {"partner_id": self.carl.id, "related_partner_id": self.carl.id},
        )
        # the same relation read from the other side
        self.assertRefused(
            ValidationError,
            "already related",
            create,
            {
                "partner_id": self.ben.id,
                "related_partner_id": self.anna.id,
                "relation_type": "child",
            },
        )
        self.assertRefused(
            ValidationError,
            "already related",
            create,
            {
                "partner_id": self.ben.id,
                "related_partner_id": self.anna.id,
                "relation_type": "parent",
            },
        )
        with mute_logger("odoo.sql_db"):
            self.assertRefused(
                Exception,
                "unique constraint",
                create,
                {
                    "partner_id": self.anna.id,
                    "related_partner_id": self.ben.id,
                    "relation_type": "parent",
                },
            )
        # a different kind of relation between the same two people is fine
        create(
            {
                "partner_id": self.ben.id,
                "related_partner_id": self.anna.id,
                "relation_type": "household",
            }
        )
        members = self.anna.customer_360_data()["household"]["members"]
        self.assertEqual(
            sorted((m["name"], m["relation"]) for m in members),
            [("Ben", "Household"), ("Ben", "Parent of")],
        )

    def test_merge_leaves_no_relation_to_itself(self):
        self.Relation.create(
            {"partner_id": self.carl.id, "related_partner_id": self.anna.id}
        )
        self.Relation.create(
            {"partner_id": self.ben.id, "related_partner_id": self.carl.id}
        )
        self.env["base.partner.merge.automatic.wizard"].create({})._merge(
            (self.anna | self.ben).ids, self.anna
        )
        self.assertFalse(self.ben.exists())
        self.assertEqual(self.relations(), [(self.carl.id, self.anna.id, "household")])
        members = self.anna.customer_360_data()["household"]["members"]
        self.assertEqual([m["name"] for m in members], ["Carl"])
