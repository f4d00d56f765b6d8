"""`manage.py health` (core/management/commands/health.py): the health page's checks, for the worker."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core import cache as failover
from core import health

REPO_ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch) -> None:
    monkeypatch.setattr(health, "_last_failed", frozenset())
    monkeypatch.setattr(failover, "_health", {})


def test_health_command_with_everything_answering_prints_each_service(db):
    out, err = io.StringIO(), io.StringIO()

    call_command("health", stdout=out, stderr=err)

    assert out.getvalue() == "database: ok\ncache: ok\nbroker: not used\n"
    assert err.getvalue() == ""


def test_health_command_with_the_cache_down_says_why_and_fails(db, settings):
    port = _closed_port()
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.FailoverRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/1"}
    }
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("health", stdout=out, stderr=err)

    assert (str(raised.value), raised.value.returncode) == ("Not answering: cache.", 1)
    assert out.getvalue() == "database: ok\nbroker: not used\n"
    assert err.getvalue() == (
        f"cache: failed (ConnectionError: Error 111 connecting to 127.0.0.1:{port}. Connection refused.)\n"
    )


def _run_health(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python manage.py health` as the worker's healthcheck runs it: the embedded default (an SQLite
    file, no broker, a local-memory cache) unless `env` says otherwise."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    environ.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        HITPORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'health.sqlite3'}",
        CELERY_BROKER_URL="",
        REDIS_URL="",
        CACHE_URL="",
        CELERY_TASK_ALWAYS_EAGER="",
    )
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "health"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_health_command_exits_0_when_everything_answers(tmp_path):
    completed = _run_health(tmp_path)

    assert (completed.returncode, completed.stdout) == (0, "database: ok\ncache: ok\nbroker: not used\n")


def test_health_command_exits_1_when_the_broker_does_not_answer(tmp_path):
    completed = _run_health(
        tmp_path, CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0", CELERY_TASK_ALWAYS_EAGER="false"
    )

    assert (completed.returncode, completed.stdout) == (1, "database: ok\ncache: ok\n")
    assert completed.stderr.splitlines()[-1] == "CommandError: Not answering: broker."
