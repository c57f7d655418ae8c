from odoo import models

from .. import locking
from .res_partner import MERGE_CONTEXT_KEY


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        """Odoo has moved the loyalty states of the merged customers to the
        one kept (where it had none: a customer has one state per company);
        the override values it then writes for the current company are not a
        user's override. The merged customer's tier is recomputed from the
        invoices of all the merged customers, in every company."""
        merging = {MERGE_CONTEXT_KEY: True}
        result = super(
            BasePartnerMergeAutomaticWizard, self.with_context(**merging)
        )._update_values(src_partners, dst_partner.with_context(**merging))
        engine = self.env["crm.loyalty.engine"].sudo()
        customer = dst_partner.commercial_partner_id
        # every company: the invoices of all companies were moved to the customer
        for company in self.env["crm.loyalty.tier"].sudo().search([]).company_id:
            engine.recompute_company(company, customer, writer=locking.CUSTOMER_EDIT)
        return result
