from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

# the documents a customer may complain about
DOCUMENT_MODELS = ("account.move", "sale.order")
DOCUMENTS_SHOWN = 50
SUBJECT_MAX_LENGTH = 200


class ClaimPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "claim_count" in counters:
            Claim = request.env["crm.claim"]
            values["claim_count"] = (
                Claim.search_count([]) if Claim.has_access("read") else 0
            )
        return values

    def _claim_documents(self):
        """The customer's posted invoices and confirmed orders, as the user
        can read them (none of a model the user may not read)."""
        partner = request.env.user.partner_id.commercial_partner_id
        Move, Order = request.env["account.move"], request.env["sale.order"]
        invoices, orders = Move, Order
        if Move.has_access("read"):
            invoices = Move.search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("commercial_partner_id", "=", partner.id),
                ],
                limit=DOCUMENTS_SHOWN,
                order="invoice_date desc, id desc",
            )
        if Order.has_access("read"):
            orders = Order.search(
                [("state", "=", "sale"), ("partner_id", "child_of", partner.id)],
                limit=DOCUMENTS_SHOWN,
                order="date_order desc, id desc",
            )
        return invoices, orders

    @staticmethod
    def _claim_document_allowed(document):
        """Only what the form offers: posted invoices and confirmed orders."""
        if document._name == "account.move":
            return document.move_type == "out_invoice" and document.state == "posted"
        return document.state == "sale"

    @http.route("/my/claims", type="http", auth="user", methods=["GET"], website=True)
    def portal_my_claims(self, **kw):
        Claim = request.env["crm.claim"]
        # an employee without claim rights sees an empty page, not an error
        claims = (
            Claim.search([], order="date desc, id desc")
            if Claim.has_access("read")
            else Claim
        )
        invoices, orders = self._claim_documents()
        values = self._prepare_portal_layout_values()
        values.update(
            claims=claims,
            invoices=invoices,
            orders=orders,
            page_name="claims",
            error=kw.get("error"),
        )
        return request.render("crm_360.portal_my_claims", values)

    @http.route(
        "/my/claims/submit", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_claim_submit(self, document="", subject="", description="", **kw):
        """File a complaint about one of the customer's invoices or orders."""
        model, _sep, res_id = document.partition(",")
        subject = (subject or "").strip()
        if model not in DOCUMENT_MODELS or not res_id.isdigit() or not subject:
            return request.redirect("/my/claims?error=missing")
        if len(subject) > SUBJECT_MAX_LENGTH:
            return request.redirect("/my/claims?error=long")
        try:
            document_sudo = self._document_check_access(model, int(res_id))
        except (AccessError, MissingError):
            return request.redirect("/my/claims?error=document")
        if not self._claim_document_allowed(document_sudo):
            return request.redirect("/my/claims?error=document")
        partner = request.env.user.partner_id
        # portal users cannot create claims themselves: the document's access
        # was checked above, the claim is created for them
        request.env["crm.claim"].sudo().create(
            {
                "name": subject,
                "description": description,
                "partner_id": partner.id,
                "email_from": partner.email,
                "company_id": document_sudo.company_id.id,
                "model_ref_id": f"{model},{document_sudo.id}",
            }
        )
        return request.redirect("/my/claims")
