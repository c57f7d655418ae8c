from odoo import api, models

from .crm_customer_360_screen import LOYALTY_GROUP


class CrmCustomer360ScreenHousehold(models.AbstractModel):
    _inherit = "crm.customer.360.screen.household"

    @api.model
    def _household_data(self, partner, household, billing):
        """Each household member's loyalty tier in the current company."""
        data = super()._household_data(partner, household, billing)
        if self.env.user.has_group(LOYALTY_GROUP):
            tiers = {
                member.id: member.loyalty_tier_id.name or "" for member in household
            }
            for member in data["members"]:
                member["tier"] = tiers.get(member["id"], "")
        return data
