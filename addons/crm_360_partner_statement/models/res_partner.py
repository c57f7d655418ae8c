# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import AccessError

BILLING_GROUP = "crm_360.group_crm_360_billing"
STATEMENT_GROUP = "partner_statement.group_outstanding_statement"
STATEMENT_ACTION = "partner_statement.outstanding_statement_wizard_action"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_crm_360_partner_statement(self):
        """partner_statement's outstanding statement wizard for this customer
        (its commercial entity), in the user's current company."""
        self.ensure_one()
        if not self._crm_360_statement_access():
            raise AccessError(
                self.env._(
                    "Printing customer statements needs the invoicing rights and "
                    "the outstanding statements turned on in the Invoicing "
                    "settings: ask your administrator."
                )
            )
        partner = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(STATEMENT_ACTION)
        action["context"] = {
            "active_model": "res.partner",
            "active_id": partner.id,
            "active_ids": partner.ids,
        }
        return action

    def _crm_360_statement_access(self):
        """Whether the user may see billing figures and print statements."""
        user = self.env.user
        return (
            user.has_group(BILLING_GROUP)
            and user.has_group(STATEMENT_GROUP)
            and self.env["outstanding.statement.wizard"].has_access("create")
        )
