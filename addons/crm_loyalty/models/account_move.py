from odoo import fields, models

from odoo.addons.crm_suite_base.customer import CUSTOMER_MOVE_TYPES

from .. import locking


class AccountMove(models.Model):
    _inherit = "account.move"

    loyalty_tier_id = fields.Many2one(
        "crm.loyalty.tier",
        string="Customer Tier",
        compute="_compute_loyalty_tier_id",
        help="The customer's loyalty tier in the invoice's company, today.",
    )

    # the customer invoices and credit notes written since the last nightly
    # recompute, whatever their state (crm.loyalty.engine._changed_customer_ids)
    _crm_loyalty_written_idx = models.Index(
        "(company_id, write_date) INCLUDE (commercial_partner_id)"
        " WHERE move_type IN ('out_invoice', 'out_refund')"
    )

    def _compute_loyalty_tier_id(self):
        for move in self:
            partner = move.commercial_partner_id.with_company(move.company_id)
            move.loyalty_tier_id = partner.loyalty_tier_id

    def _post(self, soft=True):
        """Post, then upgrade the customers of the invoices and credit notes
        of companies with tiers; their records are locked first and their
        customer rank counted here (the POSTING writer of locking.py)."""
        customers = self._loyalty_customers()
        if customers:
            locked = locking.lock_posting(self.env, customers.values())
            posting = super(AccountMove, self.with_context(**locked))
            posted = posting._post(soft=soft).with_env(self.env)
        else:
            posted = super()._post(soft=soft)
        engine = self.env["crm.loyalty.engine"]
        for company, moves in posted._loyalty_customer_moves().items():
            if company in customers:
                engine.recompute_company(
                    company, moves.commercial_partner_id, writer=locking.POSTING
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
