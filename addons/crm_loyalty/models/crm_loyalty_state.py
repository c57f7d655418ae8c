from odoo import fields, models
from odoo.tools import SQL


class CrmLoyaltyState(models.Model):
    """What the engine keeps of a customer in a company: one narrow row per
    commercial partner and company, written by the engine only (in SQL).

    The customer's contacts read their company's row (the loyalty fields of
    res.partner are computed from it). A recompute rewrites the spend of most
    customers every day: here that is a HOT update of a small row, where on
    res_partner it rewrote wide rows and all their indexes.
    """

    _name = "crm.loyalty.state"
    _description = "Customer Loyalty State"
    _log_access = False
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    tier_id = fields.Many2one("crm.loyalty.tier", readonly=True)
    earned_tier_id = fields.Many2one("crm.loyalty.tier", readonly=True)
    amount = fields.Float(string="Qualifying Spend", readonly=True)
    review_date = fields.Date(string="Tier Review Date", readonly=True)
    at_risk = fields.Boolean(string="Tier at Risk", readonly=True)
    previous_pricelist_id = fields.Many2one(
        "product.pricelist", string="Pricelist Before Tier", readonly=True
    )

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one loyalty state per company.",
    )
    # customers of a tier: filters, "Group by Tier", the tiers' customer count
    _company_tier_idx = models.Index("(company_id, tier_id)")

    def init(self):
        # room in each page for the new version of a row: the daily update of
        # the spend (no indexed column) then stays in its page (a HOT update)
        self.env.cr.execute(
            SQL("ALTER TABLE %s SET (fillfactor = 70)", SQL.identifier(self._table))
        )
