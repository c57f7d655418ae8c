from odoo import api, models

from odoo.addons.crm_suite_base.customer import posted_customer_moves_domain


class CrmCustomer360ScreenHousehold(models.AbstractModel):
    """The customer's relations (``crm.partner.relation``, seen from both
    sides) and, for users with billing rights, each one's revenue in the
    current company."""

    _name = "crm.customer.360.screen.household"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Household"

    @api.model
    def _section_data(self, partner, billing):
        Relation = self.env["crm.partner.relation"]
        relations = Relation._relations_of(partner)
        labels = dict(
            Relation._fields["relation_type"]._description_selection(self.env)
        )
        related = partner.browse([member.id for member, _kind in relations])
        revenue = self._revenue(related) if billing and related else {}
        members = [
            {
                "id": member.id,
                "name": member.display_name,
                "relation": labels.get(kind, kind),
                "revenue": revenue.get(member.commercial_partner_id, 0.0)
                if billing
                else None,
            }
            for member, kind in relations
        ]
        return {
            "members": members,
            "revenue_total": sum(m["revenue"] or 0.0 for m in members)
            if billing
            else None,
        }

    @api.model
    def _revenue(self, related):
        """{commercial partner: net untaxed spend} in the current company."""
        domain = [
            ("commercial_partner_id", "in", related.commercial_partner_id.ids),
            ("company_id", "=", self.env.company.id),
        ] + posted_customer_moves_domain()
        return dict(
            self.env["account.move"]._read_group(
                domain, ["commercial_partner_id"], ["amount_untaxed_signed:sum"]
            )
        )
