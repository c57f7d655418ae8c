from odoo.addons.crm_loyalty.controllers.portal import LoyaltyPortal


class LoyaltyProgramPortal(LoyaltyPortal):
    def _loyalty_portal_values(self):
        values = super()._loyalty_portal_values()
        tier = values["loyalty_partner"].loyalty_tier_id
        # the programs of the customer's own tier, named on its page
        values["loyalty_programs"] = tier.sudo()._available_programs()
        return values
