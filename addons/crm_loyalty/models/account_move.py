from odoo import fields, models

from .crm_loyalty_engine import CUSTOMER_MOVE_TYPES
from .res_partner import LOCKED_CUSTOMERS_KEY


class AccountMove(models.Model):
    _inherit = "account.move"

    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Customer Tier",
        compute="_compute_loyalty_tier_id",
        help="The customer's loyalty tier in the invoice's company, today.",
    )

    def _compute_loyalty_tier_id(self):
        for move in self:
            partner = move.commercial_partner_id.with_company(move.company_id)
            move.loyalty_tier_id = partner.loyalty_tier_id

    def _post(self, soft=True):
        customers = self._loyalty_customers()
        engine = self.env["crm.loyalty.engine"]
        if customers:
            # Lock the customers' records (and their contacts') before
            # posting writes them: the customer rank of a first invoice at
            # once, the others' after the commit, in a transaction of its own
            # that fails (an error in the log, the count lost) when the
            # recompute is repricing the customer. With the records locked,
            # a recompute is met on the lock (a serialization failure Odoo
            # retries), and the ranks are counted here (res.partner
            # _increase_rank).
            ids = sorted(self.env["res.partner"].union(*customers.values()).ids)
            engine._lock_records(ids, ids)
            posting = self.with_context(**{LOCKED_CUSTOMERS_KEY: tuple(ids)})
            posted = super(AccountMove, posting)._post(soft=soft)
            posted = posted.with_env(self.env)
        else:
            posted = super()._post(soft=soft)
        for company, moves in posted._loyalty_customer_moves().items():
            if company in customers:
                engine.recompute_company(
                    company, moves.commercial_partner_id, mode="posting"
                )
        return posted

    def _loyalty_customer_moves(self):
        """{company: its customer invoices and credit notes among ``self``}"""
        return self.filtered(
            lambda move: move.move_type in CUSTOMER_MOVE_TYPES
        ).grouped("company_id")

    def _loyalty_customers(self):
        """{company with tiers: the customers of its invoices and credit
        notes among ``self``}"""
        by_company = self._loyalty_customer_moves()
        if not by_company:
            return {}
        tiered = {
            company
            for [company] in self.env["crm.loyalty.tier"]._read_group(
                [("company_id", "in", [company.id for company in by_company])],
                ["company_id"],
            )
        }
        return {
            company: moves.commercial_partner_id
            for company, moves in by_company.items()
            if company in tiered
        }
