# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import StatementCommon


@tagged("post_install", "-at_install")
class TestStatementTour(StatementCommon, HttpCase):
    def test_statement_from_360_screen(self):
        user = new_test_user(
            self.env,
            login="stmt_tour",
            groups="sales_team.group_sale_salesman_all_leads,"
            "account.group_account_invoice,"
            "partner_statement.group_outstanding_statement,"
            "partner_statement.group_activity_statement",
            company_id=self.company.id,
        )
        self.start_tour(
            f"/odoo/res.partner/{self.customer.id}",
            "crm_360_partner_statement_tour",
            login=user.login,
        )
