from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.periods import add_months

ORDERS_SHOWN = 10
TOP_PRODUCTS = 5
CROSS_SELL = 5
OWNED_MONTHS = 12


class CrmCustomer360ScreenSales(models.AbstractModel):
    """The customer's quotations and orders, its top products, the
    products it owns (bought in the last 12 months) and cross-sell
    suggestions."""

    _name = "crm.customer.360.screen.sales"
    _inherit = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Sales"

    @api.model
    def _open_orders_domain(self, partner):
        return [
            ("partner_id", "in", self._family(partner)),
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "sale"),
            ("invoice_status", "!=", "invoiced"),
        ]

    @api.model
    def _open_order_count(self, partner):
        return self.env["sale.order"].search_count(self._open_orders_domain(partner))

    @api.model
    def _section_data(self, partner):
        Order = self.env["sale.order"]
        domain = [
            ("partner_id", "in", self._family(partner)),
            ("company_id", "in", self.env.companies.ids),
        ]
        counts = dict(Order._read_group(domain, ["state"], ["__count"]))
        orders = Order.search(
            domain, limit=ORDERS_SHOWN, order="date_order desc, id desc"
        )
        top, owned = self._products(partner)
        return {
            "quotation_count": counts.get("draft", 0) + counts.get("sent", 0),
            "order_count": counts.get("sale", 0),
            "orders": [self._order_item(order) for order in orders],
            "top_products": [
                {"id": product.id, "name": product.display_name, "amount": amount}
                for product, amount in top
            ],
            "owned_products": [
                {"id": product.id, "name": product.display_name} for product in owned
            ],
            "cross_sell": self._cross_sell(partner, owned.ids),
        }

    @api.model
    def _order_item(self, order):
        return self._named_item(
            order,
            fields.Datetime.to_string(order.date_order),
            state=order.state,
            amount=order.amount_untaxed,
            currency=order.currency_id.name,
        )

    @api.model
    def _products(self, partner):
        """The top products by amount ordered (product, amount), and the
        products owned: ordered in the last ``OWNED_MONTHS`` months."""
        Line = self.env["sale.order.line"]
        line_domain = [
            ("order_id.partner_id", "in", self._family(partner)),
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "sale"),
            ("product_id", "!=", False),
        ]
        top = Line._read_group(
            line_domain,
            ["product_id"],
            ["price_subtotal:sum"],
            order="price_subtotal:sum desc",
            limit=TOP_PRODUCTS,
        )
        since = add_months(fields.Datetime.now(), -OWNED_MONTHS)
        owned = Line._read_group(
            line_domain + [("order_id.date_order", ">=", since)], ["product_id"]
        )
        products = self.env["product.product"].browse(
            [product.id for (product,) in owned]
        )
        return top, products

    @api.model
    def _cross_sell(self, partner, owned_ids, limit=CROSS_SELL):
        """Products most often bought by the customers who bought what this
        customer owns, that this customer does not own yet (one query)."""
        if not owned_ids:
            return []
        lines = self.env["sale.order.line"]._search(
            [("company_id", "in", self.env.companies.ids), ("state", "=", "sale")]
        )
        self.env.cr.execute(
            SQL(
                """
                WITH lines AS (
                    SELECT l.product_id, o.partner_id
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id
                     WHERE l.id IN %(lines)s AND l.product_id IS NOT NULL
                ), peers AS (
                    SELECT DISTINCT partner_id FROM lines
                     WHERE product_id = ANY(%(owned)s) AND partner_id != %(me)s
                )
                SELECT lines.product_id, COUNT(DISTINCT lines.partner_id) AS buyers
                  FROM lines JOIN peers USING (partner_id)
                 WHERE NOT lines.product_id = ANY(%(owned)s)
              GROUP BY lines.product_id
              ORDER BY buyers DESC, lines.product_id
                 LIMIT %(limit)s
                """,
                lines=lines.subselect(),
                owned=owned_ids,
                me=partner.id,
                limit=limit,
            )
        )
        rows = self.env.cr.fetchall()
        products = self.env["product.product"].browse([r[0] for r in rows])
        names = {p.id: p.display_name for p in products}
        return [
            {"id": pid, "name": names[pid], "buyers": buyers} for pid, buyers in rows
        ]
