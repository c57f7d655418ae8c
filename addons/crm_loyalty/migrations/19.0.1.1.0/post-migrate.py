"""Move the loyalty state taken out of res_partner by pre-migrate.py into
crm_loyalty_state, one row per commercial partner and company."""

from odoo.tools import SQL
from odoo.tools.sql import table_columns, table_exists

HOLDING_TABLE = "crm_loyalty_state_migration"
# a reference to a record that no longer exists is left out
REFERENCES = {
    "tier_id": "crm_loyalty_tier",
    "earned_tier_id": "crm_loyalty_tier",
    "previous_pricelist_id": "product_pricelist",
}


def migrate(cr, version):
    if not table_exists(cr, HOLDING_TABLE):
        return
    columns = [
        column
        for column in table_columns(cr, HOLDING_TABLE)
        if column not in ("partner_id", "company_id")
    ]
    values = []
    for column in columns:
        value = SQL.identifier("h", column)
        if column in REFERENCES:
            value = SQL(
                "(SELECT r.id FROM %s r WHERE r.id = %s)",
                SQL.identifier(REFERENCES[column]),
                value,
            )
        values.append(value)
    cr.execute(
        SQL(
            """
            INSERT INTO crm_loyalty_state (partner_id, company_id, %(columns)s)
            SELECT h.partner_id, h.company_id, %(values)s
              FROM %(holding)s h
                ON CONFLICT (partner_id, company_id) DO NOTHING
            """,
            columns=SQL(", ").join(map(SQL.identifier, columns)),
            values=SQL(", ").join(values),
            holding=SQL.identifier(HOLDING_TABLE),
        )
    )
    cr.execute(SQL("DROP TABLE %s", SQL.identifier(HOLDING_TABLE)))
