# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

ACTIVITY_ACTION = "partner_statement.activity_statement_wizard_action"
SHARED_OPTIONS = (
    "company_id",
    "date_end",
    "account_type",
    "show_aging_buckets",
    "show_only_overdue",
    "aging_type",
    "excluded_accounts_selector",
    "filter_partners_non_due",
    "filter_negative_balances",
)


class OutstandingStatementWizard(models.TransientModel):
    _inherit = "outstanding.statement.wizard"

    def action_crm_360_activity_statement(self):
        """The activity statement wizard for the same partners, with this
        wizard's company, end date and options."""
        self.ensure_one()
        partner_ids = self.env.context.get("active_ids", [])
        values = {name: self[name] for name in SHARED_OPTIONS}
        values["company_id"] = self.company_id.id
        wizard = (
            self.env["activity.statement.wizard"]
            .with_context(active_ids=partner_ids)
            .create(values)
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(ACTIVITY_ACTION)
        action.update(
            res_id=wizard.id,
            context={"active_model": "res.partner", "active_ids": partner_ids},
        )
        return action
