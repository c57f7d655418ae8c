from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class LoyaltyPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "loyalty_tier_count" in counters:
            partner = request.env.user.partner_id.commercial_partner_id
            values["loyalty_tier_count"] = int(bool(partner.loyalty_tier_id))
        return values

    @http.route("/my/loyalty", type="http", auth="user", methods=["GET"], website=True)
    def portal_my_loyalty(self, **kw):
        """The customer's tier in the current company, the spend it counts
        and the invoices that give it, what the next tier needs, what keeps
        the tier and its benefits: of the user's own customer only."""
        values = self._prepare_portal_layout_values()
        values.update(self._loyalty_portal_values())
        return request.render("crm_loyalty.portal_my_loyalty", values)

    def _loyalty_portal_values(self):
        partner = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        moves = partner._loyalty_counted_moves()
        return {
            "page_name": "loyalty",
            "loyalty_partner": partner,
            "loyalty_company": company,
            "loyalty_currency": company.currency_id,
            "loyalty_moves": moves,
            "loyalty_leaving": partner._loyalty_moves_leaving(moves),
            # the tier's pricelist, named on the customer's own page
            "loyalty_pricelist": partner.loyalty_tier_id.sudo().pricelist_id,
        }
