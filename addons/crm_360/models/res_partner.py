"""The customer 360 screen's entry points on the customer: its data (the
sections are built by ``crm.customer.360.screen``) and its actions."""

from typing import Any

from odoo import api, models
from odoo.exceptions import UserError

from .crm_customer_360_screen import TIMELINE_PAGE, _whole


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
        partner = partner.with_context(crm_360_family=screen._family(partner))
        return partner.env["crm.customer.360.screen"]._data(
            partner, timeline_offset, timeline_limit
        )
