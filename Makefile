# CRM suite for Odoo 19 Community: the commands of the README.
#   make run    set-up, demo database $(DB) with the add-ons, web client on :$(PORT)
#   make test   set-up, every test on a throw-away database (tours included)
#   make lint   pre-commit checks of OCA's template (ruff, pylint-odoo, OCA module/PO checks, prettier, eslint, licences)
#   make test-core  Odoo's sale/account/crm/crm_claim tests with the add-ons installed
#   make security-report  the access-matrix test, then docs/security.md from it
#   make bench  benchmarks at scale (SIZE=S or M), report in docs/benchmarks.md
# Point to your own Odoo source tree with ODOO_SRC=/path/to/odoo.
DB ?= crm_demo
PORT ?= 8069
ODOO_ARGS ?=
SIZE ?= S
export ODOO_SRC

.PHONY: setup run demo test test-core security-report bench lint clean

setup:
	bash scripts/setup.sh

run: setup
	bash scripts/run.sh "$(DB)" "$(PORT)" $(ODOO_ARGS)

demo: setup
	bash scripts/run.sh --no-serve "$(DB)" "$(PORT)"

test:
	bash scripts/test.sh

test-core:
	bash scripts/test_core.sh

security-report:
	bash scripts/security_report.sh

bench: setup
	.venv/bin/python bench/bench.py all --size "$(SIZE)"

lint:
	bash scripts/lint.sh

clean:
	rm -rf .odoo-data/logs
