#!/usr/bin/env bash
# Run HIT Portal on this machine with demo data: the one command a new user needs.
#
# Creates .venv (Python 3.11) and installs the requirements when they changed, then runs the
# embedded default: DEBUG on, an SQLite file under var/, Celery tasks run in-process (no broker),
# email printed to the console. Migrates, loads the demo data, and serves on 127.0.0.1:$PORT.
#
# Usage: ./scripts/run.sh            PORT=8080 ./scripts/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${PORT:-8000}"

# --- Virtual environment (the same bootstrap as scripts/test.sh; keep the two in step) -----------------
bootstrap_venv() {
    if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c "" >/dev/null 2>&1; then
        local python=python3
        if command -v python3.11 >/dev/null 2>&1 && python3.11 -c "" >/dev/null 2>&1; then
            python=python3.11
        fi
        echo "==> Creating .venv with $($python --version 2>&1)"
        "$python" -m venv --clear .venv
    fi
    if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        echo "warning: .venv runs $(.venv/bin/python --version 2>&1); the portal is built for Python 3.11." >&2
    fi
    # Reinstall only when a requirements file changed: the stamp is a hash of all of them.
    local stamp=.venv/.hitportal-requirements.sha256 wanted
    wanted="$(.venv/bin/python -c '
import hashlib, pathlib
digest = hashlib.sha256()
for path in sorted(pathlib.Path("requirements").glob("*.txt")):
    digest.update(path.name.encode() + b"\0" + path.read_bytes())
print(digest.hexdigest())')"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
        echo "==> Installing requirements/dev.txt into .venv"
        .venv/bin/python -m pip install --disable-pip-version-check --quiet \
            -r requirements/dev.txt -c requirements/constraints.txt
        echo "$wanted" >"$stamp"
    fi
}

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
