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
        relations = Relation._relations_of(partner)
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
    def _household(self, partner):
        """The members of the customer's household (commercial partners),
        the customer first; the customer alone when it has none."""
        self.env["crm.partner.relation"].flush_model()
        rows = self.env.execute_query(
            self.env["crm.customer.360.value"]._household_members_sql(partner)
        )
        others = partner.browse(sorted({row[0] for row in rows} - {partner.id}))
        return partner | others.exists()

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
        figures in the current company."""
        rows = self.env["crm.customer.360.value"].search_fetch(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "in", household.ids),
            ],
            ["partner_id", "amount", "last_invoice_date"],
        )
        return {
            row.partner_id: {
                "amount": row.amount,
                "last_invoice_date": row.last_invoice_date,
            }
            for row in rows
        }

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
        since = add_months(fields.Datetime.now(), -OWNED_MONTHS)
        lines = self.env["sale.order.line"]._search(
            [
                ("company_id", "in", self.env.companies.ids),
                ("state", "=", "sale"),
                ("product_id", "!=", False),
                ("order_id.date_order", ">=", since),
            ]
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH lines AS (
                    SELECT l.product_id, p.commercial_partner_id AS buyer
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id
                      JOIN res_partner p ON p.id = o.partner_id
                     WHERE l.id IN %(lines)s
                )
                SELECT product_id, COUNT(DISTINCT buyer) AS members
                  FROM lines
                 WHERE buyer = ANY(%(others)s)
                   AND product_id NOT IN (
                       SELECT product_id FROM lines WHERE buyer = %(me)s)
              GROUP BY product_id
              ORDER BY members DESC, product_id
                 LIMIT %(limit)s
                """,
                lines=lines.subselect(),
                others=others.ids,
                me=partner.id,
                limit=limit,
            )
        )
        products = self.env["product.product"].browse([row[0] for row in rows])
        names = {product.id: product.display_name for product in products}
        return [
            {"id": pid, "name": names[pid], "members": count} for pid, count in rows
        ]

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
