from odoo import api, fields, models
from odoo.exceptions import ValidationError


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    crm_loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="For Loyalty Tier and Above",
        ondelete="restrict",
        index="btree_not_null",
        help="Only customers in this loyalty tier or a higher one (in the "
        "program's company) can use the program on their orders: its "
        "promotions, coupons and points.",
    )

    @api.constrains("crm_loyalty_tier_id", "company_id")
    def _check_crm_loyalty_tier(self):
        for program in self.filtered("crm_loyalty_tier_id"):
            tier = program.crm_loyalty_tier_id
            if program.company_id != tier.company_id:
                raise ValidationError(
                    self.env._(
                        "The program %(program)s is for the %(tier)s tier of "
                        "%(company)s: set the program's company to %(company)s "
                        "or choose a tier of the program's company.",
                        program=program.name,
                        tier=tier.name,
                        company=tier.company_id.name,
                    )
                )
