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
        contacts = self._records(
            ("contacts", partner.id), *self._contacts_args(partner)
        )
        tags = self._records(("tags", partner.id), *self._tags_args(partner))
        return {
            "id": partner.id,
            "name": partner.name,
            "is_company": partner.is_company,
            "email": partner.email or "",
            "phone": partner.phone or "",
            "address": partner._display_address(without_company=True),
            "lang": self._lang_name(partner),
            "industry": partner.industry_id.name or "",
            "tags": [tag["name"] for tag in tags],
            "salesperson": partner.user_id.name or "",
            "contacts": [self._contact_item(c) for c in contacts],
        }

    @api.model
    def _planned_values(self, partner):
        """{key of :meth:`_value`: SQL} of the contacts and tags."""
        return {
            ("contacts", partner.id): self._records_sql(*self._contacts_args(partner)),
            ("tags", partner.id): self._records_sql(*self._tags_args(partner)),
        }

    @api.model
    def _contacts_args(self, partner):
        """The arguments of :meth:`_records` for the active contacts shown
        (those ``child_ids`` lists)."""
        return (
            "res.partner",
            [("parent_id", "=", partner.id)],
            ["name", "email", "function"],
            {"limit": CONTACTS_SHOWN},
        )

    @api.model
    def _tags_args(self, partner):
        return ("res.partner.category", [("partner_ids", "in", partner.id)], ["name"])

    @api.model
    def _contact_item(self, contact):
        return {
            "id": contact["id"],
            "name": contact["name"],
            "email": contact["email"] or "",
            "function": contact["function"] or "",
        }

    @api.model
    def _lang_name(self, partner):
        languages = partner._fields["lang"]._description_selection(self.env)
        return dict(languages).get(partner.lang, partner.lang or "")
