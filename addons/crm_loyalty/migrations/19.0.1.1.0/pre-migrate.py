"""Take the customers' loyalty state out of the company-dependent columns of
res_partner (one JSON value per company, copied to every contact) before
the new code is loaded: the values of each commercial partner and company go
to a holding table, and the columns are dropped (left in place, Odoo would
load the fields as company-dependent again). post-migrate.py moves them to
crm_loyalty_state."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

HOLDING_TABLE = "crm_loyalty_state_migration"
# old column of res_partner: (column of crm_loyalty_state, SQL type)
COLUMNS = {
    "loyalty_tier_id": ("tier_id", "int"),
    "loyalty_earned_tier_id": ("earned_tier_id", "int"),
    "loyalty_amount": ("amount", "float"),
    "loyalty_review_date": ("review_date", "date"),
    "loyalty_at_risk": ("at_risk", "boolean"),
    "loyalty_previous_pricelist_id": ("previous_pricelist_id", "int"),
}


def migrate(cr, version):
    old = [name for name in COLUMNS if column_exists(cr, "res_partner", name)]
    if not old:
        return
    cr.execute(
        SQL(
            """
            CREATE TABLE %(holding)s AS
            SELECT p.id AS partner_id, c.id AS company_id, %(values)s
              FROM res_partner p
              JOIN (SELECT id, id::text AS key FROM res_company) c
                ON %(any_value)s
             WHERE p.id = p.commercial_partner_id
            """,
            holding=SQL.identifier(HOLDING_TABLE),
            values=SQL(", ").join(
                SQL(
                    "(p.%s->>c.key)::%s AS %s",
                    SQL.identifier(name),
                    SQL(COLUMNS[name][1]),
                    SQL.identifier(COLUMNS[name][0]),
                )
                for name in old
            ),
            any_value=SQL(" OR ").join(
                SQL("p.%s->>c.key IS NOT NULL", SQL.identifier(name)) for name in old
            ),
        )
    )
    for name in old:
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(name)))
