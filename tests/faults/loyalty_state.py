"""What the fault tests compare: tiers and tier history, read in SQL."""

import json
from collections import Counter, defaultdict

from conftest import driver, query

HISTORY = (
    "SELECT id, partner_id, company_id, old_tier_id, new_tier_id, date, "
    "amount, reason FROM crm_loyalty_tier_history"
)


def tiers(database):
    """{customer id: {company id: tier id}} of every customer with a tier."""
    out = defaultdict(dict)
    for pid, company, tier in query(
        database,
        "SELECT partner_id, company_id, tier_id FROM crm_loyalty_state "
        "WHERE tier_id IS NOT NULL",
    ):
        out[pid][company] = tier
    return dict(out)


def history(database, after=0):
    """Tier changes recorded after history row ``after``, without their ids."""
    return Counter(
        row[1:] for row in query(database, HISTORY + " WHERE id > %s", (after,))
    )


def last_history_id(database):
    return query(database, "SELECT COALESCE(MAX(id), 0) FROM crm_loyalty_tier_history")[
        0
    ][0]


def fresh_tiers(database):
    """The tiers a fresh recompute of every company gives (not kept)."""
    out = driver("fresh", database)
    return {
        int(pid): {int(company): tier for company, tier in by_company.items() if tier}
        for pid, by_company in json.loads(out.splitlines()[-1]).items()
    }


def assert_consistent(database):
    """Every customer's tier is what a fresh recompute gives, and its history
    is one unbroken chain of changes ending at that tier."""
    assert tiers(database) == fresh_tiers(database), "a fresh recompute changes tiers"
    assert_history_chains(database)


def assert_history_chains(database):
    """The history of each customer in each company is one unbroken chain of
    changes ending at its tier: a duplicated change or a missing one breaks
    the chain."""
    current = tiers(database)
    chains = defaultdict(list)
    for row in query(database, HISTORY + " ORDER BY id"):
        chains[row[1], row[2]].append(row)
    commercial = dict(
        query(database, "SELECT id, commercial_partner_id FROM res_partner")
    )
    assert all(commercial[pid] == pid for pid, _company in chains), (
        "history rows on contacts"
    )
    for (pid, company), rows in chains.items():
        held = None
        for row in rows:
            assert row[3] == held, f"history of {pid} in {company} is broken: {rows}"
            held = row[4]
        assert current.get(pid, {}).get(company) == held, (
            f"{pid} holds {current.get(pid)} in {company}, history says {held}"
        )
