#!/usr/bin/env bash
# `make test`: the whole suite on real Odoo 19 + PostgreSQL + Chromium.
#
#   1. set-up (scripts/setup.sh), then the tooling tests (pytest tests/tooling);
#   2. a throw-away database; install of every add-on of addons/ and of the
#      cross-module test add-on of tests/, running their at_install tests,
#      then every post_install test, browser tours included;
#   3. the log is read: any WARNING, ERROR or CRITICAL line, any skipped
#      test (a tour Odoo skips for lack of Chromium or websocket-client) and
#      a run with no test fail the suite;
#   4. a small demo story is written in the database; each add-on is
#      uninstalled in turn, then installed again, and the database checked
#      to still work after each step (scripts/check_uninstall.py);
#   5. the fault tests (pytest tests/faults): real Odoo processes killed,
#      racing and upgrading, on copies of that database (taken before
#      step 4's uninstalls, and once every add-on is uninstalled).
# KEEP_DB=1 keeps the databases; TEST_TAGS narrows the Odoo tests
# (Odoo's --test-tags syntax); SKIP_UNINSTALL=1 skips step 4, SKIP_FAULTS=1
# step 5; the fault tests start servers from FAULTS_HTTP_PORT (default: the
# port after TEST_HTTP_PORT).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh

DB="${TEST_DB:-crm_test_$(date +%Y%m%d%H%M%S)_$$}"
PORT="${TEST_HTTP_PORT:-8169}"
LOGDIR="$ROOT/.odoo-data/logs"
LOG="$LOGDIR/$DB.log"
mkdir -p "$LOGDIR"
cleanup() {
    [ "${KEEP_DB:-0}" = 1 ] && return
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    dropdb --if-exists "${DB}_f_src" >/dev/null 2>&1 || true
    dropdb --if-exists "${DB}_f_base" >/dev/null 2>&1 || true
}
trap cleanup EXIT

failures=0
fail() { printf '[test] FAIL: %s\n' "$*"; failures=$((failures + 1)); }

echo "[test] tooling tests"
reports=("$LOGDIR/$DB-tooling.xml")
.venv/bin/python -m pytest -q -p no:cacheprovider -p no:odoo tests/tooling \
    --junitxml "${reports[0]}" || fail "tooling tests"

modules="$(python3 scripts/addons.py --install)"
tags="${TEST_TAGS:-$(python3 scripts/addons.py --test-tags)}"
echo "[test] database $DB: installing $modules (tests: $tags); log in $LOG"
set +e
.venv/bin/odoo -c odoo.conf --addons-path=addons,tests -d "$DB" -i "$modules" \
    --test-enable --test-tags "$tags" --http-port "$PORT" --stop-after-init \
    --log-level=info 2>&1 | tee "$LOG" | grep -E --line-buffered \
    ' (WARNING|ERROR|CRITICAL) |odoo\.tests\.(result|stats)|: (FAIL|ERROR):|: skipped |Starting |post-tests in |Modules loaded'
rc=${PIPESTATUS[0]}
set -e

[ "$rc" -eq 0 ] || fail "Odoo exited with code $rc"
.venv/bin/python scripts/check_log.py "$LOG" || fail "the log is not clean (see above)"

faults=0
[ "${SKIP_FAULTS:-0}" != 1 ] && [ "$rc" -eq 0 ] && faults=1
if [ "$rc" -eq 0 ] && { [ "$faults" = 1 ] || [ "${SKIP_UNINSTALL:-0}" != 1 ]; }; then
    echo "[test] a small demo story in $DB, for the uninstall and fault tests"
    .venv/bin/python demo/demo_story.py -d "$DB" --customers 30 --years 1 \
        --addons-path addons,tests 2>"$LOGDIR/$DB-demo.log" || fail "demo story"
    .venv/bin/python scripts/check_log.py --no-tests "$LOGDIR/$DB-demo.log" ||
        fail "the demo story log is not clean (see above)"
fi
# the fault tests start from a copy of this database with every add-on and
# the demo story; their migration test from one where they are uninstalled
[ "$faults" = 1 ] && createdb -T "$DB" "${DB}_f_src"

if [ "${SKIP_UNINSTALL:-0}" != 1 ] && [ "$rc" -eq 0 ]; then
    echo "[test] uninstalling each add-on, then installing each again"
    copy=()
    [ "$faults" = 1 ] && copy=(--uninstalled-copy "${DB}_f_base")
    .venv/bin/python scripts/check_uninstall.py -d "$DB" --reinstall "${copy[@]}" \
        --logfile "$LOGDIR/$DB-uninstall.log" || fail "uninstall check"
    .venv/bin/python scripts/check_log.py --no-tests "$LOGDIR/$DB-uninstall.log" ||
        fail "the uninstall log is not clean (see above)"
fi

if [ "$faults" = 1 ]; then
    echo "[test] fault tests (tests/faults, logs in $LOGDIR/${DB}_f_*.log)"
    base=""
    [ "${SKIP_UNINSTALL:-0}" = 1 ] || base="${DB}_f_base"
    reports+=("$LOGDIR/$DB-faults.xml")
    FAULTS_TEMPLATE_FROM="${DB}_f_src" FAULTS_BASE_FROM="$base" FAULTS_DB="${DB}_f" \
        FAULTS_HTTP_PORT="${FAULTS_HTTP_PORT:-$((PORT + 1))}" \
        .venv/bin/python -m pytest -q -p no:cacheprovider -p no:odoo tests/faults \
        --junitxml "${reports[1]}" || fail "fault tests"
fi

junit=()
for report in "${reports[@]}"; do junit+=(--junit "$report"); done
summary="$(.venv/bin/python scripts/check_log.py --summary "$LOG" "${junit[@]}")"
if [ "$failures" -eq 0 ]; then
    echo "[test] all green"
else
    echo "[test] $failures step(s) failed"
fi
echo "$summary"
[ "$failures" -eq 0 ]
