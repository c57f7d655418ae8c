from odoo import fields, models

DIMENSIONS = [
    ("recency", "Recency"),
    ("frequency", "Frequency"),
    ("monetary", "Monetary"),
]


class CrmCustomer360Quintile(models.Model):
    """Where the last full ranking of a company (the daily refresh) split
    its customers into fifths: per dimension, the sort keys of the
    customers at the positions around the start of each fifth (the latest
    last invoice, the fewest invoices, the lowest spend first). A customer
    whose invoice is posted is scored by comparing its keys with these,
    whatever the number of customers; the positions kept around each start
    let a few customers refreshed together leave the ranking and come back
    with their new figures."""

    _name = "crm.customer.360.quintile"
    _description = "Customer Value Fifths"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    dimension = fields.Selection(DIMENSIONS, required=True)
    position = fields.Integer(required=True)
    key = fields.Float(help="Sort key of the customer at that position.")
    customer_count = fields.Integer(string="Customers Ranked", required=True)
    ranked_on = fields.Date(required=True)

    _company_dimension_position_uniq = models.Constraint(
        "UNIQUE(company_id, dimension, position)",
        "A company has one key per dimension and position.",
    )
