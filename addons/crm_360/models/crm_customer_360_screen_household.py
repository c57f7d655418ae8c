from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import posted_customer_moves_domain
from odoo.addons.crm_suite_base.periods import add_months

from .crm_customer_360_screen_sales import CROSS_SELL, OWNED_MONTHS


class CrmCustomer360ScreenHousehold(models.AbstractModel):
    """The customer's relations (``crm.partner.relation``, seen from both
    sides) and its household: every customer linked to it by household or
    family relations, directly or through other members, each with, for
    users with billing rights, its net spend and last purchase in the
    current company and the household's value; and what the household's
    other members bought that the customer does not own yet (cross-sell
    hints)."""

    _name = "crm.customer.360.screen.household"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Household"

    @api.model
    def _section_data(self, partner, billing):
        Relation = self.env["crm.partner.relation"]
        rows = self._records(("relations", partner.id), *self._relations_args(partner))
        relations = Relation._relations_of_rows(partner, rows)
        labels = dict(
            Relation._fields["relation_type"]._description_selection(self.env)
        )
        related = partner.browse([member.id for member, _kind in relations])
        revenue = self._revenue(related) if billing and related else {}
        members = [
            {
                "id": member.id,
                "name": member.display_name,
                "relation": labels.get(kind, kind),
                "revenue": revenue.get(member.commercial_partner_id, 0.0)
                if billing
                else None,
            }
            for member, kind in relations
        ]
        household = self._household(partner)
        return {
            "members": members,
            "revenue_total": sum(m["revenue"] or 0.0 for m in members)
            if billing
            else None,
            "household": self._household_data(partner, household, billing),
        }

    @api.model
    def _relations_args(self, partner):
        """The arguments of :meth:`_records` for the customer's relations."""
        return (
            "crm.partner.relation",
            [
                "|",
                ("partner_id", "=", partner.id),
                ("related_partner_id", "=", partner.id),
            ],
            ["partner_id", "related_partner_id", "relation_type"],
        )

    @api.model
    def _household(self, partner):
        """The members of the customer's household (commercial partners),
        the customer first; the customer alone when it has none (read once
        per screen)."""
        return self._memo(
            ("household", partner.id), lambda: self._read_household(partner)
        )

    @api.model
    def _read_household(self, partner):
        ids = self._value(
            ("household", partner.id), lambda: self._household_sql(partner)
        )
        others = partner.browse(sorted(set(ids) - {partner.id}))
        return partner | others

    @api.model
    def _household_sql(self, partner):
        """The ids of the members of the customer's household."""
        self.env["crm.partner.relation"].flush_model()
        return SQL(
            """SELECT ARRAY(SELECT members.partner_id FROM (%s) AS members
                             WHERE EXISTS (SELECT FROM res_partner p
                                            WHERE p.id = members.partner_id))""",
            self.env["crm.customer.360.value"]._household_members_sql(partner),
        )

    @api.model
    def _household_data(self, partner, household, billing):
        figures = self._member_figures(household) if billing else {}
        others = household - partner
        return {
            "size": len(household),
            "value": sum(row["amount"] for row in figures.values())
            if billing
            else None,
            "members": [
                {
                    "id": member.id,
                    "name": member.display_name,
                    "revenue": figures.get(member, {}).get("amount", 0.0)
                    if billing
                    else None,
                    "last_purchase": fields.Date.to_string(
                        figures.get(member, {}).get("last_invoice_date")
                    )
                    if billing
                    else None,
                }
                for member in others
            ],
            "cross_sell": self._household_cross_sell(partner, others)
            if others and self._can_read("sale.order")
            else [],
        }

    @api.model
    def _member_figures(self, household):
        """{member: {amount, last_invoice_date}} of the members' stored
        figures in the current company (``household``: the customer first,
        as :meth:`_household` gives it)."""
        partner = household[:1]
        rows = self._value(
            ("member_figures", partner.id),
            lambda: self._member_figures_sql(partner),
        )
        return {
            household.browse(partner_id): {
                "amount": amount or 0.0,
                "last_invoice_date": fields.Date.to_date(last_date),
            }
            for partner_id, amount, last_date in rows
        }

    @api.model
    def _member_figures_sql(self, partner):
        """JSON rows (partner id, amount, last invoice date) of the stored
        figures of the members of the customer's household."""
        Value = self.env["crm.customer.360.value"]
        query = Value._search([("company_id", "=", self.env.company.id)])
        member = SQL.identifier(query.table, "partner_id")
        query.add_where(
            SQL(
                "(%s = %s OR %s = ANY((%s)::int[]))",
                member,
                partner.id,
                member,
                self._household_sql(partner),
            )
        )
        return self._json_rows(
            query,
            member,
            SQL.identifier(query.table, "amount"),
            SQL.identifier(query.table, "last_invoice_date"),
        )

    @api.model
    def _household_invoices_domain(self, partner):
        """The posted invoices and credit notes of the household in the
        current company: what its value sums."""
        return [
            ("commercial_partner_id", "in", self._household(partner).ids),
            ("company_id", "=", self.env.company.id),
        ] + posted_customer_moves_domain()

    @api.model
    def _household_cross_sell(self, partner, others, limit=CROSS_SELL):
        """The products the other members ordered in the last 12 months that
        the customer has not ordered in that time, by number of members who
        ordered them (one query, under the user's record rules)."""
        rows = self._value(
            ("household_cross_sell", partner.id, limit),
            lambda: self._household_cross_sell_sql(partner, limit),
        )
        products = self.env["product.product"].browse([row[0] for row in rows])
        names = {product.id: product.display_name for product in products}
        return [
            {"id": pid, "name": names[pid], "members": count} for pid, count in rows
        ]

    @api.model
    def _household_cross_sell_sql(self, partner, limit=CROSS_SELL):
        """JSON rows (product id, members) of :meth:`_household_cross_sell`,
        read from the lines of the household's members only."""
        since = add_months(fields.Datetime.now(), -OWNED_MONTHS)
        Line = self.env["sale.order.line"]
        domain = [
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "sale"),
            ("product_id", "!=", False),
            ("order_id.date_order", ">=", since),
        ]
        mine = Line._search(
            domain + [("order_partner_id.commercial_partner_id", "=", partner.id)]
        )
        lines = Line._search(domain)
        product = SQL.identifier(lines.table, "product_id")
        alias = lines.join(
            lines.table, "order_partner_id", "res_partner", "id", "buyer"
        )
        buyer = SQL.identifier(alias, "commercial_partner_id")
        lines.add_where(
            SQL(
                "%s = ANY((%s)::int[]) AND %s != %s",
                buyer,
                self._household_sql(partner),
                buyer,
                partner.id,
            )
        )
        lines.add_where(
            SQL(
                "%s NOT IN %s",
                product,
                mine.subselect(SQL.identifier(mine.table, "product_id")),
            )
        )
        return self._buyers_per_product(lines, product, buyer, limit)

    @api.model
    def _revenue(self, related):
        """{commercial partner: net untaxed spend} in the current company."""
        domain = [
            ("commercial_partner_id", "in", related.commercial_partner_id.ids),
            ("company_id", "=", self.env.company.id),
        ] + posted_customer_moves_domain()
        return dict(
            self.env["account.move"]._read_group(
                domain, ["commercial_partner_id"], ["amount_untaxed_signed:sum"]
            )
        )
