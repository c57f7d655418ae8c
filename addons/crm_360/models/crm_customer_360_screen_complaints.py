from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

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
        groups = self._value(
            ("claim_counts", partner.id), lambda: self._counts_sql(partner)
        )
        for closed, count in groups:
            counts["claim_count"] += count
            if not closed:
                counts["open_claim_count"] += count
        return counts

    @api.model
    def _counts_sql(self, partner):
        """JSON rows (closed, number of claims) of the customer's claims."""
        query = self.env["crm.claim"]._search(
            [("partner_id", "in", self._family(partner))]
        )
        closed = SQL("COALESCE(%s, FALSE)", SQL.identifier(query.table, "is_closed"))
        query.groupby = closed
        return self._json_rows(query, closed, SQL("COUNT(*)"))

    @api.model
    def _section_data(self, partner):
        today = fields.Date.to_string(fields.Date.context_today(self))
        claims = self._records(("claims", partner.id), *self._claims_args(partner))
        for claim in claims:
            claim["stage"] = claim["stage_id.name"] or ""
            claim["document_key"] = _reference(claim["model_ref_id"])
        documents = self._documents([c["document_key"] for c in claims])
        return [self._claim_item(claim, documents, today) for claim in claims]

    @api.model
    def _claims_args(self, partner):
        """The arguments of :meth:`_records` for the newest claims."""
        return (
            "crm.claim",
            [("partner_id", "in", self._family(partner))],
            [
                "name",
                "date",
                "stage_id.name",
                "is_closed",
                "date_deadline",
                "model_ref_id",
            ],
            {"limit": CLAIMS_SHOWN, "order": "date desc, id desc"},
        )

    @api.model
    def _claim_item(self, claim, documents, today):
        deadline = claim["date_deadline"]
        closed = claim["is_closed"]
        return {
            "id": claim["id"],
            "name": claim["name"],
            "date": claim["date"],
            "stage": claim["stage"],
            "closed": closed,
            "overdue": bool(not closed and deadline and deadline < today),
            "deadline": deadline,
            **documents.get(claim["document_key"], NO_DOCUMENT),
        }

    @api.model
    def _documents(self, references):
        """{(model, id): document fields} of the documents the claims are
        about (``references``: (model, id) or None), read model by model (a
        query per kind of document, not per claim); documents the user may
        not read, or that no longer exist, are left out."""
        ids_by_model = defaultdict(list)
        for reference in references:
            if reference and reference[0] in self.env:
                ids_by_model[reference[0]].append(reference[1])
        documents = {}
        for model, ids in ids_by_model.items():
            Model = self.env[model]
            if not Model.has_access("read"):
                continue
            records = Model.with_context(active_test=False).search_fetch(
                [("id", "in", ids)], self._display_name_fields(Model)
            )
            for record in records:
                documents[model, record.id] = {
                    "document": record.display_name,
                    "document_model": model,
                    "document_id": record.id,
                }
        return documents

    @api.model
    def _display_name_fields(self, model):
        """The stored fields a record's display name is usually computed
        from (its dependencies, its name and the fields its name is searched
        on), read with the search that finds the records: one query instead
        of two (a field left out is read when the name is computed)."""
        field = model._fields["display_name"]
        paths = [*model.pool.field_depends[field], *(model._rec_names_search or ())]
        names = {path.split(".")[0] for path in paths}
        return [
            name
            for name in names | {model._rec_name or "id"}
            if name in model._fields and model._fields[name].store
        ]


def _reference(value):
    """(model, id) of a reference field's column value, or None."""
    if not value:
        return None
    model, _comma, record_id = value.partition(",")
    return (model, int(record_id)) if record_id.isdigit() and int(record_id) else None
