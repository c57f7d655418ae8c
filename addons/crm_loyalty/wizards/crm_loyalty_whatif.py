from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_MOVE_TYPES

from .. import locking

MOVERS_SHOWN = 200


class CrmLoyaltyWhatif(models.TransientModel):
    _name = "crm.loyalty.whatif"
    _description = "Loyalty Thresholds What-if"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        "crm.loyalty.whatif.line",
        "wizard_id",
        string="Tiers",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    mover_count = fields.Integer(string="Would Change Tier", compute="_compute_preview")
    upgrade_count = fields.Integer(string="Would Go Up", compute="_compute_preview")
    downgrade_count = fields.Integer(string="Would Go Down", compute="_compute_preview")
    mover_ids = fields.Many2many(
        "res.partner",
        string="Customers Who Would Move",
        compute="_compute_preview",
        help="The first customers whose tier would change, by spend.",
    )

    @api.depends("company_id")
    def _compute_line_ids(self):
        """The tiers of the wizard's company, at their current thresholds."""
        for wizard in self:
            tiers = self.env["crm.loyalty.tier"].search(
                [("company_id", "=", wizard.company_id.id)], order="min_amount"
            )
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {"tier_id": tier.id, "proposed_min_amount": tier.min_amount}
                )
                for tier in tiers
            ]

    @api.constrains("company_id", "line_ids")
    def _check_companies(self):
        for wizard in self:
            if wizard.company_id not in self.env.user.company_ids:
                raise ValidationError(
                    self.env._(
                        "You are not allowed in %(company)s: choose one of your "
                        "companies.",
                        company=wizard.company_id.name,
                    )
                )
            foreign = wizard.line_ids.tier_id.filtered(
                lambda tier, w=wizard: tier.company_id != w.company_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s is not a tier of %(company)s: choose tiers of "
                        "the company whose thresholds you review.",
                        tier=foreign[0].name,
                        company=wizard.company_id.name,
                    )
                )

    def _customers(self):
        """[(partner id, spend, current tier id)] of the company's customers:
        those with a loyalty state, and those with a posted invoice but none
        (no spend in the window, no tier)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, amount, tier_id
                  FROM crm_loyalty_state
                 WHERE company_id = %(company)s
                 UNION ALL
                SELECT DISTINCT m.commercial_partner_id, 0.0, NULL::int
                  FROM account_move m
                 WHERE m.company_id = %(company)s AND m.state = 'posted'
                   AND m.move_type IN %(types)s
                   AND NOT EXISTS (
                       SELECT 1 FROM crm_loyalty_state s
                        WHERE s.partner_id = m.commercial_partner_id
                          AND s.company_id = %(company)s)
              ORDER BY 2 DESC
                """,
                company=self.company_id.id,
                types=CUSTOMER_MOVE_TYPES,
            )
        )
        return self.env.cr.fetchall()

    @staticmethod
    def _tier_for(amount, thresholds):
        found = False
        for tier_id, threshold in thresholds:
            if threshold <= amount + 1e-6:
                found = tier_id
        return found

    def _preview_data(self):
        """Counts per tier now and with the proposed thresholds, and movers."""
        self.ensure_one()
        lines = self.line_ids.sorted(lambda line: line.tier_id.min_amount)
        rank = {line.tier_id.id: i for i, line in enumerate(lines)}
        proposed = sorted(
            ((line.tier_id.id, line.proposed_min_amount) for line in lines),
            key=lambda pair: pair[1],
        )
        data = {"now": {}, "new": {}, "movers": [], "ups": 0}
        for partner_id, amount, tier_id in self._customers():
            tier_id = tier_id or False
            new_tier = self._tier_for(amount, proposed)
            data["now"][tier_id] = data["now"].get(tier_id, 0) + 1
            data["new"][new_tier] = data["new"].get(new_tier, 0) + 1
            if new_tier != tier_id:
                data["movers"].append(partner_id)
                data["ups"] += rank.get(new_tier, -1) > rank.get(tier_id, -1)
        return data

    @api.depends("line_ids.proposed_min_amount")
    def _compute_preview(self):
        for wizard in self:
            data = wizard._preview_data()
            wizard.mover_count = len(data["movers"])
            wizard.upgrade_count = data["ups"]
            wizard.downgrade_count = len(data["movers"]) - data["ups"]
            wizard.mover_ids = [fields.Command.set(data["movers"][:MOVERS_SHOWN])]

    def _check_proposal(self):
        lines = self.line_ids.sorted(lambda line: line.tier_id.min_amount)
        amounts = lines.mapped("proposed_min_amount")
        if any(amount < 0 for amount in amounts):
            raise UserError(
                self.env._("A proposed threshold is negative: enter 0 or more.")
            )
        if any(a >= b for a, b in pairwise(amounts)):
            raise UserError(
                self.env._(
                    "The proposed thresholds must keep the tiers in their order, "
                    "each above the one before (%(tiers)s).",
                    tiers=" < ".join(lines.tier_id.mapped("name")),
                )
            )
        return lines

    def action_apply(self):
        """Apply the proposed thresholds and move customers now (reason "review")."""
        self.ensure_one()
        lines = self._check_proposal()
        down = lines.filtered(lambda l: l.proposed_min_amount < l.tier_id.min_amount)
        up = lines.filtered(lambda l: l.proposed_min_amount > l.tier_id.min_amount)
        # lowered tiers first, then raised ones from the top: no two tiers of the
        # company ever share a threshold on the way
        for line in down + up.sorted(lambda l: l.tier_id.min_amount, reverse=True):
            line.tier_id.min_amount = line.proposed_min_amount
        moved = self.env["crm.loyalty.engine"].recompute_company(
            self.company_id, writer=locking.THRESHOLD_REVIEW
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "New thresholds applied: %(count)s customers changed tier.",
                    count=moved,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
