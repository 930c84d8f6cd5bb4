#!/usr/bin/env bash
# Usage: scripts/restore.sh DUMP [MEDIA_TARBALL]
#
# Restores a set written by scripts/backup.sh into the database DATABASE_URL names, which must
# exist and be empty (create it first: createdb, or a fresh compose volume), and unpacks the
# media tarball (by default the one beside DUMP) into MEDIA_ROOT (var/media by default), which
# must be empty too. Refusing to overwrite is deliberate: a restore over live data is a decision
# to make by hand (drop and recreate the database), not a flag to pass by mistake.
# The restore runs in one transaction: it lands whole or not at all.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

(($# >= 1 && $# <= 2)) || die "usage: ${0##*/} DUMP [MEDIA_TARBALL]"
dump=$1
tarball=${2:-${dump%.dump}-media.tar.gz}
media=${MEDIA_ROOT:-$here/../var/media}
: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
[[ -f $dump ]] || die "no such dump: $dump"
[[ -f $tarball ]] || die "no media tarball $tarball (give its path as the second argument)"
command -v pg_restore >/dev/null || die "pg_restore not found (Debian: apt-get install postgresql-client)"

tables=$(psql --dbname="$DATABASE_URL" -tAc \
    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
((tables == 0)) || die "the database in DATABASE_URL already has $tables tables: restore into an empty one"
if [[ -d $media ]] && [[ -n $(ls -A "$media") ]]; then
    die "MEDIA_ROOT $media is not empty: restore into an empty directory"
fi

pg_restore --dbname="$DATABASE_URL" --no-owner --no-acl --exit-on-error --single-transaction "$dump"
mkdir -p "$media"
tar -xzf "$tarball" -C "$media"
printf 'restored: %s → database, %s → %s\n' "$dump" "$tarball" "$media"
