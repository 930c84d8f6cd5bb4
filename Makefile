# Developer entry points; `make` alone lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

VENV := .venv
BIN := $(VENV)/bin
# Touched once the locks are installed, so `venv` reruns only when a lock changes.
STAMP := $(VENV)/.installed
PORT ?= 8000
PROFILE ?= city

.PHONY: help venv lock run test bench lint fmt migrate seed clean

help: ## List the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{ printf "  %-8s %s\n", $$1, $$2 }'

venv: $(STAMP) ## Create .venv with the runtime and dev locks (again when a lock changes)

$(STAMP): requirements.lock requirements-dev.lock
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	    echo "Python 3.11 or newer is needed; python3 is $$(python3 -V 2>&1 | cut -d' ' -f2)." \
	        "Install python3.11 (or newer) and make it python3, e.g. on Debian 12: apt-get install python3" >&2; \
	    exit 1; }
	@python3 -c 'import ensurepip, venv' 2>/dev/null || { \
	    echo "python3 cannot create virtual environments: sudo apt-get install python3-venv" >&2; \
	    exit 1; }
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	@touch $@

lock: ## Regenerate requirements.lock (runtime) and requirements-dev.lock from pyproject.toml; a no-op when nothing changed
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet uv
	scripts/lock.sh

run: venv ## Run the portal, worker and beat on SQLite in var/ (PORT=8000); Ctrl-C stops all
	PORT=$(PORT) scripts/run-dev.sh

test: venv ## All gates: ruff, migrations check, pytest on PostgreSQL/Redis, smoke on SQLite
	@. scripts/lib.sh && ensure_debian_packages chromium fonts-noto-cjk
	scripts/services.sh scripts/test.sh

bench: venv ## Benchmark on throwaway PostgreSQL/Redis (PROFILE=city)
	scripts/services.sh $(BIN)/python manage.py bench --profile $(PROFILE)

lint: venv ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv ## Format with ruff, then apply ruff's autofixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: venv ## Apply migrations (DATABASE_URL, or var/portal.sqlite3 when unset)
	@mkdir -p var
	$(BIN)/python manage.py migrate

seed: migrate ## Migrate, then load the demo data (manage.py seed_demo)
	$(BIN)/python manage.py seed_demo

clean: ## Remove .venv, var/ and staticfiles/
	rm -rf $(VENV) var staticfiles
