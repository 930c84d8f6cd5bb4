#!/usr/bin/env bash
# The gates behind `make test`, cheapest first; the first failure stops the run. Expects to run
# under scripts/services.sh, which provides DATABASE_URL, REDIS_URL and CELERY_BROKER_URL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${DATABASE_URL:?run me under scripts/services.sh (make test does)}"

bin=.venv/bin

step() { # LABEL CMD...
    printf '\n== %s\n' "$1"
    shift
    "$@"
}

# pytest exits 5 when it collected nothing. That is already non-zero, so the gate fails; this only
# says why, since a suite that ran no test is easy to mistake for a green one.
pytest_gate() {
    local rc=0
    "$bin/pytest" "$@" || rc=$?
    ((rc != 5)) || printf 'pytest collected no tests (%s): failing\n' "${*:-full suite}" >&2
    return "$rc"
}

step "ruff check" "$bin/ruff" check .
step "ruff format --check" "$bin/ruff" format --check .
step "makemigrations --check" "$bin/python" manage.py makemigrations --check --dry-run
# One pytest process per core (at most 4: each takes a Redis database of its own, see
# portal/settings.py). `--dist load` hands tests out in collection order, so every process runs its
# transactional tests (which flush the database) after the others, as a single process does.
step "pytest (PostgreSQL, Redis)" pytest_gate -n "${PYTEST_WORKERS:-auto}" --maxprocesses 4 --dist load

# The core tests again on the embedded default that `make run` uses: SQLite and no Redis.
smoke=$(mktemp -d)
trap 'rm -rf "$smoke"' EXIT
(
    unset REDIS_URL
    export DATABASE_URL="sqlite:///$smoke/smoke.sqlite3" CELERY_BROKER_URL=memory://
    step "pytest -m smoke (SQLite, no Redis)" pytest_gate -m smoke
)
