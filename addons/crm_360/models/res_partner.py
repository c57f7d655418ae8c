"""The data of the customer 360 screen.

Every figure is read as the current user, under record rules and for the
user's allowed companies, with a fixed number of queries whatever the length
of the customer's history (aggregates by _read_group or one SQL over the
records the ORM allows).
"""

from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

AGING_BUCKETS = [
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
]
CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund")
SUMMARY_FIGURES = (
    "revenue_total",
    "revenue_12m",
    "invoice_count",
    "balance_due",
    "overdue_amount",
    "overdue_count",
)
TIMELINE_PAGE = 20
TIMELINE_PAGE_MAX = 100
MESSAGE_TYPES = ("email", "comment", "email_outgoing")
OWNED_MONTHS = 12
BILLING_GROUP = "crm_360.group_crm_360_billing"


class ResPartner(models.Model):
    _inherit = "res.partner"

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
    def customer_360_data(self, timeline_offset=0, timeline_limit=TIMELINE_PAGE):
        """Every section of the 360 screen of this customer (one record).

        :return: dict of sections; billing figures only for users with
            invoicing rights (``billing_access``), never an access error.
        """
        if len(self) != 1:
            raise UserError(
                self.env._(
                    "The customer 360 screen shows one customer at a time: open it "
                    "from one customer."
                )
            )
        self._crm_360_check_page(timeline_offset, timeline_limit)
        partner = self.commercial_partner_id
        partner = partner.with_context(crm_360_family=partner._crm_360_family())
        billing = self.env.user.has_group(BILLING_GROUP)
        figures = partner._crm_360_move_figures() if billing else None
        data = {
            "partner": partner._crm_360_identity(),
            "billing_access": billing,
            "currency": self.env.company.currency_id.name,
            "currency_id": self.env.company.currency_id.id,
            "domains": partner._crm_360_domains(billing),
            "summary": partner._crm_360_summary(billing, figures),
            "sales": partner._crm_360_sales()
            if self._crm_360_can_read("sale.order")
            else None,
            "complaints": partner._crm_360_complaints()
            if self._crm_360_can_read("crm.claim")
            else [],
            "opportunities": partner._crm_360_opportunities()
            if self._crm_360_can_read("crm.lead")
            else [],
            "household": partner._crm_360_household(billing),
            "timeline": partner._crm_360_timeline(timeline_offset, timeline_limit),
        }
        if billing:
            data["billing"] = partner._crm_360_billing(figures)
            data["value"] = partner._crm_360_value(data["summary"])
        return data

    def _crm_360_check_page(self, offset, limit):
        def whole(value):
            return isinstance(value, int) and not isinstance(value, bool)

        if not (
            whole(offset)
            and whole(limit)
            and offset >= 0
            and 1 <= limit <= TIMELINE_PAGE_MAX
        ):
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

    def _crm_360_family(self):
        """Ids of the customer and of its contacts at any depth, as
        ``child_of`` resolves them (archived contacts included, before any
        record rule: the documents searched with them apply their own),
        resolved once for the whole screen instead of once per section."""
        family = self.env.context.get("crm_360_family")
        if family is None:
            family = (
                self.sudo()
                .with_context(active_test=False)
                ._search([("id", "child_of", self.id)])
                .get_result_ids()
            )
        return list(family)

    def _crm_360_can_read(self, model):
        """Sections of models the user cannot read are left out, silently."""
        return self.env[model].has_access("read")

    def _crm_360_identity(self):
        contacts = self.child_ids.filtered("active")
        return {
            "id": self.id,
            "name": self.name,
            "is_company": self.is_company,
            "email": self.email or "",
            "phone": self.phone or "",
            "address": self._display_address(without_company=True),
            "lang": dict(self._fields["lang"]._description_selection(self.env)).get(
                self.lang, self.lang or ""
            ),
            "industry": self.industry_id.name or "",
            "tags": self.category_id.mapped("name"),
            "salesperson": self.user_id.name or "",
            "contacts": [
                {
                    "id": c.id,
                    "name": c.name,
                    "email": c.email or "",
                    "function": c.function or "",
                }
                for c in contacts[:50]
            ],
        }

    def _crm_360_domains(self, billing):
        """The domains behind the key figures: the screen opens these lists,
        so each figure equals the list it opens."""
        today = fields.Date.context_today(self)
        domains = {
            "claims": [("partner_id", "child_of", self.id)],
            "open_claims": [
                ("partner_id", "child_of", self.id),
                ("is_closed", "=", False),
            ],
            "open_orders": self._crm_360_open_orders_domain(),
        }
        if billing:
            domains.update(
                invoices=self._crm_360_move_domain(),
                overdue=self._crm_360_overdue_domain(today),
            )
        return domains

    def _crm_360_open_orders_domain(self):
        return [
            ("partner_id", "in", self._crm_360_family()),
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "sale"),
            ("invoice_status", "!=", "invoiced"),
        ]

    def _crm_360_overdue_domain(self, today):
        return self._crm_360_move_domain(("out_invoice",)) + [
            ("invoice_date_due", "<", today),
            ("amount_residual", ">", 0),
        ]

    def _crm_360_move_domain(self, move_types=CUSTOMER_MOVE_TYPES):
        return [
            ("commercial_partner_id", "=", self.id),
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "posted"),
            ("move_type", "in", move_types),
        ]

    def _crm_360_converted(self, groups):
        """Sum amounts grouped by company into the current company's currency."""
        company = self.env.company
        today = fields.Date.context_today(self)
        total = 0.0
        for row_company, *amounts in groups:
            amount = amounts[0] or 0.0
            total += row_company.currency_id._convert(
                amount, company.currency_id, company, today
            )
        return company.currency_id.round(total)

    def _crm_360_summary(self, billing, figures=None):
        summary = {
            "claim_count": 0,
            "open_claim_count": 0,
            "open_order_count": self.env["sale.order"].search_count(
                self._crm_360_open_orders_domain()
            )
            if self._crm_360_can_read("sale.order")
            else None,
            "last_interaction_date": self._crm_360_last_interaction(),
        }
        claims = []
        if self._crm_360_can_read("crm.claim"):
            claims = self.env["crm.claim"]._read_group(
                [("partner_id", "in", self._crm_360_family())],
                ["is_closed"],
                ["__count"],
            )
        for closed, count in claims:
            summary["claim_count"] += count
            if not closed:
                summary["open_claim_count"] += count
        if not billing:
            return summary
        figures = figures or self._crm_360_move_figures()
        summary.update(
            {key: figures[key] for key in SUMMARY_FIGURES},
            avg_days_to_pay=self._crm_360_avg_days_to_pay(),
        )
        return summary

    def _crm_360_move_figures(self):
        """Every billing figure of the screen in one pass over the customer's
        posted invoices and credit notes (under the user's record rules),
        summed by company and converted into the current company's currency.
        """
        today = fields.Date.context_today(self)
        query = self.env["account.move"]._search(self._crm_360_move_domain())
        open_invoice = SQL(
            "account_move.move_type = 'out_invoice'"
            " AND account_move.amount_residual > 0"
        )
        sums = {
            "revenue_total": SQL("SUM(account_move.amount_untaxed_signed)"),
            "revenue_12m": SQL(
                "SUM(account_move.amount_untaxed_signed)"
                " FILTER (WHERE account_move.invoice_date > %s)",
                today - relativedelta(months=12),
            ),
            "balance_due": SQL("SUM(account_move.amount_residual_signed)"),
            "overdue_amount": SQL(
                "SUM(account_move.amount_residual_signed) FILTER (WHERE %s AND "
                "account_move.invoice_date_due < %s)",
                open_invoice,
                today,
            ),
        }
        for key, low, high in AGING_BUCKETS:
            if low is None:
                bucket = SQL("account_move.invoice_date_due >= %s", today)
            else:
                bucket = SQL(
                    "account_move.invoice_date_due <= %s", today - timedelta(days=low)
                )
                if high is not None:
                    bucket = SQL(
                        "%s AND account_move.invoice_date_due >= %s",
                        bucket,
                        today - timedelta(days=high),
                    )
            sums[f"aging_{key}"] = SQL(
                "SUM(account_move.amount_residual_signed) FILTER (WHERE %s AND %s)",
                open_invoice,
                bucket,
            )
        counts = {
            "invoice_count": SQL(
                "COUNT(*) FILTER (WHERE account_move.move_type = 'out_invoice')"
            ),
            "overdue_count": SQL(
                "COUNT(*) FILTER (WHERE %s AND account_move.invoice_date_due < %s)",
                open_invoice,
                today,
            ),
        }
        query.groupby = SQL.identifier(query.table, "company_id")
        rows = self.env.execute_query(
            query.select(query.groupby, *sums.values(), *counts.values())
        )
        companies = self.env["res.company"].browse([row[0] for row in rows])
        figures = {
            key: self._crm_360_converted(
                (company, row[1 + index])
                for company, row in zip(companies, rows, strict=True)
            )
            for index, key in enumerate(sums)
        }
        for index, key in enumerate(counts, start=1 + len(sums)):
            figures[key] = sum(row[index] for row in rows)
        figures["aging"] = {
            key: figures.pop(f"aging_{key}") for key, *_b in AGING_BUCKETS
        }
        return figures

    def _crm_360_avg_days_to_pay(self):
        """Mean over fully paid invoices of (date of the payment that settled
        them − invoice date), in days; None without paid invoice."""
        query = self.env["account.move"]._search(
            self._crm_360_move_domain(("out_invoice",))
            + [("payment_state", "in", ("paid", "in_payment"))]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT AVG(settled.day - m.invoice_date)
                  FROM account_move m
                  JOIN LATERAL (
                        SELECT MAX(apr.max_date) AS day
                          FROM account_move_line l
                          JOIN account_partial_reconcile apr
                            ON apr.debit_move_id = l.id OR apr.credit_move_id = l.id
                         WHERE l.move_id = m.id
                           AND l.display_type = 'payment_term'
                  ) settled ON settled.day IS NOT NULL
                 WHERE m.id IN %s
                """,
                query.subselect(),
            )
        )
        average = self.env.cr.fetchone()[0]
        return round(float(average), 1) if average is not None else None

    def _crm_360_last_interaction(self):
        """Date of the last message or activity on the customer, its contacts
        and its documents."""
        family = self._search([("id", "in", self._crm_360_family())])
        query = self._crm_360_message_query(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", family),
                ("message_type", "in", ("email", "comment")),
            ]
        )
        last = self.env.execute_query(
            query.select(SQL("MAX(%s)", SQL.identifier(query.table, "date")))
        )[0][0]
        orders = []
        if self._crm_360_can_read("sale.order"):
            orders = self.env["sale.order"]._read_group(
                [("partner_id", "in", self._crm_360_family())], [], ["date_order:max"]
            )
        candidates = [d for d in (last, orders[0][0] if orders else False) if d]
        return fields.Datetime.to_string(max(candidates)) if candidates else False

    def _crm_360_billing(self, figures=None):
        Move = self.env["account.move"]
        figures = figures or self._crm_360_move_figures()
        invoices = Move.search(
            self._crm_360_move_domain(), limit=10, order="invoice_date desc, id desc"
        )
        payments = self.env["account.payment"].search(
            [
                ("partner_id", "in", self._crm_360_family()),
                ("company_id", "in", self.env.companies.ids),
                ("partner_type", "=", "customer"),
                ("state", "not in", ("draft", "canceled")),
            ],
            limit=10,
            order="date desc, id desc",
        )
        return {
            "aging": figures["aging"],
            "invoices": [
                {
                    "id": m.id,
                    "name": m.name,
                    "date": fields.Date.to_string(m.invoice_date),
                    "due": fields.Date.to_string(m.invoice_date_due),
                    "total": m.amount_total_signed,
                    "residual": m.amount_residual_signed,
                    "state": m.payment_state,
                    "type": m.move_type,
                }
                for m in invoices
            ],
            "payments": [
                {
                    "id": p.id,
                    "name": p.name,
                    "date": fields.Date.to_string(p.date),
                    "amount": p.amount_company_currency_signed,
                }
                for p in payments
            ],
        }

    def _crm_360_sales(self):
        Order = self.env["sale.order"]
        domain = [
            ("partner_id", "in", self._crm_360_family()),
            ("company_id", "in", self.env.companies.ids),
        ]
        counts = dict(Order._read_group(domain, ["state"], ["__count"]))
        orders = Order.search(domain, limit=10, order="date_order desc, id desc")
        Line = self.env["sale.order.line"]
        line_domain = [
            ("order_id.partner_id", "in", self._crm_360_family()),
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "sale"),
            ("product_id", "!=", False),
        ]
        top = Line._read_group(
            line_domain,
            ["product_id"],
            ["price_subtotal:sum"],
            order="price_subtotal:sum desc",
            limit=5,
        )
        since = fields.Datetime.now() - relativedelta(months=OWNED_MONTHS)
        owned = Line._read_group(
            line_domain + [("order_id.date_order", ">=", since)], ["product_id"]
        )
        owned_ids = [product.id for (product,) in owned]
        return {
            "quotation_count": counts.get("draft", 0) + counts.get("sent", 0),
            "order_count": counts.get("sale", 0),
            "orders": [
                {
                    "id": o.id,
                    "name": o.name,
                    "date": fields.Datetime.to_string(o.date_order),
                    "state": o.state,
                    "amount": o.amount_untaxed,
                    "currency": o.currency_id.name,
                }
                for o in orders
            ],
            "top_products": [
                {"id": product.id, "name": product.display_name, "amount": amount}
                for product, amount in top
            ],
            "owned_products": [
                {"id": product.id, "name": product.display_name} for (product,) in owned
            ],
            "cross_sell": self._crm_360_cross_sell(owned_ids),
        }

    def _crm_360_cross_sell(self, owned_ids, limit=5):
        """Products most often bought by the customers who bought what this
        customer owns, that this customer does not own yet (one query)."""
        if not owned_ids:
            return []
        lines = self.env["sale.order.line"]._search(
            [("company_id", "in", self.env.companies.ids), ("state", "=", "sale")]
        )
        self.env.cr.execute(
            SQL(
                """
                WITH lines AS (
                    SELECT l.product_id, o.partner_id
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id
                     WHERE l.id IN %(lines)s AND l.product_id IS NOT NULL
                ), peers AS (
                    SELECT DISTINCT partner_id FROM lines
                     WHERE product_id = ANY(%(owned)s) AND partner_id != %(me)s
                )
                SELECT lines.product_id, COUNT(DISTINCT lines.partner_id) AS buyers
                  FROM lines JOIN peers USING (partner_id)
                 WHERE NOT lines.product_id = ANY(%(owned)s)
              GROUP BY lines.product_id
              ORDER BY buyers DESC, lines.product_id
                 LIMIT %(limit)s
                """,
                lines=lines.subselect(),
                owned=owned_ids,
                me=self.id,
                limit=limit,
            )
        )
        rows = self.env.cr.fetchall()
        products = self.env["product.product"].browse([r[0] for r in rows])
        names = {p.id: p.display_name for p in products}
        return [
            {"id": pid, "name": names[pid], "buyers": buyers} for pid, buyers in rows
        ]

    def _crm_360_complaints(self):
        Claim = self.env["crm.claim"]
        today = fields.Date.context_today(self)
        claims = Claim.search(
            [("partner_id", "in", self._crm_360_family())],
            limit=20,
            order="date desc, id desc",
        )
        documents = self._crm_360_documents(
            [c.model_ref_id for c in claims if c.model_ref_id]
        )
        return [
            {
                "id": c.id,
                "name": c.name,
                "date": fields.Datetime.to_string(c.date),
                "stage": c.stage_id.name or "",
                "closed": c.is_closed,
                "overdue": bool(
                    not c.is_closed and c.date_deadline and c.date_deadline < today
                ),
                "deadline": fields.Date.to_string(c.date_deadline),
                **documents.get(
                    (c.model_ref_id._name, c.model_ref_id.id)
                    if c.model_ref_id
                    else None,
                    {"document": "", "document_model": "", "document_id": False},
                ),
            }
            for c in claims
        ]

    def _crm_360_documents(self, references):
        """{(model, id): document fields} of the documents the claims are
        about, read model by model (a query per kind of document, not per
        claim); documents the user may not read are left out."""
        ids_by_model = defaultdict(list)
        for record in references:
            ids_by_model[record._name].append(record.id)
        documents = {}
        for model, ids in ids_by_model.items():
            records = self.env[model].browse(ids).exists()._filtered_access("read")
            for record in records:
                documents[model, record.id] = {
                    "document": record.display_name,
                    "document_model": model,
                    "document_id": record.id,
                }
        return documents

    def _crm_360_opportunities(self):
        leads = self.env["crm.lead"].search(
            [
                ("partner_id", "in", self._crm_360_family()),
                ("company_id", "in", self.env.companies.ids + [False]),
            ],
            limit=20,
            order="create_date desc, id desc",
        )
        return [
            {
                "id": lead.id,
                "name": lead.name,
                "stage": lead.stage_id.name or "",
                "expected_revenue": lead.expected_revenue,
                "probability": lead.probability,
                "active": lead.active,
            }
            for lead in leads
        ]

    def _crm_360_household(self, billing):
        relations = self.env["crm.partner.relation"]._relations_of(self)
        labels = dict(
            self.env["crm.partner.relation"]
            ._fields["relation_type"]
            ._description_selection(self.env)
        )
        related = self.browse([partner.id for partner, _kind in relations])
        revenue = {}
        if billing and related:
            revenue = dict(
                self.env["account.move"]._read_group(
                    [
                        (
                            "commercial_partner_id",
                            "in",
                            related.commercial_partner_id.ids,
                        ),
                        ("company_id", "=", self.env.company.id),
                        ("state", "=", "posted"),
                        ("move_type", "in", CUSTOMER_MOVE_TYPES),
                    ],
                    ["commercial_partner_id"],
                    ["amount_untaxed_signed:sum"],
                )
            )
        members = [
            {
                "id": partner.id,
                "name": partner.display_name,
                "relation": labels.get(kind, kind),
                "revenue": revenue.get(partner.commercial_partner_id, 0.0)
                if billing
                else None,
            }
            for partner, kind in relations
        ]
        return {
            "members": members,
            "revenue_total": sum(m["revenue"] or 0.0 for m in members)
            if billing
            else None,
        }

    def _crm_360_timeline(self, offset=0, limit=TIMELINE_PAGE):
        """Messages, e-mails and notes, planned activities and meetings of the
        customer, its contacts and its orders, invoices, payments, claims and
        opportunities, newest first, each tagged with its channel.

        Each source gives its newest ``offset + limit`` entries (a fixed
        number of queries whatever the history), merged and cut to the page.
        """
        related = {
            "res.partner": [("id", "in", self._crm_360_family())],
            "sale.order": [("partner_id", "in", self._crm_360_family())],
            "account.move": [("commercial_partner_id", "=", self.id)],
            "account.payment": [("partner_id", "in", self._crm_360_family())],
            "crm.claim": [("partner_id", "in", self._crm_360_family())],
            "crm.lead": [("partner_id", "in", self._crm_360_family())],
        }
        # sub-queries under the user's record rules, never lists of ids
        documents = {
            model: self.env[model]._search(domain)
            for model, domain in related.items()
            if self._crm_360_can_read(model)
        }
        window = offset + limit
        sources = [
            self._crm_360_timeline_messages(documents, window),
            self._crm_360_timeline_activities(documents, window),
            self._crm_360_timeline_meetings(window),
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

    def _crm_360_timeline_messages(self, documents, window):
        """The newest ``window`` messages on the documents and their count,
        in one query: a union of the newest messages of each kind of
        document, each read from mail's (model, res_id) index (an OR of
        all kinds would scan every message of the database)."""
        Message = self.env["mail.message"]
        types = Domain("message_type", "in", MESSAGE_TYPES)
        pages, counts = [], []
        for model, query in documents.items():
            domain = Domain("model", "=", model) & Domain("res_id", "in", query) & types
            page = self._crm_360_message_query(
                domain, order="date desc, id desc", limit=window
            )
            pages.append(
                page.subselect(
                    SQL.identifier(page.table, "id"), SQL.identifier(page.table, "date")
                )
            )
            counts.append(self._crm_360_message_query(domain).subselect("COUNT(*)"))
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
        messages = Message.browse(ids)._filtered_access("read")
        note = self.env.ref("mail.mt_note")
        return total, [
            {
                "id": f"message-{m.id}",
                "date": fields.Datetime.to_string(m.date),
                "model": m.model,
                "res_id": m.res_id,
                "record": m.record_name or "",
                "author": m.author_id.name or "",
                "body": m.preview or "",
                "channel": self._crm_360_channel(m, note),
            }
            for m in messages
        ]

    def _crm_360_message_query(self, domain, **kwargs):
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

    def _crm_360_timeline_activities(self, documents, window):
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
            {
                "id": f"activity-{a.id}",
                "date": fields.Date.to_string(a.date_deadline) + " 00:00:00",
                "model": a.res_model,
                "res_id": a.res_id,
                "record": a.res_name or "",
                "author": a.user_id.name or "",
                "body": a.summary or a.activity_type_id.name or "",
                "channel": "call"
                if a.activity_type_id.category == "phonecall"
                else "activity",
            }
            for a in activities
        ]

    def _crm_360_timeline_meetings(self, window):
        if not self._crm_360_can_read("calendar.event"):
            return 0, []
        Event = self.env["calendar.event"]
        domain = [("partner_ids", "in", self._crm_360_family())]
        events = Event.search(domain, limit=window, order="start desc, id desc")
        return Event.search_count(domain), [
            {
                "id": f"meeting-{e.id}",
                "date": fields.Datetime.to_string(e.start),
                "model": "calendar.event",
                "res_id": e.id,
                "record": e.name or "",
                "author": e.user_id.name or "",
                "body": e.location or "",
                "channel": "meeting",
            }
            for e in events
        ]

    @staticmethod
    def _crm_360_channel(message, note):
        if message.message_type in ("email", "email_outgoing"):
            return "email"
        if message.subtype_id == note:
            return "note"
        return "message"

    def _crm_360_value(self, summary):
        """RFM scores (1-5 by quintile among the company's customers),
        historic lifetime value and its rank, and the risk flag with reasons."""
        row = self._crm_360_value_row()
        reasons = []
        if summary.get("overdue_amount"):
            reasons.append(self.env._("Overdue invoices"))
        if summary.get("open_claim_count"):
            reasons.append(self.env._("Open complaints"))
        if row and (row["prev6"] or 0) > 0 and (row["last6"] or 0) < row["prev6"]:
            reasons.append(self.env._("Spending less than in the 6 months before"))
        value = {
            "rfm": None,
            "segment": "",
            "lifetime_value": 0.0,
            "rank": None,
            "customers": 0,
            "risk": len(reasons) >= 2,
            "risk_reasons": reasons,
        }
        if row:
            customers = row["customers"]
            # recency: the most recent buyers (fewest days) score 5
            r = 6 - _quintile(row["more_recent"] + 1, customers)
            f = _quintile(row["fewer_invoices"] + 1, customers)
            m = _quintile(row["lower_value"] + 1, customers)
            value.update(
                rfm=f"{r}{f}{m}",
                segment=self._crm_360_segment(r, f, m),
                lifetime_value=float(row["monetary"] or 0.0),
                rank=row["higher_value"] + 1,
                customers=customers,
            )
        return value

    def _crm_360_value_row(self):
        """This customer's spend and, among the customers of the current
        company, how many buy more recently, more often, and more or less
        than it. The customer's own figures are read from its invoices; the
        other customers' from their stored figures
        (``crm.customer.360.value``), one narrow row each, so that the
        screen never aggregates every invoice of the company.

        Customers with equal values share one position, the first of them
        (as ``RANK()`` does), so that their scores are equal.

        :return: dict, or None when the customer has no posted invoice in
            the company
        """
        today = fields.Date.context_today(self)
        self.env.cr.execute(
            SQL(
                """
                WITH me AS (
                    SELECT MAX(invoice_date) AS last,
                           COUNT(*) FILTER (WHERE move_type = 'out_invoice')
                               AS frequency,
                           -- as the stored figures (double precision): a
                           -- numeric would convert each of theirs to compare
                           SUM(amount_untaxed_signed)::float8 AS monetary,
                           SUM(amount_untaxed_signed) FILTER (
                               WHERE invoice_date > %(half)s) AS last6,
                           SUM(amount_untaxed_signed) FILTER (
                               WHERE invoice_date <= %(half)s
                                 AND invoice_date > %(year)s) AS prev6
                      FROM account_move
                     WHERE company_id = %(company)s AND state = 'posted'
                       AND move_type IN %(types)s
                       AND commercial_partner_id = %(partner)s
                    HAVING COUNT(*) > 0
                )
                SELECT me.monetary, me.last6, me.prev6, others.*
                  FROM me CROSS JOIN LATERAL (
                    SELECT COUNT(*) + 1,
                           COUNT(*) FILTER (WHERE v.last_invoice_date > me.last),
                           COUNT(*) FILTER (WHERE v.invoice_count < me.frequency),
                           COUNT(*) FILTER (WHERE v.amount < me.monetary),
                           COUNT(*) FILTER (WHERE v.amount > me.monetary)
                      FROM crm_customer_360_value v
                     WHERE v.company_id = %(company)s AND v.partner_id != %(partner)s
                  ) AS others
                """,
                half=today - relativedelta(months=6),
                year=today - relativedelta(months=12),
                company=self.env.company.id,
                types=CUSTOMER_MOVE_TYPES,
                partner=self.id,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        keys = (
            "monetary",
            "last6",
            "prev6",
            "customers",
            "more_recent",
            "fewer_invoices",
            "lower_value",
            "higher_value",
        )
        return dict(zip(keys, row, strict=True))

    def _crm_360_segment(self, r, f, m):
        if r >= 4 and f >= 4:
            return self.env._("Champion")
        if f >= 4:
            return self.env._("Loyal")
        if r >= 4:
            return self.env._("Recent")
        if r <= 2 and (f >= 3 or m >= 3):
            return self.env._("At risk")
        if r <= 2:
            return self.env._("Hibernating")
        return self.env._("Needs attention")


def _quintile(position, count):
    """``NTILE(5)`` of the row at ``position`` (1-based) among ``count``
    rows: the first ``count % 5`` groups hold one row more."""
    size, larger = divmod(count, 5)
    if position <= larger * (size + 1):
        return (position - 1) // (size + 1) + 1
    return larger + (position - 1 - larger * (size + 1)) // size + 1
