"""The customer 360 screen: its sections put together.

Every figure is read as the current user, under record rules and for the
user's allowed companies, with a fixed number of queries whatever the length
of the customer's history. The queries whose SQL does not depend on another
one's result (built from the ORM's ``_search`` queries) are planned by the
sections (``_planned_values``) and run together in one SELECT by the first
figure read (``_value``). Each section is its own abstract model
(``crm.customer.360.screen.<section>``); bridge add-ons add theirs by
extending ``_data`` (and ``_planned_values`` for their queries).
"""

from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_customer_360_screen_sales import CROSS_SELL

SUMMARY_FIGURES = (
    "revenue_total",
    "revenue_12m",
    "invoice_count",
    "balance_due",
    "overdue_amount",
    "overdue_count",
    "unapplied_credit",
    "avg_days_late",
)
TIMELINE_PAGE = 20
TIMELINE_PAGE_MAX = 100
BILLING_GROUP = "crm_360.group_crm_360_billing"


class CrmCustomer360Screen(models.AbstractModel):
    _name = "crm.customer.360.screen"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen"

    @api.model
    def _data(self, partner, timeline_offset, timeline_limit):
        """Every section of the screen of ``partner`` (a commercial partner
        whose context holds its family): the body of
        ``res.partner.customer_360_data``."""
        env = self.env
        billing = env.user.has_group(BILLING_GROUP)
        self._plan(self._planned_values(partner, billing))
        self._plan(
            self._section("timeline")._planned_values(
                partner, timeline_offset + timeline_limit
            )
        )
        figures = self._section("billing")._figures(partner) if billing else None
        data = {
            "partner": self._section("identity")._section_data(partner),
            "billing_access": billing,
            "currency": env.company.currency_id.name,
            "currency_id": env.company.currency_id.id,
            "domains": self._domains(partner, billing),
            "summary": self._summary(partner, billing, figures),
        }
        data.update(self._document_sections(partner))
        data["household"] = self._section("household")._section_data(partner, billing)
        data["timeline"] = self._section("timeline")._section_data(
            partner, timeline_offset, timeline_limit
        )
        if billing:
            data["billing"] = self._section("billing")._section_data(partner, figures)
            data["value"] = self._section("value")._section_data(
                partner, data["summary"]
            )
        return data

    @api.model
    def _planned_values(self, partner, billing):
        """{key: SQL} of the figures of every section that are read in one
        query (see :meth:`_value`): counts, sums and dates whose query does
        not depend on another one's result."""
        household = self._section("household")
        values = {
            **self._section("identity")._planned_values(partner),
            ("relations", partner.id): self._records_sql(
                *household._relations_args(partner)
            ),
            ("household", partner.id): self._section("household")._household_sql(
                partner
            ),
            ("last_message", partner.id): self._section("timeline")._last_message_sql(
                partner
            ),
        }
        if billing:
            billing_section = self._section("billing")
            values.update(billing_section._figures_sql(partner))
            values.update(billing_section._lists_sql(partner))
            values[("member_figures", partner.id)] = household._member_figures_sql(
                partner
            )
            value = self._section("value")
            values[("value_row", partner.id)] = self._records_sql(
                *value._value_row_args(partner)
            )
            values[("ranked_on", self.env.company.id)] = self._records_sql(
                *value._ranked_on_args()
            )
        if self._can_read("sale.order"):
            sales = self._section("sales")
            values[("order_stats", partner.id)] = sales._order_stats_sql(partner)
            values[("top_products", partner.id)] = sales._top_products_sql(partner)
            values[("owned_products", partner.id)] = sales._owned_products_sql(partner)
            values[("household_cross_sell", partner.id, CROSS_SELL)] = self._section(
                "household"
            )._household_cross_sell_sql(partner)
            values[("cross_sell", partner.id)] = sales._cross_sell_sql(
                partner, sales._owned_subselect(partner)
            )
            values[("orders", partner.id)] = self._records_sql(
                *sales._orders_args(partner)
            )
        if self._can_read("crm.claim"):
            complaints = self._section("complaints")
            values[("claim_counts", partner.id)] = complaints._counts_sql(partner)
            values[("claims", partner.id)] = self._records_sql(
                *complaints._claims_args(partner)
            )
        if self._can_read("crm.lead"):
            values[("leads", partner.id)] = self._records_sql(
                *self._section("opportunities")._leads_args(partner)
            )
        if self._can_read("calendar.event"):
            values[("meeting_count", partner.id)] = self._section(
                "timeline"
            )._meeting_count_sql(partner)
        return values

    def _document_sections(self, partner):
        """The sections of documents the user may not be allowed to read:
        ``None`` (sales) or empty then."""
        return {
            "sales": self._section("sales")._section_data(partner)
            if self._can_read("sale.order")
            else None,
            "complaints": self._section("complaints")._section_data(partner)
            if self._can_read("crm.claim")
            else [],
            "opportunities": self._section("opportunities")._section_data(partner)
            if self._can_read("crm.lead")
            else [],
        }

    @api.model
    def _check_page(self, offset, limit):
        if not valid_page(offset, limit, TIMELINE_PAGE_MAX):
            raise UserError(
                self.env._(
                    "Invalid timeline page (offset %(offset)r, limit %(limit)r): "
                    "the offset must be a whole number from 0, the limit one from "
                    "1 to %(max)s.",
                    offset=offset,
                    limit=limit,
                    max=TIMELINE_PAGE_MAX,
                )
            )

    def _domains(self, partner, billing):
        """The domains behind the key figures: the screen opens these lists,
        so each figure equals the list it opens (the sum of the residuals of
        the journal items for the ledger's figures)."""
        domains = {
            "claims": [("partner_id", "child_of", partner.id)],
            "open_claims": [
                ("partner_id", "child_of", partner.id),
                ("is_closed", "=", False),
            ],
            "open_orders": self._section("sales")._open_orders_domain(partner),
        }
        if billing:
            domains["invoices"] = self._move_domain(partner)
            domains["household_invoices"] = self._section(
                "household"
            )._household_invoices_domain(partner)
            domains.update(self._section("billing")._ledger_domains(partner))
        return {key: _json_domain(domain) for key, domain in domains.items()}

    def _summary(self, partner, billing, figures=None):
        sales = self._section("sales")
        summary = {
            "claim_count": 0,
            "open_claim_count": 0,
            "open_order_count": sales._open_order_count(partner)
            if self._can_read("sale.order")
            else None,
            "last_interaction_date": self._section("timeline")._last_interaction(
                partner
            ),
        }
        summary.update(self._section("complaints")._counts(partner))
        if not billing:
            return summary
        billing_section = self._section("billing")
        figures = figures or billing_section._figures(partner)
        summary.update(
            {key: figures[key] for key in SUMMARY_FIGURES},
            avg_days_to_pay=billing_section._avg_days_to_pay(partner),
        )
        return summary


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def valid_page(offset, limit, maximum):
    """A page of at most ``maximum`` rows: whole numbers, offset from 0,
    limit from 1."""
    return _whole(offset) and _whole(limit) and offset >= 0 and 1 <= limit <= maximum


def _json_domain(value):
    """A domain as JSON carries it (what the screen and other systems
    receive): leaves as lists, dates as ISO strings."""
    if isinstance(value, datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, date):
        return fields.Date.to_string(value)
    if isinstance(value, (list, tuple)):
        return [_json_domain(item) for item in value]
    return value
