"""Run the tests of some Odoo modules on a database where everything is
already installed, so that core modules are tested with this suite's
add-ons loaded (their at_install tests, then their post_install tests).

Usage: run_module_tests.py -d DATABASE [--http-port PORT] MODULE [MODULE ...]
Exit code 0 when every test passed.
"""

import argparse
import sys
import threading
from pathlib import Path

from odoo import http
from odoo.modules.registry import Registry
from odoo.service import server
from odoo.tests import loader
from odoo.tests.result import OdooTestResult
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--http-port", default="8169")
    parser.add_argument("modules", nargs="+")
    args = parser.parse_args()
    config.parse_config(
        [
            "-c",
            str(ROOT / "odoo.conf"),
            "--addons-path=addons,tests",
            "-d",
            args.database,
            "--test-enable",
            "--http-port",
            args.http_port,
            "--test-tags",
            ",".join(f"/{name}" for name in args.modules),
        ]
    )
    threading.current_thread().dbname = args.database
    threading.current_thread().testing = True
    odoo_server = server.ThreadedServer(http.root)
    odoo_server.http_spawn()
    Registry(args.database)
    report = OdooTestResult()
    for position in ("at_install", "post_install"):
        suite = loader.make_suite(args.modules, position)
        result = loader.run_suite(suite, global_report=report)
        report.update(result)
    report.log_stats()
    print(f"{report} on {args.database}")
    return 0 if report.wasSuccessful() and report.testsRun else 1


if __name__ == "__main__":
    sys.exit(main())
