from datetime import datetime

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
    def _orders_domain(self, partner):
        return [
            ("partner_id", "in", self._family(partner)),
            ("company_id", "in", self.env.companies.ids),
        ]

    @api.model
    def _open_order_count(self, partner):
        return self._order_stats(partner)["open"]

    @api.model
    def _order_stats(self, partner):
        """The customer's orders counted by state, its open orders (those of
        ``_open_orders_domain``) and the date of its last order, in one
        query shared by the key figures, the sales and the last interaction."""
        return self._memo(
            ("orders", partner.id), lambda: self._read_order_stats(partner)
        )

    @api.model
    def _read_order_stats(self, partner):
        stats = {"states": {}, "open": 0, "last_date": False}
        groups = self._value(
            ("order_stats", partner.id), lambda: self._order_stats_sql(partner)
        )
        for state, invoice_status, count, last_date in groups:
            last_date = last_date and datetime.fromisoformat(last_date)
            stats["states"][state] = stats["states"].get(state, 0) + count
            if state == "sale" and invoice_status != "invoiced":
                stats["open"] += count
            if last_date and (not stats["last_date"] or last_date > stats["last_date"]):
                stats["last_date"] = last_date
        return stats

    @api.model
    def _order_stats_sql(self, partner):
        """JSON rows (state, invoice status, number, last order date) of the
        customer's orders."""
        query = self.env["sale.order"]._search(self._orders_domain(partner))
        state, invoice_status = (
            SQL.identifier(query.table, name) for name in ("state", "invoice_status")
        )
        query.groupby = SQL("%s, %s", state, invoice_status)
        last = SQL("MAX(%s)", SQL.identifier(query.table, "date_order"))
        return self._json_rows(query, state, invoice_status, SQL("COUNT(*)"), last)

    @api.model
    def _section_data(self, partner):
        counts = self._order_stats(partner)["states"]
        orders = self._records(("orders", partner.id), *self._orders_args(partner))
        currencies = self.env["res.currency"].browse(
            {order["currency_id"] for order in orders if order["currency_id"]}
        )
        codes = {currency.id: currency.name for currency in currencies}
        for order in orders:
            order["currency"] = codes.get(order["currency_id"], "")
        top, owned = self._products(partner)
        cross_sell = self._value(
            ("cross_sell", partner.id),
            lambda: self._cross_sell_sql(partner, self._owned_subselect(partner)),
        )
        # one read of the names of every product shown
        products = self.env["product.product"].browse(
            [p.id for p, _amount in top] + owned.ids + [r[0] for r in cross_sell]
        )
        names = {product.id: product.display_name for product in products}
        return {
            "quotation_count": counts.get("draft", 0) + counts.get("sent", 0),
            "order_count": counts.get("sale", 0),
            "orders": [self._order_item(order) for order in orders],
            "top_products": [
                {"id": product.id, "name": names[product.id], "amount": amount}
                for product, amount in top
            ],
            "owned_products": [
                {"id": product.id, "name": names[product.id]} for product in owned
            ],
            "cross_sell": [
                {"id": pid, "name": names[pid], "buyers": buyers}
                for pid, buyers in cross_sell
            ],
        }

    @api.model
    def _orders_args(self, partner):
        """The arguments of :meth:`_records` for the newest orders."""
        return (
            "sale.order",
            self._orders_domain(partner),
            ["name", "date_order", "state", "amount_untaxed", "currency_id"],
            {"limit": ORDERS_SHOWN, "order": "date_order desc, id desc"},
        )

    @api.model
    def _order_item(self, order):
        return self._named_item(
            order,
            order["date_order"],
            state=order["state"],
            amount=order["amount_untaxed"],
            currency=order["currency"],
        )

    @api.model
    def _products(self, partner):
        """The top products by amount ordered (product, amount), and the
        products owned: ordered in the last ``OWNED_MONTHS`` months."""
        Product = self.env["product.product"]
        top = self._value(
            ("top_products", partner.id), lambda: self._top_products_sql(partner)
        )
        owned = self._value(
            ("owned_products", partner.id), lambda: self._owned_products_sql(partner)
        )
        return (
            [(Product.browse(product_id), amount) for product_id, amount in top],
            Product.browse([product_id for (product_id,) in owned]),
        )

    @api.model
    def _line_domain(self, partner):
        return [
            ("order_id.partner_id", "in", self._family(partner)),
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "sale"),
            ("product_id", "!=", False),
        ]

    @api.model
    def _top_products_sql(self, partner):
        return self._read_group_sql(
            "sale.order.line",
            self._line_domain(partner),
            ["product_id"],
            ["price_subtotal:sum"],
            order="price_subtotal:sum desc",
            limit=TOP_PRODUCTS,
        )

    @api.model
    def _owned_products_sql(self, partner):
        since = add_months(fields.Datetime.now(), -OWNED_MONTHS)
        return self._read_group_sql(
            "sale.order.line",
            self._line_domain(partner) + [("order_id.date_order", ">=", since)],
            ["product_id"],
            [],
        )

    @api.model
    def _cross_sell(self, partner, owned_ids, limit=CROSS_SELL):
        """Products most often bought by the customers who bought what this
        customer owns, that this customer does not own yet."""
        rows = self._cross_sell_rows(partner, owned_ids, limit)
        products = self.env["product.product"].browse([r[0] for r in rows])
        names = {p.id: p.display_name for p in products}
        return [
            {"id": pid, "name": names[pid], "buyers": buyers} for pid, buyers in rows
        ]

    @api.model
    def _cross_sell_rows(self, partner, owned_ids, limit=CROSS_SELL):
        """(product id, buyers) of ``_cross_sell`` (one query)."""
        if not owned_ids:
            return []
        return self._value(
            ("cross_sell", partner.id, tuple(owned_ids), limit),
            lambda: self._cross_sell_sql(partner, SQL("%s", tuple(owned_ids)), limit),
        )

    @api.model
    def _cross_sell_sql(self, partner, owned, limit=CROSS_SELL):
        """JSON rows (product id, buyers) of the products bought by the other
        customers who bought one of ``owned`` (SQL of product ids, a tuple
        or a sub-query), but none of ``owned``: read from the lines of those
        products and of those customers only (indexed), never from every
        line of the company."""
        Line = self.env["sale.order.line"]
        allowed = [("company_id", "in", self.env.companies.ids), ("state", "=", "sale")]
        peers = Line._search(allowed + [("order_partner_id", "!=", partner.id)])
        peers.add_where(
            SQL("%s IN %s", SQL.identifier(peers.table, "product_id"), owned)
        )
        lines = Line._search(allowed + [("product_id", "!=", False)])
        product = SQL.identifier(lines.table, "product_id")
        buyer = SQL.identifier(lines.table, "order_partner_id")
        lines.add_where(SQL("%s NOT IN %s", product, owned))
        lines.add_where(
            SQL(
                "%s IN %s",
                buyer,
                peers.subselect(SQL.identifier(peers.table, "order_partner_id")),
            )
        )
        return self._buyers_per_product(lines, product, buyer, limit)

    @api.model
    def _owned_subselect(self, partner):
        """SQL of the ids of the products the customer owns."""
        since = add_months(fields.Datetime.now(), -OWNED_MONTHS)
        query = self.env["sale.order.line"]._search(
            self._line_domain(partner) + [("order_id.date_order", ">=", since)]
        )
        return query.subselect(SQL.identifier(query.table, "product_id"))
