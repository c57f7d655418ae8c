"""Each add-on uninstalled, then installed again, on a database with the
demo story's data: the database works after every step
(scripts/check_uninstall.py --reinstall), and its log is clean."""

from conftest import PYTHON, assert_clean_log, log_path, run


def test_uninstall_and_reinstall_each_addon_with_data(database):
    log = log_path(f"{database}_reinstall")
    log.unlink(missing_ok=True)
    out = run(
        [PYTHON, "scripts/check_uninstall.py", "-d", database, "--reinstall",
         "--logfile", str(log)],
        log,
    )  # fmt: skip
    assert_clean_log(log)
    assert "[reinstall] crm_loyalty: installed again" in out
    assert "[uninstall] crm_loyalty: uninstalled" in out
