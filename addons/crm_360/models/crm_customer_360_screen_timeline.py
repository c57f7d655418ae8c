from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

MESSAGE_TYPES = ("email", "comment", "email_outgoing")
INTERACTION_TYPES = ("email", "comment")


class CrmCustomer360ScreenTimeline(models.AbstractModel):
    """Messages, e-mails and notes, planned activities and meetings of the
    customer, its contacts and its orders, invoices, payments, claims and
    opportunities, newest first, each tagged with its channel; and the date
    of the last interaction for the key figures."""

    _name = "crm.customer.360.screen.timeline"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Timeline"

    @api.model
    def _section_data(self, partner, offset, limit):
        """One page of the timeline. Each source gives its newest
        ``offset + limit`` entries (a fixed number of queries whatever the
        history), merged and cut to the page."""
        documents = self._documents(partner)
        window = offset + limit
        sources = [
            self._messages(documents, window),
            self._activities(documents, window),
            self._meetings(partner, window),
        ]
        total = sum(count for count, _items in sources)
        items = sorted(
            (item for _count, entries in sources for item in entries),
            key=lambda item: (item["date"] or "", item["id"]),
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
    def _messages(self, documents, window):
        """The newest ``window`` messages on the documents and their count,
        in one query: a union of the newest messages of each kind of
        document, each read from mail's (model, res_id) index (an OR of
        all kinds would scan every message of the database)."""
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
        if not pages:
            return 0, []
        [(ids, total)] = self.env.execute_query(
            SQL(
                """SELECT ARRAY(SELECT id FROM (%s) AS page
                                ORDER BY date DESC, id DESC LIMIT %s), %s""",
                SQL(" UNION ALL ").join(pages),
                window,
                SQL(" + ").join(counts),
            )
        )
        messages = self.env["mail.message"].browse(ids)._filtered_access("read")
        return total, self._message_items(messages)

    @api.model
    def _message_items(self, messages):
        note = self.env.ref("mail.mt_note")
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
        activities = Activity.search(
            domain, limit=window, order="date_deadline desc, id desc"
        )
        return Activity.search_count(domain), [
            self._activity_item(activity) for activity in activities
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
        domain = [("partner_ids", "in", self._family(partner))]
        events = Event.search(domain, limit=window, order="start desc, id desc")
        return Event.search_count(domain), [self._meeting_item(e) for e in events]

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
        family = partner._search([("id", "in", self._family(partner))])
        query = self._message_query(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", family),
                ("message_type", "in", INTERACTION_TYPES),
            ]
        )
        last = self.env.execute_query(
            query.select(SQL("MAX(%s)", SQL.identifier(query.table, "date")))
        )[0][0]
        orders = []
        if self._can_read("sale.order"):
            orders = self.env["sale.order"]._read_group(
                [("partner_id", "in", self._family(partner))], [], ["date_order:max"]
            )
        candidates = [d for d in (last, orders[0][0] if orders else False) if d]
        return fields.Datetime.to_string(max(candidates)) if candidates else False
