from odoo import fields, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    # the last payments of a customer, on its 360 screen
    partner_id = fields.Many2one(index=True)
