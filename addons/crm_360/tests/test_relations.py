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


@tagged("post_install", "-at_install")
class TestClaimByEmail(TransactionCase):
    def test_incoming_email_creates_a_claim(self):
        customer = self.env["res.partner"].create(
            {"name": "Mailing Customer", "email": "angry@customer.example"}
        )
        message = (
            "From: Angry Customer <angry@customer.example>\r\n"
            "To: claims@company.example\r\n"
            "Subject: Parcel never arrived\r\n"
            "Message-ID: <crm360-claim-test@customer.example>\r\n"
            "Content-Type: text/plain\r\n\r\n"
            "Order S00042 never arrived.\r\n"
        )
        claim_id = self.env["mail.thread"].message_process("crm.claim", message)
        claim = self.env["crm.claim"].browse(claim_id)
        self.assertEqual(claim.name, "Parcel never arrived")
        self.assertEqual(claim.partner_id, customer)
        self.assertIn("never arrived", claim.description)
        summary = customer.customer_360_data()["summary"]
        self.assertEqual(summary["open_claim_count"], 1)
