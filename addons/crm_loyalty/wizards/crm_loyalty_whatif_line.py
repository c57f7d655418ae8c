from odoo import api, fields, models


class CrmLoyaltyWhatifLine(models.TransientModel):
    _name = "crm.loyalty.whatif.line"
    _description = "Loyalty Thresholds What-if Line"

    wizard_id = fields.Many2one("crm.loyalty.whatif", required=True, ondelete="cascade")
    tier_id = fields.Many2one("crm.loyalty.tier", required=True, readonly=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    current_min_amount = fields.Monetary(
        string="Current Threshold", related="tier_id.min_amount"
    )
    proposed_min_amount = fields.Monetary(string="Proposed Threshold")
    current_count = fields.Integer(string="Now", compute="_compute_counts")
    proposed_count = fields.Integer(string="Proposed", compute="_compute_counts")

    @api.depends("wizard_id.line_ids.proposed_min_amount")
    def _compute_counts(self):
        for wizard, lines in self.grouped("wizard_id").items():
            data = wizard._preview_data()
            for line in lines:
                line.current_count = data["now"].get(line.tier_id.id, 0)
                line.proposed_count = data["new"].get(line.tier_id.id, 0)
