from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestKpiTour(HttpCase):
    def test_comparison_screen(self):
        self.env.company.crm_go_live_date = "2025-01-01"
        manager = new_test_user(
            self.env,
            login="kpi_tour_manager",
            groups="sales_team.group_sale_manager,crm_kpi.group_crm_kpi_manager",
        )
        self.start_tour("/odoo", "crm_kpi_tour", login=manager.login)
