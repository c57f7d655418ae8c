from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        Value = self.env["crm.customer.360.value"]
        customers = src_partners | dst_partner
        # the merged customers' rows as ranked, before the merge drops them
        before = Value._score_keys(None, customers)
        result = super()._update_foreign_keys(src_partners, dst_partner)
        self.env["crm.partner.relation"]._drop_redundant(dst_partner)
        # the moves of the merged customers are now the destination's
        Value._refresh(partners=customers, before=before)
        return result
