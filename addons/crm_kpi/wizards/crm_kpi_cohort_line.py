from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import (
    CUSTOMER_INVOICE,
    posted_customer_moves_domain,
)
from odoo.addons.crm_suite_base.periods import add_months

from .. import readers

COHORT_HORIZON = 12


class CrmKpiCohortLine(models.TransientModel):
    """A row of the cohort retention table of a comparison: a cohort
    (customers by the month of their first invoice) or the average of the
    cohorts of one side of the go-live, and the share that bought again
    1 to 12 months later (empty while that month has not closed)."""

    _name = "crm.kpi.cohort.line"
    _description = "KPI Cohort Retention Line"
    _order = "sequence, id"

    comparison_id = fields.Many2one(
        "crm.kpi.comparison", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    name = fields.Char(string="Cohort")
    cohort = fields.Date(
        string="Cohort Month",
        help="The month of the first invoice; empty for an average.",
    )
    side = fields.Selection(
        [("before", "Before go-live"), ("after", "After go-live")], required=True
    )
    size = fields.Integer(string="Customers")
    share_1 = fields.Char(string="+1")
    share_2 = fields.Char(string="+2")
    share_3 = fields.Char(string="+3")
    share_4 = fields.Char(string="+4")
    share_5 = fields.Char(string="+5")
    share_6 = fields.Char(string="+6")
    share_7 = fields.Char(string="+7")
    share_8 = fields.Char(string="+8")
    share_9 = fields.Char(string="+9")
    share_10 = fields.Char(string="+10")
    share_11 = fields.Char(string="+11")
    share_12 = fields.Char(string="+12")

    def action_open_customers(self):
        """The customers of the cohort (of every cohort of its side, for an
        average), in the comparison's segment: those whose first invoice of
        the segment (as the cohort table counts it) is in its month."""
        self.ensure_one()
        comparison = self.comparison_id
        company = comparison.company_id
        query = self.env["account.move"]._search(
            [
                ("company_id", "=", company.id),
                *posted_customer_moves_domain((CUSTOMER_INVOICE,)),
            ]
        )
        query.add_where(
            readers.cohort_segment(
                self.env,
                company,
                comparison.segment_type or "all",
                comparison.segment_value or "all",
            )
        )
        query.groupby = SQL.identifier(query.table, "commercial_partner_id")
        query.having = self._first_invoice_having(
            SQL("MIN(%s)", SQL.identifier(query.table, "invoice_date")),
            company._crm_kpi_go_live_month(),
        )
        ids = [
            partner_id
            for (partner_id,) in self.env.execute_query(query.select(query.groupby))
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self._customers_title(),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", ids)],
        }

    def _first_invoice_having(self, first_invoice, go_live):
        """The months of the first invoice of the line's customers: the
        cohort's, or before or from the go-live month for an average."""
        if self.cohort:
            first, end = self.cohort, add_months(self.cohort, 1)
        elif self.side == "before":
            first, end = None, go_live
        else:
            first, end = go_live, None
        conditions = [SQL("TRUE")]
        if end:
            conditions.append(SQL("%s < %s", first_invoice, end))
        if first:
            conditions.append(SQL("%s >= %s", first_invoice, first))
        return SQL(" AND ").join(conditions)

    def _customers_title(self):
        if self.cohort:
            return self.env._("Customers of the %(cohort)s cohort", cohort=self.name)
        if self.side == "before":
            return self.env._("Customers first invoiced before go-live")
        return self.env._("Customers first invoiced after go-live")

    @staticmethod
    def _shares(shares):
        return {
            f"share_{k}": "" if share is None else f"{share:.0f}%"
            for k, share in enumerate(shares[:COHORT_HORIZON], start=1)
        }
