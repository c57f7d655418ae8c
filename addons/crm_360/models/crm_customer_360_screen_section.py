"""What every section of the customer 360 screen shares.

The sections are abstract models that take the customer (its commercial
partner) as argument, so that a bridge add-on extends one section, or adds
one, by inheriting its model.
"""

from odoo import api, fields, models

from odoo.addons.crm_suite_base.customer import (
    CUSTOMER_MOVE_TYPES,
    posted_customer_moves_domain,
)


class CrmCustomer360ScreenSection(models.AbstractModel):
    _name = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Section"

    @api.model
    def _family(self, partner):
        """Ids of the customer and of its contacts at any depth, as
        ``child_of`` resolves them (archived contacts included, before any
        record rule: the documents searched with them apply their own),
        resolved once for the whole screen (context key ``crm_360_family``)
        instead of once per section."""
        family = self.env.context.get("crm_360_family")
        if family is None:
            family = (
                partner.sudo()
                .with_context(active_test=False)
                ._search([("id", "child_of", partner.id)])
                .get_result_ids()
            )
        return list(family)

    @api.model
    def _can_read(self, model):
        """Sections of models the user cannot read are left out, silently."""
        return self.env[model].has_access("read")

    @api.model
    def _move_domain(self, partner, move_types=CUSTOMER_MOVE_TYPES):
        """The customer's posted invoices (and credit notes) in the user's
        allowed companies."""
        return [
            ("commercial_partner_id", "=", partner.id),
            ("company_id", "in", self.env.companies.ids),
        ] + posted_customer_moves_domain(move_types)

    @api.model
    def _named_item(self, record, date, **values):
        """A document as the screen lists it: id, name, date (a string),
        then ``values``."""
        return {"id": record.id, "name": record.name, "date": date, **values}

    @api.model
    def _converted(self, groups):
        """Sum amounts grouped by company into the current company's currency."""
        total = sum(
            self._in_company_currency(row_company, amounts[0], rounded=True)
            for row_company, *amounts in groups
        )
        return self.env.company.currency_id.round(total)

    @api.model
    def _in_company_currency(self, company, amount, rounded=False):
        """``amount`` of ``company`` in the current company's currency, at
        today's rate (``rounded``: to that currency's precision)."""
        company_now = self.env.company
        return company.currency_id._convert(
            amount or 0.0,
            company_now.currency_id,
            company_now,
            fields.Date.context_today(self),
            round=rounded,
        )
