#!/usr/bin/env bash
# `make lock`: requirements.lock (what the production image installs: pyproject's dependencies)
# and requirements-dev.lock (those plus the dev extra: pytest, playwright, ruff, uv…, pinned to
# the same versions through -c requirements.lock), both with hashes, for Python 3.11.
#
# uv keeps the versions already in a lock unless pyproject.toml asks otherwise, and a lock is
# replaced only when its content changed: with nothing changed this is a no-op (no new mtime, so
# `make venv` does not reinstall). To take newer versions on purpose: UPGRADE=1 make lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

uv=.venv/bin/uv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
upgrade=()
[[ ${UPGRADE:-} == 1 ]] && upgrade=(--upgrade)

compile() { # LOCK ARGS...
    local lock=$1
    shift
    # Start from the current lock: uv prefers the versions in the output file it is given.
    [[ -f $lock ]] && cp "$lock" "$tmp/$lock"
    "$uv" pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
        --custom-compile-command "make lock" "${upgrade[@]}" "$@" -o "$tmp/$lock"
    if [[ -f $lock ]] && cmp -s "$lock" "$tmp/$lock"; then
        echo "$lock: unchanged"
    else
        mv "$tmp/$lock" "$lock"
        echo "$lock: updated"
    fi
}

compile requirements.lock
compile requirements-dev.lock --extra dev -c requirements.lock
