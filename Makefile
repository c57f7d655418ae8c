# CRM suite for Odoo 19 Community: the commands of the README.
#   make run    set-up, demo database $(DB) with the add-ons, web client on :$(PORT)
#   make test   set-up, every test on a throw-away database (tours included)
#   make lint   pre-commit checks of OCA's template (ruff, pylint-odoo, OCA module/PO checks, prettier, eslint, licences)
#   make test-core  Odoo's sale/account/crm/crm_claim tests with the add-ons installed
#   make security-report  the access-matrix test, then docs/security.md from it
#   make bench  benchmarks at scale (SIZE=S, M or L), report in docs/benchmarks.md
#   make replica  a PostgreSQL streaming replica of the local cluster (port 5433)
#   make bench-load  Locust load test: staff on 360 screens while invoices post (BENCH_DB)
#   make bench-replica  Odoo on that replica: who serves what, lag (BENCH_DB=bench_s)
# Point to your own Odoo source tree with ODOO_SRC=/path/to/odoo.
DB ?= crm_demo
PORT ?= 8069
ODOO_ARGS ?=
SIZE ?= S
BENCH_DB ?= bench_s
export ODOO_SRC

.PHONY: setup run demo test test-core security-report bench replica replica-stop bench-load bench-replica lint clean

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

bench-load: setup
	test -x .venv-load/bin/locust || { python3 -m venv .venv-load && \
		.venv-load/bin/pip install -q -r bench/load/requirements.txt; }
	.venv/bin/python bench/bench_locust.py -d "$(BENCH_DB)" $(LOAD_ARGS)

replica:
	bash scripts/replica.sh start

replica-stop:
	bash scripts/replica.sh stop

bench-replica: setup
	.venv/bin/python bench/bench_replica.py -d "$(BENCH_DB)"

lint:
	bash scripts/lint.sh

clean:
	rm -rf .odoo-data/logs
