from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.crm_loyalty import uninstall_hook

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyUninstall(LoyaltyCase):
    """Uninstalling the add-on gives the customers on a tier's pricelist the
    pricelist they had before their tier (the hook runs before the add-on's
    tables are dropped)."""

    @freeze_time("2026-06-15")
    def test_customers_get_their_pricelist_back(self):
        own = self.env["product.pricelist"].create({"name": "Negotiated"})
        chosen = self.env["product.pricelist"].create({"name": "Chosen by hand"})
        default = self.env["res.partner"].create({"name": "Nobody"})
        default = default.property_product_pricelist
        self.customer.property_product_pricelist = own
        newcomer, changed = self.env["res.partner"].create(
            [{"name": "Newcomer", "is_company": True}, {"name": "Changed"}]
        )
        for partner in (self.customer, newcomer, changed):
            self.invoice(partner, 6000, "2026-06-01")
        self.assertEqual(self.customer.property_product_pricelist, self.gold_pricelist)
        self.assertEqual(newcomer.property_product_pricelist, self.gold_pricelist)
        changed.property_product_pricelist = chosen

        uninstall_hook(self.env)

        self.env.invalidate_all()
        self.assertEqual(self.customer.property_product_pricelist, own)
        self.assertEqual(self.contact.property_product_pricelist, own)
        # no pricelist of its own before the tier: Odoo's default again
        self.assertFalse(newcomer.specific_property_product_pricelist)
        self.assertEqual(newcomer.property_product_pricelist, default)
        # a pricelist chosen by hand since the tier is the user's
        self.assertEqual(changed.property_product_pricelist, chosen)

    @freeze_time("2026-06-15")
    def test_only_the_company_of_the_tier(self):
        other = self.setup_other_company(name="Other Co")["company"]
        theirs = self.env["product.pricelist"].create(
            {"name": "Other Co prices", "company_id": other.id}
        )
        self.customer.with_company(other).property_product_pricelist = theirs
        self.invoice(self.customer, 6000, "2026-06-01")
        uninstall_hook(self.env)
        self.env.invalidate_all()
        self.assertFalse(self.customer.specific_property_product_pricelist)
        self.assertEqual(
            self.customer.with_company(other).property_product_pricelist, theirs
        )
