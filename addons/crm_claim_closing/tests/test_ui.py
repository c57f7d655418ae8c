from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestClaimClosingUi(HttpCase):
    def test_close_and_reopen_from_the_form(self):
        salesman = new_test_user(
            self.env,
            login="claim_closing_tour_user",
            groups="sales_team.group_sale_salesman",
        )
        claim = self.env["crm.claim"].create(
            {
                "name": "Tour: parcel arrived broken",
                "stage_id": self.env.ref("crm_claim.stage_claim5").id,
                "user_id": salesman.id,
            }
        )
        self.start_tour("/odoo", "crm_claim_closing_tour", login=salesman.login)
        self.assertEqual(claim.stage_id, self.env.ref("crm_claim.stage_claim5"))
        self.assertFalse(claim.date_closed)
        history = claim.message_ids.tracking_value_ids.mapped("new_value_char")
        self.assertIn("Settled", history, "the claim was really settled in the tour")
