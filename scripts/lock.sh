#!/usr/bin/env bash
# Regenerate the locks in requirements/ from the dependencies declared in pyproject.toml:
#
#   ./scripts/lock.sh                                   after adding or changing a dependency in pyproject.toml
#   ./scripts/lock.sh --upgrade-package celery          to move one package (and what it needs) to a newer release
#
# Each lock pins every package of one install, transitive ones included, with the sha256 of every file PyPI
# serves for that release; installs use `pip install --require-hashes --no-deps -r <lock>`:
#   base.lock     the runtime (the Dockerfile)                         pyproject [project] dependencies
#   dev.lock      a developer's .venv (scripts/_venv.sh)               + the `test` and `dev` extras
#   browser.lock  the browser tests (tests/browser)                    + the `browser` extra
#   ci.lock       everything .ci/run installs, and what pip-audit reads + the `ci` extra (the scanners)
# Each lock is resolved under the one before it (-c), so a package has one version in all four. A pin that
# is already in a lock stays as it is unless pyproject.toml needs another or --upgrade-package names it.
# Arguments are passed to every pip-compile run. tests/test_dependencies.py fails when a lock is out of
# step with pyproject.toml.
#
# pip-tools runs in a throwaway virtual environment, so it never changes .venv. The machine's pip
# configuration (extra indexes, local wheel directories) is ignored: the hashes must be those of the files
# PyPI serves, which every other machine installs. PIP_INDEX_URL may name a mirror of PyPI instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PIP_TOOLS_VERSION=7.6.2
INDEX_URL="${PIP_INDEX_URL:-https://pypi.org/simple}"

python=python3
if command -v python3.11 >/dev/null 2>&1; then
    python=python3.11
fi
tools="$(mktemp -d "${TMPDIR:-/tmp}/hitportal-lock.XXXXXX")"
trap 'rm -rf "$tools"' EXIT

export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_CONSTRAINT
# The header of each lock names this script as the command that wrote it.
export CUSTOM_COMPILE_COMMAND="./scripts/lock.sh"

echo "==> Installing pip-tools ${PIP_TOOLS_VERSION} into a throwaway environment"
"$python" -m venv "$tools/venv"
"$tools/venv/bin/python" -m pip install --quiet --index-url "$INDEX_URL" "pip-tools==${PIP_TOOLS_VERSION}"

compile() {
    local output=$1
    shift
    echo "==> requirements/${output}"
    "$tools/venv/bin/pip-compile" --quiet --generate-hashes --strip-extras --no-emit-index-url \
        --index-url "$INDEX_URL" --output-file "requirements/${output}" "$@" pyproject.toml
}

compile base.lock "$@"
compile dev.lock --extra test --extra dev --constraint requirements/base.lock "$@"
compile browser.lock --extra test --extra dev --extra browser --constraint requirements/dev.lock "$@"
compile ci.lock --extra test --extra dev --extra browser --extra ci --constraint requirements/browser.lock "$@"
echo "==> Done: review the change with git diff requirements/"
