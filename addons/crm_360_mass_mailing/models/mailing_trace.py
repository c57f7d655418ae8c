from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.crm_360.models.crm_customer_360_value import RFM_SEGMENTS

ORDER_DAYS = 30


class MailingTrace(models.Model):
    """Campaign responses by segment: the RFM segment the recipient was in
    when the mailing was sent, and whether it clicked and whether its
    customer confirmed a sales order in the 30 days after; groupable, so that
    the traces pivot counts them and each cell opens its traces."""

    _inherit = "mailing.trace"

    crm_360_rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="RFM Segment at Sending",
        readonly=True,
        help="The recipient's RFM segment in the sender's company when the "
        "mailing was sent.",
    )
    crm_360_clicked = fields.Boolean(
        string="Clicked",
        compute="_compute_crm_360_responses",
        search="_search_crm_360_clicked",
    )
    crm_360_ordered = fields.Boolean(
        string="Ordered Within 30 Days",
        compute="_compute_crm_360_responses",
        search="_search_crm_360_ordered",
        help="The recipient's customer confirmed a sales order in the 30 days "
        "after the mailing was sent to it.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        traces = super().create(vals_list)
        traces._crm_360_set_segment()
        return traces

    def _compute_crm_360_responses(self):
        ordered = set()
        if self.ids:
            self.flush_recordset(["sent_datetime", "model", "res_id"])
            rows = self.env.execute_query(
                SQL(
                    "SELECT t.id FROM mailing_trace t WHERE t.id = ANY(%s) AND %s",
                    self.ids,
                    self._crm_360_ordered_sql("t"),
                )
            )
            ordered = {row[0] for row in rows}
        for trace in self:
            trace.crm_360_clicked = bool(trace.links_click_datetime)
            trace.crm_360_ordered = trace.id in ordered

    def _search_crm_360_clicked(self, operator, value):
        if operator != "in":
            return NotImplemented
        clicked = Domain("links_click_datetime", "!=", False)
        return Domain.OR(clicked if v else ~clicked for v in value)

    def _search_crm_360_ordered(self, operator, value):
        if operator != "in":
            return NotImplemented
        ordered = Domain(
            "id",
            "any!",
            SQL(
                "SELECT t.id FROM mailing_trace t WHERE %s",
                self._crm_360_ordered_sql("t"),
            ),
        )
        return Domain.OR(ordered if v else ~ordered for v in value)

    def _field_to_sql(self, alias, field_expr, query=None):
        if field_expr == "crm_360_clicked":
            return SQL(
                "(%s IS NOT NULL)",
                super()._field_to_sql(alias, "links_click_datetime", query),
            )
        if field_expr == "crm_360_ordered":
            return SQL("(%s)", self._crm_360_ordered_sql(alias))
        return super()._field_to_sql(alias, field_expr, query)

    def _crm_360_ordered_sql(self, alias):
        """Whether the trace (``alias``) went to a contact whose customer
        (commercial partner) confirmed a sales order in the 30 days after the
        sending (the trace's creation when it has no sending date)."""
        self.env["sale.order"].flush_model(["partner_id", "state", "date_order"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        sent = SQL(
            "COALESCE(%s, %s)",
            SQL.identifier(alias, "sent_datetime"),
            SQL.identifier(alias, "create_date"),
        )
        return SQL(
            """
            %(model)s = 'res.partner' AND EXISTS (
                SELECT 1
                  FROM res_partner rp
                  JOIN res_partner buyer
                    ON buyer.commercial_partner_id = rp.commercial_partner_id
                  JOIN sale_order so ON so.partner_id = buyer.id
                 WHERE rp.id = %(res_id)s AND so.state = 'sale'
                   AND so.date_order >= %(sent)s
                   AND so.date_order < %(sent)s + make_interval(days => %(days)s))
            """,
            model=SQL.identifier(alias, "model"),
            res_id=SQL.identifier(alias, "res_id"),
            sent=sent,
            days=ORDER_DAYS,
        )

    def _crm_360_set_segment(self):
        """The segment of each recipient contact's customer in the current
        company, in one statement."""
        partner_traces = self.filtered(lambda trace: trace.model == "res.partner")
        if not partner_traces:
            return
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        partner_traces.flush_recordset(["model", "res_id"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE mailing_trace t
                   SET crm_360_rfm_segment = v.rfm_segment
                  FROM res_partner rp
                  JOIN crm_customer_360_value v
                    ON v.partner_id = rp.commercial_partner_id
                   AND v.company_id = %s
                 WHERE t.id = ANY(%s) AND rp.id = t.res_id
                """,
                self.env.company.id,
                partner_traces.ids,
            )
        )
        partner_traces.invalidate_recordset(["crm_360_rfm_segment"])
