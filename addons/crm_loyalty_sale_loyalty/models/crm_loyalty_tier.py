from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmLoyaltyTier(models.Model):
    _inherit = "crm.loyalty.tier"

    points_multiplier = fields.Float(
        string="Loyalty Points Multiplier",
        default=1.0,
        digits=(16, 2),
        help="The points a customer of this tier earns on a loyalty card "
        "program are multiplied by this factor (2: double points; 1: the "
        "program's points).",
    )
    program_ids = fields.One2many(
        "loyalty.program",
        "crm_loyalty_tier_id",
        string="Programs for this Tier and Above",
    )

    @api.constrains("points_multiplier")
    def _check_points_multiplier(self):
        for tier in self:
            if tier.points_multiplier <= 0:
                raise ValidationError(
                    self.env._(
                        "The points multiplier of the %(tier)s tier must be more "
                        "than 0 (got %(value)s): 2 doubles the points a customer "
                        "earns, 1 leaves them as the program gives them.",
                        tier=tier.name,
                        value=tier.points_multiplier,
                    )
                )

    def _reaches(self, minimum):
        """Whether this tier (none: no tier) is ``minimum`` or a higher tier
        of its company."""
        return any(
            tier.company_id == minimum.company_id
            and tier.min_amount >= minimum.min_amount
            for tier in self[:1]
        )

    def _available_programs(self):
        """The running programs reserved to this tier or a lower one of its
        company: those its customers have and customers below do not."""
        if not self:
            return self.env["loyalty.program"]
        self.ensure_one()
        today = fields.Date.context_today(self)
        return self.env["loyalty.program"].search(
            [
                ("crm_loyalty_tier_id.company_id", "=", self.company_id.id),
                ("crm_loyalty_tier_id.min_amount", "<=", self.min_amount),
                ("sale_ok", "=", True),
                "|",
                ("date_from", "=", False),
                ("date_from", "<=", today),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", today),
            ],
            order="name",
        )
