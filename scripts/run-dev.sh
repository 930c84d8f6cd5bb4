#!/usr/bin/env bash
# `make run`: the portal with its Celery worker and beat on the embedded default — SQLite at
# var/portal.sqlite3 and Celery's filesystem broker in var/broker/ (what the settings use when
# DATABASE_URL and CELERY_BROKER_URL are unset) — so nothing else needs installing or running.
# Ctrl-C (or TERM) stops all three. PORT overrides the port, 8000 by default.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port=${PORT:-8000}
base=http://127.0.0.1:$port
bin=.venv/bin
# QR codes and posters point at the port this run serves on (unless the developer set a base).
export PORTAL_PUBLIC_BASE_URL=${PORTAL_PUBLIC_BASE_URL:-$base}

{ : <&0; } 2>/dev/null || exec </dev/null

mkdir -p var/log
"$bin/python" manage.py migrate --noinput
"$bin/python" manage.py seed_demo
"$bin/python" manage.py collectstatic --noinput -v0

pids=()
stop() {
    local status=$?
    trap '' INT TERM
    if ((${#pids[@]})); then
        kill -TERM "${pids[@]}" 2>/dev/null || :
        wait "${pids[@]}" 2>/dev/null || :
    fi
    exit "$status"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# supervise LOG CMD...: run CMD in the background and start it again whenever it exits (a worker
# that died on a broker outage comes back by itself), until stop() sends the supervisor TERM,
# which it passes on (a warm shutdown for the worker).
supervise() {
    local log=$1
    shift
    (
        child=''
        trap '[[ -n $child ]] && kill -TERM "$child" 2>/dev/null; wait; exit 0' TERM
        while :; do
            "$@" >>"$log" 2>&1 &
            child=$!
            status=0
            wait "$child" || status=$?
            printf '%s %s exited (status %s); restarting in 2 s\n' "$(date '+%F %T')" "${2:-$1}" "$status" >>"$log"
            sleep 2
        done
    ) &
    pids+=($!)
}

# Background jobs of a script ignore Ctrl-C, so the worker and beat don't each start their own
# shutdown. Gossip, mingle and the event heartbeat are off: nothing uses them, and their
# broadcast channels are where kombu's Redis reconnect failed. The schedule file would otherwise
# land in the repo root.
supervise var/log/worker.log "$bin/celery" -A portal worker -Q celery,intake,reports,imports --pool=solo \
    --without-gossip --without-mingle --without-heartbeat --loglevel=INFO
supervise var/log/beat.log "$bin/celery" -A portal beat --loglevel=INFO --schedule=var/celerybeat-schedule

cat <<BANNER

  Portal     $base/
  Admin      $base/admin/
  API docs   $base/api/docs/
  Logs       var/log/worker.log, var/log/beat.log
  Stop       Ctrl-C

BANNER
"$bin/python" manage.py seed_demo --print-logins ||
    echo "(could not list the demo logins: manage.py seed_demo --print-logins failed)" >&2

# The server keeps the terminal's stdin and default Ctrl-C handling, so breakpoint() in a view
# works as it does under a bare runserver.
(
    trap - INT QUIT
    exec "$bin/python" manage.py runserver "127.0.0.1:$port"
) <&0 &
server=$!
pids+=("$server")

while kill -0 "$server" 2>/dev/null; do
    wait "$server" || :
done
wait "$server"
