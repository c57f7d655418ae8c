from odoo import api, fields, models
from odoo.exceptions import AccessError

INVOICING_GROUP = "account.group_account_invoice"
# what makes a document in dispute
DISPUTE_FIELDS = {"model_ref_id", "stage_id", "active"}
# the claim's field that links it to each kind of document
DOCUMENT_FIELDS = {"account.move": "crm_360_move_id", "sale.order": "crm_360_order_id"}
# what makes a complaint count in the customer's churn risk
CHURN_FIELDS = {"partner_id", "stage_id", "active", "company_id"}


class CrmClaim(models.Model):
    _inherit = "crm.claim"

    # the complaints of a customer and its contacts, on its 360 screen
    partner_id = fields.Many2one(index=True)
    # the document of model_ref_id as relations: disputes, and what the
    # invoicing users may read, are searched through them
    crm_360_move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        compute="_compute_crm_360_documents",
        store=True,
        index="btree_not_null",
        ondelete="set null",
    )
    crm_360_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        compute="_compute_crm_360_documents",
        store=True,
        index="btree_not_null",
        ondelete="set null",
    )

    @api.depends("model_ref_id")
    def _compute_crm_360_documents(self):
        # a reference may outlive its document: only existing ones are linked
        existing = {}
        for model in DOCUMENT_FIELDS:
            ids = [
                claim.model_ref_id.id
                for claim in self
                if claim.model_ref_id and claim.model_ref_id._name == model
            ]
            existing[model] = set(self.env[model].browse(ids).exists().ids)
        for claim in self:
            document = claim.model_ref_id
            for model, field in DOCUMENT_FIELDS.items():
                linked = document and document._name == model
                claim[field] = (
                    document.id if linked and document.id in existing[model] else False
                )

    @api.model_create_multi
    def create(self, vals_list):
        claims = super().create(vals_list)
        self._crm_360_invalidate_disputes()
        claims._crm_360_refresh_value(claims.partner_id)
        return claims

    def write(self, vals):
        before = self.partner_id if CHURN_FIELDS.intersection(vals) else None
        result = super().write(vals)
        if DISPUTE_FIELDS.intersection(vals):
            self._crm_360_invalidate_disputes()
        if before is not None:
            self._crm_360_refresh_value(before | self.partner_id)
        return result

    def unlink(self):
        partners = self.partner_id
        result = super().unlink()
        self._crm_360_invalidate_disputes()
        self._crm_360_refresh_value(partners)
        return result

    def message_post(self, **kwargs):
        """An invoicing user who may read a claim but not edit it logs notes
        on it; sending a message to its followers stays for those who may
        edit it."""
        if self._crm_360_notes_only() and not self._crm_360_is_note(kwargs):
            raise AccessError(
                self.env._(
                    "You may only log notes on this complaint: sending messages "
                    "needs the right to edit complaints (Sales)."
                )
            )
        return super().message_post(**kwargs)

    def _mail_get_operation_for_mail_message_operation(self, message_operation):
        """Invoicing users post (notes, see message_post) on the claims they
        may read, as Odoo lets everyone who reads an invoice post on it."""
        operations = super()._mail_get_operation_for_mail_message_operation(
            message_operation
        )
        if message_operation == "create" and self.env.user.has_group(INVOICING_GROUP):
            operations = dict.fromkeys(operations, "read")
        return operations

    def _crm_360_invalidate_disputes(self):
        """The dispute flags are computed, not stored, from the claims: a
        claim opened, closed, archived or moved changes them at once."""
        for model in DOCUMENT_FIELDS:
            self.env[model].invalidate_model(["in_dispute", "dispute_claim_count"])

    def _crm_360_refresh_value(self, partners):
        """A complaint opened, closed, archived or moved changes the churn
        risk of its customer."""
        if partners:
            self.env["crm.customer.360.value"]._refresh(
                partners=partners.commercial_partner_id
            )

    def _crm_360_notes_only(self):
        """Whether the user (the real one, also under the sudo of the chatter
        controller) posts here on read access only."""
        user_self = self.sudo(False)
        return (
            self.env.user.has_group(INVOICING_GROUP)
            and not self.env.user._is_superuser()
            and not user_self.has_access("write")
        )

    def _crm_360_is_note(self, post_values):
        subtype_id = post_values.get("subtype_id")
        if post_values.get("subtype_xmlid"):
            subtype_id = self.env["ir.model.data"]._xmlid_to_res_id(
                post_values["subtype_xmlid"]
            )
        if not subtype_id:
            return post_values.get("message_type", "notification") != "email"
        subtype = self.env["mail.message.subtype"].sudo().browse(subtype_id)
        return subtype.internal and post_values.get("message_type") != "email"
