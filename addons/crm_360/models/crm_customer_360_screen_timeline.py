from typing import NamedTuple

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import CUSTOMER_INVOICE, CUSTOMER_REFUND

from .crm_customer_360_screen import BILLING_GROUP

MESSAGE_TYPES = ("email", "comment", "email_outgoing")
INTERACTION_TYPES = ("email", "comment")
RECEIVED_PAYMENT_STATES = ("in_process", "paid")


class EventKind(NamedTuple):
    """One kind of event of the timeline: the records of ``model`` matching
    ``domain``, each dated by its column ``date``, for its ``amount`` column
    in its ``currency`` (a column name, or an SQL expression), named by its
    ``name`` column; the event opens the ``link`` model's record ``link_id``
    (by default the record itself)."""

    kind: str
    model: str
    domain: list
    date: str
    amount: str | None = None
    currency: str | SQL | None = None
    name: str = "name"
    link: str | None = None
    link_id: str = "id"


class CrmCustomer360ScreenTimeline(models.AbstractModel):
    """Messages, e-mails and notes, planned activities and meetings of the
    customer, its contacts and its orders, invoices, payments, claims and
    opportunities, and the events of those documents (quotation sent, order
    confirmed, invoice and credit note posted, payment received, installment
    due unpaid, complaint opened and closed, opportunity won and lost),
    newest first, each tagged with its channel; and the date of the last
    interaction for the key figures."""

    _name = "crm.customer.360.screen.timeline"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Timeline"

    @api.model
    def _section_data(self, partner, offset, limit):
        """One page of the timeline. Each source gives its newest
        ``offset + limit`` entries (a fixed number of queries whatever the
        history), merged and cut to the page. Entries are ordered by date,
        then kind, then id, as each source orders its own, so that pages
        follow each other without gap nor repeat when dates are equal."""
        documents = self._documents(partner)
        window = offset + limit
        sources = [
            self._messages(documents, window, partner),
            self._activities(documents, window),
            self._meetings(partner, window),
            self._events(partner, window),
        ]
        total = sum(count for count, _items in sources)
        items = sorted(
            (item for _count, entries in sources for item in entries),
            key=_order_key,
            reverse=True,
        )
        return {
            "total": total,
            "offset": offset,
            "limit": limit,
            "items": items[offset:window],
        }

    @api.model
    def _documents(self, partner):
        """{model: query} of the customer's documents of each kind the user
        may read: sub-queries under the user's record rules, never lists of
        ids."""
        family = self._family(partner)
        related = {
            "res.partner": [("id", "in", family)],
            "sale.order": [("partner_id", "in", family)],
            "account.move": [("commercial_partner_id", "=", partner.id)],
            "account.payment": [("partner_id", "in", family)],
            "crm.claim": [("partner_id", "in", family)],
            "crm.lead": [("partner_id", "in", family)],
        }
        return {
            model: self.env[model]._search(domain)
            for model, domain in related.items()
            if self._can_read(model)
        }

    @api.model
    def _planned_values(self, partner, window):
        """{key of :meth:`_value`: SQL} of the timeline's queries that are
        read with the screen's other figures."""
        documents = self._documents(partner)
        values = {("events", partner.id, window): self._events_sql(partner, window)}
        if documents:
            values[("messages", partner.id, window)] = self._messages_sql(
                documents, window
            )
        return values

    @api.model
    def _messages(self, documents, window, partner=None):
        """The newest ``window`` messages on the documents and their count,
        in one query: a union of the newest messages of each kind of
        document, each read from mail's (model, res_id) index (an OR of
        all kinds would scan every message of the database)."""
        if not documents:
            return 0, []
        ids, total = self._value(
            ("messages", (partner or self).id, window),
            lambda: self._messages_sql(documents, window),
        )
        messages = self.env["mail.message"].browse(ids)._filtered_access("read")
        return total, self._message_items(messages)

    @api.model
    def _messages_sql(self, documents, window):
        """JSON [ids of the newest ``window`` messages, their count]."""
        types = Domain("message_type", "in", MESSAGE_TYPES)
        pages, counts = [], []
        for model, query in documents.items():
            domain = Domain("model", "=", model) & Domain("res_id", "in", query) & types
            page = self._message_query(domain, order="date desc, id desc", limit=window)
            pages.append(
                page.subselect(
                    SQL.identifier(page.table, "id"), SQL.identifier(page.table, "date")
                )
            )
            counts.append(self._message_query(domain).subselect("COUNT(*)"))
        return SQL(
            """SELECT JSON_BUILD_ARRAY(
                   ARRAY(SELECT id FROM (%s) AS page
                          ORDER BY date DESC, id DESC LIMIT %s), %s)""",
            SQL(" UNION ALL ").join(pages),
            window,
            SQL(" + ").join(counts),
        )

    @api.model
    def _message_items(self, messages):
        note = self.env["mail.message.subtype"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        )
        return [
            {
                "id": f"message-{m.id}",
                "date": fields.Datetime.to_string(m.date),
                "model": m.model,
                "res_id": m.res_id,
                "record": m.record_name or "",
                "author": m.author_id.name or "",
                "body": m.preview or "",
                "channel": self._channel(m, note),
            }
            for m in messages
        ]

    @api.model
    def _message_query(self, domain, **kwargs):
        """The messages of ``domain`` as a query (``kwargs``: order, limit).

        ``domain`` only reaches documents searched under the user's record
        rules, and messages of the types the screen shows (never
        ``user_notification``): mail lets a user read every such message of
        a document he can read. mail.message's own check re-reads every
        message and its document one by one, which is linear in the history
        for a count that it cannot change; for users outside the company it
        still hides internal notes as mail does, and the messages shown are
        checked again by mail itself.
        """
        Message = self.env["mail.message"]
        if not self.env.user._is_internal():
            domain = Message._get_search_domain_share() & Domain(domain)
        return Message._search(domain, bypass_access=True, **kwargs)

    @api.model
    def _activities(self, documents, window):
        """Activities still to do on the customer and its documents."""
        Activity = self.env["mail.activity"]
        domain = Domain.OR(
            Domain("res_model", "=", model) & Domain("res_id", "in", ids)
            for model, ids in documents.items()
        )
        # mail.activity filters what it finds in Python (the documents the
        # user may post on): one search gives both the count and the page
        activities = Activity.search_fetch(
            domain,
            [
                "res_model",
                "res_id",
                "res_name",
                "user_id",
                "summary",
                "activity_type_id",
                "date_deadline",
            ],
            order="date_deadline desc, id desc",
        )
        return len(activities), [
            self._activity_item(activity) for activity in activities[:window]
        ]

    @api.model
    def _activity_item(self, activity):
        kind = activity.activity_type_id
        return {
            "id": f"activity-{activity.id}",
            "date": fields.Date.to_string(activity.date_deadline) + " 00:00:00",
            "model": activity.res_model,
            "res_id": activity.res_id,
            "record": activity.res_name or "",
            "author": activity.user_id.name or "",
            "body": activity.summary or kind.name or "",
            "channel": "call" if kind.category == "phonecall" else "activity",
        }

    @api.model
    def _meetings(self, partner, window):
        if not self._can_read("calendar.event"):
            return 0, []
        Event = self.env["calendar.event"]
        domain = self._meetings_domain(partner)
        events = Event.search_fetch(
            domain,
            ["start", "name", "user_id", "location"],
            limit=window,
            order="start desc, id desc",
        )
        count = self._value(
            ("meeting_count", partner.id), lambda: self._meeting_count_sql(partner)
        )
        return count, [self._meeting_item(e) for e in events]

    @api.model
    def _meeting_item(self, event):
        return {
            "id": f"meeting-{event.id}",
            "date": fields.Datetime.to_string(event.start),
            "model": "calendar.event",
            "res_id": event.id,
            "record": event.name or "",
            "author": event.user_id.name or "",
            "body": event.location or "",
            "channel": "meeting",
        }

    @api.model
    def _channel(self, message, note):
        if message.message_type in ("email", "email_outgoing"):
            return "email"
        if message.subtype_id == note:
            return "note"
        return "message"

    @api.model
    def _last_interaction(self, partner):
        """Date of the last message or activity on the customer, its contacts
        and its documents."""
        last = self._value(
            ("last_message", partner.id), lambda: self._last_message_sql(partner)
        )
        last_order = False
        if self._can_read("sale.order"):
            last_order = self._section("sales")._order_stats(partner)["last_date"]
        candidates = [d for d in (last, last_order) if d]
        return fields.Datetime.to_string(max(candidates)) if candidates else False

    @api.model
    def _last_message_sql(self, partner):
        family = partner._search([("id", "in", self._family(partner))])
        query = self._message_query(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", family),
                ("message_type", "in", INTERACTION_TYPES),
            ]
        )
        return query.select(SQL("MAX(%s)", SQL.identifier(query.table, "date")))

    @api.model
    def _meeting_count_sql(self, partner):
        query = self.env["calendar.event"]._search(self._meetings_domain(partner))
        return query.select(SQL("COUNT(*)"))

    @api.model
    def _meetings_domain(self, partner):
        return [("partner_ids", "in", self._family(partner))]

    # ------------------------------------------------------------- events
    @api.model
    def _events(self, partner, window):
        """The newest ``window`` events of the customer's documents and their
        count, in one query: a union of the newest events of each kind, each
        read under the user's record rules (``_search``) from an index of
        the customer's documents, ordered and cut in the database."""
        rows = self._value(
            ("events", partner.id, window), lambda: self._events_sql(partner, window)
        )
        return (rows[0][-1] if rows else 0), self._event_items(rows)

    @api.model
    def _events_sql(self, partner, window):
        """JSON rows of the events of :meth:`_events`: (kind, date, id,
        model, res_id, name, amount, currency_id, total)."""
        pages, counts = [], []
        for spec in self._event_kinds(partner):
            query = self.env[spec.model]._search(spec.domain)
            counts.append(query.subselect("COUNT(*)"))
            query.order = SQL(
                "%s DESC, %s DESC",
                SQL.identifier(query.table, spec.date),
                SQL.identifier(query.table, "id"),
            )
            query.limit = window
            pages.append(query.subselect(self._event_columns(spec, query.table)))
        if not pages:
            return SQL("SELECT '[]'::json")
        return SQL(
            """SELECT COALESCE(JSON_AGG(JSON_BUILD_ARRAY(
                          t.kind, t.date, t.id, t.model, t.res_id, t.name,
                          t.amount, t.currency_id, t.total)), '[]'::json)
                 FROM (SELECT event.*, %s AS total FROM (%s) AS event
                        ORDER BY event.date DESC, event.kind COLLATE "C" DESC,
                                 event.id DESC
                        LIMIT %s) AS t""",
            SQL(" + ").join(counts),
            SQL(" UNION ALL ").join(pages),
            window,
        )

    @api.model
    def _event_kinds(self, partner):
        """The kinds of events the user may read, as :class:`EventKind`."""
        family = self._family(partner)
        kinds = []
        if self._can_read("sale.order"):
            orders = [("partner_id", "in", family)]
            kinds += [
                EventKind(
                    kind,
                    "sale.order",
                    orders + [("state", "=", state)],
                    "date_order",
                    "amount_total",
                    "currency_id",
                )
                for kind, state in (
                    ("quotation_sent", "sent"),
                    ("order_confirmed", "sale"),
                )
            ]
        if self.env.user.has_group(BILLING_GROUP):
            kinds += self._billing_event_kinds(partner, family)
        if self._can_read("crm.claim"):
            claims = [("partner_id", "in", family)]
            kinds += [
                EventKind(kind, "crm.claim", claims + [(date, "!=", False)], date)
                for kind, date in (
                    ("claim_opened", "date"),
                    ("claim_closed", "date_closed"),
                )
            ]
        if self._can_read("crm.lead"):
            kinds += self._lead_event_kinds(family)
        return kinds

    @api.model
    def _billing_event_kinds(self, partner, family):
        """Invoices and credit notes posted (on their invoice date), payments
        received, and receivable items past their due date with an amount
        left to pay (on that due date): for users with billing rights."""
        companies = [("company_id", "in", self.env.companies.ids)]
        kinds = []
        if self._can_read("account.move"):
            kinds += self._invoice_event_kinds(partner)
        if self._can_read("account.payment"):
            kinds.append(self._payment_event_kind(family, companies))
        if self._can_read("account.move.line"):
            kinds.append(self._installment_event_kind(partner, companies))
        return kinds

    @api.model
    def _invoice_event_kinds(self, partner):
        return [
            EventKind(
                kind,
                "account.move",
                self._move_domain(partner, (move_type,)),
                "invoice_date",
                "amount_total",
                "currency_id",
            )
            for kind, move_type in (
                ("invoice_posted", CUSTOMER_INVOICE),
                ("credit_note_posted", CUSTOMER_REFUND),
            )
        ]

    @api.model
    def _payment_event_kind(self, family, companies):
        payments = [
            ("partner_id", "in", family),
            ("partner_type", "=", "customer"),
            ("payment_type", "=", "inbound"),
            ("state", "in", RECEIVED_PAYMENT_STATES),
        ]
        return EventKind(
            "payment_received",
            "account.payment",
            payments + companies,
            "date",
            "amount",
            "currency_id",
        )

    @api.model
    def _installment_event_kind(self, partner, companies):
        return EventKind(
            "installment_due",
            "account.move.line",
            self._due_items_domain(partner) + companies,
            "date_maturity",
            "amount_residual_currency",
            "currency_id",
            name="move_name",
            link="account.move",
            link_id="move_id",
        )

    @api.model
    def _due_items_domain(self, partner):
        """Posted receivable items of the customer past their due date with
        an amount left to pay, each installment on its own. Odoo puts the
        commercial partner on every item of an invoice, so that they are
        read by the customer's id alone: in the order of the due date from
        the index, without sorting every open item of the customer."""
        return [
            ("partner_id", "=", partner.id),
            ("parent_state", "=", "posted"),
            ("amount_residual", ">", 0),
            ("date_maturity", "<", fields.Date.context_today(self)),
            ("account_id.account_type", "=", "asset_receivable"),
        ]

    @api.model
    def _lead_event_kinds(self, family):
        """Leads and opportunities won, or lost (archived), on their closing
        date, for their expected revenue in their company's currency."""
        currency = SQL(
            "COALESCE((SELECT company.currency_id FROM res_company company"
            " WHERE company.id = crm_lead.company_id), %s)",
            self.env.company.currency_id.id,
        )
        return [
            EventKind(
                f"opportunity_{status}",
                "crm.lead",
                [
                    ("partner_id", "in", family),
                    ("won_status", "=", status),
                    ("date_closed", "!=", False),
                    ("active", "in", (True, False)),
                ],
                "date_closed",
                "expected_revenue",
                currency,
            )
            for status in ("won", "lost")
        ]

    @api.model
    def _event_columns(self, spec, table):
        """The columns every kind of event selects, in the same order and of
        the same types, for the union."""

        def column(name):
            return SQL.identifier(table, name)

        currency = spec.currency or SQL("NULL")
        return SQL(
            "%s::varchar AS kind, %s::timestamp AS date, %s AS id,"
            " %s::varchar AS model, %s AS res_id, %s::varchar AS name,"
            " %s::numeric AS amount, %s::integer AS currency_id",
            spec.kind,
            column(spec.date),
            column("id"),
            spec.link or spec.model,
            column(spec.link_id),
            column(spec.name),
            column(spec.amount) if spec.amount else SQL("NULL"),
            column(currency) if isinstance(currency, str) else currency,
        )

    @api.model
    def _event_items(self, rows):
        """The timeline entries of the events' rows (kind, date, id, model,
        res_id, name, amount, currency_id, total)."""
        labels = self._event_labels()
        currencies = self.env["res.currency"].browse({row[7] for row in rows if row[7]})
        codes = {currency.id: currency.name for currency in currencies}
        return [self._event_item(row, labels, codes) for row in rows]

    @api.model
    def _event_item(self, row, labels, codes):
        kind, date, record_id, model, res_id, name, amount, currency_id, _total = row
        return {
            "id": f"{kind}-{record_id}",
            "date": date.replace("T", " ")[:19] if date else False,
            "model": model,
            "res_id": res_id,
            "record": name or "",
            "author": "",
            "body": labels[kind],
            "channel": kind,
            "event": True,
            "amount": float(amount) if amount is not None else None,
            "currency_id": currency_id or False,
            "currency": codes.get(currency_id, ""),
        }

    @api.model
    def _event_labels(self):
        """What each kind of event says, in the user's language."""
        return {
            "quotation_sent": self.env._("Quotation sent"),
            "order_confirmed": self.env._("Order confirmed"),
            "invoice_posted": self.env._("Invoice posted"),
            "credit_note_posted": self.env._("Credit note posted"),
            "payment_received": self.env._("Payment received"),
            "installment_due": self.env._("Installment due, unpaid"),
            "claim_opened": self.env._("Complaint opened"),
            "claim_closed": self.env._("Complaint closed"),
            "opportunity_won": self.env._("Opportunity won"),
            "opportunity_lost": self.env._("Opportunity lost"),
        }


def _order_key(item):
    """Newest first: by date, then the kind of entry, then its id (a
    number), as each source orders its own entries."""
    kind, _dash, number = item["id"].rpartition("-")
    return item["date"] or "", kind, int(number)
