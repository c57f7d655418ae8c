"""The figures per customer and month the KPI snapshots now read are
built from the posted moves and journal items of every company."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    api.Environment(cr, SUPERUSER_ID, {})["crm.kpi.customer.month"]._rebuild()
