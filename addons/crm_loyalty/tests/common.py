from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class LoyaltyCase(AccountTestInvoicingCommon):
    """Three tiers (Bronze from 0, Silver from 1,000, Gold from 5,000) and a
    customer company with one contact, in a company with a chart of accounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # the accountant of AccountTestInvoicingCommon also manages sales and tiers
        cls.env.user.group_ids += cls.env.ref(
            "crm_loyalty.group_crm_loyalty_manager"
        ) + cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "loyalty_window_type": "rolling",
                "loyalty_window_months": 12,
                "loyalty_grace_days": 30,
            }
        )
        cls.gold_pricelist = cls.env["product.pricelist"].create(
            {"name": "Gold prices", "company_id": cls.company.id}
        )
        Tier = cls.env["crm.loyalty.tier"]
        cls.bronze = Tier.create({"name": "Bronze", "min_amount": 0})
        cls.silver = Tier.create({"name": "Silver", "min_amount": 1000})
        cls.gold = Tier.create(
            {
                "name": "Gold",
                "min_amount": 5000,
                "pricelist_id": cls.gold_pricelist.id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Acme Retail", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jane Buyer", "parent_id": cls.customer.id}
        )

    @classmethod
    def invoice(cls, partner, amount, date, move_type="out_invoice", **values):
        """A posted customer invoice (or credit note) of one untaxed line."""
        company = values.pop("company", cls.company)
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": date,
                    "date": date,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                    **values,
                }
            )
        )
        move.action_post()
        return move

    def recompute(self, company=None):
        return self.env["crm.loyalty.engine"].recompute_company(company or self.company)

    def history(self, partner=None):
        return self.env["crm.loyalty.tier.history"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )
