from odoo import api, models
from odoo.tools.misc import format_date

from .crm_customer_360_value import CHURN_REASONS


class CrmCustomer360ScreenValue(models.AbstractModel):
    """Value and churn risk: RFM scores (1-5 by quintile among the company's
    customers as of its last full ranking) and segment, historic lifetime
    value and its rank, and the churn risk with its reasons, as stored for
    the customer in the current company (``crm.customer.360.value``): one
    row read, and the date of the ranking, whatever the number of
    customers."""

    _name = "crm.customer.360.screen.value"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Value"

    @api.model
    def _section_data(self, partner, summary=None):
        Value = self.env["crm.customer.360.value"]
        rows = self._records(("value_row", partner.id), *self._value_row_args(partner))
        if not rows:
            return {
                "rfm": None,
                "segment": "",
                "segment_key": False,
                "lifetime_value": 0.0,
                "rank": None,
                "customers": 0,
                "ranked_on": False,
                "risk": False,
                "risk_reasons": [],
            }
        row = rows[0]
        segments = dict(Value._fields["rfm_segment"]._description_selection(self.env))
        return {
            "rfm": row["rfm_score"] or None,
            "segment": segments.get(row["rfm_segment"], ""),
            "segment_key": row["rfm_segment"],
            "lifetime_value": row["amount"],
            "rank": row["value_rank"] or None,
            "customers": row["customer_count"],
            "ranked_on": self._ranked_on(),
            "risk": row["churn_risk"],
            "risk_reasons": self._risk_reasons(row),
        }

    @api.model
    def _value_row_args(self, partner):
        """The arguments of :meth:`_records` for the customer's row."""
        return (
            "crm.customer.360.value",
            [("company_id", "=", self.env.company.id), ("partner_id", "=", partner.id)],
            [
                "rfm_score",
                "rfm_segment",
                "amount",
                "value_rank",
                "customer_count",
                "churn_risk",
                *CHURN_REASONS,
            ],
        )

    @api.model
    def _ranked_on(self):
        """The date of the company's last full ranking (the daily refresh),
        formatted: the customers the scores and rank compare with are those
        of that day, even for a customer scored since at a posting."""
        rows = self._records(
            ("ranked_on", self.env.company.id), *self._ranked_on_args()
        )
        return format_date(self.env, rows[0]["ranked_on"]) if rows else False

    @api.model
    def _ranked_on_args(self):
        """The arguments of :meth:`_records` for :meth:`_ranked_on`."""
        return (
            "crm.customer.360.quintile",
            [("company_id", "=", self.env.company.id)],
            ["ranked_on"],
            {"limit": 1},
        )

    @api.model
    def _risk_reasons(self, row):
        labels = {
            "is_overdue": self.env._("Overdue invoices"),
            "has_open_claims": self.env._("Open complaints"),
            "is_falling": self.env._("Spending less than in the 6 months before"),
        }
        return [labels[flag] for flag in CHURN_REASONS if row[flag]]
