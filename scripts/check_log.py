"""Read an Odoo test log and fail on what a clean run must not contain.

A clean run has no WARNING, ERROR or CRITICAL line, no skipped test (Odoo
skips browser tours when Chromium or websocket-client is missing and still
reports success) and at least one test.

--summary prints "N passed, N failed" from Odoo's own test report, plus
those of the pytest JUnit reports given with --junit (a skipped pytest test
counts as failed). --no-tests checks a log that has no test report (a
server, a script).
"""

import argparse
import re
import sys
from xml.etree import ElementTree

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ "
    r"(?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)"
)
BAD_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
SKIPPED = re.compile(r"^skipped ")
REPORT = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)


def read(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = LOG_LINE.match(line)
            if match:
                yield match


def report(path):
    """(failed, errors, run) of the last test report in the log, or None."""
    last = None
    for entry in read(path):
        found = REPORT.search(entry["msg"])
        if found:
            last = tuple(int(n) for n in found.groups())
    return last


def problems(path, expect_tests=True):
    """What makes the log unclean; ``expect_tests`` for a test run's log."""
    found = []
    for entry in read(path):
        if entry["level"] in BAD_LEVELS:
            found.append(f"{entry['level']} {entry['logger']}: {entry['msg']}")
        elif SKIPPED.match(entry["msg"]):
            found.append(f"skipped test ({entry['logger']}): {entry['msg']}")
    if not expect_tests:
        return found
    result = report(path)
    if result is None:
        found.append("no test report in the log: did the tests run at all?")
    elif result[2] == 0:
        found.append("Odoo ran no test")
    return found


def check(path, expect_tests=True):
    found = problems(path, expect_tests)
    for problem in found:
        print(f"[log] {problem}")
    return not found


def junit(path):
    """(passed, failed) of a pytest JUnit XML report; skipped tests fail."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return 0, 1
    passed = failed = 0
    for suite in root.iter("testsuite"):
        bad = sum(int(suite.get(key, 0)) for key in ("failures", "errors", "skipped"))
        passed += int(suite.get("tests", 0)) - bad
        failed += bad
    return passed, failed


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("log", nargs="?")
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--junit", action="append", default=[])
    parser.add_argument("--no-tests", action="store_true")
    args = parser.parse_args(argv[1:])
    if args.summary:
        failed, errors, run = (args.log and report(args.log)) or (0, 1, 0)
        passed, failed = run - failed - errors, failed + errors
        for path in args.junit:
            more_passed, more_failed = junit(path)
            passed, failed = passed + more_passed, failed + more_failed
        print(f"{passed} passed, {failed} failed")
        return 0
    if not args.log:
        sys.exit(__doc__)
    return 0 if check(args.log, expect_tests=not args.no_tests) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
