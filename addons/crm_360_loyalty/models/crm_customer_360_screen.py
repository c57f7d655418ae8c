from odoo import api, fields, models

LOYALTY_GROUP = "crm_loyalty.group_crm_loyalty_user"


class CrmCustomer360Screen(models.AbstractModel):
    _inherit = "crm.customer.360.screen"

    @api.model
    def _data(self, partner, timeline_offset, timeline_limit):
        data = super()._data(partner, timeline_offset, timeline_limit)
        if self.env.user.has_group(LOYALTY_GROUP):
            data["loyalty"] = self._loyalty(partner)
        return data

    @api.model
    def _loyalty(self, partner):
        """The customer's tier, its progress to the next one and what it
        must spend to keep its own."""
        return {
            "tier": partner.loyalty_tier_id.name or "",
            "amount": partner.loyalty_amount,
            "next_tier": partner.loyalty_next_tier_id.name or "",
            "amount_to_next": partner.loyalty_amount_to_next,
            "progress": partner.loyalty_progress,
            "review_date": fields.Date.to_string(partner.loyalty_review_date),
            "at_risk": partner.loyalty_at_risk,
            "keep_message": partner.loyalty_keep_message or "",
        }
