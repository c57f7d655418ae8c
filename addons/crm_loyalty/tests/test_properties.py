"""Property-based tests of the tier rules against a plain Python reference.

Each example runs in a savepoint that is rolled back, so examples never see
each other's invoices or tiers; examples are derandomized for CI.
"""

from collections import defaultdict
from contextlib import closing
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..rules import decide, window_start
from .common import LoyaltyCase

TODAY = date(2026, 6, 15)
HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.function_scoped_fixture,
    HealthCheck.differing_executors,
    HealthCheck.data_too_large,
]
FAST = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=HEALTH,
)
# no shrinking in the database (each example posts invoices): a failure
# reports the example as drawn
IN_DATABASE = settings(FAST, max_examples=10, phases=[Phase.explicit, Phase.generate])

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
moves = st.lists(
    st.tuples(
        st.integers(0, 2),  # customer
        st.dates(min_value=date(2023, 1, 1), max_value=TODAY),
        st.sampled_from(["out_invoice", "out_invoice", "out_refund"]),
        st.integers(1, 6000),
    ),
    min_size=1,
    max_size=7,
)
thresholds = st.lists(st.integers(0, 12000), min_size=1, max_size=4, unique=True)


# ------------------------------------------------------------------ reference
def reference_spend(invoices, window_type, months, today):
    """{customer: spend} from the rules as the README states them."""
    by_customer = defaultdict(list)
    for customer, day, move_type, amount in invoices:
        if day <= today:
            sign = -1 if move_type == "out_refund" else 1
            by_customer[customer].append((day, move_type, sign * amount))
    spend = {}
    for customer, rows in by_customer.items():
        if window_type == "rolling":  # the last ``months`` months, today included

            def counts(day):
                return day > today - relativedelta(months=months)

        elif window_type == "calendar_year":

            def counts(day):
                return day.year == today.year

        else:  # since the last anniversary of the first invoice
            firsts = [day for day, move_type, _a in rows if move_type == "out_invoice"]
            if not firsts:
                spend[customer] = 0.0
                continue
            first = min(firsts)
            years = today.year - first.year
            if (today.month, today.day) < (first.month, first.day):
                years -= 1
            anniversary = first + relativedelta(years=years)

            def counts(day, start=anniversary):
                return day >= start

        spend[customer] = float(sum(a for day, _t, a in rows if counts(day)))
    return spend


def reference_tier(amount, amounts):
    """Index of the highest threshold the amount reaches, or None."""
    reached = [i for i, threshold in enumerate(sorted(amounts)) if threshold <= amount]
    return reached[-1] if reached else None


def reference_decide(earned, review, target, today, months, grace, mode):
    """The upgrade/downgrade rules of the README, one customer at a time."""
    window = relativedelta(months=months)
    if earned is None or (target is not None and target > earned):
        if target is None:
            return None, None
        return target, today + window
    if target is None or target < earned:
        if mode == "review":
            return target, today + window
        if mode == "posting":
            return earned, review
        if review is None or today >= review + timedelta(days=grace):
            return (earned - 1 if earned else None), (review or today) + window
        return earned, review
    while review and review < today:
        review += window
    return earned, review


# ---------------------------------------------------------------- pure rules
@tagged("post_install", "-at_install")
class TestTierRuleProperties(LoyaltyCase):
    @FAST
    @given(
        today=days,
        months=st.integers(1, 120),
        window_type=st.sampled_from(["rolling", "calendar_year", "anniversary"]),
    )
    def test_window_start(self, today, months, window_type):
        start = window_start(window_type, months, today)
        if window_type == "anniversary":
            self.assertIsNone(start)
        elif window_type == "calendar_year":
            self.assertEqual(start, date(today.year, 1, 1))
        else:
            self.assertLessEqual(start, today)
            # the first day counted is the day after the same day M months ago
            self.assertEqual(
                start - timedelta(days=1), today - relativedelta(months=months)
            )
            self.assertGreaterEqual((today - start).days + 1, 28 * months)
            self.assertLessEqual((today - start).days + 1, 31 * months + 1)

    @FAST
    @given(
        tier_count=st.integers(1, 5),
        data=st.data(),
        today=days,
        review=st.none() | days,
        months=st.integers(1, 24),
        grace=st.integers(0, 90),
        mode=st.sampled_from(["recompute", "posting", "review"]),
    )
    def test_decide_matches_reference(
        self, tier_count, data, today, review, months, grace, mode
    ):
        index = st.none() | st.integers(0, tier_count - 1)
        earned, target = data.draw(index), data.draw(index)
        if earned is None:
            review = None
        tiers = list(range(tier_count))
        tier, new_review, reason = decide(
            earned, review, target, tiers, today, months, grace, mode
        )
        self.assertEqual(
            (tier, new_review),
            reference_decide(earned, review, target, today, months, grace, mode),
        )
        rank = -1 if tier is None else tier
        before = -1 if earned is None else earned
        self.assertEqual(reason is None, tier == earned)
        if mode == "posting":
            self.assertGreaterEqual(rank, before, "posting never downgrades")
        if mode == "recompute":
            self.assertGreaterEqual(rank, before - 1, "one tier at a time")
        if tier is not None and rank > before:
            self.assertEqual(new_review, today + relativedelta(months=months))


