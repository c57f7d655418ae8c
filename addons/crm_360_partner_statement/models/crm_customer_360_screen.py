# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class CrmCustomer360Screen(models.AbstractModel):
    _inherit = "crm.customer.360.screen"

    @api.model
    def _data(self, partner, timeline_offset, timeline_limit):
        """The screen shows the Statement button when the user may print
        statements (``statement_access``)."""
        data = super()._data(partner, timeline_offset, timeline_limit)
        data["statement_access"] = bool(
            data["billing_access"] and partner._crm_360_statement_access()
        )
        return data
