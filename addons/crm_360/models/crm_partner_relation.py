from odoo import api, fields, models
from odoo.exceptions import ValidationError

RELATION_TYPES = [
    ("household", "Household"),
    ("spouse", "Spouse"),
    ("parent", "Parent of"),
    ("child", "Child of"),
    ("sibling", "Sibling"),
    ("group_company", "Group company"),
    ("other", "Other"),
]
# how the relation reads from the other side
INVERSE = {"parent": "child", "child": "parent"}


class CrmPartnerRelation(models.Model):
    _name = "crm.partner.relation"
    _description = "Relation Between Customers"
    _order = "partner_id, relation_type"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    related_partner_id = fields.Many2one(
        "res.partner",
        string="Related To",
        required=True,
        index=True,
        ondelete="cascade",
    )
    relation_type = fields.Selection(RELATION_TYPES, required=True, default="household")
    note = fields.Char()

    _partner_relation_uniq = models.Constraint(
        "UNIQUE(partner_id, related_partner_id, relation_type)",
        "These two customers already have this relation.",
    )

    @api.constrains("partner_id", "related_partner_id")
    def _check_not_self(self):
        for relation in self:
            if relation.partner_id == relation.related_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(partner)s cannot be related to itself: choose another "
                        "customer.",
                        partner=relation.partner_id.display_name,
                    )
                )

    @api.constrains("partner_id", "related_partner_id", "relation_type")
    def _check_not_twice(self):
        """The same relation entered from the other customer's side would
        show the relative twice on the 360 screen."""
        for relation in self:
            inverse = INVERSE.get(relation.relation_type, relation.relation_type)
            twin = self.search(
                [
                    ("id", "!=", relation.id),
                    ("partner_id", "=", relation.related_partner_id.id),
                    ("related_partner_id", "=", relation.partner_id.id),
                    ("relation_type", "in", [relation.relation_type, inverse]),
                ],
                limit=1,
            )
            if twin:
                raise ValidationError(
                    self.env._(
                        "%(partner)s and %(related)s are already related (%(twin)s): "
                        "edit that relation instead of adding another.",
                        partner=relation.partner_id.display_name,
                        related=relation.related_partner_id.display_name,
                        twin=twin.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        relations = super().create(vals_list)
        relations._refresh_households(relations._partners())
        return relations

    def write(self, vals):
        before = self._partners()
        result = super().write(vals)
        self._refresh_households(before | self._partners())
        return result

    def unlink(self):
        partners = self._partners()
        result = super().unlink()
        self._refresh_households(partners)
        return result

    @api.depends("partner_id", "related_partner_id", "relation_type")
    def _compute_display_name(self):
        labels = dict(self._fields["relation_type"]._description_selection(self.env))
        for relation in self:
            relation.display_name = self.env._(
                "%(partner)s — %(type)s — %(related)s",
                partner=relation.partner_id.display_name,
                type=labels.get(relation.relation_type, ""),
                related=relation.related_partner_id.display_name,
            )

    @api.model
    def _drop_redundant(self, partner):
        """After customers were merged into ``partner``: remove its relations
        to itself and the second of two relations that say the same."""
        relations = self.sudo().search(
            [
                "|",
                ("partner_id", "=", partner.id),
                ("related_partner_id", "=", partner.id),
            ],
            order="id",
        )
        seen, redundant = set(), self.sudo()
        for relation in relations:
            other = (relation.partner_id | relation.related_partner_id) - partner
            kind = relation.relation_type
            if relation.partner_id != partner:
                kind = INVERSE.get(kind, kind)
            if not other or (other, kind) in seen:
                redundant |= relation
            seen.add((other, kind))
        redundant.unlink()

    def _partners(self):
        return (self.partner_id | self.related_partner_id).commercial_partner_id

    @api.model
    def _refresh_households(self, partners):
        """A relation added, changed or removed changes the households of
        its customers (and of everyone linked to them)."""
        if partners:
            self.env["crm.partner.relation"].flush_model()
            self.env["crm.customer.360.value"]._refresh_households(None, partners)
            self.env["crm.customer.360.value"].invalidate_model()

    @api.model
    def _relations_of(self, partners):
        """[(related partner, relation type as seen from ``partners``)] from
        both sides of each relation."""
        relations = self.search_fetch(
            [
                "|",
                ("partner_id", "in", partners.ids),
                ("related_partner_id", "in", partners.ids),
            ],
            ["partner_id", "related_partner_id", "relation_type"],
        )
        return self._relations_of_rows(partners, relations)

    @api.model
    def _relations_of_rows(self, partners, rows):
        """What :meth:`_relations_of` gives from its relations ``rows``
        (records, or dicts of partner ids and relation type)."""
        Partner = self.env["res.partner"]
        result = []
        for row in rows:
            partner, related, kind = (
                row["partner_id"],
                row["related_partner_id"],
                row["relation_type"],
            )
            partner, related = (
                Partner.browse(p.id if isinstance(p, models.BaseModel) else p)
                for p in (partner, related)
            )
            if partner in partners:
                result.append((related, kind))
            else:
                result.append((partner, INVERSE.get(kind, kind)))
        return result
