from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_MOVE_TYPES


class CrmCustomer360Value(models.Model):
    """What the value section of the 360 screen ranks a customer against:
    per company and customer, the last invoice date, the number of invoices
    and the net spend of the posted customer invoices and credit notes.

    Kept up to date when moves are posted, reset to draft or cancelled, when
    customers are merged, on install and upgrade, and once a day by a cron
    (for changes made outside the ORM), so that the screen reads one narrow
    row per customer of the company instead of aggregating every invoice.
    """

    _name = "crm.customer.360.value"
    _description = "Customer Value Figures"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    last_invoice_date = fields.Date()
    invoice_count = fields.Integer(required=True)
    amount = fields.Float(string="Net Spend", required=True)

    # a constraint, not a unique index: merging customers then drops the
    # merged customer's row where the kept one has a row already (base's
    # merge wizard looks for constraints), and the merge refreshes it
    _company_partner_uniq = models.Constraint(
        "UNIQUE(company_id, partner_id)",
        "A customer has one row of value figures per company.",
    )

    def init(self):
        self._refresh()

    @api.model
    def _cron_refresh(self):
        self._refresh()

    @api.model
    def _refresh(self, companies=None, partners=None):
        """Recompute the rows of ``partners`` (commercial partners) in
        ``companies`` (every one when not given) from the posted moves, in one
        statement; rows whose figures did not change are not written."""
        self.env["account.move"].flush_model()
        where_m, where_v = self._scope(companies, partners)
        self.env.cr.execute(
            SQL(
                """
                WITH fresh AS (
                    SELECT m.company_id, m.commercial_partner_id AS partner_id,
                           MAX(m.invoice_date) AS last_invoice_date,
                           COUNT(*) FILTER (WHERE m.move_type = %(invoice)s)
                               AS invoice_count,
                           COALESCE(SUM(m.amount_untaxed_signed), 0) AS amount
                      FROM account_move m
                     WHERE m.state = 'posted' AND m.move_type IN %(types)s
                       AND m.commercial_partner_id IS NOT NULL AND %(where_m)s
                  GROUP BY m.company_id, m.commercial_partner_id
                ), gone AS (
                    DELETE FROM crm_customer_360_value v
                     WHERE %(where_v)s
                       AND NOT EXISTS (
                           SELECT 1 FROM fresh
                            WHERE fresh.company_id = v.company_id
                              AND fresh.partner_id = v.partner_id)
                )
                INSERT INTO crm_customer_360_value
                       (company_id, partner_id, last_invoice_date, invoice_count,
                        amount)
                SELECT company_id, partner_id, last_invoice_date, invoice_count,
                       amount
                  FROM fresh
              ORDER BY company_id, partner_id
                ON CONFLICT (company_id, partner_id) DO UPDATE
                   SET last_invoice_date = EXCLUDED.last_invoice_date,
                       invoice_count = EXCLUDED.invoice_count,
                       amount = EXCLUDED.amount
                 WHERE (crm_customer_360_value.last_invoice_date,
                        crm_customer_360_value.invoice_count,
                        crm_customer_360_value.amount)
                       IS DISTINCT FROM (EXCLUDED.last_invoice_date,
                                         EXCLUDED.invoice_count, EXCLUDED.amount)
                """,
                invoice=CUSTOMER_INVOICE,
                types=CUSTOMER_MOVE_TYPES,
                where_m=where_m,
                where_v=where_v,
            ),
            # two postings for one customer at the same time: the second
            # meets a serialization failure here, which Odoo handles by
            # retrying the request (the rows are written in one order, so
            # two refreshes do not deadlock); expected, so not logged
            log_exceptions=False,
        )
        self.invalidate_model()

    @api.model
    def _scope(self, companies, partners):
        """The conditions on the moves (alias ``m``) and on the stored rows
        (alias ``v``) that limit a refresh to ``companies`` and ``partners``
        (None: every one)."""
        conditions = {"m": [], "v": []}
        for alias, partner_col in (("m", "commercial_partner_id"), ("v", "partner_id")):
            for column, records in (
                ("company_id", companies),
                (partner_col, partners),
            ):
                if records is not None:
                    conditions[alias].append(
                        SQL("%s = ANY(%s)", SQL.identifier(alias, column), records.ids)
                    )
        return tuple(
            SQL(" AND ").join(conditions[alias] or [SQL("TRUE")])
            for alias in ("m", "v")
        )
