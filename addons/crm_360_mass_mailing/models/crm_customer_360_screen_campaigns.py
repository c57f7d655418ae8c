from functools import partial

from odoo import api, models
from odoo.tools import SQL

TRACES_SHOWN = 20
TRACE_FIELDS = [
    "mass_mailing_id",
    "sent_datetime",
    "trace_status",
    "links_click_datetime",
]
RESPONSES = ("open", "reply")


class CrmCustomer360ScreenCampaigns(models.AbstractModel):
    """Mailings sent to the customer or its contacts, and their answers
    (opened, clicked, replied, bounced)."""

    _name = "crm.customer.360.screen.campaigns"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Campaigns"

    @api.model
    def _section_data(self, partner):
        self.env["mailing.trace"].browse().check_access("read")
        groups = self._value(
            ("trace_counts", partner.id), lambda: self._trace_counts_sql(partner)
        )
        statuses = {status: count for status, count, _clicked in groups}
        rows = self._value(("traces", partner.id), lambda: self._traces_sql(partner))
        traces = self._typed_rows("mailing.trace", TRACE_FIELDS, rows)
        return {
            "sent": sum(statuses.values()),
            "opened": sum(statuses.get(s, 0) for s in RESPONSES),
            "replied": statuses.get("reply", 0),
            "clicked": sum(clicked for _status, _count, clicked in groups),
            "bounced": statuses.get("bounce", 0),
            "traces": self._trace_items(traces),
        }

    @api.model
    def _planned_values(self, partner):
        """{key of :meth:`_value`: SQL} of the section's queries."""
        return {
            ("trace_counts", partner.id): self._trace_counts_sql(partner),
            ("traces", partner.id): self._traces_sql(partner),
        }

    @api.model
    def _traces_query(self, partner):
        """The query of the traces of mailings to the customer's family, as
        records or by their e-mail addresses: the contacts and their
        addresses as sub-queries under the user's record rules."""
        Partner = self.env["res.partner"]
        family = [("id", "in", self._family(partner))]
        contacts = Partner._search(family)
        addresses = Partner._search(family + [("email_normalized", "!=", False)])
        query = self.env["mailing.trace"]._search([])
        column = partial(SQL.identifier, query.table)
        query.add_where(
            SQL(
                "((%s = 'res.partner' AND %s IN %s) OR %s IN %s)",
                column("model"),
                column("res_id"),
                contacts.subselect(),
                column("email"),
                addresses.subselect(
                    SQL.identifier(addresses.table, "email_normalized")
                ),
            )
        )
        return query

    @api.model
    def _trace_counts_sql(self, partner):
        """JSON rows (status, traces, traces clicked)."""
        query = self._traces_query(partner)
        status = SQL.identifier(query.table, "trace_status")
        query.groupby = status
        clicked = SQL("COUNT(%s)", SQL.identifier(query.table, "links_click_datetime"))
        return self._json_rows(query, status, SQL("COUNT(*)"), clicked)

    @api.model
    def _traces_sql(self, partner):
        """JSON rows of the newest traces (see :meth:`_query_rows_sql`)."""
        query = self._traces_query(partner)
        query.order = self.env["mailing.trace"]._order_to_sql(
            "sent_datetime desc, id desc", query
        )
        query.limit = TRACES_SHOWN
        return self._query_rows_sql("mailing.trace", query, TRACE_FIELDS)

    @api.model
    def _trace_items(self, traces):
        Trace = self.env["mailing.trace"]
        labels = dict(Trace._fields["trace_status"]._description_selection(self.env))
        mailings = self.env["mailing.mailing"].browse(
            {trace["mass_mailing_id"] for trace in traces if trace["mass_mailing_id"]}
        )
        titles = {
            mailing.id: mailing.subject or mailing.display_name or ""
            for mailing in mailings
        }
        return [self._trace_item(trace, labels, titles) for trace in traces]

    @api.model
    def _trace_item(self, trace, labels, titles):
        status = trace["trace_status"]
        return {
            "id": trace["id"],
            "mailing": titles.get(trace["mass_mailing_id"], ""),
            "date": trace["sent_datetime"],
            "status": labels.get(status, status or ""),
            "clicked": bool(trace["links_click_datetime"]),
        }
