from odoo import api, models


class CrmCustomer360Screen(models.AbstractModel):
    _inherit = "crm.customer.360.screen"

    @api.model
    def _data(self, partner, timeline_offset, timeline_limit):
        data = super()._data(partner, timeline_offset, timeline_limit)
        if self._can_read("mailing.trace"):
            data["campaigns"] = self._section("campaigns")._section_data(partner)
        return data

    @api.model
    def _planned_values(self, partner, billing):
        values = super()._planned_values(partner, billing)
        if self._can_read("mailing.trace"):
            values.update(self._section("campaigns")._planned_values(partner))
        return values
