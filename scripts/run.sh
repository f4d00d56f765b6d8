#!/usr/bin/env bash
# Run HIT Portal on this machine with demo data: the one command a new user needs.
#
# Creates .venv (Python 3.11) and installs the requirements when they changed, then runs the
# embedded default: DEBUG on, an SQLite file under var/, Celery tasks run in-process (no broker),
# email printed to the console. Migrates, loads the demo data (demo/, safe to run again), and serves on
# 127.0.0.1:$PORT.
#
# Usage: ./scripts/run.sh            PORT=8080 ./scripts/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${PORT:-8000}"

# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

bootstrap_venv

export DEBUG=true

echo "==> Applying migrations"
.venv/bin/python manage.py migrate --noinput
echo "==> Loading demo data"
.venv/bin/python manage.py seed_demo

cat <<EOF

  HIT Portal is starting at  http://127.0.0.1:${PORT}/
  Sign in with one of the demo accounts listed under "Demo logins" in README.md.
  Stop it with Ctrl-C.

EOF
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT}"
