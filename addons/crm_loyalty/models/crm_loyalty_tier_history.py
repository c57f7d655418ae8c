from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

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
        if not self:
            return super().write(vals)
        raise UserError(
            self.env._("The loyalty history is an audit trail: it cannot be changed.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("The loyalty history is an audit trail: it cannot be deleted.")
        )

    @api.model
    def _insert_rows(self, rows):
        """The history rows of ``rows`` (create values) by one INSERT: the
        engine's record of its tier changes (see its ``_log_changes``)."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_loyalty_tier_history
                       (partner_id, company_id, old_tier_id, new_tier_id, date,
                        amount, reason, user_id, create_uid, write_uid,
                        create_date, write_date)
                SELECT v.partner_id, v.company_id, v.old_tier_id, v.new_tier_id,
                       v.date, v.amount, v.reason, v.user_id, %(uid)s, %(uid)s,
                       %(now)s, %(now)s
                  FROM unnest(%(partner)s::int[], %(company)s::int[],
                              %(old)s::int[], %(new)s::int[], %(date)s::date[],
                              %(amount)s::numeric[], %(reason)s::varchar[],
                              %(user)s::int[])
                       AS v(partner_id, company_id, old_tier_id, new_tier_id,
                            date, amount, reason, user_id)
                """,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                partner=[row["partner_id"] for row in rows],
                company=[row["company_id"] for row in rows],
                old=[row["old_tier_id"] for row in rows],
                new=[row["new_tier_id"] for row in rows],
                date=[row["date"] for row in rows],
                amount=[row["amount"] for row in rows],
                reason=[row["reason"] for row in rows],
                user=[row["user_id"] for row in rows],
            )
        )
        self.invalidate_model()
