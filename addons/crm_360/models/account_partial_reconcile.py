from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._crm_360_refresh_value()
        return partials

    def unlink(self):
        lines = self.debit_move_id | self.credit_move_id
        result = super().unlink()
        lines._crm_360_refresh_value()
        return result

    def _crm_360_refresh_value(self):
        (self.debit_move_id | self.credit_move_id)._crm_360_refresh_value()