# ------------------------------------------------------- against the database
@tagged("post_install", "-at_install")
class TestTierEngineProperties(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a company without tiers: posting there does not run the engine, so
        # each example starts every customer without any tier
        cls.empty = cls.setup_other_company(name="Loyalty Properties Co")["company"]
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Customer {i}", "is_company": True} for i in range(3)]
        )

    def _invoices(self, invoices):
        for customer, day, move_type, amount in invoices:
            self.invoice(
                self.customers[customer],
                amount,
                day,
                move_type=move_type,
                company=self.empty,
            )

    def _tiers(self, amounts):
        return (
            self.env["crm.loyalty.tier"]
            .create(
                [
                    {
                        "name": f"T{amount}",
                        "min_amount": amount,
                        "company_id": self.empty.id,
                    }
                    for amount in amounts
                ]
            )
            .sorted("min_amount")
        )

    @IN_DATABASE
    @given(
        invoices=moves,
        amounts=thresholds,
        window_type=st.sampled_from(["rolling", "calendar_year", "anniversary"]),
        months=st.sampled_from([1, 6, 12, 36]),
    )
    def test_spend_and_tier_match_reference(
        self, invoices, amounts, window_type, months
    ):
        with closing(self.env.cr.savepoint()), freeze_time(TODAY):
            self.empty.write(
                {"loyalty_window_type": window_type, "loyalty_window_months": months}
            )
            self._invoices(invoices)
            tiers = self._tiers(amounts)
            self.env["crm.loyalty.engine"].recompute_company(self.empty)
            spend = reference_spend(invoices, window_type, months, TODAY)
            for i, customer in enumerate(self.customers):
                partner = customer.with_company(self.empty)
                amount = spend.get(i)
                expected = None if amount is None else reference_tier(amount, amounts)
                self.assertAlmostEqual(partner.loyalty_amount, amount or 0.0, 2)
                self.assertEqual(
                    partner.loyalty_tier_id,
                    tiers[expected] if expected is not None else tiers.browse(),
                    (i, amount, amounts),
                )

    @IN_DATABASE
    @given(
        invoices=moves,
        amounts=thresholds,
        later=st.integers(0, 900),
        grace=st.sampled_from([0, 30]),
    )
    def test_second_recompute_follows_the_rules(self, invoices, amounts, later, grace):
        """Tiers earned today, then recomputed some days later: upgrades at
        once, downgrades one tier after the review date and the grace."""
        then = TODAY + timedelta(days=later)
        with closing(self.env.cr.savepoint()):
            self.empty.write(
                {
                    "loyalty_window_type": "rolling",
                    "loyalty_window_months": 12,
                    "loyalty_grace_days": grace,
                }
            )
            with freeze_time(TODAY):
                self._invoices(invoices)
                tiers = self._tiers(amounts)
                self.env["crm.loyalty.engine"].recompute_company(self.empty)
            first = reference_spend(invoices, "rolling", 12, TODAY)
            second = reference_spend(invoices, "rolling", 12, then)
            with freeze_time(then):
                self.env["crm.loyalty.engine"].recompute_company(self.empty)
            for i, customer in enumerate(self.customers):
                if i not in first:
                    continue
                earned, review = reference_decide(
                    None, None, reference_tier(first[i], amounts), TODAY, 12, grace, ""
                )
                earned, review = reference_decide(
                    earned,
                    review,
                    reference_tier(second[i], amounts),
                    then,
                    12,
                    grace,
                    "recompute",
                )
                partner = customer.with_company(self.empty)
                self.assertEqual(
                    partner.loyalty_tier_id,
                    tiers[earned] if earned is not None else tiers.browse(),
                )
                self.assertEqual(partner.loyalty_review_date or None, review)
