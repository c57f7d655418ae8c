"""Snapshots stored before the transition period existed have the period
"after" for the months of the transition: store each snapshot's period
again from its company's settings (snapshots are never written through
the ORM: one UPDATE per company and period)."""

from collections import defaultdict

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    store_periods(api.Environment(cr, SUPERUSER_ID, {}))


def store_periods(env):
    """Store again the period of every snapshot whose month now stands
    elsewhere; the number of snapshots changed."""
    env.flush_all()
    env.cr.execute(SQL("SELECT DISTINCT company_id, date_from FROM crm_kpi_snapshot"))
    months = defaultdict(list)
    for company_id, month in env.cr.fetchall():
        period = env["res.company"].browse(company_id)._crm_kpi_period(month)
        months[company_id, period].append(month)
    changed = 0
    for (company_id, period), dates in months.items():
        env.cr.execute(
            SQL(
                "UPDATE crm_kpi_snapshot SET period = %s WHERE company_id = %s "
                "AND date_from = ANY(%s) AND period IS DISTINCT FROM %s",
                period,
                company_id,
                dates,
                period,
            )
        )
        changed += env.cr.rowcount
    env["crm.kpi.snapshot"].invalidate_model(["period"])
    return changed
