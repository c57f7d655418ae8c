from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

# Fields the engine keeps on the commercial partner and copies to its contacts.
ENGINE_FIELDS = [
    "loyalty_tier_id",
    "loyalty_earned_tier_id",
    "loyalty_amount",
    "loyalty_review_date",
    "loyalty_at_risk",
    "loyalty_previous_pricelist_id",
]
# set while base's merge wizard copies the values of merged customers
MERGE_CONTEXT_KEY = "crm_loyalty_partner_merge"
OVERRIDE_FIELDS = [
    "loyalty_override_tier_id",
    "loyalty_override_until",
    "loyalty_override_reason",
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        company_dependent=True,
        readonly=True,
        help="The customer's tier in the current company: earned from spend, or "
        "raised by an override.",
    )
    loyalty_earned_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Earned Tier",
        company_dependent=True,
        readonly=True,
        help="The tier the customer holds from spend alone, whatever the override.",
    )
    loyalty_amount = fields.Float(
        string="Qualifying Spend",
        company_dependent=True,
        readonly=True,
        digits="Account",
        help="Posted invoices minus credit notes, untaxed, in the company's "
        "currency, of the customer and its contacts over the loyalty window.",
    )
    loyalty_currency_id = fields.Many2one(
        "res.currency", compute="_compute_loyalty_currency_id"
    )
    loyalty_review_date = fields.Date(
        string="Tier Review Date",
        company_dependent=True,
        readonly=True,
        help="When the tier is next reviewed: after this date and the grace "
        "period, a customer who no longer spends enough drops one tier.",
    )
    loyalty_at_risk = fields.Boolean(
        string="Tier at Risk",
        company_dependent=True,
        readonly=True,
        help="The spend so far is below what the current tier needs.",
    )
    loyalty_next_tier_id = fields.Many2one(
        "crm.loyalty.tier", string="Next Tier", compute="_compute_loyalty_next"
    )
    loyalty_amount_to_next = fields.Float(
        string="Spend to Next Tier", compute="_compute_loyalty_next", digits="Account"
    )
    loyalty_amount_to_keep = fields.Float(
        string="Spend to Keep the Tier",
        compute="_compute_loyalty_next",
        digits="Account",
    )
    loyalty_progress = fields.Float(
        string="Progress to Next Tier", compute="_compute_loyalty_next"
    )
    loyalty_keep_message = fields.Char(
        string="To Keep the Tier", compute="_compute_loyalty_next"
    )
    loyalty_override_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Override Tier",
        company_dependent=True,
        help="A floor: the customer is at least in this tier until the override ends.",
    )
    loyalty_override_until = fields.Date(
        string="Override Until",
        company_dependent=True,
        help="Last day of the override; empty for no end.",
    )
    loyalty_override_reason = fields.Char(
        string="Override Reason", company_dependent=True
    )
    loyalty_previous_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist Before Tier",
        company_dependent=True,
        readonly=True,
        help="The customer's own pricelist, given back when they leave a tier "
        "that has a pricelist.",
    )
    loyalty_history_ids = fields.One2many(
        "crm.loyalty.tier.history",
        "partner_id",
        string="Tier History",
        domain=lambda self: [("company_id", "=", self.env.company.id)],
    )

    def _synced_commercial_fields(self):
        # overrides stay on the commercial partner: only Loyalty Managers may
        # write them, and anyone may add a contact to a customer
        return [*super()._synced_commercial_fields(), *ENGINE_FIELDS]

    @api.depends_context("company")
    def _compute_loyalty_currency_id(self):
        self.loyalty_currency_id = self.env.company.currency_id

    @api.depends("loyalty_tier_id", "loyalty_amount")
    @api.depends_context("company")
    def _compute_loyalty_next(self):
        tiers = self.env["crm.loyalty.tier"].search(
            [("company_id", "=", self.env.company.id)], order="min_amount"
        )
        for partner in self:
            current = partner.loyalty_tier_id
            above = tiers.filtered(
                lambda t, c=current: t.min_amount > (c.min_amount if c else -1)
            )
            following = above[:1]
            partner.loyalty_next_tier_id = following
            amount = partner.loyalty_amount
            partner.loyalty_amount_to_next = (
                max(following.min_amount - amount, 0.0) if following else 0.0
            )
            partner.loyalty_amount_to_keep = (
                max(current.min_amount - amount, 0.0) if current else 0.0
            )
            partner.loyalty_keep_message = (
                self.env._(
                    "Spend %(amount)s by %(date)s to keep the %(tier)s tier.",
                    amount=self.env.company.currency_id.format(
                        partner.loyalty_amount_to_keep
                    ),
                    date=partner.loyalty_review_date,
                    tier=current.name,
                )
                if partner.loyalty_at_risk and partner.loyalty_review_date
                else False
            )
            partner.loyalty_progress = (
                min(100.0, 100.0 * amount / following.min_amount)
                if following and following.min_amount
                else 100.0
            )

    @api.constrains(*OVERRIDE_FIELDS)
    def _check_loyalty_override(self):
        for partner in self:
            partner._check_override_values(
                partner.loyalty_override_tier_id,
                partner.loyalty_override_until,
                partner.loyalty_override_reason,
            )

    def _check_override_values(self, tier, until, reason):
        """Raise when an override names a tier the engine would ignore, lacks a
        reason or ends in the past."""
        if not tier:
            return
        self._check_override_tier(tier)
        if not (reason or "").strip():
            raise ValidationError(
                self.env._(
                    "Say why %(partner)s gets the %(tier)s tier: the override "
                    "reason is required.",
                    partner=self.display_name,
                    tier=tier.name,
                )
            )
        try:
            until = fields.Date.to_date(until)
        except (TypeError, ValueError):
            raise ValidationError(
                self.env._(
                    "The override end %(value)s is not a date: choose a day in "
                    "the calendar or leave it empty.",
                    value=until,
                )
            ) from None
        if until and until < fields.Date.context_today(self):
            raise ValidationError(
                self.env._(
                    "The override of %(partner)s would end on %(date)s, which is "
                    "in the past: choose a later date or leave it empty.",
                    partner=self.display_name,
                    date=until,
                )
            )

    def _check_override_tier(self, tier):
        if not tier.exists():
            raise ValidationError(
                self.env._("The override tier no longer exists: choose another tier.")
            )
        company = self.env.company
        if tier.company_id != company:
            raise ValidationError(
                self.env._(
                    "Tier %(tier)s belongs to %(other)s: choose a tier of "
                    "%(company)s for the override.",
                    tier=tier.name,
                    other=tier.company_id.name,
                    company=company.name,
                )
            )
        if not tier.active:
            raise ValidationError(
                self.env._(
                    "Tier %(tier)s is archived: choose an active tier for the "
                    "override.",
                    tier=tier.name,
                )
            )

    def _override_tier_of(self, vals):
        """The override tier of ``vals`` (one id or nothing) as a record."""
        value = vals["loyalty_override_tier_id"]
        if value and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError(
                self.env._(
                    "Choose one tier for the override (got %(value)r).", value=value
                )
            )
        return self.env["crm.loyalty.tier"].browse(value or [])

    def write(self, vals):
        if self.env.context.get(MERGE_CONTEXT_KEY):
            # merging customers: Odoo has merged the loyalty values of every
            # company in SQL already; these are copies, not a user's override,
            # and the engine recomputes the tier from all the invoices
            vals = {
                key: value
                for key, value in vals.items()
                if key not in ENGINE_FIELDS and key not in OVERRIDE_FIELDS
            }
        overriding = set(OVERRIDE_FIELDS) & set(vals)
        if overriding and not self.env.user.has_group(
            "crm_loyalty.group_crm_loyalty_manager"
        ):
            raise AccessError(
                self.env._("Only Loyalty Managers can override a customer's tier.")
            )
        if overriding:  # check before anything is written
            for partner in self:
                partner._check_override_values(
                    self._override_tier_of(vals)
                    if "loyalty_override_tier_id" in vals
                    else partner.loyalty_override_tier_id,
                    vals.get("loyalty_override_until", partner.loyalty_override_until),
                    vals.get(
                        "loyalty_override_reason", partner.loyalty_override_reason
                    ),
                )
        result = super().write(vals)
        if overriding:
            self.env["crm.loyalty.engine"].recompute_company(
                self.env.company, self.commercial_partner_id, mode="posting"
            )
        return result

    def action_loyalty_recompute(self):
        self.env["crm.loyalty.tier"]._check_manager()
        self.env["crm.loyalty.engine"].recompute_company(
            self.env.company, self.commercial_partner_id
        )
