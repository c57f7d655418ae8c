from odoo import fields, models
from odoo.fields import Domain

TRACES_SHOWN = 20
RESPONSES = ("open", "reply")


class ResPartner(models.Model):
    _inherit = "res.partner"

    def customer_360_data(self, *args, **kwargs):
        data = super().customer_360_data(*args, **kwargs)
        if self.env["mailing.trace"].has_access("read"):
            data["campaigns"] = self.commercial_partner_id._crm_360_campaigns()
        return data

    def _crm_360_campaigns(self):
        """Mailings sent to the customer or its contacts, and their answers."""
        family = self.search([("id", "in", self._crm_360_family())])
        emails = [email for email in family.mapped("email_normalized") if email]
        domain = Domain("model", "=", "res.partner") & Domain(
            "res_id", "in", family.ids
        )
        if emails:
            domain |= Domain("email", "in", emails)
        Trace = self.env["mailing.trace"]
        statuses = dict(Trace._read_group(domain, ["trace_status"], ["__count"]))
        clicked = Trace.search_count(
            domain & Domain("links_click_datetime", "!=", False)
        )
        traces = Trace.search(
            domain, limit=TRACES_SHOWN, order="sent_datetime desc, id desc"
        )
        labels = dict(Trace._fields["trace_status"]._description_selection(self.env))
        sent = sum(statuses.values())
        return {
            "sent": sent,
            "opened": sum(statuses.get(s, 0) for s in RESPONSES),
            "replied": statuses.get("reply", 0),
            "clicked": clicked,
            "bounced": statuses.get("bounce", 0),
            "traces": [
                {
                    "id": t.id,
                    "mailing": t.mass_mailing_id.subject
                    or t.mass_mailing_id.display_name
                    or "",
                    "date": fields.Datetime.to_string(t.sent_datetime),
                    "status": labels.get(t.trace_status, t.trace_status or ""),
                    "clicked": bool(t.links_click_datetime),
                }
                for t in traces
            ],
        }
