from datetime import date
from unittest import mock

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.crm_kpi import readers
from odoo.addons.crm_kpi.models.crm_kpi_customer_month import (
    FIGURES as KEPT_FIGURES,
)

from .common import KpiCase

FIGURES = ("company_id", "partner_id", "team_id", "month", *KEPT_FIGURES)


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestCustomerMonth(KpiCase):
    """The figures kept per customer and month through a day of mixed
    operations: they are what a full rebuild from the moves finds, and the
    snapshots computed from them are those computed from every invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Team = cls.env["crm.team"]
        cls.north = Team.create({"name": "North", "company_id": cls.company.id})
        cls.south = Team.create({"name": "South", "company_id": cls.company.id})

    def kept_rows(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM crm_kpi_customer_month ORDER BY %s",
                SQL(", ").join(map(SQL.identifier, FIGURES)),
                SQL(", ").join(map(SQL.identifier, FIGURES[:4])),
            )
        )
        return self.env.cr.fetchall()

    def a_day_of_operations(self):
        """Post, credit, reset to draft, cancel, re-post on another date, pay,
        change the sales team of a posted invoice, merge two customers and
        delete a sales team."""
        a_late = self.invoice(self.a, "2026-04-29", 120)
        a_late.team_id = self.north
        by_contact = self.invoice(self.a_contact, "2026-05-31", 80)
        by_contact.team_id = self.south
        refund = self.invoice(self.b, "2026-06-02", 30, move_type="out_refund")
        self.invoice(self.b, "2026-06-25", 90)
        dropped = self.invoice(self.c, "2026-05-10", 75)
        dropped.button_draft()
        moved = self.invoice(self.b, "2026-01-15", 60)
        moved.button_draft()
        moved.write({"invoice_date": "2026-02-27", "date": "2026-02-27"})
        moved.action_post()
        cancelled = self.invoice(self.c, "2026-06-05", 45)
        cancelled.button_draft()
        cancelled.button_cancel()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=(a_late | by_contact).ids
        ).create({"payment_date": "2026-06-20"})._create_payments()
        refund.team_id = self.north
        self.env["base.partner.merge.automatic.wizard"].create({})._merge(
            (self.c | self.b).ids, self.b
        )
        self.south.unlink()

    def test_kept_figures_are_those_of_a_rebuild(self):
        self.a_day_of_operations()
        kept = self.kept_rows()
        self.env["crm.kpi.customer.month"]._rebuild()
        self.assertEqual(kept, self.kept_rows())
        # and what the ORM counts of the company's posted moves
        mine = [row for row in kept if row[0] == self.company.id]
        Move = self.env["account.move"]
        for move_type, column in (("out_invoice", 4), ("out_refund", 5)):
            self.assertEqual(
                sum(row[column] for row in mine),
                Move.search_count(
                    [
                        ("company_id", "=", self.company.id),
                        ("move_type", "=", move_type),
                        ("state", "=", "posted"),
                    ]
                ),
            )
        self.assertFalse([row for row in mine if row[1] == self.c.id], "merged into B")

    def test_snapshots_from_kept_figures_are_those_of_every_invoice(self):
        self.a_day_of_operations()
        Snapshot = self.env["crm.kpi.snapshot"]
        read_sources = readers.read_sources

        def every_invoice(env, company, last, segments, invoices_read, first=None):
            return read_sources(env, company, last, segments, invoices_read)

        # one month reads the months before its customer base's window as
        # one row per customer: a window of 2 months leaves months before it
        for window, first, last in (
            (12, date(2025, 1, 1), date(2026, 7, 1)),
            (12, date(2026, 6, 1), date(2026, 6, 1)),
            (12, date(2027, 4, 1), date(2027, 4, 1)),
            (2, date(2025, 1, 1), date(2026, 7, 1)),
            (2, date(2026, 7, 1), date(2026, 7, 1)),
            (2, date(2026, 10, 1), date(2026, 12, 1)),
        ):
            self.company.crm_kpi_window_months = window
            kept = Snapshot._snapshot_rows(self.company, first, last)
            with mock.patch.object(readers, "read_sources", every_invoice):
                full = Snapshot._snapshot_rows(self.company, first, last)
            self.assertTrue(kept)
            self.assertEqual(
                sorted(map(repr, kept)), sorted(map(repr, full)), (window, first)
            )
