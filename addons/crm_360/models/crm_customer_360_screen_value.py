from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_MOVE_TYPES
from odoo.addons.crm_suite_base.periods import add_months

VALUE_ROW = (
    "monetary",
    "last6",
    "prev6",
    "customers",
    "more_recent",
    "fewer_invoices",
    "lower_value",
    "higher_value",
)


class CrmCustomer360ScreenValue(models.AbstractModel):
    """Value and risk: RFM scores (1-5 by quintile among the company's
    customers) and segment, historic lifetime value and its rank, and the
    risk flag with its reasons. The other customers are read from their
    stored figures (``crm.customer.360.value``)."""

    _name = "crm.customer.360.screen.value"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Value"

    @api.model
    def _section_data(self, partner, summary):
        row = self._row(partner)
        reasons = self._risk_reasons(summary, row)
        value = {
            "rfm": None,
            "segment": "",
            "lifetime_value": 0.0,
            "rank": None,
            "customers": 0,
            "risk": len(reasons) >= 2,
            "risk_reasons": reasons,
        }
        if row:
            value.update(self._scores(row))
        return value

    @api.model
    def _risk_reasons(self, summary, row):
        reasons = []
        if summary.get("overdue_amount"):
            reasons.append(self.env._("Overdue invoices"))
        if summary.get("open_claim_count"):
            reasons.append(self.env._("Open complaints"))
        if row and (row["prev6"] or 0) > 0 and (row["last6"] or 0) < row["prev6"]:
            reasons.append(self.env._("Spending less than in the 6 months before"))
        return reasons

    @api.model
    def _scores(self, row):
        customers = row["customers"]
        # recency: the most recent buyers (fewest days) score 5
        r = 6 - _quintile(row["more_recent"] + 1, customers)
        f = _quintile(row["fewer_invoices"] + 1, customers)
        m = _quintile(row["lower_value"] + 1, customers)
        return {
            "rfm": f"{r}{f}{m}",
            "segment": self._segment(r, f, m),
            "lifetime_value": float(row["monetary"] or 0.0),
            "rank": row["higher_value"] + 1,
            "customers": customers,
        }

    @api.model
    def _row(self, partner):
        """This customer's spend and, among the customers of the current
        company, how many buy more recently, more often, and more or less
        than it: its own figures from its invoices (``_own_figures``), the
        other customers' from their stored rows, one narrow row each, so
        that the screen never aggregates every invoice of the company.

        Customers with equal values share one position, the first of them
        (as ``RANK()`` does), so that their scores are equal.

        :return: dict (keys ``VALUE_ROW``), or None when the customer has no
            posted invoice in the company
        """
        self.env.cr.execute(
            SQL(
                """
                WITH me AS (%(me)s)
                SELECT me.monetary, me.last6, me.prev6, others.*
                  FROM me CROSS JOIN LATERAL (
                    SELECT COUNT(*) + 1,
                           COUNT(*) FILTER (WHERE v.last_invoice_date > me.last),
                           COUNT(*) FILTER (WHERE v.invoice_count < me.frequency),
                           COUNT(*) FILTER (WHERE v.amount < me.monetary),
                           COUNT(*) FILTER (WHERE v.amount > me.monetary)
                      FROM crm_customer_360_value v
                     WHERE v.company_id = %(company)s AND v.partner_id != %(partner)s
                  ) AS others
                """,
                me=self._own_figures(partner),
                company=self.env.company.id,
                partner=partner.id,
            )
        )
        row = self.env.cr.fetchone()
        return dict(zip(VALUE_ROW, row, strict=True)) if row else None

    @api.model
    def _own_figures(self, partner):
        """The customer's last invoice date, number of invoices, net spend,
        and spend in the last 6 months and the 6 before, in the current
        company (no row without posted invoice)."""
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT MAX(invoice_date) AS last,
                   COUNT(*) FILTER (WHERE move_type = %(invoice)s) AS frequency,
                   -- as the stored figures (double precision): a
                   -- numeric would convert each of theirs to compare
                   SUM(amount_untaxed_signed)::float8 AS monetary,
                   SUM(amount_untaxed_signed) FILTER (
                       WHERE invoice_date > %(half)s) AS last6,
                   SUM(amount_untaxed_signed) FILTER (
                       WHERE invoice_date <= %(half)s
                         AND invoice_date > %(year)s) AS prev6
              FROM account_move
             WHERE company_id = %(company)s AND state = 'posted'
               AND move_type IN %(types)s
               AND commercial_partner_id = %(partner)s
            HAVING COUNT(*) > 0
            """,
            invoice=CUSTOMER_INVOICE,
            half=add_months(today, -6),
            year=add_months(today, -12),
            company=self.env.company.id,
            types=CUSTOMER_MOVE_TYPES,
            partner=partner.id,
        )

    @api.model
    def _segment(self, r, f, m):
        if r >= 4 and f >= 4:
            return self.env._("Champion")
        if f >= 4:
            return self.env._("Loyal")
        if r >= 4:
            return self.env._("Recent")
        if r <= 2 and (f >= 3 or m >= 3):
            return self.env._("At risk")
        if r <= 2:
            return self.env._("Hibernating")
        return self.env._("Needs attention")


def _quintile(position, count):
    """``NTILE(5)`` of the row at ``position`` (1-based) among ``count``
    rows: the first ``count % 5`` groups hold one row more."""
    size, larger = divmod(count, 5)
    if position <= larger * (size + 1):
        return (position - 1) // (size + 1) + 1
    return larger + (position - 1 - larger * (size + 1)) // size + 1
