from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def customer_360_data(self, *args, **kwargs):
        data = super().customer_360_data(*args, **kwargs)
        partner = self.commercial_partner_id
        if self.env.user.has_group("crm_loyalty.group_crm_loyalty_user"):
            data["loyalty"] = {
                "tier": partner.loyalty_tier_id.name or "",
                "amount": partner.loyalty_amount,
                "next_tier": partner.loyalty_next_tier_id.name or "",
                "amount_to_next": partner.loyalty_amount_to_next,
                "progress": partner.loyalty_progress,
                "review_date": fields.Date.to_string(partner.loyalty_review_date),
                "at_risk": partner.loyalty_at_risk,
                "keep_message": partner.loyalty_keep_message or "",
            }
        return data
