from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestKpiTour(HttpCase):
    def test_comparison_screen(self):
        """Go-live three months ago, and a retention rate for each of the six
        months that closed since: three months before go-live, three after.
        A long recompute runs in the background."""
        company = self.env.company
        this_month = fields.Date.today().replace(day=1)
        company.crm_go_live_date = this_month - relativedelta(months=3)
        # three months on each side, with no transition between them
        company.write({"crm_kpi_transition_months": 0, "crm_kpi_baseline_months": 3})
        self.env["crm.kpi.snapshot"]._store(
            company,
            [
                ("retention_rate", this_month - relativedelta(months=i), "all", "all")
                + (90.0 + i, 90.0 + i, 100.0)
                for i in range(1, 7)
            ],
            this_month,
        )
        # a recompute of 18 months, 6 of them done
        self.env["crm.kpi.backfill"].create(
            {
                "date_from": this_month - relativedelta(months=18),
                "date_to": this_month - relativedelta(months=1),
            }
        ).months_done = 6
        manager = new_test_user(
            self.env,
            login="kpi_tour_manager",
            groups="sales_team.group_sale_manager,crm_kpi.group_crm_kpi_manager",
        )
        self.start_tour("/odoo", "crm_kpi_tour", login=manager.login)

    def test_trend_chart(self):
        """Go-live three months ago with a one-month transition, four
        baseline months; a retention rate for each of the seven months that
        closed since the baseline started, but none five months ago."""
        company = self.env.company
        this_month = fields.Date.today().replace(day=1)
        company.write(
            {
                "crm_go_live_date": this_month - relativedelta(months=3),
                "crm_kpi_baseline_months": 4,
                "crm_kpi_transition_months": 1,
                # every baseline month in its mean (equal lengths would cut
                # it to the after period's two months)
                "crm_kpi_equal_length": False,
            }
        )
        # baseline 90, 92, (none), 94; transition 96.5; after 96, 97
        values = {7: 90.0, 6: 92.0, 4: 94.0, 3: 96.5, 2: 96.0, 1: 97.0}
        self.env["crm.kpi.snapshot"]._store(
            company,
            [
                ("retention_rate", this_month - relativedelta(months=i), "all", "all")
                + (value, value, 100.0)
                for i, value in values.items()
            ],
            this_month,
        )
        user = new_test_user(
            self.env,
            login="kpi_trend_user",
            groups="sales_team.group_sale_salesman,crm_kpi.group_crm_kpi_user",
        )
        self.start_tour("/odoo", "crm_kpi_trend_tour", login=user.login)
