from odoo import api, models

OPPORTUNITIES_SHOWN = 20


class CrmCustomer360ScreenOpportunities(models.AbstractModel):
    """The customer's newest leads and opportunities (lost ones too)."""

    _name = "crm.customer.360.screen.opportunities"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Opportunities"

    @api.model
    def _section_data(self, partner):
        leads = self.env["crm.lead"].search(
            [
                ("partner_id", "in", self._family(partner)),
                ("company_id", "in", self.env.companies.ids + [False]),
            ],
            limit=OPPORTUNITIES_SHOWN,
            order="create_date desc, id desc",
        )
        return [self._lead_item(lead) for lead in leads]

    @api.model
    def _lead_item(self, lead):
        return {
            "id": lead.id,
            "name": lead.name,
            "stage": lead.stage_id.name or "",
            "expected_revenue": lead.expected_revenue,
            "probability": lead.probability,
            "active": lead.active,
        }
