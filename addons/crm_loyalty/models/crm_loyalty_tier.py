import math

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

MANAGER_GROUP = "crm_loyalty.group_crm_loyalty_manager"


class CrmLoyaltyTier(models.Model):
    _name = "crm.loyalty.tier"
    _description = "Loyalty Tier"
    _order = "company_id, min_amount, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_amount = fields.Monetary(
        string="Qualifying Spend",
        required=True,
        help="Spend (posted invoices minus credit notes, untaxed, in the "
        "company's currency) over the loyalty window from which a customer "
        "reaches this tier.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Benefit of the tier: the customer's pricelist in this company "
        "while they are in the tier.",
    )
    color = fields.Integer()
    active = fields.Boolean(default=True)
    partner_count = fields.Integer(string="Customers", compute="_compute_partner_count")

    _company_min_amount_uniq = models.Constraint(
        "UNIQUE(company_id, min_amount)",
        "Two tiers of a company cannot start at the same qualifying spend: "
        "give each tier its own amount.",
    )

    @api.depends_context("company")
    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]
            .with_company(self.env.company)
            ._read_group(
                [("loyalty_tier_id", "in", self.ids), ("parent_id", "=", False)],
                ["loyalty_tier_id"],
                ["__count"],
            )
        )
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    @api.constrains("name")
    def _check_name(self):
        for tier in self:
            if not (tier.name or "").strip():
                raise ValidationError(
                    self.env._("Give the tier a name: it is what customers see.")
                )

    @api.constrains("min_amount", "company_id", "active")
    def _check_min_amount(self):
        for tier in self:
            error = tier._min_amount_error()
            if error:
                raise ValidationError(error)

    def _min_amount_error(self):
        """Why the tier's qualifying spend is refused (None when it is not):
        negative, or the threshold of another tier of the company."""
        if self.min_amount < 0:
            return self.env._(
                "The qualifying spend of tier %(tier)s cannot be negative: "
                "enter 0 for the entry tier, or a positive amount.",
                tier=self.name,
            )
        # read without flushing: the pending value must not reach the
        # database's unique index before this clearer message
        twin = self._query_tiers(
            SQL(
                "SELECT id FROM crm_loyalty_tier WHERE company_id = %s "
                "AND min_amount = %s AND id != %s LIMIT 1",
                self.company_id.id,
                self.min_amount,
                self.id or 0,
            )
        )
        if not twin:
            return None
        return self.env._(
            "Tiers %(tier)s and %(twin)s both start at %(amount)s in "
            "%(company)s: give each tier its own qualifying spend.",
            tier=self.name,
            twin=twin.name,
            amount=self.min_amount,
            company=self.company_id.name,
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A tier held by customers or named in the history is part of the
        audit trail: it is archived, not deleted."""
        self.env.flush_all()
        used = self._query_tiers(
            SQL(
                """
                SELECT t.id FROM crm_loyalty_tier t
                 WHERE t.id = ANY(%(ids)s) AND (
                       EXISTS (SELECT 1 FROM crm_loyalty_tier_history h
                                WHERE t.id IN (h.old_tier_id, h.new_tier_id))
                    OR EXISTS (SELECT 1 FROM crm_loyalty_state s
                                WHERE s.company_id = t.company_id
                                  AND t.id IN (s.tier_id, s.earned_tier_id))
                    OR EXISTS (SELECT 1 FROM res_partner p
                                WHERE p.loyalty_override_tier_id->>t.company_id::text
                                      = t.id::text))
                 LIMIT 1
                """,
                ids=self.ids,
            )
        )
        if used:
            raise UserError(
                self.env._(
                    "Tier %(tier)s is held by customers or recorded in their tier "
                    "history: archive it instead of deleting it.",
                    tier=used.name,
                )
            )

    def _query_tiers(self, query):
        """The tiers whose ids ``query`` (SQL) selects."""
        self.env.cr.execute(query)
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _check_finite(self, vals):
        """Refuse NaN and infinity before the ORM tries to round them."""
        amount = vals.get("min_amount")
        if isinstance(amount, float) and not math.isfinite(amount):
            raise ValidationError(
                self.env._(
                    "The qualifying spend of tier %(tier)s is not a number: "
                    "enter an amount such as 1000.",
                    tier=vals.get("name") or ", ".join(self.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_finite(vals)
        tiers = super().create(vals_list)
        tiers._enable_pricelists()
        return tiers

    def write(self, vals):
        self._check_finite(vals)
        result = super().write(vals)
        if vals.get("pricelist_id"):
            self._enable_pricelists()
        return result

    def _enable_pricelists(self):
        """A tier's pricelist is only applied when the Pricelists feature is on:
        turn it on, as the Sales settings would, when a tier gets one."""
        feature = self.env.ref("product.group_product_pricelist")
        if not self.pricelist_id or self.env["res.groups"]._is_feature_enabled(
            "product.group_product_pricelist"
        ):
            return
        self.env.ref("base.group_user").sudo().write(
            {"implied_ids": [Command.link(feature.id)]}
        )

    def action_recompute_all(self):
        """Recompute the tier of every customer of the current company."""
        self._check_manager()
        self.env["crm.loyalty.engine"].recompute_company(self.env.company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Loyalty tiers recomputed."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_manager(self):
        """The recompute writes tiers in SQL, past the ACLs: like the button,
        it is for Loyalty Managers (and the scheduled action's user)."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only Loyalty Managers can recompute customers' tiers.")
            )

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.res_partner_action_customer"
        )
        action["domain"] = [("loyalty_tier_id", "=", self.id)]
        action["context"] = {}
        return action
