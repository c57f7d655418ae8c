from odoo import api, models

CONTACTS_SHOWN = 50


class CrmCustomer360ScreenIdentity(models.AbstractModel):
    """Who the customer is: its card and its active contacts (its family,
    the contacts at any depth, is resolved by the section base)."""

    _name = "crm.customer.360.screen.identity"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Identity"

    @api.model
    def _section_data(self, partner):
        contacts = partner.child_ids.filtered("active")
        return {
            "id": partner.id,
            "name": partner.name,
            "is_company": partner.is_company,
            "email": partner.email or "",
            "phone": partner.phone or "",
            "address": partner._display_address(without_company=True),
            "lang": self._lang_name(partner),
            "industry": partner.industry_id.name or "",
            "tags": partner.category_id.mapped("name"),
            "salesperson": partner.user_id.name or "",
            "contacts": [self._contact_item(c) for c in contacts[:CONTACTS_SHOWN]],
        }

    @api.model
    def _contact_item(self, contact):
        return {
            "id": contact.id,
            "name": contact.name,
            "email": contact.email or "",
            "function": contact.function or "",
        }

    @api.model
    def _lang_name(self, partner):
        languages = partner._fields["lang"]._description_selection(self.env)
        return dict(languages).get(partner.lang, partner.lang or "")
