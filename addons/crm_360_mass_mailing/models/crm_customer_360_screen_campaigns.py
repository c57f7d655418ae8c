from odoo import api, fields, models
from odoo.fields import Domain

TRACES_SHOWN = 20
RESPONSES = ("open", "reply")


class CrmCustomer360ScreenCampaigns(models.AbstractModel):
    """Mailings sent to the customer or its contacts, and their answers
    (opened, clicked, replied, bounced)."""

    _name = "crm.customer.360.screen.campaigns"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Campaigns"

    @api.model
    def _section_data(self, partner):
        domain = self._traces_domain(partner)
        Trace = self.env["mailing.trace"]
        statuses = dict(Trace._read_group(domain, ["trace_status"], ["__count"]))
        clicked = Trace.search_count(
            domain & Domain("links_click_datetime", "!=", False)
        )
        traces = Trace.search(
            domain, limit=TRACES_SHOWN, order="sent_datetime desc, id desc"
        )
        return {
            "sent": sum(statuses.values()),
            "opened": sum(statuses.get(s, 0) for s in RESPONSES),
            "replied": statuses.get("reply", 0),
            "clicked": clicked,
            "bounced": statuses.get("bounce", 0),
            "traces": self._trace_items(traces),
        }

    @api.model
    def _traces_domain(self, partner):
        """The traces of mailings to the customer's family, as records or by
        their e-mail addresses."""
        family = partner.search([("id", "in", self._family(partner))])
        emails = [email for email in family.mapped("email_normalized") if email]
        domain = Domain("model", "=", "res.partner") & Domain(
            "res_id", "in", family.ids
        )
        if emails:
            domain |= Domain("email", "in", emails)
        return domain

    @api.model
    def _trace_items(self, traces):
        Trace = self.env["mailing.trace"]
        labels = dict(Trace._fields["trace_status"]._description_selection(self.env))
        return [self._trace_item(trace, labels) for trace in traces]

    @api.model
    def _trace_item(self, trace, labels):
        mailing = trace.mass_mailing_id
        return {
            "id": trace.id,
            "mailing": mailing.subject or mailing.display_name or "",
            "date": fields.Datetime.to_string(trace.sent_datetime),
            "status": labels.get(trace.trace_status, trace.trace_status or ""),
            "clicked": bool(trace.links_click_datetime),
        }
