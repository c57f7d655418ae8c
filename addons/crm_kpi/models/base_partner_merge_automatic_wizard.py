from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        result = super()._update_foreign_keys(src_partners, dst_partner)
        # the moves and journal items of the merged customers are now the
        # destination's
        self.env["crm.kpi.customer.month"]._refresh_partners(src_partners | dst_partner)
        return result
