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
