#!/usr/bin/env bash
# Usage: scripts/init-env.sh HOST [ENV_FILE]
#
# First run of a deployment: writes ENV_FILE (.env beside docker-compose.yml by default) from
# .env.example with a generated SECRET_KEY and POSTGRES_PASSWORD, and HOST (the name users and
# phones reach, as in the reverse proxy's certificate) as ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS
# and PORTAL_PUBLIC_BASE_URL. Never overwrites an existing file: the database volume was
# initialised with the password in it, and a new one would no longer match.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

(($# >= 1 && $# <= 2)) || die "usage: ${0##*/} HOST [ENV_FILE]   e.g. ${0##*/} dangjian.nanjing.gov.cn"
host=$1
target=${2:-$here/../.env}
[[ $host =~ ^[A-Za-z0-9.-]+(:[0-9]+)?$ ]] || die "'$host' is not a host name (no scheme, no path: e.g. dangjian.example.gov.cn)"
[[ -e $target ]] && die "$target already exists: keeping it (its POSTGRES_PASSWORD is the one the database was created with)"

# Letters and digits only: both values go into URLs and shell-like files unquoted.
random() { tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$1" || :; }
secret_key=$(random 64)
db_password=$(random 32)
((${#secret_key} == 64 && ${#db_password} == 32)) || die "could not read /dev/urandom"

umask 077
tmp=$(mktemp "$target.XXXXXX")
trap 'rm -f "$tmp"' EXIT
sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$secret_key|" \
    -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$db_password|" \
    -e "s|^ALLOWED_HOSTS=.*|ALLOWED_HOSTS=${host%%:*}|" \
    -e "s|^CSRF_TRUSTED_ORIGINS=.*|CSRF_TRUSTED_ORIGINS=https://$host|" \
    -e "s|^PORTAL_PUBLIC_BASE_URL=.*|PORTAL_PUBLIC_BASE_URL=https://$host|" \
    "$here/../.env.example" >"$tmp"
# link, not rename: fails if the file appeared meanwhile instead of replacing it.
ln "$tmp" "$target" 2>/dev/null || die "$target appeared meanwhile: keeping it"
printf 'wrote %s (secrets generated; keep this file, and back it up apart from the data)\n' "$target"
