#!/usr/bin/env bash
# Run HIT Portal on this machine with demo data: the one command a new user needs.
#
# Creates .venv (Python 3.11) and installs the requirements when they changed, then runs the
# embedded default: DEBUG on, an SQLite file under var/, email printed to the console. Migrates, loads
# the demo data (demo/, safe to run again), then starts side by side:
#   - the development server on 127.0.0.1:$PORT;
#   - a Celery worker with beat embedded, on kombu's filesystem transport (message files under
#     var/celery/, no broker server): tasks sent after a commit, reminders, report opening and the nightly
#     recomputes run as in production. A nightly task missed while this was not running runs once at the
#     next start (beat remembers its last runs in var/celery/beat-schedule).
# Ctrl-C (or SIGTERM) stops all of them. BASE_URL, the address in email links, follows PORT unless set.
#
# Usage: ./scripts/run.sh            PORT=8080 ./scripts/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${PORT:-8000}"

# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

bootstrap_venv

export DEBUG=true
# Demo only: the demo's logins (example.org) need no second factor; refused by settings without DEBUG.
export DEMO_WITHOUT_SECOND_FACTOR=true
export BASE_URL="${BASE_URL:-http://127.0.0.1:${PORT}}"

echo "==> Applying migrations"
.venv/bin/python manage.py migrate --noinput
echo "==> Loading demo data"
.venv/bin/python manage.py seed_demo

# From here on, tasks go through the filesystem queue to the worker instead of running in the sender
# (hitportal/settings.py, HITPORTAL_EMBEDDED_WORKER).
export HITPORTAL_EMBEDDED_WORKER=true

# Job control: each background command gets a process group of its own, so a stop reaches all of its
# processes (runserver's autoreloading child; the worker's pool and beat), and Ctrl-C in the terminal
# reaches only this script, which stops them in order.
set -m
web_pid=""
worker_pid=""

# stop_group PID SECONDS SIGNAL_TARGET: SIGTERM to SIGNAL_TARGET (the process PID, or its group -PID), then
# SIGKILL to the whole group if any of it is still there after SECONDS.
stop_group() {
    local pid=$1 seconds=$2 target=$3 _
    [[ -n "$pid" ]] || return 0
    kill -TERM -- "$target" 2>/dev/null || true
    for _ in $(seq 1 $((seconds * 10))); do
        kill -0 -- "-$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "==> Process group $pid did not stop within ${seconds}s; killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
}

stopped=""
stop_all() {
    [[ -z "$stopped" ]] || return 0
    stopped=1
    trap '' INT TERM
    echo "==> Stopping the web server, the worker and beat"
    # runserver's two processes both end on SIGTERM. Celery's main process alone gets it: a warm shutdown
    # lets the running task finish, then stops the pool and beat.
    stop_group "$web_pid" 5 "-$web_pid"
    stop_group "$worker_pid" 30 "$worker_pid"
    wait 2>/dev/null || true
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

echo "==> Starting the Celery worker with beat (queue under ${HITPORTAL_VAR_DIR:-var}/celery/)"
# As tests/integration/test_embedded_worker.py starts it. Gossip, mingle and heartbeats keep several
# workers in step; with one they would only add more polling of the queue folder.
.venv/bin/celery -A hitportal worker --beat --loglevel=INFO --concurrency=1 \
    --without-gossip --without-mingle --without-heartbeat &
worker_pid=$!

cat <<EOF

  HIT Portal is starting at  http://127.0.0.1:${PORT}/
  Sign in with one of the demo accounts listed under "Demo logins" in README.md.
  Stop it (web server, worker and beat) with Ctrl-C.

EOF
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" &
web_pid=$!

# Until one of them ends: a worker that dies takes the web server with it, rather than leave a portal whose
# schedule silently stopped. (`wait` returns as soon as a signal arrives, so the traps run without delay.)
while kill -0 "$web_pid" 2>/dev/null && kill -0 "$worker_pid" 2>/dev/null; do
    sleep 1 &
    wait $! 2>/dev/null || true
done
if kill -0 "$web_pid" 2>/dev/null; then
    echo "==> The Celery worker stopped; stopping the web server too" >&2
else
    echo "==> The web server stopped; stopping the worker too" >&2
fi
exit 1
