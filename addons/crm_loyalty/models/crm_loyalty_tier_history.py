from odoo import api, fields, models
from odoo.exceptions import UserError

REASONS = [
    ("initial", "Initial tier"),
    ("upgrade", "Upgrade"),
    ("downgrade", "Downgrade"),
    ("override", "Override"),
    ("review", "Threshold review"),
]
# set by the engine, the only writer of the audit trail
ENGINE_CONTEXT_KEY = "crm_loyalty_engine"


class CrmLoyaltyTierHistory(models.Model):
    _name = "crm.loyalty.tier.history"
    _description = "Loyalty Tier Change"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    old_tier_id = fields.Many2one("crm.loyalty.tier", string="From Tier", readonly=True)
    new_tier_id = fields.Many2one("crm.loyalty.tier", string="To Tier", readonly=True)
    date = fields.Date(required=True, index=True, readonly=True)
    amount = fields.Monetary(
        string="Qualifying Spend",
        readonly=True,
        help="The customer's qualifying spend when the tier changed.",
    )
    reason = fields.Selection(REASONS, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Changed By",
        readonly=True,
        help="Who triggered the change: the user who posted the invoice, set the "
        "override, applied the review or ran the recompute.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(ENGINE_CONTEXT_KEY):
            raise UserError(
                self.env._(
                    "Tier changes are recorded by the loyalty engine only: change "
                    "the thresholds, the customer's override, or run a recompute."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(
                self.env._(
                    "The loyalty history is an audit trail: it cannot be changed."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("The loyalty history is an audit trail: it cannot be deleted.")
        )
