#!/usr/bin/env bash
# `make run`: the demo database (created once, with the add-ons and the demo
# story), then the web client on http://localhost:PORT.
# Usage: run.sh [--no-serve] DB PORT [extra Odoo options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
serve=1
if [ "${1:-}" = --no-serve ]; then serve=0; shift; fi
DB="${1:-crm_demo}"
PORT="${2:-8069}"
shift 2 || true
modules="$(python3 scripts/addons.py --product)"

if psql -d postgres -tAc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    echo "[run] database $DB exists: reusing it (drop it with dropdb $DB to start over)"
else
    echo "[run] creating database $DB with $modules"
    .venv/bin/odoo -c odoo.conf -d "$DB" -i "$modules" --stop-after-init \
        --without-demo=True --load-language=es_ES --log-level=warn
    echo "[run] writing the demo story"
    .venv/bin/python demo/demo_story.py -d "$DB"
fi
[ "$serve" = 1 ] || exit 0
echo "[run] serving http://localhost:$PORT  (demo login: admin / admin)"
exec .venv/bin/odoo -c odoo.conf -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" "$@"
