#!/usr/bin/env bash
# Back up HIT Portal: the database as a pg_dump custom-format archive, and the uploaded files.
#
# Usage: scripts/backup.sh [DEST_DIR]              (default DEST_DIR: ./backups)
#
# Reads DATABASE_URL (postgres://user:password@host:port/name, required) and MEDIA_ROOT (default
# $HITPORTAL_VAR_DIR/media, else var/media). Writes, readable by the owner only:
#   DEST_DIR/hitportal-<UTC time>.dump             pg_dump --format=custom (compressed, restores selectively)
#   DEST_DIR/hitportal-media-<UTC time>.tar.gz     MEDIA_ROOT's contents
# and prints both paths. Restore with scripts/restore.sh; docs/operations.md ("Backups") says when.
# Needs pg_dump of the server's major version or newer on PATH (PostgreSQL 15 for docker-compose.yml).
set -euo pipefail

die() {
    echo "backup.sh: $*" >&2
    exit 1
}

[[ $# -le 1 && ${1:-} != -* ]] || die "usage: scripts/backup.sh [DEST_DIR]"
dest="${1:-backups}"
[[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is not set (postgres://user:password@host:port/name)."
command -v pg_dump >/dev/null 2>&1 || die "pg_dump is not on PATH (Debian: apt-get install postgresql-client-15)."
media_root="${MEDIA_ROOT:-${HITPORTAL_VAR_DIR:-var}/media}"

# split_database_url URL: sets PG_BASE (scheme://user@host:port, no password), PG_DBNAME and PG_QUERY
# ("?sslmode=..." or empty) from URL, and exports PGPASSWORD with its password, so that the password
# never appears on a command line (where `ps` shows it to every user of the host).
# Kept in step with the same function in scripts/restore.sh.
split_database_url() {
    local url=$1 scheme rest authority tail userinfo password
    [[ $url =~ ^(postgres|postgresql):// ]] || die "DATABASE_URL must start with postgres:// or postgresql://."
    scheme=${url%%://*}
    rest=${url#*://}
    authority=${rest%%[/?]*}
    tail=${rest:${#authority}}
    if [[ $authority == *@* ]]; then
        userinfo=${authority%@*}
        if [[ $userinfo == *:* ]]; then
            password=${userinfo#*:}
            password=${password//\\/\\\\} # a literal backslash stays one through %b
            printf -v PGPASSWORD '%b' "${password//%/\\x}" # percent-decoding: %40 -> \x40 -> @
            export PGPASSWORD
        fi
        authority="${userinfo%%:*}@${authority##*@}"
    fi
    PG_BASE="$scheme://$authority"
    PG_QUERY=""
    if [[ $tail == *\?* ]]; then
        PG_QUERY="?${tail#*\?}"
    fi
    PG_DBNAME=${tail%%\?*}
    PG_DBNAME=${PG_DBNAME#/}
}
split_database_url "$DATABASE_URL"
[[ -n "$PG_DBNAME" ]] || die "DATABASE_URL does not name a database."

umask 077 # the archives hold personal data
mkdir -p "$dest"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="$dest/hitportal-$stamp.dump"
media="$dest/hitportal-media-$stamp.tar.gz"
# Written under a temporary name and renamed at the end: a backup that failed half-way never looks whole.
trap 'rm -f "$dump.partial" "$media.partial"' EXIT

echo "==> Dumping the database to $dump"
pg_dump --dbname="$PG_BASE/$PG_DBNAME$PG_QUERY" --format=custom --file="$dump.partial"
pg_restore --list "$dump.partial" >/dev/null # reads the whole table of contents: a truncated file fails here

# Files after the database: a document's file is written before its row commits, so every file the
# dump refers to is already on disk (the archive may hold a few newer files that no row names yet).
echo "==> Archiving uploaded files ($media_root) to $media"
if [[ -d "$media_root" ]]; then
    tar --create --gzip --file="$media.partial" --directory="$media_root" .
else
    echo "warning: $media_root does not exist; the media archive is empty." >&2
    empty="$(mktemp -d)"
    tar --create --gzip --file="$media.partial" --directory="$empty" .
    rmdir "$empty"
fi

mv "$dump.partial" "$dump"
mv "$media.partial" "$media"
trap - EXIT
echo "$dump"
echo "$media"
