#!/usr/bin/env bash
# `make lint`: the OCA-style pre-commit checks over the whole repository.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
stamp=.venv/.requirements-dev.sha
sum="$(sha256sum requirements-dev.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    .venv/bin/pip install -q -r requirements-dev.txt
    echo "$sum" >"$stamp"
fi
if [ ! -x node_modules/.bin/prettier ]; then
    command -v npm >/dev/null || { echo "[lint] npm is needed for prettier: apt-get install npm" >&2; exit 1; }
    npm ci --no-audit --no-fund --silent
fi
git ls-files --others --exclude-standard --cached >/dev/null
.venv/bin/pre-commit run --all-files --show-diff-on-failure
