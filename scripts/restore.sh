#!/usr/bin/env bash
# Restore a HIT Portal backup made by scripts/backup.sh into a named database, and its uploaded files.
#
# Usage: scripts/restore.sh DATABASE_NAME DUMP_FILE [MEDIA_ARCHIVE]
#
# DATABASE_URL (postgres://user:password@host:port/name, required) gives the server and the credentials;
# the dump is restored into DATABASE_NAME on that server, which is created if it does not exist. Restoring
# into an existing database REPLACES the portal's tables there (pg_restore --clean --if-exists), in one
# transaction: if anything fails, nothing changes. Objects end up owned by DATABASE_URL's user (--no-owner).
# Stop the web, worker and beat processes first when DATABASE_NAME is the live database.
#
# With MEDIA_ARCHIVE, the uploaded files are restored into MEDIA_ROOT (default $HITPORTAL_VAR_DIR/media,
# else var/media); the files there before are kept beside it as MEDIA_ROOT.before-restore-<UTC time>.
# Needs pg_restore and psql of the dump's PostgreSQL major version or newer on PATH.
set -euo pipefail

die() {
    echo "restore.sh: $*" >&2
    exit 1
}

usage="usage: scripts/restore.sh DATABASE_NAME DUMP_FILE [MEDIA_ARCHIVE]"
[[ $# -ge 2 && $# -le 3 ]] || die "$usage"
target=$1
dump=$2
media_archive=${3:-}
# A plain identifier, so it can be quoted into SQL safely and never needs escaping.
[[ $target =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]] ||
    die "DATABASE_NAME must be letters, digits and underscores (not starting with a digit), not '$target'."
[[ -f "$dump" ]] || die "no dump file at $dump"
[[ -z "$media_archive" || -f "$media_archive" ]] || die "no media archive at $media_archive"
[[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is not set (postgres://user:password@host:port/name)."
for tool in pg_restore psql; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (Debian: apt-get install postgresql-client-15)."
done
media_root="${MEDIA_ROOT:-${HITPORTAL_VAR_DIR:-var}/media}"

# split_database_url URL: sets PG_BASE (scheme://user@host:port, no password), PG_DBNAME and PG_QUERY
# ("?sslmode=..." or empty) from URL, and exports PGPASSWORD with its password, so that the password
# never appears on a command line (where `ps` shows it to every user of the host).
# Kept in step with the same function in scripts/backup.sh.
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
split_database_url "$DATABASE_URL" # its database name is not used: DATABASE_NAME is the target

pg_restore --list "$dump" >/dev/null || die "$dump is not a readable pg_dump custom-format archive."

# The server's maintenance database, as createdb uses: the target may not exist yet.
exists="$(psql --dbname="$PG_BASE/postgres$PG_QUERY" --no-psqlrc --quiet --tuples-only --no-align \
    --command="SELECT 1 FROM pg_database WHERE datname = '$target'")"
if [[ -z "$exists" ]]; then
    echo "==> Creating database $target"
    psql --dbname="$PG_BASE/postgres$PG_QUERY" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
        --command="CREATE DATABASE \"$target\""
fi

echo "==> Restoring $dump into database $target"
pg_restore --dbname="$PG_BASE/$target$PG_QUERY" --clean --if-exists --no-owner \
    --single-transaction --exit-on-error "$dump"

if [[ -n "$media_archive" ]]; then
    echo "==> Restoring uploaded files from $media_archive into $media_root"
    aside="$media_root.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    [[ ! -e "$aside" ]] || die "$aside is in the way; move it and run again."
    # Unpacked beside MEDIA_ROOT (same file system) and swapped in only once complete.
    mkdir -p "$(dirname "$media_root")"
    incoming="$(mktemp -d "$media_root.restoring-XXXXXX")"
    trap 'rm -rf "$incoming"' EXIT
    # --no-same-owner: files belong to whoever runs the restore (the portal's user), not to the backup's.
    tar --extract --gzip --no-same-owner --file="$media_archive" --directory="$incoming"
    if [[ -e "$media_root" ]]; then
        chmod --reference="$media_root" "$incoming"
        mv "$media_root" "$aside"
        echo "    the files that were there are kept in $aside"
    else
        chmod 0755 "$incoming" # as mkdir would have made it, not mktemp's 0700
    fi
    mv "$incoming" "$media_root"
    trap - EXIT
fi
echo "==> Restored."
