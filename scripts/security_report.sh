#!/usr/bin/env bash
# `make security-report`: run the access-matrix test on a throw-away database
# and write docs/security.md from what it recorded
# (.odoo-data/security_matrix.json, see scripts/security_report.py).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
rm -f .odoo-data/security_matrix.json
TEST_TAGS="/test_crm_suite:TestAccessMatrix" SKIP_UNINSTALL=1 bash scripts/test.sh
.venv/bin/python scripts/security_report.py .odoo-data/security_matrix.json docs/security.md
