"""The customer 360 screen's entry points on the customer: its data (the
sections are built by ``crm.customer.360.screen``) and its actions."""

from typing import Any

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from .crm_customer_360_screen import BILLING_GROUP, TIMELINE_PAGE, _whole
from .crm_customer_360_value import RFM_SEGMENTS

# the customer's fields read from its stored value figures in the current
# company (``crm.customer.360.value``), and their columns there
VALUE_FIELDS = {
    "customer_rfm_segment": "rfm_segment",
    "customer_rfm_score": "rfm_score",
    "customer_value_rank": "value_rank",
    "customer_lifetime_value": "amount",
    "customer_last_invoice_date": "last_invoice_date",
    "customer_churn_risk": "churn_risk",
    "customer_household_id": "household_id",
    "customer_household_size": "household_size",
    "customer_household_value": "household_value",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The customer's value in the current company: searchable, groupable and
    # sortable through _field_to_sql (one subquery on the stored rows)
    customer_rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="RFM Segment",
        compute="_compute_customer_value",
        search="_search_customer_rfm_segment",
        groups=BILLING_GROUP,
    )
    customer_rfm_score = fields.Char(
        string="RFM Score",
        compute="_compute_customer_value",
        search="_search_customer_rfm_score",
        groups=BILLING_GROUP,
        help="Recency, frequency and monetary scores, 1 to 5 each (5: the "
        "best fifth of the company's customers as of the last daily ranking).",
    )
    customer_value_rank = fields.Integer(
        string="Value Rank",
        compute="_compute_customer_value",
        search="_search_customer_value_rank",
        groups=BILLING_GROUP,
        help="Position of the customer's lifetime value among the company's "
        "customers as of the last daily ranking (1: the highest).",
    )
    customer_lifetime_value = fields.Float(
        string="Lifetime Value",
        compute="_compute_customer_value",
        search="_search_customer_lifetime_value",
        groups=BILLING_GROUP,
        aggregator="sum",
        help="Net untaxed spend of the posted invoices and credit notes in the "
        "current company.",
    )
    customer_last_invoice_date = fields.Date(
        string="Last Invoice",
        compute="_compute_customer_value",
        search="_search_customer_last_invoice_date",
        groups=BILLING_GROUP,
    )
    customer_churn_risk = fields.Boolean(
        string="Churn Risk",
        compute="_compute_customer_value",
        search="_search_customer_churn_risk",
        groups=BILLING_GROUP,
        help="Two of: overdue invoices, open complaints, falling spend.",
    )
    customer_household_id = fields.Many2one(
        "res.partner",
        string="Household",
        compute="_compute_customer_value",
        search="_search_customer_household_id",
        groups=BILLING_GROUP,
        help="The first member of the customer's household: customers linked by "
        "household or family relations, directly or through other members.",
    )
    customer_household_size = fields.Integer(
        string="Household Members",
        compute="_compute_customer_value",
        search="_search_customer_household_size",
        groups=BILLING_GROUP,
    )
    customer_household_value = fields.Float(
        string="Household Value",
        compute="_compute_customer_value",
        search="_search_customer_household_value",
        groups=BILLING_GROUP,
        aggregator="sum",
        help="Net spend of the customer and every member of its household in "
        "the current company.",
    )

    @api.depends_context("company")
    def _compute_customer_value(self):
        rows = self.env["crm.customer.360.value"].search_fetch(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "in", self.commercial_partner_id.ids),
            ],
            list(set(VALUE_FIELDS.values())),
        )
        by_partner = {row.partner_id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id)
            for fname, column in VALUE_FIELDS.items():
                partner[fname] = row[column] if row else False

    def _search_customer_rfm_segment(self, operator, value):
        return self._search_customer_value("customer_rfm_segment", operator, value)

    def _search_customer_rfm_score(self, operator, value):
        return self._search_customer_value("customer_rfm_score", operator, value)

    def _search_customer_value_rank(self, operator, value):
        return self._search_customer_value("customer_value_rank", operator, value)

    def _search_customer_lifetime_value(self, operator, value):
        return self._search_customer_value("customer_lifetime_value", operator, value)

    def _search_customer_last_invoice_date(self, operator, value):
        return self._search_customer_value(
            "customer_last_invoice_date", operator, value
        )

    def _search_customer_churn_risk(self, operator, value):
        return self._search_customer_value("customer_churn_risk", operator, value)

    def _search_customer_household_id(self, operator, value):
        return self._search_customer_value("customer_household_id", operator, value)

    def _search_customer_household_size(self, operator, value):
        return self._search_customer_value("customer_household_size", operator, value)

    def _search_customer_household_value(self, operator, value):
        return self._search_customer_value("customer_household_value", operator, value)

    def _search_customer_value(self, fname, operator, value):
        """The customers whose stored row in the current company matches;
        a condition that an empty value meets also matches the customers
        without a row (never invoiced there). Negations are left to the ORM
        (the complement of the positive condition)."""
        if operator in Domain.NEGATIVE_OPERATORS:
            return NotImplemented
        Value = self.env["crm.customer.360.value"]
        company = Domain("company_id", "=", self.env.company.id)
        matching = Value._search(company & Domain(VALUE_FIELDS[fname], operator, value))
        domain = Domain(
            "commercial_partner_id", "any!", matching.subselect("partner_id")
        )
        if operator == "in" and any(v in (False, None) for v in value):
            rows = Value._search(company)
            domain |= ~Domain(
                "commercial_partner_id", "any!", rows.subselect("partner_id")
            )
        return domain

    def _field_to_sql(self, alias, field_expr, query=None):
        column = VALUE_FIELDS.get(field_expr)
        if not column:
            return super()._field_to_sql(alias, field_expr, query)
        self._check_field_access(self._fields[field_expr], "read")
        return SQL(
            "(SELECT %s FROM crm_customer_360_value v"
            " WHERE v.company_id = %s AND v.partner_id = %s)",
            SQL.identifier("v", column),
            self.env.company.id,
            super()._field_to_sql(alias, "commercial_partner_id", query),
        )

    # ------------------------------------------------------------ actions
    def action_open_customer_360(self):
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "crm_360.customer_360",
            "name": self.env._(
                "Customer 360: %(name)s", name=self.commercial_partner_id.name
            ),
            "params": {"partner_id": self.commercial_partner_id.id},
        }

    def action_crm_360_new_claim(self):
        self.ensure_one()
        return self.commercial_partner_id._crm_360_claim_action()

    def _crm_360_claim_action(self, document=None):
        """A claim form prefilled with the customer and the document."""
        context = {"default_partner_id": self.id, "default_email_from": self.email}
        if document:
            context["default_model_ref_id"] = f"{document._name},{document.id}"
            context["default_name"] = self.env._(
                "About %(document)s", document=document.display_name
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Complaint"),
            "res_model": "crm.claim",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": context,
        }

    # --------------------------------------------------------------- data
    @api.readonly
    def customer_360_data(
        self, timeline_offset: int = 0, timeline_limit: int = TIMELINE_PAGE
    ) -> dict[str, Any]:
        """Every section of the 360 screen of one customer, as the screen
        shows it to the current user (record rules and allowed companies
        apply). Also the entry point for other systems over the JSON-2 API:
        ``POST /json/2/res.partner/customer_360_data`` with ``{"ids": [id]}``.

        :param timeline_offset: first timeline entry of the page (from 0).
        :param timeline_limit: timeline entries in the page (1 to 100).
        :returns: a JSON-serialisable dict of sections (``partner``,
            ``summary``, ``sales``, ``complaints``, ``opportunities``,
            ``household``, ``timeline``...); the billing figures
            (``billing``, ``value`` and the billing keys of ``summary``) only
            for users of the *Customer 360: billing figures* group, with
            ``billing_access`` saying which, never an access error for them.
            Amounts are in the current company's currency (``currency``).
        :raises UserError: not exactly one customer, or an invalid timeline
            page.
        :raises AccessError: a customer the user may not read (for instance
            of a company the user is not allowed in).
        :raises MissingError: a customer that does not exist.
        """
        if len(self) != 1:
            raise UserError(
                self.env._(
                    "The customer 360 screen shows one customer at a time: open it "
                    "from one customer."
                )
            )
        if not _whole(self._ids[0]):
            # ids sent as text or decimals by another system
            raise UserError(
                self.env._(
                    "Invalid customer id %(id)r: give the id of one customer, a "
                    "whole number.",
                    id=self._ids[0],
                )
            )
        screen = self.env["crm.customer.360.screen"]
        screen._check_page(timeline_offset, timeline_limit)
        partner = self.commercial_partner_id
        partner = partner.with_context(
            crm_360_family=screen._family(partner), crm_360_memo={}
        )
        return partner.env["crm.customer.360.screen"]._data(
            partner, timeline_offset, timeline_limit
        )
