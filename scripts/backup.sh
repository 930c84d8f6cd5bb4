#!/usr/bin/env bash
# Usage: scripts/backup.sh [DEST_DIR]
#
# One backup set of the portal: the database as a pg_dump custom-format archive and the uploads
# (MEDIA_ROOT) as a tarball, named by the same timestamp, into DEST_DIR (BACKUP_DIR, else
# var/backups). Keeps the BACKUP_KEEP newest sets (14 by default) and deletes older ones.
# Reads DATABASE_URL (PostgreSQL) and MEDIA_ROOT (var/media by default), as the portal does.
# Restore with scripts/restore.sh. Scheduling: see README "Backups".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

dest=${1:-${BACKUP_DIR:-$here/../var/backups}}
keep=${BACKUP_KEEP:-14}
media=${MEDIA_ROOT:-$here/../var/media}
: "${DATABASE_URL:?set DATABASE_URL (postgres://user:pass@host:5432/portal)}"
[[ $DATABASE_URL == postgres://* || $DATABASE_URL == postgresql://* ]] ||
    die "DATABASE_URL is not PostgreSQL: back up the SQLite file of the embedded default by copying it"
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP must be a positive whole number, got '$keep'"
command -v pg_dump >/dev/null || die "pg_dump not found (Debian: apt-get install postgresql-client)"

mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dump=$dest/portal-$stamp.dump
tarball=$dest/portal-$stamp-media.tar.gz

# Written under a temporary name and renamed when complete, so that a crash never leaves a file
# that looks like a good backup; --no-owner/--no-acl let it restore into a database owned by
# another role.
pg_dump --dbname="$DATABASE_URL" --format=custom --no-owner --no-acl --file="$dump.partial"
mv "$dump.partial" "$dump"
if [[ -d $media ]]; then
    tar -czf "$tarball.partial" -C "$media" .
else
    tar -czf "$tarball.partial" -T /dev/null # no uploads yet: an empty archive keeps sets whole
fi
mv "$tarball.partial" "$tarball"

# Prune: the newest $keep dumps stay, with their media tarballs.
mapfile -t old < <(find "$dest" -maxdepth 1 -name 'portal-*.dump' -printf '%f\n' | sort -r | tail -n +$((keep + 1)))
for name in "${old[@]}"; do
    rm -f "$dest/$name" "$dest/${name%.dump}-media.tar.gz"
done

printf 'backup: %s\nbackup: %s\n' "$dump" "$tarball"
