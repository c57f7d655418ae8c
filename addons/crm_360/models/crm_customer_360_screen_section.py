"""What every section of the customer 360 screen shares.

The sections are abstract models that take the customer (its commercial
partner) as argument, so that a bridge add-on extends one section, or adds
one, by inheriting its model.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_suite_base.customer import (
    CUSTOMER_MOVE_TYPES,
    posted_customer_moves_domain,
)


class CrmCustomer360ScreenSection(models.AbstractModel):
    _name = "crm.customer.360.screen.section"
    _description = "Customer 360 Screen: Section"

    @api.model
    def _family(self, partner):
        """Ids of the customer and of its contacts at any depth, as
        ``child_of`` resolves them (archived contacts included, before any
        record rule: the documents searched with them apply their own),
        resolved once for the whole screen (context key ``crm_360_family``)
        instead of once per section."""
        family = self.env.context.get("crm_360_family")
        if family is None:
            family = self._family_ids(partner)
        return list(family)

    @api.model
    def _family_ids(self, partner):
        """The ids ``child_of`` gives (in res.partner's order), in one query
        walking down ``parent_id`` instead of one per level."""
        self.env["res.partner"].flush_model(["parent_id", "complete_name"])
        [(ids,)] = self.env.execute_query(
            SQL(
                """
                WITH RECURSIVE family AS (
                    SELECT id FROM res_partner WHERE id = %s
                     UNION
                    SELECT p.id FROM res_partner p JOIN family f ON p.parent_id = f.id
                )
                SELECT ARRAY_AGG(p.id ORDER BY p.complete_name, p.id DESC)
                  FROM family JOIN res_partner p USING (id)
                """,
                partner.id,
            )
        )
        return ids or []

    @api.model
    def _section(self, name):
        return self.env[f"crm.customer.360.screen.{name}"]

    @api.model
    def _memo(self, key, compute):
        """``compute()`` once per screen: its sections share what they read
        (context key ``crm_360_memo``, a dict the screen creates)."""
        memo = self.env.context.get("crm_360_memo")
        if memo is None:
            return compute()
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    @api.model
    def _plan(self, values):
        """Queue ``values`` ({key: SQL of a query giving one value}) to be
        read, with every value queued, by the next :meth:`_value` of the
        screen: the figures of several sections in one query."""
        memo = self.env.context.get("crm_360_memo")
        if memo is not None:
            done = memo.setdefault("values", {})
            planned = memo.setdefault("planned", {})
            planned.update({key: sql for key, sql in values.items() if key not in done})

    @api.model
    def _value(self, key, build):
        """The value of the query ``build()`` gives (one row of one column),
        read with the values queued by :meth:`_plan` in one query; alone
        outside of the screen."""
        memo = self.env.context.get("crm_360_memo")
        if memo is None:
            return self.env.execute_query(SQL("SELECT (%s)", build()))[0][0]
        values = memo.setdefault("values", {})
        if key not in values:
            planned = memo.setdefault("planned", {})
            if key not in planned:
                planned[key] = build()
            keys = list(planned)
            [row] = self.env.execute_query(
                SQL(
                    "SELECT %s",
                    SQL(", ").join(SQL("(%s)", planned[name]) for name in keys),
                )
            )
            values.update(zip(keys, row, strict=True))
            planned.clear()
        return values[key]

    @api.model
    def _json_rows(self, query, *columns):
        """A query giving the rows of ``query`` with ``columns`` (SQL) as one
        JSON list of lists (``[]`` without rows): several rows as one
        value of :meth:`_value` (numbers stay numbers, dates become ISO
        strings)."""
        aliased = [
            SQL("%s AS %s", column, SQL.identifier(f"c{index}"))
            for index, column in enumerate(columns)
        ]
        return SQL(
            "SELECT COALESCE(JSON_AGG(JSON_BUILD_ARRAY(%s)), '[]'::json)"
            " FROM (%s) AS t",
            SQL(", ").join(
                SQL.identifier("t", f"c{index}") for index in range(len(columns))
            ),
            query.select(*aliased),
        )

    @api.model
    def _buyers_per_product(self, lines, product, buyer, limit):
        """JSON rows (product id, buyers) of the order lines ``lines`` (a
        Query) grouped by ``product``, the products most buyers bought
        first (``buyer``: SQL of the buyer of a line): the cross-sell
        hints' ranking."""
        lines.groupby = product
        buyers = SQL("COUNT(DISTINCT %s)", buyer)
        lines.order = SQL("%s DESC, %s", buyers, product)
        lines.limit = limit
        return self._json_rows(lines, product, buyers)

    @api.model
    def _read_group_sql(self, model, domain, groupby, aggregates, **kwargs):
        """The query ``_read_group`` makes (``kwargs``: order, limit), as
        JSON rows for :meth:`_value`: raw values (ids for many2one)."""
        Model = self.env[model]
        Model.browse().check_access("read")
        query = Model._search(domain)
        query.limit = kwargs.get("limit")
        terms = {
            spec: Model._read_group_groupby(Model._table, spec, query)
            for spec in groupby
        }
        selected = [Model._read_group_select(spec, query) for spec in aggregates]
        if terms:
            query.order = Model._read_group_orderby(kwargs.get("order"), terms, query)
            query.groupby = SQL(", ").join(terms.values())
        return self._json_rows(query, *terms.values(), *selected)

    @api.model
    def _records_sql(self, model, domain, fnames, options=None):
        """The stored fields ``fnames`` of the records of ``domain``
        (``options``: order, limit), under the user's record rules, as JSON
        rows for :meth:`_value`; a name ``"<many2one>.name"`` gives the name
        of the linked record (in the user's language when translated)."""
        query = self.env[model]._search(domain, **(options or {}))
        return self._query_rows_sql(model, query, fnames)

    @api.model
    def _query_rows_sql(self, model, query, fnames):
        """:meth:`_records_sql` of the records of ``query``."""
        Model = self.env[model]
        return self._json_rows(
            query,
            SQL.identifier(query.table, "id"),
            *(self._column_sql(Model, query, fname) for fname in fnames),
        )

    @api.model
    def _column_sql(self, model, query, fname):
        if "." not in fname:
            return model._field_to_sql(query.table, fname, query)
        link, name = fname.split(".")
        comodel = self.env[model._fields[link].comodel_name]
        alias = query.left_join(query.table, link, comodel._table, "id", link)
        return comodel._field_to_sql(alias, name, query)

    @api.model
    def _records(self, key, model, domain, fnames, options=None):
        """[{"id", *fnames}] of :meth:`_records_sql`, read with the other
        values of the screen in one query, each value as the ORM gives it
        (``False`` for empty, dates and datetimes as strings, as the screen
        shows them)."""
        self.env[model].browse().check_access("read")
        rows = self._value(
            key, lambda: self._records_sql(model, domain, fnames, options)
        )
        return self._typed_rows(model, fnames, rows)

    @api.model
    def _typed_rows(self, model, fnames, rows):
        """The rows of :meth:`_query_rows_sql` as :meth:`_records` gives
        them."""
        fields_ = [_field_of(self.env[model], fname) for fname in fnames]
        return [
            {
                "id": row[0],
                **{
                    fname: _typed(field, value)
                    for fname, field, value in zip(
                        fnames, fields_, row[1:], strict=True
                    )
                },
            }
            for row in rows
        ]

    @api.model
    def _can_read(self, model):
        """Sections of models the user cannot read are left out, silently."""
        return self.env[model].has_access("read")

    @api.model
    def _move_domain(self, partner, move_types=CUSTOMER_MOVE_TYPES):
        """The customer's posted invoices (and credit notes) in the user's
        allowed companies."""
        return [
            ("commercial_partner_id", "=", partner.id),
            ("company_id", "in", self.env.companies.ids),
        ] + posted_customer_moves_domain(move_types)

    @api.model
    def _named_item(self, record, date, **values):
        """A document as the screen lists it: id, name, date (a string),
        then ``values``."""
        return {"id": record["id"], "name": record["name"], "date": date, **values}

    @api.model
    def _converted(self, groups):
        """Sum amounts grouped by company into the current company's currency."""
        total = sum(
            self._in_company_currency(row_company, amounts[0], rounded=True)
            for row_company, *amounts in groups
        )
        return self.env.company.currency_id.round(total)

    @api.model
    def _in_company_currency(self, company, amount, rounded=False):
        """``amount`` of ``company`` in the current company's currency, at
        today's rate (``rounded``: to that currency's precision)."""
        company_now = self.env.company
        return company.currency_id._convert(
            amount or 0.0,
            company_now.currency_id,
            company_now,
            fields.Date.context_today(self),
            round=rounded,
        )


def _typed(field, value):
    """A JSON value of a column as the ORM caches the field (dates and
    datetimes as their string)."""
    if field.type in ("float", "monetary"):
        return float(value or 0.0)
    if field.type == "integer":
        return int(value or 0)
    if field.type == "boolean":
        return bool(value)
    if field.type == "datetime" and value:
        return value.replace("T", " ")[:19]
    return value if value is not None else False


def _field_of(model, fname):
    """The field of ``fname`` (``"<many2one>.<field>"``: the linked one)."""
    link, _dot, name = fname.partition(".")
    if not name:
        return model._fields[link]
    return model.env[model._fields[link].comodel_name]._fields[name]
