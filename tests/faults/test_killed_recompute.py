"""The nightly loyalty recompute killed (SIGKILL) in the middle, then run
again: the same final tiers and history as an uninterrupted run.

The recompute commits once per company (ir.cron._commit_progress). To kill
it at a known point, the test holds a lock on the tier the second company's
customers move to: the cron process stops on the first rows it writes that
point to that tier (their foreign key check: the customers' loyalty states),
with the first company committed and the second one computed but not
committed, and is killed while it waits.
"""

import signal

from conftest import (
    DRIVER,
    PYTHON,
    assert_clean_log,
    backends_waiting,
    connect,
    driver,
    log_path,
    query,
    run,
    start,
    stop,
    wait_for,
    wait_no_session,
)
from loyalty_state import assert_consistent, history, last_history_id, tiers


def test_killed_recompute_restarts_to_the_same_tiers(database, clone):
    driver("add-tier", database)
    before_tiers = tiers(database)
    first_new = last_history_id(database)
    reference = clone(database, "killed_ref")

    # the uninterrupted run, on a copy
    ref_log = log_path(reference)
    run([PYTHON, DRIVER, "cron", "-d", reference], ref_log)
    assert_clean_log(ref_log)
    expected_tiers = tiers(reference)
    expected_history = history(reference, first_new)
    # the cron's order of companies is the order of their first history row
    companies = _company_order(reference, first_new)
    assert len(companies) == 2, "the new tier should upgrade in both companies"
    first_company, second_company = companies
    new_tiers = {row[3] for row in expected_history if row[1] == second_company}

    holder = connect(database)
    holder.autocommit = False
    with holder.cursor() as cr:
        cr.execute(
            "SELECT 1 FROM crm_loyalty_tier WHERE id = ANY(%s) FOR UPDATE",
            (list(new_tiers),),
        )
    log = log_path(database)
    cron = start([PYTHON, DRIVER, "cron", "-d", database], log)
    try:
        waiting = wait_for(
            lambda: backends_waiting(database),
            "the recompute to reach the locked tier",
        )
        assert "INSERT INTO crm_loyalty_state" in waiting[0], waiting
        stop(cron, signal.SIGKILL)
    finally:
        if cron.poll() is None:
            stop(cron, signal.SIGKILL)
        holder.rollback()
        holder.close()
    wait_no_session(database)

    # killed: the first company is done, nothing of the second one is written
    killed_history = history(database, first_new)
    assert killed_history == {
        row: count for row, count in expected_history.items() if row[1] == first_company
    }
    killed_tiers = tiers(database)
    for pid in set(expected_tiers) | set(before_tiers) | set(killed_tiers):
        got = killed_tiers.get(pid, {})
        assert got.get(first_company) == expected_tiers.get(pid, {}).get(first_company)
        assert got.get(second_company) == before_tiers.get(pid, {}).get(second_company)

    # restarted: the cron is still due and finishes the job
    run([PYTHON, DRIVER, "cron", "-d", database], log)
    assert_clean_log(log)
    assert tiers(database) == expected_tiers
    assert history(database, first_new) == expected_history
    assert max(history(database, first_new).values()) == 1, "duplicate history rows"
    assert_consistent(database)


def _rows(database, after):
    return query(
        database,
        "SELECT id, partner_id, company_id FROM crm_loyalty_tier_history WHERE id > %s",
        (after,),
    )


def _company_order(database, after):
    first_row = {}
    for row_id, _partner, company in _rows(database, after):
        first_row[company] = min(row_id, first_row.get(company, row_id))
    return sorted(first_row, key=first_row.get)
