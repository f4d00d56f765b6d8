# Shared by scripts/run.sh and scripts/test.sh (sourced, not run): create .venv with Python 3.11
# when it is missing, and install requirements/dev.lock only when it changed.
# shellcheck shell=bash

# install_lock LOCK: install exactly the packages of a lock (scripts/lock.sh), every file checked against
# its hash, nothing resolved (the lock already holds every dependency).
install_lock() {
    .venv/bin/python -m pip install --disable-pip-version-check --quiet --require-hashes --no-deps -r "$1"
}

# sync_lock LOCK: install the lock, then uninstall what it does not list (a dependency removed from
# pyproject.toml), so .venv runs what the lock says and nothing else.
sync_lock() {
    install_lock "$1"
    local extra
    extra="$(.venv/bin/python - "$1" <<'EOF'
import re, sys
from importlib import metadata

def name(text):
    return re.sub(r"[-_.]+", "-", text).lower()

locked = {name(line.split("==")[0]) for line in open(sys.argv[1]) if re.match(r"[A-Za-z0-9]", line)}
kept = locked | {"pip", "setuptools", "wheel"}  # the environment's own installers
installed = {name(dist.metadata["Name"]) for dist in metadata.distributions()}
print(" ".join(sorted(installed - kept)))
EOF
)"
    if [[ -n "$extra" ]]; then
        echo "==> Removing from .venv what $1 does not list: $extra"
        # shellcheck disable=SC2086 # one word per package
        .venv/bin/python -m pip uninstall --disable-pip-version-check --quiet --yes $extra
    fi
    local problems
    if ! problems="$(.venv/bin/python -m pip check --disable-pip-version-check)"; then
        echo "ERROR: $1 leaves packages without what they need (regenerate it: ./scripts/lock.sh):" >&2
        echo "$problems" >&2
        return 1
    fi
}

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
    # Reinstall only when the lock changed: the stamp is its hash.
    local stamp=.venv/.hitportal-requirements.sha256 wanted
    wanted="$(.venv/bin/python -c '
import hashlib, pathlib
print(hashlib.sha256(pathlib.Path("requirements/dev.lock").read_bytes()).hexdigest())')"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
        echo "==> Installing requirements/dev.lock into .venv"
        sync_lock requirements/dev.lock
        echo "$wanted" >"$stamp"
    fi
}
