from odoo.tests import TransactionCase, tagged

SUITE = ["crm_claim_closing", "crm_loyalty", "crm_kpi", "crm_360"]


@tagged("post_install", "-at_install")
class TestSuiteInstall(TransactionCase):
    def test_suite_installed_with_its_dependencies(self):
        modules = self.env["ir.module.module"].search(
            [("name", "in", SUITE + ["crm_claim", "sale_management", "account", "crm"])]
        )
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(len(modules), len(SUITE) + 4)
