from odoo import api, fields, models
from odoo.tools import float_round

# the programs whose points a tier multiplies: loyalty cards
MULTIPLIED_PROGRAM_TYPES = ("loyalty",)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    crm_loyalty_card_points = fields.Float(
        string="Loyalty Card Points",
        compute="_compute_crm_loyalty_card_points",
        digits=(16, 2),
        help="Points this order gives the customer's loyalty cards, the "
        "loyalty tier's multiplier included (updated by the Reward button "
        "and at confirmation).",
    )
    crm_loyalty_points_multiplier = fields.Float(
        string="Tier Points Multiplier",
        compute="_compute_crm_loyalty_points_multiplier",
        digits=(16, 2),
        help="The customer's loyalty tier multiplies the points of loyalty "
        "cards by this factor.",
    )

    @api.depends("coupon_point_ids.points", "coupon_point_ids.coupon_id")
    def _compute_crm_loyalty_card_points(self):
        for order in self:
            order.crm_loyalty_card_points = sum(
                entry.points
                for entry in order.coupon_point_ids
                if entry.coupon_id.program_id.program_type in MULTIPLIED_PROGRAM_TYPES
            )

    @api.depends("partner_id", "company_id")
    def _compute_crm_loyalty_points_multiplier(self):
        for order in self:
            order.crm_loyalty_points_multiplier = (
                order._crm_loyalty_tier().points_multiplier or 1.0
            )

    def action_view_crm_loyalty_cards(self):
        """The loyalty cards this order gives points to."""
        self.ensure_one()
        cards = self.coupon_point_ids.coupon_id.filtered(
            lambda card: card.program_id.program_type in MULTIPLIED_PROGRAM_TYPES
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Loyalty Cards"),
            "res_model": "loyalty.card",
            "view_mode": "list,form",
            "domain": [("id", "in", cards.ids)],
            "context": {"create": False},
        }

    def _crm_loyalty_tier(self):
        """The customer's loyalty tier in the order's company. Read as the
        system: whoever prices the order (a salesperson, the shop), the
        programs the customer is entitled to are the same."""
        self.ensure_one()
        return (
            self.partner_id.commercial_partner_id.with_company(self.company_id)
            .sudo()
            .loyalty_tier_id
        )

    def _program_check_compute_points(self, programs):
        """Odoo's check of each program on the order and of its points, then
        the tier's: a program for a tier and above is refused to customers
        below it, and the points of loyalty cards are multiplied by the
        customer's tier."""
        result = super()._program_check_compute_points(programs)
        tier = self._crm_loyalty_tier()
        multiplier = tier.points_multiplier or 1.0
        for program, status in result.items():
            minimum = program.sudo().crm_loyalty_tier_id
            if minimum and not tier._reaches(minimum):
                status.pop("points", None)
                status["error"] = self.env._(
                    "%(program)s is for customers of the %(tier)s loyalty tier "
                    "and above.",
                    program=program.name,
                    tier=minimum.name,
                )
            elif (
                "points" in status
                and multiplier != 1.0
                and program.program_type in MULTIPLIED_PROGRAM_TYPES
            ):
                status["points"] = [
                    float_round(
                        points * multiplier, precision_digits=2, rounding_method="DOWN"
                    )
                    for points in status["points"]
                ]
        return result
