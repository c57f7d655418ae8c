from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from .crm_customer_360_screen_billing import AGING_BUCKETS


class AccountMove(models.Model):
    _inherit = ["account.move", "crm.360.dispute.mixin"]  # noqa: RUF012
    _name = "account.move"
    _crm_360_claim_field = "crm_360_move_id"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        customers = self.filtered(
            lambda move: move.is_sale_document(include_receipts=False)
        )
        before = customers.commercial_partner_id
        result = super().write(vals)
        if customers:
            # posted, reset to draft or cancelled: the figures the 360 screen
            # ranks customers by change for these customers
            self.env["crm.customer.360.value"]._refresh(
                customers.company_id, before | customers.commercial_partner_id
            )
        return result

    def action_crm_360_new_claim(self):
        """A complaint about this invoice, in one click."""
        self.ensure_one()
        return self.commercial_partner_id._crm_360_claim_action(self)

    @api.model
    def _crm_360_dispute_amounts(self, domain):
        """The open amount in dispute among the moves of ``domain``.

        Counts the open customer invoices (``out_invoice``, residual > 0)
        that are in dispute, read as the current user (record rules, allowed
        companies), by the aging buckets of the 360 screen (days past the
        invoice's due date), summed by company and converted into the
        current company's currency, in one query.

        :param domain: the moves to look at, e.g. a customer's posted
            invoices (``partner._crm_360_move_domain()``)
        :return: ``{"total": amount, "count": invoices, "aging": {bucket:
            amount}}`` with the bucket keys of ``AGING_BUCKETS``
        """
        today = fields.Date.context_today(self)
        query = self._search(
            Domain(domain)
            & Domain(
                [
                    ("move_type", "=", "out_invoice"),
                    ("amount_residual", ">", 0),
                    ("in_dispute", "=", True),
                ]
            )
        )
        table = query.table
        residual = SQL.identifier(table, "amount_residual_signed")
        sums = [SQL("SUM(%s)", residual)]
        for _key, low, high in AGING_BUCKETS:
            sums.append(
                SQL(
                    "SUM(%s) FILTER (WHERE %s)",
                    residual,
                    self._crm_360_aging_condition(table, today, low, high),
                )
            )
        query.groupby = SQL.identifier(table, "company_id")
        rows = self.env.execute_query(
            query.select(query.groupby, SQL("COUNT(*)"), *sums)
        )
        totals = [
            self._crm_360_converted(rows, index)
            for index in range(2, 3 + len(AGING_BUCKETS))
        ]
        return {
            "total": totals[0],
            "count": sum(row[1] for row in rows),
            "aging": {
                key: total
                for (key, *_bounds), total in zip(
                    AGING_BUCKETS, totals[1:], strict=True
                )
            },
        }

    @api.model
    def _crm_360_aging_condition(self, table, today, low, high):
        due = SQL.identifier(table, "invoice_date_due")
        if low is None:
            return SQL("%s >= %s", due, today)
        condition = SQL("%s <= %s", due, today - timedelta(days=low))
        if high is not None:
            condition = SQL(
                "%s AND %s >= %s", condition, due, today - timedelta(days=high)
            )
        return condition

    @api.model
    def _crm_360_converted(self, rows, index):
        """Sum column ``index`` of rows grouped by company (first column) in
        the current company's currency."""
        company = self.env.company
        today = fields.Date.context_today(self)
        total = 0.0
        for row in rows:
            total += (
                self.env["res.company"]
                .browse(row[0])
                .currency_id._convert(
                    row[index] or 0.0, company.currency_id, company, today
                )
            )
        return company.currency_id.round(total)
