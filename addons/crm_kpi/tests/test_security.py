from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import KpiCase


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestKpiSecurity(KpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.setup_other_company(name="KPI Other Co")["company"]
        cls.invoice(cls.a, "2026-06-05", 999, company=cls.other)
        with freeze_time("2026-07-15"):
            Snapshot = cls.env["crm.kpi.snapshot"]
            for company in (cls.company, cls.other):
                Snapshot.with_company(company).compute_snapshots(
                    "2026-06-01", "2026-06-30"
                )
        cls.kpi_user = new_test_user(
            cls.env,
            login="kpi_user",
            groups="sales_team.group_sale_salesman,crm_kpi.group_crm_kpi_user",
            company_id=cls.company.id,
        )
        cls.salesman = new_test_user(
            cls.env,
            login="kpi_plain_salesman",
            groups="base.group_user",
            company_id=cls.company.id,
        )

    def test_user_reads_own_company_only(self):
        Snapshot = self.env["crm.kpi.snapshot"].with_user(self.kpi_user)
        found = Snapshot.search(
            [("kpi_code", "=", "revenue"), ("segment_type", "=", "all")]
        )
        self.assertEqual(found.company_id, self.company)
        self.assertEqual(found.mapped("value"), [850.0])
        other = self.snapshot("revenue", "2026-06-01").search(
            [("company_id", "=", self.other.id)]
        )
        self.assertTrue(other)
        with self.assertRaises(AccessError):
            other.with_user(self.kpi_user).read(["value"])

    def test_user_cannot_recompute_or_configure(self):
        with self.assertRaises(AccessError):
            self.env["crm.kpi.recompute"].with_user(self.kpi_user).create({})

    def test_only_managers_compute_snapshots(self):
        """Snapshots are written in SQL: a KPI user calling the engine over
        RPC is refused, nothing is written."""
        Snapshot = self.env["crm.kpi.snapshot"]
        count = Snapshot.search_count([])
        with self.assertRaisesRegex(AccessError, "Only KPI managers"):
            Snapshot.with_user(self.kpi_user).compute_snapshots(
                "2026-07-01", "2026-07-10"
            )
        self.assertEqual(Snapshot.search_count([]), count)

    def test_cohort_table_needs_kpi_rights(self):
        Snapshot = self.env["crm.kpi.snapshot"]
        table = Snapshot.with_user(self.kpi_user).get_cohort_table()
        sizes = [row["size"] for side in ("before", "after") for row in table[side]]
        # A, B and C; the other company's invoice is not in the user's table
        self.assertEqual(sum(sizes), 3)
        with self.assertRaises(AccessError):
            self.env["crm.kpi.snapshot"].with_user(self.salesman).get_cohort_table()

    def test_without_kpi_rights_no_access(self):
        with self.assertRaises(AccessError):
            self.env["crm.kpi.snapshot"].with_user(self.salesman).search([])
