from odoo import api, models

OPPORTUNITIES_SHOWN = 20


class CrmCustomer360ScreenOpportunities(models.AbstractModel):
    """The customer's newest leads and opportunities (lost ones too)."""

    _name = "crm.customer.360.screen.opportunities"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Opportunities"

    @api.model
    def _section_data(self, partner):
        leads = self._records(("leads", partner.id), *self._leads_args(partner))
        for lead in leads:
            lead["stage"] = lead["stage_id.name"] or ""
        return [self._lead_item(lead) for lead in leads]

    @api.model
    def _leads_args(self, partner):
        """The arguments of :meth:`_records` for the newest leads."""
        return (
            "crm.lead",
            [
                ("partner_id", "in", self._family(partner)),
                ("company_id", "in", self.env.companies.ids + [False]),
            ],
            ["name", "stage_id.name", "expected_revenue", "probability", "active"],
            {"limit": OPPORTUNITIES_SHOWN, "order": "create_date desc, id desc"},
        )

    @api.model
    def _lead_item(self, lead):
        return {
            "id": lead["id"],
            "name": lead["name"],
            "stage": lead["stage"],
            "expected_revenue": lead["expected_revenue"],
            "probability": lead["probability"],
            "active": lead["active"],
        }
