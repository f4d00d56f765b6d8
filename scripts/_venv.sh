# Shared by scripts/run.sh and scripts/test.sh (sourced, not run): create .venv with Python 3.11
# when it is missing, and install the requirements only when a requirements file changed.
# shellcheck shell=bash

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

