#!/usr/bin/env bash
# `make test-core`: Odoo's own tests of sale, account, crm and OCA's
# crm_claim, run on a database where this suite's add-ons are installed, to
# show the add-ons break nothing there. Long (about an hour on 2 cores), so
# it is not part of `make test`. CORE_MODULES overrides the module list.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
DB="${TEST_DB:-crm_core_$(date +%Y%m%d%H%M%S)_$$}"
MODULES="${CORE_MODULES:-sale account crm crm_claim}"
LOG="$ROOT/.odoo-data/logs/$DB.log"
mkdir -p "$(dirname "$LOG")"
trap '[ "${KEEP_DB:-0}" = 1 ] || dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
echo "[test-core] installing the suite on $DB"
.venv/bin/odoo -c odoo.conf -d "$DB" -i "$(python3 scripts/addons.py --product),${MODULES// /,}" \
    --stop-after-init --log-level=warn
echo "[test-core] running the tests of: $MODULES (log: $LOG)"
set +e
.venv/bin/python scripts/run_module_tests.py -d "$DB" $MODULES >"$LOG" 2>&1
rc=$?
set -e
grep -E "odoo\.tests\.(result|stats)|: (FAIL|ERROR):|tests on " "$LOG" | tail -40
exit "$rc"
