#!/usr/bin/env bash
# `make lint`: the OCA-style pre-commit checks over the whole repository.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
stamp=.venv/.requirements-dev.sha
sum="$(cat requirements-dev.txt constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    .venv/bin/pip install -q -c constraints.txt -r requirements-dev.txt
    echo "$sum" >"$stamp"
fi
npm_stamp=node_modules/.package-lock.sha
npm_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_sum" ]; then
    command -v npm >/dev/null || { echo "[lint] npm is needed for prettier and eslint: apt-get install npm" >&2; exit 1; }
    npm ci --no-audit --no-fund --silent
    echo "$npm_sum" >"$npm_stamp"
fi
git ls-files --others --exclude-standard --cached >/dev/null
.venv/bin/pre-commit run --all-files --show-diff-on-failure
