"""The customer 360 screen's entry points on the customer: its data (the
sections are built by ``crm.customer.360.screen``) and its actions."""

from odoo import models
from odoo.exceptions import UserError

from .crm_customer_360_screen import TIMELINE_PAGE


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
        screen = self.env["crm.customer.360.screen"]
        screen._check_page(timeline_offset, timeline_limit)
        partner = self.commercial_partner_id
        partner = partner.with_context(crm_360_family=screen._family(partner))
        return partner.env["crm.customer.360.screen"]._data(
            partner, timeline_offset, timeline_limit
        )
