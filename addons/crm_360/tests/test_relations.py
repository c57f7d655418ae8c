from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestRelations(TransactionCase):
    def test_relations_show_from_both_sides(self):
        Partner = self.env["res.partner"]
        mother, son = Partner.create([{"name": "Mother"}, {"name": "Son"}])
        self.env["crm.partner.relation"].create(
            {
                "partner_id": mother.id,
                "related_partner_id": son.id,
                "relation_type": "parent",
            }
        )
        members = son.customer_360_data()["household"]["members"]
        self.assertEqual(
            [(m["name"], m["relation"]) for m in members], [("Mother", "Child of")]
        )
        members = mother.customer_360_data()["household"]["members"]
        self.assertEqual(
            [(m["name"], m["relation"]) for m in members], [("Son", "Parent of")]
        )

    def test_no_relation_to_itself(self):
        partner = self.env["res.partner"].create({"name": "Solo"})
        with self.assertRaises(ValidationError):
            self.env["crm.partner.relation"].create(
                {"partner_id": partner.id, "related_partner_id": partner.id}
            )
