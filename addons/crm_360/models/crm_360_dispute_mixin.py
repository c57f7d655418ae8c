from odoo import api, fields, models
from odoo.tools import SQL


class Crm360DisputeMixin(models.AbstractModel):
    """A document (invoice, order) is in dispute while at least one open
    complaint is attached to it (closed per crm_claim_closing; archived
    complaints do not count).

    The flag and the count are computed as superuser: they tell whether
    complaints exist, never what they say, so that everyone who reads the
    document sees it, complaint rights or not; the complaints themselves are
    opened with the user's rights.
    """

    _name = "crm.360.dispute.mixin"
    _description = "Document that can be in dispute"
    # the crm.claim field that points to the document
    _crm_360_claim_field = None

    in_dispute = fields.Boolean(
        compute="_compute_in_dispute",
        search="_search_in_dispute",
        compute_sudo=True,
        help="At least one open complaint is attached to this document.",
    )
    dispute_claim_count = fields.Integer(
        string="Open Complaints",
        compute="_compute_in_dispute",
        compute_sudo=True,
    )

    def _compute_in_dispute(self):
        field = self._crm_360_claim_field
        counts = dict(
            self.env["crm.claim"]._read_group(
                [(field, "in", self.ids), ("is_closed", "=", False)],
                [field],
                ["__count"],
            )
        )
        for document in self:
            document.dispute_claim_count = counts.get(document, 0)
            document.in_dispute = bool(document.dispute_claim_count)

    def _search_in_dispute(self, operator, value):
        if operator != "in":
            return NotImplemented
        if True in value and False in value:
            return []
        disputed = self._crm_360_disputed_subselect()
        return [("id", "in" if True in value else "not in", disputed)]

    @api.model
    def _crm_360_disputed_subselect(self):
        """SQL subselect of the ids of the documents in dispute (read as
        superuser, as the flag is)."""
        field = self._crm_360_claim_field
        claims = (
            self.env["crm.claim"]
            .sudo()
            ._search([(field, "!=", False), ("is_closed", "=", False)])
        )
        return claims.subselect(SQL.identifier(claims.table, field))

    def action_crm_360_open_disputes(self):
        """The open complaints of this document, as the user may read them."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Complaints in dispute"),
            "res_model": "crm.claim",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [
                (self._crm_360_claim_field, "=", self.id),
                ("is_closed", "=", False),
            ],
            "context": {"create": False},
        }
