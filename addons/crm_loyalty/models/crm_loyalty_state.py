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
    # customers past their review date, for the nightly recompute (the
    # review date changes with the tier, not with the daily spend)
    _company_review_idx = models.Index("(company_id, review_date)")

    def init(self):
        # room in each page for the new version of a row: the daily update of
        # the spend (no indexed column) then stays in its page (a HOT update)
        self.env.cr.execute(
            SQL("ALTER TABLE %s SET (fillfactor = 70)", SQL.identifier(self._table))
        )

    def _write_rows(self, company, ids, states):
        """Insert or update the rows of the customers ``ids`` in ``company``
        from ``states`` (rules.State, one per customer), by one statement;
        the caller has locked them (locking.py)."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_loyalty_state
                       (partner_id, company_id, tier_id, earned_tier_id, amount,
                        review_date, at_risk, previous_pricelist_id)
                SELECT v.partner_id, %(company)s, v.tier_id, v.earned_tier_id,
                       v.amount, v.review_date, v.at_risk, v.previous_pricelist_id
                  FROM unnest(%(ids)s::int[], %(tier)s::int[], %(earned)s::int[],
                              %(amount)s::float[], %(review)s::date[],
                              %(at_risk)s::boolean[], %(previous)s::int[])
                       AS v(partner_id, tier_id, earned_tier_id, amount,
                            review_date, at_risk, previous_pricelist_id)
                    ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET tier_id = EXCLUDED.tier_id,
                       earned_tier_id = EXCLUDED.earned_tier_id,
                       amount = EXCLUDED.amount,
                       review_date = EXCLUDED.review_date,
                       at_risk = EXCLUDED.at_risk,
                       previous_pricelist_id = EXCLUDED.previous_pricelist_id
                """,
                company=company.id,
                ids=ids,
                tier=[s.tier for s in states],
                earned=[s.earned for s in states],
                amount=[s.amount for s in states],
                review=[s.review for s in states],
                at_risk=[s.at_risk for s in states],
                previous=[s.previous_pl for s in states],
            ),
            # a state another writer has just created: a serialization
            # failure, retried (locking.py)
            log_exceptions=False,
        )
