"""Rows cloned from a template row by set-based SQL: the fast generator's
way of writing many rows that hold what the ORM would write."""

from odoo.tools import SQL


def columns(cr, table):
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND table_schema = current_schema() "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            table,
        )
    )
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, template_id, source, overrides):
    """INSERT into ``table`` one row per row of ``source`` (aliased ``s``),
    copying the columns of row ``template_id`` (aliased ``t``) except
    ``overrides`` ({column: SQL expression}); ``id`` is the next value of
    the table's sequence unless ``overrides`` gives it."""
    overrides = {"id": SQL("nextval(%s)", f"{table}_id_seq"), **overrides}
    names = columns(cr, table)
    unknown = set(overrides) - set(names)
    if unknown:
        raise ValueError(f"{table} has no column {sorted(unknown)}")
    values = [overrides.get(name, SQL("t.%s", SQL.identifier(name))) for name in names]
    cr.execute(
        SQL(
            "INSERT INTO %(table)s (%(names)s) SELECT %(values)s "
            "FROM (%(source)s) s, %(table)s t WHERE t.id = %(template)s",
            table=SQL.identifier(table),
            names=SQL(", ").join(SQL.identifier(name) for name in names),
            values=SQL(", ").join(values),
            source=source,
            template=template_id,
        )
    )
    return cr.rowcount
