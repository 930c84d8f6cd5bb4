#!/usr/bin/env bash
# Usage: scripts/services.sh CMD [ARGS...]
#
# Runs CMD against a PostgreSQL and a Redis of its own, started for this one command on free
# loopback ports with DATABASE_URL, REDIS_URL and CELERY_BROKER_URL exported; then stops both,
# deletes their data and exits with CMD's status. Every run has its own ports and temp dir, so
# several people (or CI jobs) on one machine can test at the same time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

(($# > 0)) || die "usage: ${0##*/} CMD [ARGS...]"

readonly DB_USER=portal DB_NAME=portal READY_TIMEOUT=60

# CI may start us with stdin closed; CMD is later given our stdin explicitly.
{ : <&0; } 2>/dev/null || exec </dev/null

# Newest PostgreSQL whose server programs are installed, printed as "MAJOR BINDIR".
# Debian keeps them off PATH in /usr/lib/postgresql/N/bin; other systems put them on PATH.
find_postgres() {
    local dir initdb major best_dir='' best_major=0
    local candidates=(/usr/lib/postgresql/*/bin)
    if initdb=$(command -v initdb); then
        candidates+=("$(dirname "$(readlink -f "$initdb")")")
    fi
    for dir in "${candidates[@]}"; do
        [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres && -x $dir/pg_isready &&
            -x $dir/createdb ]] || continue
        major=$("$dir/postgres" --version | sed -nE 's/^postgres \(PostgreSQL\) ([0-9]+).*/\1/p')
        if ((${major:-0} > best_major)); then
            best_major=$major best_dir=$dir
        fi
    done
    if [[ -n $best_dir ]]; then
        printf '%s %s\n' "$best_major" "$best_dir"
    fi
}

have_redis() { command -v redis-server >/dev/null && command -v redis-cli >/dev/null; }

# A port that was free a moment ago; the start-up loops below retry if someone took it since.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_until() { # WHAT CMD... — poll CMD until it succeeds or READY_TIMEOUT runs out
    local what=$1 deadline=$((SECONDS + READY_TIMEOUT))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "$what not ready after ${READY_TIMEOUT}s (see $tmp)"
        sleep 0.2
    done
}

# --- find or install the servers --------------------------------------------------------------
pg=$(find_postgres)
missing=()
[[ -n $pg ]] && ((${pg%% *} >= 15)) || missing+=(postgresql)
have_redis || missing+=(redis-server)
if ((${#missing[@]})); then
    ensure_debian_packages "${missing[@]}"
    pg=$(find_postgres)
fi
[[ -n $pg ]] || die "PostgreSQL server programs (initdb, pg_ctl) not found in PATH or" \
    "/usr/lib/postgresql/*/bin: install PostgreSQL 15 or newer (Debian: apt-get install postgresql)"
pg_major=${pg%% *} pg_bin=${pg#* }
((pg_major >= 15)) || die "PostgreSQL $pg_major found in $pg_bin, 15 or newer is needed"
have_redis || die "redis-server/redis-cli not found: install Redis 7 or newer" \
    "(Debian: apt-get install redis-server)"
redis_version=$(redis-server --version | sed -nE 's/.* v=([0-9.]+).*/\1/p')
((${redis_version%%.*} >= 7)) || die "Redis $redis_version found, 7 or newer is needed"

# --- a private temp dir, and teardown whatever happens next --------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/portal-services.XXXXXX")
redis_pid='' child=''

cleanup() {
    local status=$?
    trap '' INT TERM # a second Ctrl-C must not leave servers or data behind
    if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
        kill -TERM "$child" 2>/dev/null || :
        wait "$child" 2>/dev/null || :
    fi
    if [[ -f $tmp/pg/postmaster.pid ]]; then
        as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || :
    fi
    if [[ -n $redis_pid ]]; then
        kill "$redis_pid" 2>/dev/null || :
        wait "$redis_pid" 2>/dev/null || :
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# initdb refuses to run as root, so root hands the cluster to an unprivileged system user.
if ((EUID == 0)); then
    pg_user=postgres
    if ! id "$pg_user" >/dev/null 2>&1; then
        pg_user=portaltest
        id "$pg_user" >/dev/null 2>&1 ||
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
                "$pg_user" 2>/dev/null ||
            id "$pg_user" >/dev/null 2>&1 || # a parallel run may have just created it
            die "could not create system user $pg_user to run PostgreSQL"
    fi
    chown "$pg_user" "$tmp"
    as_pg() {
        if command -v runuser >/dev/null; then
            (cd "$tmp" && runuser -u "$pg_user" -- "$@")
        else
            (cd "$tmp" && su -s /bin/bash "$pg_user" -c "$(printf '%q ' "$@")")
        fi
    }
    as_pg test -w "$tmp" ||
        die "user $pg_user cannot write to $tmp: point TMPDIR at a directory others can traverse, such as /tmp"
else
    as_pg() { "$@"; }
fi

# --- PostgreSQL -----------------------------------------------------------------------------------
# C.UTF-8 sorts by code point, the same on every machine; plain C where it isn't installed.
locale=C
grep -qixE 'c\.utf-?8' <<<"$(locale -a 2>/dev/null || :)" && locale=C.UTF-8

# Trust auth is safe enough here: the server listens on loopback only and lives for one command.
as_pg env LC_ALL=C "$pg_bin/initdb" -D "$tmp/pg" -U "$DB_USER" -A trust -E UTF8 \
    --locale="$locale" --no-sync >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; die "initdb failed (output above)"; }

# Durability is worthless for data deleted in a minute; these make the test suite much faster.
# TCP only: a socket path under a long TMPDIR can exceed the kernel's 107-byte limit.
cat >>"$tmp/pg/postgresql.conf" <<EOF

# scripts/services.sh: throwaway test server
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

for attempt in 1 2 3; do
    pg_port=$(free_port)
    [[ -e $tmp/pg.log ]] && : >"$tmp/pg.log"
    if as_pg env LC_ALL=C "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -o "-p $pg_port" \
        -w -t "$READY_TIMEOUT" start >/dev/null 2>&1; then
        break
    fi
    if ((attempt == 3)) || ! grep -q 'Address already in use' "$tmp/pg.log"; then
        tail -n 20 "$tmp/pg.log" >&2
        die "PostgreSQL did not start (log above)"
    fi
done
wait_until PostgreSQL "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"
# The bootstrap role is a superuser, so pytest-django may create and drop its test databases.
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" "$DB_NAME"
pg_version=$("$pg_bin/postgres" --version | sed -nE 's/^postgres \(PostgreSQL\) ([0-9.]+).*/\1/p')
printf 'services: PostgreSQL %s on 127.0.0.1:%s\n' "$pg_version" "$pg_port" >&2

# --- Redis ----------------------------------------------------------------------------------------
redis_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null) == PONG ]]; }

mkdir "$tmp/redis"
for attempt in 1 2 3; do
    redis_port=$(free_port)
    redis-server --save '' --appendonly no --port "$redis_port" --bind 127.0.0.1 \
        --dir "$tmp/redis" --logfile "$tmp/redis.log" </dev/null &
    redis_pid=$!
    deadline=$((SECONDS + READY_TIMEOUT))
    until redis_ping; do
        kill -0 "$redis_pid" 2>/dev/null || break
        ((SECONDS < deadline)) || die "Redis not ready after ${READY_TIMEOUT}s (see $tmp/redis.log)"
        sleep 0.1
    done
    kill -0 "$redis_pid" 2>/dev/null && break
    wait "$redis_pid" || :
    redis_pid=''
    if ((attempt == 3)) || ! grep -q 'Address already in use' "$tmp/redis.log"; then
        tail -n 20 "$tmp/redis.log" >&2
        die "Redis did not start (log above)"
    fi
done
printf 'services: Redis %s on 127.0.0.1:%s\n' "$redis_version" "$redis_port" >&2

# --- the command ----------------------------------------------------------------------------------
export DATABASE_URL="postgres://$DB_USER@127.0.0.1:$pg_port/$DB_NAME"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export CELERY_BROKER_URL=$REDIS_URL

# CMD runs in the background so that a TERM sent to this script alone (a CI timeout, say) is
# acted on at once rather than after CMD ends. Background jobs of a script ignore SIGINT unless
# told otherwise, and would read /dev/null: undo both, so Ctrl-C and prompts (pdb) still work.
(
    trap - INT QUIT
    exec "$@"
) <&0 &
child=$!

forward() {
    # A Ctrl-C from the terminal has already reached CMD, which shares our process group: give it
    # a moment to finish before relaying, so it isn't interrupted twice during its own cleanup.
    if [[ $1 == INT ]]; then
        for _ in {1..30}; do
            kill -0 "$child" 2>/dev/null || return 0
            sleep 0.1
        done
    fi
    kill -"$1" "$child" 2>/dev/null || :
}
trap 'forward INT' INT
trap 'forward TERM' TERM

# wait returns early whenever a trapped signal arrives; keep waiting until CMD has really gone.
while kill -0 "$child" 2>/dev/null; do
    wait "$child" || :
done
status=0
wait "$child" || status=$?
child=''
exit "$status"
