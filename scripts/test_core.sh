#!/usr/bin/env bash
# `make test-core`: Odoo's own tests of sale, account, crm and OCA's
# crm_claim with this suite's add-ons installed, to show the add-ons break
# nothing there. Everything is installed at once on a throw-away database,
# as Odoo's own test runs do: each core module's at_install tests run when
# it is installed, and every post_install test runs once the suite is
# installed too. Long (about 30 minutes on 2 cores), so it is not part of
# `make test`. CORE_MODULES overrides the module list; KEEP_DB=1 keeps the
# database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh --core-tests
DB="${TEST_DB:-crm_core_$(date +%Y%m%d%H%M%S)_$$}"
PORT="${TEST_HTTP_PORT:-8169}"
MODULES="${CORE_MODULES:-sale account crm crm_claim}"
TAGS="$(printf '/%s,' $MODULES)"
LOG="$ROOT/.odoo-data/logs/$DB.log"
mkdir -p "$(dirname "$LOG")"
trap '[ "${KEEP_DB:-0}" = 1 ] || dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
echo "[test-core] installing the suite and $MODULES on $DB, running the tests of $MODULES (log: $LOG)"
set +e
.venv/bin/odoo -c odoo.conf -d "$DB" -i "$(python3 scripts/addons.py --product),${MODULES// /,}" \
    --with-demo --test-enable --test-tags "${TAGS%,}" --http-port "$PORT" --stop-after-init \
    >"$LOG" 2>&1
rc=$?
set -e
grep -E "odoo\.tests\.(result|stats)|: (FAIL|ERROR):|tests? (when loading|on )" "$LOG" | tail -40
if [ "$rc" != 0 ] || grep -qE ": (FAIL|ERROR):" "$LOG"; then
    echo "[test-core] FAILED (exit code $rc)"
    exit 1
fi
echo "[test-core] all green"
