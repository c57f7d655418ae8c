from collections import defaultdict

from odoo import api, fields, models

CLAIMS_SHOWN = 20
NO_DOCUMENT = {"document": "", "document_model": "", "document_id": False}


class CrmCustomer360ScreenComplaints(models.AbstractModel):
    """The customer's complaints (OCA claims), with the document each one
    is about, and their counts for the key figures."""

    _name = "crm.customer.360.screen.complaints"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Complaints"

    @api.model
    def _counts(self, partner):
        """Claims and open claims, for the key figures (zero when the user
        may not read claims)."""
        counts = {"claim_count": 0, "open_claim_count": 0}
        if not self._can_read("crm.claim"):
            return counts
        groups = self.env["crm.claim"]._read_group(
            [("partner_id", "in", self._family(partner))], ["is_closed"], ["__count"]
        )
        for closed, count in groups:
            counts["claim_count"] += count
            if not closed:
                counts["open_claim_count"] += count
        return counts

    @api.model
    def _section_data(self, partner):
        today = fields.Date.context_today(self)
        claims = self.env["crm.claim"].search(
            [("partner_id", "in", self._family(partner))],
            limit=CLAIMS_SHOWN,
            order="date desc, id desc",
        )
        documents = self._documents([c.model_ref_id for c in claims if c.model_ref_id])
        return [self._claim_item(claim, documents, today) for claim in claims]

    @api.model
    def _claim_item(self, claim, documents, today):
        deadline = claim.date_deadline
        return {
            "id": claim.id,
            "name": claim.name,
            "date": fields.Datetime.to_string(claim.date),
            "stage": claim.stage_id.name or "",
            "closed": claim.is_closed,
            "overdue": bool(not claim.is_closed and deadline and deadline < today),
            "deadline": fields.Date.to_string(deadline),
            **self._document_of(claim, documents),
        }

    @api.model
    def _document_of(self, claim, documents):
        document = claim.model_ref_id
        key = (document._name, document.id) if document else None
        return documents.get(key, NO_DOCUMENT)

    @api.model
    def _documents(self, references):
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
