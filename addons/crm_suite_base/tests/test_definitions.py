from datetime import date

from odoo.tests import TransactionCase, tagged

from ..customer import CUSTOMER_MOVE_TYPES, posted_customer_moves_domain
from ..periods import (
    add_months,
    last_closed_month,
    month_count,
    month_number,
    month_start,
)


@tagged("post_install", "-at_install")
class TestDefinitions(TransactionCase):
    def test_months(self):
        self.assertEqual(month_start(date(2026, 3, 31)), date(2026, 3, 1))
        self.assertEqual(add_months(date(2026, 1, 31), 1), date(2026, 2, 28))
        self.assertEqual(last_closed_month(date(2026, 1, 15)), date(2025, 12, 1))
        self.assertEqual(last_closed_month(date(2026, 3, 1)), date(2026, 2, 1))
        self.assertEqual(
            month_number(date(2026, 1, 1)) - month_number(date(2025, 12, 31)), 1
        )
        self.assertEqual(month_count(date(2025, 11, 30), date(2026, 2, 1)), 4)
        self.assertEqual(month_count(date(2026, 2, 1), date(2026, 2, 28)), 1)

    def test_customer_moves(self):
        """The domain finds the posted customer invoices and credit notes, not
        the vendor bills, drafts or entries."""
        moves = self.env["account.move"].search(posted_customer_moves_domain())
        self.assertEqual(
            set(moves.mapped("move_type")) - set(CUSTOMER_MOVE_TYPES), set()
        )
        self.assertEqual(set(moves.mapped("state")) - {"posted"}, set())

    def test_indexes(self):
        """The two indexes the suite's readers rely on are in the database."""
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'account_move'"
            " AND indexname LIKE 'account_move_crm_suite_%%'"
        )
        self.assertEqual(
            sorted(name for (name,) in self.env.cr.fetchall()),
            [
                "account_move_crm_suite_customer_idx",
                "account_move_crm_suite_period_idx",
            ],
        )
