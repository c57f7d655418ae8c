"""The tier rules, in plain Python: no database, no ORM.

The engine (models/crm_loyalty_engine.py) reads each customer's spend and
state, and :class:`Ladder` gives the new state; the engine then writes the
customers whose state changed.
"""

import bisect
import functools
from collections import namedtuple
from datetime import timedelta

from odoo.addons.crm_suite_base.periods import add_months

# the rules ``decide`` applies (its ``mode``)
FULL_RULES = "recompute"  # upgrades at once, one tier down once due
UPGRADES_ONLY = "posting"  # what a posting may do: upgrades, never a downgrade
REVIEW_RULES = "review"  # new thresholds: moves both ways at once
# the spend reaching a threshold, and falling short of it, within rounding
EPSILON = 1e-6

State = namedtuple(
    "State",
    "tier earned amount review at_risk override override_until previous_pl pl",
)


def window_start(window_type, months, today):
    """First day of a company-wide window (None for the anniversary window)."""
    if window_type == "calendar_year":
        return today.replace(month=1, day=1)
    if window_type == "rolling":
        return add_months(today, -months) + timedelta(days=1)
    return None


@functools.lru_cache(maxsize=4096)
def _review_after(day, months):
    """The review date of a tier reached (or reviewed) on ``day``: cached,
    as a recompute asks it for the same day of every customer."""
    return add_months(day, months)


def decide(earned, review, target, tiers, today, months, grace_days, mode):
    """New (earned tier, review date, reason) of one customer.

    ``tiers`` are the company's tiers by ascending threshold, ``earned`` and
    ``target`` indexes in it (or None), ``mode`` :data:`FULL_RULES`,
    :data:`UPGRADES_ONLY` (no downgrade) or :data:`REVIEW_RULES` (threshold
    review: moves both ways at once).
    """
    rank = -1 if target is None else target
    current = -1 if earned is None else earned
    reviewing = mode == REVIEW_RULES
    if earned is None and target is None:
        return None, None, None
    if rank > current:
        reason = "initial" if earned is None else "upgrade"
        if reviewing:
            reason = "review"
        return target, _review_after(today, months), reason
    if rank < current:
        if reviewing:
            return target, _review_after(today, months), "review"
        due = review is None or today >= review + timedelta(days=grace_days)
        if mode == FULL_RULES and due:
            lower = current - 1 if current > 0 else None
            return lower, _review_after(review or today, months), "downgrade"
        return earned, review, None
    # kept the tier: once past its review date, the next review is a window later
    while review and review < today:
        review = _review_after(review, months)
    return earned, review, None


class Ladder:
    """A company's active tiers by ascending threshold, and its rules on
    ``today``: the new tier of each customer from its spend and state."""

    def __init__(self, tier_ids, thresholds, months, grace_days, today):
        self.tier_ids, self.thresholds = list(tier_ids), list(thresholds)
        self.index = {tier_id: i for i, tier_id in enumerate(self.tier_ids)}
        self.months, self.grace_days, self.today = months, grace_days, today

    def target(self, amount):
        """Index of the highest tier whose threshold ``amount`` reaches."""
        target = bisect.bisect_right(self.thresholds, amount + EPSILON) - 1
        return None if target < 0 else target

    def override(self, state):
        """Index of the customer's override tier while it lasts, or None."""
        if state.override not in self.index:
            return None
        if state.override_until and state.override_until < self.today:
            return None
        return self.index[state.override]

    def move(self, state, amount, mode):
        """(tier id, earned tier id, review date, at risk, reason) of a
        customer in ``state`` who spent ``amount``; reason None when the
        tier stays."""
        earned, review, reason = decide(
            self.index.get(state.earned),
            state.review,
            self.target(amount),
            self.tier_ids,
            self.today,
            self.months,
            self.grace_days,
            # a customer whose tier was archived moves as in a review
            REVIEW_RULES if state.earned and state.earned not in self.index else mode,
        )
        floor = self.override(state)
        effective = earned
        if floor is not None and (effective is None or floor > effective):
            effective = floor
        tier_id = self.tier_ids[effective] if effective is not None else None
        if tier_id == state.tier:
            reason = None
        elif reason is None:
            reason = "override"
        at_risk = bool(
            tier_id and floor is None and amount < self.thresholds[effective] - EPSILON
        )
        earned_id = self.tier_ids[earned] if earned is not None else None
        return tier_id, earned_id, review, at_risk, reason
