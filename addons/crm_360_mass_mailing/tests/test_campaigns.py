from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCampaigns(TransactionCase):
    def test_campaign_responses(self):
        Partner = self.env["res.partner"]
        company = Partner.create({"name": "Mailed Co", "is_company": True})
        contact = Partner.create(
            {
                "name": "Reader",
                "parent_id": company.id,
                "email": "reader@mailed.example",
            }
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Spring offers",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        Trace = self.env["mailing.trace"]
        Trace.create(
            [
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": contact.id,
                    "email": "reader@mailed.example",
                    "trace_status": "open",
                    "links_click_datetime": "2026-03-02 10:00:00",
                },
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": company.id,
                    "email": "other@x.example",
                    "trace_status": "bounce",
                },
            ]
        )
        marketer = new_test_user(
            self.env,
            login="x360_marketer",
            groups="mass_mailing.group_mass_mailing_user",
        )
        campaigns = company.with_user(marketer).customer_360_data()["campaigns"]
        self.assertEqual(
            (
                campaigns["sent"],
                campaigns["opened"],
                campaigns["clicked"],
                campaigns["bounced"],
            ),
            (2, 1, 1, 1),
        )
        self.assertEqual(campaigns["traces"][0]["mailing"], "Spring offers")
        # without e-mail marketing rights: no section, no error
        clerk = new_test_user(
            self.env, login="x360_no_mailing", groups="base.group_user"
        )
        self.assertNotIn("campaigns", company.with_user(clerk).customer_360_data())
