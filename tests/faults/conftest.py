"""Fixtures of the fault tests: real Odoo processes on throw-away databases.

A template database gets the add-ons and a small demo story once per run;
each test works on its own copy (``createdb -T``) and drops it afterwards.
Every Odoo process the tests start logs to .odoo-data/logs/, and each of
those logs must be as clean as make test's own (scripts/check_log.py).

FAULTS_DB (prefix of the database names), FAULTS_HTTP_PORT (first port of
the servers the tests start) and KEEP_DB=1 (keep the databases) change the
defaults. FAULTS_TEMPLATE_FROM names a database where the add-ons are
already installed (a copy of make test's own, once its tests are done): the
template is copied from it instead of installing them again. FAULTS_BASE_FROM
names one where only what they depend on is installed (make test's once
every add-on is uninstalled), for the migration test.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_log
from addons import addons

PYTHON = str(ROOT / ".venv" / "bin" / "python")
ODOO = str(ROOT / ".venv" / "bin" / "odoo")
DRIVER = str(Path(__file__).resolve().parent / "driver.py")
LOGDIR = ROOT / ".odoo-data" / "logs"
FILESTORE = ROOT / ".odoo-data" / "filestore"
PREFIX = os.environ.get("FAULTS_DB", f"crm_faults_{os.getpid()}")
ADDONS_PATH = "addons,tests"
PORT = int(os.environ.get("FAULTS_HTTP_PORT", "8179"))
KEEP = os.environ.get("KEEP_DB") == "1"


def log_path(name):
    LOGDIR.mkdir(parents=True, exist_ok=True)
    return LOGDIR / f"{name}.log"


def assert_clean_log(path):
    """No WARNING, ERROR or CRITICAL line in an Odoo log."""
    problems = check_log.problems(path, expect_tests=False)
    assert not problems, f"{path}:\n" + "\n".join(problems)


def run(args, log, check=True, **kwargs):
    """Run a command to completion, its stderr appended to ``log``; stdout."""
    with open(log, "a", encoding="utf-8") as err:
        done = subprocess.run(
            args,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            check=False,
            **kwargs,
        )
    if check:
        assert done.returncode == 0, f"{args[:3]} failed, see {log}"
    return done.stdout


def driver(command, database, *options, log=None):
    log = log or log_path(database)
    return run([PYTHON, DRIVER, command, "-d", database, *options], log)


def start(args, log):
    """Start a long-running process in its own process group."""
    err = open(log, "a", encoding="utf-8")  # noqa: SIM115 (closed by stop())
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=err, stderr=err, start_new_session=True
    )
    process.log_file = err
    return process


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=60)
    process.log_file.close()  # closing twice is harmless


def connect(database):
    connection = psycopg2.connect(dbname=database)
    connection.autocommit = True
    return connection


def query(database, sql, params=()):
    with connect(database) as connection, connection.cursor() as cr:
        cr.execute(sql, params)
        rows = cr.fetchall()
    connection.close()
    return rows


def wait_for(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def backends_waiting(database):
    """Queries of the sessions of ``database`` waiting for a lock."""
    return [
        row[0]
        for row in query(
            database,
            "SELECT query FROM pg_stat_activity WHERE datname = %s "
            "AND wait_event_type = 'Lock'",
            (database,),
        )
    ]


def wait_no_session(database, timeout=60):
    wait_for(
        lambda: (
            not query(
                "postgres",
                "SELECT 1 FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )
        ),
        f"the sessions of {database} to end",
        timeout,
    )


def create_copy(template, name):
    wait_no_session(template)
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-T", template, name], check=True)
    if (FILESTORE / template).exists():
        shutil.rmtree(FILESTORE / name, ignore_errors=True)
        shutil.copytree(FILESTORE / template, FILESTORE / name)
    return name


def drop(name):
    if KEEP:
        return
    subprocess.run(["dropdb", "--if-exists", "--force", name], check=False)
    shutil.rmtree(FILESTORE / name, ignore_errors=True)


def install(database, modules, addons_path="addons", log=None):
    log = log or log_path(database)
    run(
        [
            ODOO,
            "-c",
            "odoo.conf",
            f"--addons-path={addons_path}",
            "-d",
            database,
            "-i",
            ",".join(modules),
            "--stop-after-init",
            "--http-port",
            str(PORT),
            "--log-level=info",
        ],
        log,
    )
    assert_clean_log(log)


@pytest.fixture(scope="session")
def template():
    """Every add-on of addons/ and a small demo story (30 customers, 1 year)."""
    name = f"{PREFIX}_tpl"
    drop(name)
    log = log_path(name)
    log.unlink(missing_ok=True)
    source = os.environ.get("FAULTS_TEMPLATE_FROM")
    if source:
        create_copy(source, name)
    else:
        install(name, addons("addons"), log=log)
    run([PYTHON, "demo/demo_story.py", "-d", name, "--customers", "30",
         "--years", "1", "--addons-path", ADDONS_PATH], log)  # fmt: skip
    assert_clean_log(log)
    yield name
    drop(name)


@pytest.fixture
def clone(request):
    """clone(source, suffix): a copy of a database, dropped after the test."""
    made = []

    def make(source, suffix):
        name = f"{PREFIX}_{suffix}"
        for log in LOGDIR.glob(f"{name}*.log"):
            log.unlink()
        made.append(create_copy(source, name))
        return made[-1]

    yield make
    for name in made:
        drop(name)


@pytest.fixture
def database(template, clone, request):
    """A copy of the template for one test."""
    return clone(template, request.node.name.removeprefix("test_")[:20])


def pytest_sessionfinish(session, exitstatus):
    """A skipped fault test fails the run: what it needs must be there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        print("\n[faults] a test was skipped: that is a failure here")
        session.exitstatus = 1
