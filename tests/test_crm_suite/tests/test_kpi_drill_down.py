from datetime import date, datetime
from statistics import median

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# (customer, day, amount, team, credit note)
STORY = (
    ("es1", "2025-01-10", 500, "north", False),
    ("es1", "2025-03-15", 300, "south", False),
    ("es1", "2025-09-02", 700, "north", False),
    ("es1", "2026-02-20", 250, "north", False),
    ("es1", "2026-06-05", 900, "south", False),
    ("es2", "2025-02-11", 1200, "south", False),
    ("es2", "2025-02-25", 200, "south", True),
    ("es2", "2025-11-30", 400, "south", False),
    ("es2_contact", "2026-04-08", 650, "north", False),
    ("fr1", "2025-05-05", 80, "north", False),
    ("fr1", "2025-10-10", 120, "north", False),
    ("fr1", "2025-10-21", 60, "north", False),
    ("fr1", "2026-05-14", 310, "south", False),
    ("fr2", "2025-12-01", 2000, "south", False),
    ("fr2", "2026-01-15", 150, "south", True),
    ("fr2", "2026-03-03", 990, "north", False),
    ("fr3", "2026-06-28", 45, "north", False),
)
# (customer, claim date, closing date or None, team)
CLAIMS = (
    ("es1", datetime(2025, 10, 3, 9), datetime(2025, 10, 20, 9), "north"),
    ("es2_contact", datetime(2025, 12, 5, 9), datetime(2026, 1, 9, 9), "south"),
    ("fr1", datetime(2026, 1, 12, 9), datetime(2026, 1, 14, 9), "north"),
    ("fr2", datetime(2026, 3, 1, 9), None, "south"),
    ("fr2", datetime(2026, 5, 2, 9), datetime(2026, 6, 1, 9), "north"),
)
# (customer, day, old tier, new tier) of the loyalty history
TIERS = (
    ("es1", "2025-04-01", None, "silver"),
    ("es1", "2026-07-03", "silver", "gold"),
    ("es2", "2025-01-05", None, "silver"),
    ("es2", "2025-11-15", "silver", None),
    ("fr2", "2025-12-20", None, "gold"),
)
FIRST, LAST = "2025-09-01", "2026-06-30"


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestKpiDrillDown(AccountTestInvoicingCommon):
    """Every KPI, segment and month of a story opens the records behind its
    figure: counted or summed, they give back its numerator and
    denominator. The story: customers in two countries, invoiced by two
    sales teams, with credit notes, payments, claims and loyalty tiers
    that change over time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.group_ids += cls.env.ref(
            "crm_kpi.group_crm_kpi_manager"
        ) + cls.env.ref("sales_team.group_sale_manager")
        cls.company = cls.company_data["company"]
        cls.company.write({"crm_kpi_window_months": 6})
        cls.teams = {
            name: cls.env["crm.team"].create({"name": f"Team {name}"})
            for name in ("north", "south")
        }
        cls.tiers = {
            name: cls.env["crm.loyalty.tier"].create(
                # out of reach: the story's history sets the tiers
                {"name": name.title(), "min_amount": amount}
            )
            for name, amount in (("silver", 10**9), ("gold", 2 * 10**9))
        }
        cls.customers = cls._story_customers()
        with freeze_time("2026-07-15"):
            cls._story_moves()
            cls._story_claims()
            cls._story_tiers()
            cls.env["crm.kpi.snapshot"].compute_snapshots(FIRST, LAST)

    @classmethod
    def _story_customers(cls):
        Partner = cls.env["res.partner"]
        spain, france = cls.env.ref("base.es"), cls.env.ref("base.fr")
        customers = {
            name: Partner.create(
                {"name": name, "is_company": True, "country_id": country.id}
            )
            for name, country in (
                ("es1", spain),
                ("es2", spain),
                ("fr1", france),
                ("fr2", france),
                ("fr3", france),
            )
        }
        customers["es2_contact"] = Partner.create(
            {"name": "es2 buyer", "parent_id": customers["es2"].id}
        )
        return customers

    @classmethod
    def _story_moves(cls):
        paid = []
        for name, day, amount, team, refund in STORY:
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_refund" if refund else "out_invoice",
                    "partner_id": cls.customers[name].id,
                    "invoice_date": day,
                    "date": day,
                    "team_id": cls.teams[team].id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Work", "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
            if not refund and amount in (500, 1200, 2000):
                paid.append(move)
        for move in paid:
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create(
                {"payment_date": date(move.invoice_date.year, 12, 28)}
            )._create_payments()

    @classmethod
    def _story_claims(cls):
        settled = cls.env.ref("crm_claim.stage_claim2")
        for name, day, closed, team in CLAIMS:
            claim = cls.env["crm.claim"].create(
                {
                    "name": "Late delivery",
                    "partner_id": cls.customers[name].id,
                    "date": day,
                    "team_id": cls.teams[team].id,
                }
            )
            if closed:
                claim.stage_id = settled
                claim.date_closed = closed

    @classmethod
    def _story_tiers(cls):
        History = (
            cls.env["crm.loyalty.tier.history"]
            .sudo()
            .with_context(crm_loyalty_engine=True)
        )
        for name, day, old, new in TIERS:
            History.create(
                {
                    "partner_id": cls.customers[name].id,
                    "company_id": cls.company.id,
                    "date": day,
                    "old_tier_id": old and cls.tiers[old].id,
                    "new_tier_id": new and cls.tiers[new].id,
                    "reason": "upgrade",
                }
            )

    def snapshots(self, **domain):
        return self.env["crm.kpi.snapshot"].search(
            [("company_id", "=", self.company.id)]
            + [(field, "=", value) for field, value in domain.items()]
        )

    def opened(self, snapshot):
        action = snapshot.action_open_details()
        return self.env[action["res_model"]].search(action["domain"])

    def test_every_figure_opens_what_it_counts(self):
        snapshots = self.snapshots()
        self.assertEqual(
            set(snapshots.mapped("segment_type")), {"all", "tier", "team", "country"}
        )
        self.assertEqual(len(set(snapshots.mapped("date_from"))), 10)
        tiers = snapshots.filtered(lambda s: s.segment_type == "tier")
        self.assertEqual(len(set(tiers.mapped("segment_value"))), 3, "none, 2 tiers")
        self.assertGreater(len(snapshots.filtered("numerator")), 500)
        for snapshot in snapshots:
            with self.subTest(
                kpi=snapshot.kpi_code,
                segment=(snapshot.segment_type, snapshot.segment_value),
                month=snapshot.date_from,
            ):
                self.check_figure(snapshot, self.opened(snapshot))

    def check_figure(self, snapshot, records):
        """(numerator, denominator) of ``snapshot`` from the opened ``records``."""
        code = snapshot.kpi_code
        check = getattr(self, f"_check_{code}", None) or self._check_lines
        numerator, denominator = check(snapshot, records)
        self.assertAlmostEqual(snapshot.numerator, numerator, places=2)
        if denominator is not None:
            self.assertAlmostEqual(snapshot.denominator, denominator, places=2)

    def _check_active_customers(self, snapshot, partners):
        self.assertEqual(partners._name, "res.partner")
        return len(partners), None

    _check_new_customers = _check_active_customers

    def _check_revenue(self, snapshot, moves):
        self.assertEqual(moves._name, "account.move")
        self.assertTrue(
            all(m.invoice_date.replace(day=1) == snapshot.date_from for m in moves)
        )
        return sum(moves.mapped("amount_untaxed_signed")), None

    def _check_average_order_value(self, snapshot, moves):
        invoices = moves.filtered(lambda move: move.move_type == "out_invoice")
        return sum(moves.mapped("amount_untaxed_signed")), len(invoices)

    def _check_revenue_per_customer(self, snapshot, moves):
        invoices = moves.filtered(lambda move: move.move_type == "out_invoice")
        return (
            sum(moves.mapped("amount_untaxed_signed")),
            len(invoices.commercial_partner_id),
        )

    def _check_lines(self, snapshot, lines):
        self.assertEqual(lines._name, "crm.kpi.detail.line")
        code = snapshot.kpi_code
        by_status = {
            status: lines.filtered(lambda line, s=status: line.status == s)
            for status in ("retained", "lost", "repeat", "claim", "active", "closed")
        }
        if code == "retention_rate":
            return len(by_status["retained"]), len(lines)
        if code == "churn_rate":
            return len(by_status["lost"]), len(lines)
        if code == "repeat_purchase_rate":
            return len(by_status["repeat"]), len(lines)
        if code == "purchase_frequency":
            return sum(lines.mapped("invoice_count")), len(lines)
        if code == "complaint_rate":
            return len(by_status["claim"]), len(by_status["active"])
        if code == "complaint_resolution_days":
            days = lines.mapped("days")
            return (median(days) if days else 0.0), len(lines)
        if code == "days_sales_outstanding":
            return sum(lines.mapped("receivable")), sum(lines.mapped("amount"))
        return self._lifetime_numerator(snapshot, lines), len(lines)

    def _lifetime_numerator(self, snapshot, lines):
        """The window's revenue of the base; with a value, times 12 / W and
        the expected lifetime in years (1 to 10, read from the figure)."""
        revenue = sum(lines.mapped("amount"))
        if not snapshot.has_value or not revenue:
            return revenue
        years = snapshot.numerator / (revenue * 12 / 6)
        self.assertTrue(1 - 1e-9 <= years <= 10 + 1e-9, years)
        return snapshot.numerator

    def test_tier_is_the_tier_held_in_the_month(self):
        """es1 was upgraded to Gold this month (July 2026): its revenue of
        last year stays in Silver; fr2 is Gold from December 2025 on."""
        silver, gold = (str(self.tiers[t].id) for t in ("silver", "gold"))

        def revenue(month, tier):
            snapshot = self.snapshots(
                kpi_code="revenue",
                segment_type="tier",
                segment_value=tier,
                date_from=month,
            )
            return snapshot.value if snapshot else 0.0

        self.assertEqual(revenue(date(2025, 9, 1), silver), 700)  # es1
        self.assertEqual(revenue(date(2026, 6, 1), silver), 900)  # es1
        self.assertEqual(revenue(date(2026, 6, 1), gold), 0)
        self.assertEqual(revenue(date(2025, 11, 1), silver), 0)  # es2 dropped
        self.assertEqual(revenue(date(2025, 11, 1), ""), 400)
        self.assertEqual(revenue(date(2025, 12, 1), gold), 2000)  # fr2
        self.assertEqual(revenue(date(2026, 1, 1), gold), -150)
        # the drill-down follows: June's Silver revenue opens es1's invoice
        june = self.snapshots(
            kpi_code="revenue",
            segment_type="tier",
            segment_value=silver,
            date_from=date(2026, 6, 1),
        )
        self.assertEqual(self.opened(june).commercial_partner_id, self.customers["es1"])

    def test_comparison_and_cohorts_open_what_they_count(self):
        """The baseline and after means average the months they open; a
        cohort row counts the customers it opens."""
        self.company.write(
            {"crm_go_live_date": "2026-01-10", "crm_kpi_baseline_months": 4}
        )
        segment = "all"
        comparison = (
            self.env["crm.kpi.comparison"].with_company(self.company).create({})
        )
        for line in comparison.line_ids:
            for side, count, mean in (
                ("baseline", line.baseline_months, line.baseline_mean),
                ("after", line.after_months, line.after_mean),
            ):
                with self.subTest(kpi=line.kpi_code, side=side):
                    action = line._open_snapshots(side)
                    months = self.env[action["res_model"]].search(action["domain"])
                    self.assertEqual(
                        set(months.mapped("segment_value")) - {segment}, set()
                    )
                    self.assertEqual(len(months), count)
                    values = months.mapped("value")
                    self.assertAlmostEqual(
                        sum(values) / len(values) if values else 0.0, mean, places=2
                    )
        self.assertTrue(comparison.cohort_line_ids)
        for row in comparison.cohort_line_ids:
            with self.subTest(cohort=row.name):
                action = row.action_open_customers()
                customers = self.env[action["res_model"]].search(action["domain"])
                self.assertEqual(len(customers), row.size)

    def test_segment_cohort_rows_open_their_customers(self):
        """The cohort table of a segment (a country, a sales team) counts
        the customers each row opens, and only that segment's."""
        self.company.write(
            {"crm_go_live_date": "2026-01-10", "crm_kpi_baseline_months": 4}
        )
        spain = self.env.ref("base.es")
        for segment_type, segment_value, members in (
            ("country", str(spain.id), self.customers["es1"] | self.customers["es2"]),
            ("team", str(self.teams["north"].id), None),
        ):
            comparison = (
                self.env["crm.kpi.comparison"]
                .with_company(self.company)
                .create({"segment_type": segment_type, "segment_value": segment_value})
            )
            comparison._onchange_segment_cohorts()
            self.assertTrue(comparison.cohort_line_ids)
            for row in comparison.cohort_line_ids:
                with self.subTest(segment=segment_type, cohort=row.name):
                    action = row.action_open_customers()
                    customers = self.env[action["res_model"]].search(action["domain"])
                    self.assertEqual(len(customers), row.size)
                    if members is not None:
                        self.assertLessEqual(customers, members)
