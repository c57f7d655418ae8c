"""Read an Odoo test log and fail on what a clean run must not contain.

A clean run has no WARNING, ERROR or CRITICAL line, no skipped test (Odoo
skips browser tours when Chromium or websocket-client is missing and still
reports success) and at least one test.

--summary prints "N passed, N failed" from Odoo's own test report.
"""

import re
import sys

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


def check(path):
    problems = []
    for entry in read(path):
        if entry["level"] in BAD_LEVELS:
            problems.append(f"{entry['level']} {entry['logger']}: {entry['msg']}")
        elif SKIPPED.match(entry["msg"]):
            problems.append(f"skipped test ({entry['logger']}): {entry['msg']}")
    result = report(path)
    if result is None:
        problems.append("no test report in the log: did the tests run at all?")
    elif result[2] == 0:
        problems.append("Odoo ran no test")
    for problem in problems:
        print(f"[log] {problem}")
    return not problems


def main(argv):
    if len(argv) == 3 and argv[1] == "--summary":
        result = report(argv[2])
        failed, errors, run = result or (0, 1, 0)
        print(f"{run - failed - errors} passed, {failed + errors} failed")
        return 0
    if len(argv) != 2:
        sys.exit(__doc__)
    return 0 if check(argv[1]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
