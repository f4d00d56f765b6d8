#!/usr/bin/env bash
# Set up the environment and run the whole test suite, twice:
#   (a) on SQLite, as a new developer's machine runs it (integration tests skip);
#   (b) on PostgreSQL with Redis, where the `integration` tests start a real Celery worker.
# Constraints and select_for_update behave differently on the two databases, hence both passes.
#
# Usage: ./scripts/test.sh [pytest arguments...]    e.g. ./scripts/test.sh -k snapshot
# With CI=true a missing PostgreSQL or Redis fails the run; otherwise pass (b) is skipped with a warning.
# HITPORTAL_TEST_DATABASE_URL / HITPORTAL_TEST_REDIS_URL override the local services of pass (b).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_URL="${HITPORTAL_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS_URL_FOR_TESTS="${HITPORTAL_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

is_ci() {
    case "${CI:-}" in
        1 | true | TRUE | True | yes) return 0 ;;
        *) return 1 ;;
    esac
}

# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

# --- Services for pass (b) -------------------------------------------------------------------------
pg_up() {
    .venv/bin/python - "$PG_URL" <<'EOF' >/dev/null 2>&1
import sys

import psycopg

psycopg.connect(sys.argv[1], connect_timeout=3).close()
EOF
}

redis_up() {
    .venv/bin/python - "$REDIS_URL_FOR_TESTS" <<'EOF' >/dev/null 2>&1
import sys

import redis

redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
EOF
}

start_pg() {
    command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]] || return 0
    local version
    for version in /etc/postgresql/*; do
        pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start >/dev/null 2>&1 || true
    done
}

start_redis() {
    command -v redis-server >/dev/null 2>&1 || return 0
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || true
}

# ensure_service NAME CHECK START: true if the service answers, after one attempt to start it.
ensure_service() {
    local name=$1 check=$2 start=$3
    "$check" && return 0
    echo "==> $name is not answering; trying to start it"
    "$start"
    local _
    for _ in $(seq 1 20); do
        "$check" && return 0
        sleep 0.5
    done
    return 1
}

# Pass (a) and (b) must not inherit a developer's own configuration.
CLEAN_ENV=(-u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL -u CACHE_URL -u CELERY_RESULT_BACKEND
    -u CELERY_TASK_ALWAYS_EAGER -u HITPORTAL_EMBEDDED_WORKER -u HITPORTAL_INTEGRATION -u DJANGO_SETTINGS_MODULE
    -u DEBUG)

run_pytest() {
    env "${CLEAN_ENV[@]}" HITPORTAL_VAR_DIR="$VAR_TMP" "$@"
}

bootstrap_venv

# Tests never write into the developer's var/ (SQLite file, uploads).
VAR_TMP="$(mktemp -d "${TMPDIR:-/tmp}/hitportal-test.XXXXXX")"
trap 'rm -rf "$VAR_TMP"' EXIT

PYTEST=(.venv/bin/python -m pytest -q -rs -p no:cacheprovider)

echo "==> Pass (a): SQLite, Celery eager"
start=$SECONDS
status_a=0
run_pytest "${PYTEST[@]}" "$@" || status_a=$?
time_a=$((SECONDS - start))

echo "==> Pass (b): PostgreSQL + Redis, integration tests with a real Celery worker"
start=$SECONDS
status_b=0
missing=()
ensure_service PostgreSQL pg_up start_pg || missing+=("PostgreSQL ($PG_URL)")
ensure_service Redis redis_up start_redis || missing+=("Redis ($REDIS_URL_FOR_TESTS)")
if ((${#missing[@]})); then
    if is_ci; then
        echo "ERROR: pass (b) cannot reach ${missing[*]}; with CI=true that fails the run." >&2
        status_b=1
        result_b="FAILED (service down: ${missing[*]})"
    else
        echo "WARNING: cannot reach ${missing[*]}: SKIPPING the PostgreSQL pass." >&2
        echo "WARNING: start the service(s) and re-run; CI will not skip this pass." >&2
        status_b=skipped
        result_b="SKIPPED (service down: ${missing[*]})"
    fi
else
    # One PostgreSQL pass at a time on this machine: concurrent runs would share the test_postgres
    # database and the Redis queue, and destroy each other's.
    if command -v flock >/dev/null 2>&1; then
        exec 9>"${TMPDIR:-/tmp}/hitportal-test-postgres.lock"
        flock -n 9 || {
            echo "==> Another PostgreSQL pass is running on this machine; waiting for it"
            flock 9
        }
    fi
    # The suite runs eagerly here too, so every test means the same thing on both databases;
    # the integration tests switch the test process to the Redis broker themselves.
    run_pytest DATABASE_URL="$PG_URL" CELERY_BROKER_URL="$REDIS_URL_FOR_TESTS" \
        CELERY_TASK_ALWAYS_EAGER=true HITPORTAL_INTEGRATION=1 "${PYTEST[@]}" "$@" 9>&- || status_b=$?
    exec 9>&-
    result_b=$([[ $status_b == 0 ]] && echo passed || echo "FAILED (pytest exit $status_b)")
fi
time_b=$((SECONDS - start))

result_a=$([[ $status_a == 0 ]] && echo passed || echo "FAILED (pytest exit $status_a)")
echo
echo "test.sh summary: SQLite pass ${result_a} in ${time_a}s; PostgreSQL pass ${result_b} in ${time_b}s."
# pytest exit 5 (nothing collected) counts as a failure: the suite always has tests.
[[ $status_a == 0 && ($status_b == 0 || $status_b == skipped) ]]
