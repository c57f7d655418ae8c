from odoo import models
from odoo.tools import SQL


class CrmTeam(models.Model):
    _inherit = "crm.team"

    def unlink(self):
        # the moves of a deleted team are left without one: the rows of its
        # customers and months (deleted with the team) are counted again
        # without a team
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT company_id, COALESCE(partner_id, 0), month "
                "FROM crm_kpi_customer_month WHERE team_id = ANY(%s)",
                self.ids,
            )
        )
        keys = set(self.env.cr.fetchall())
        result = super().unlink()
        self.env["crm.kpi.customer.month"]._refresh_keys(keys)
        return result
