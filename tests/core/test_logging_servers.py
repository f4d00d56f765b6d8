"""Real access logs carry no one-time token: gunicorn exactly as the Dockerfile runs it, and runserver.

Each test serves the portal from a child process over a copy of the test database (SQLite) or the test
database itself (PostgreSQL), asks for a real survey link, a forged one and a refused POST, then reads
every line the server wrote. The processes are always stopped, whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from engagement.services import surveys as services_surveys
from tests.factories import engagement as ef

REPO_ROOT = Path(__file__).resolve().parents[2]
# Generous: a shared machine may be slow to start Django; a healthy start takes a few seconds.
START_DEADLINE = 60.0
ACCESS_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/1\.[01]" (\d{3})')


@pytest.fixture
def survey_token(transactional_db) -> str:
    """An unused invitation of an open wave, committed so that the server process sees it."""
    wave = ef.WaveFactory()
    ef.ItemFactory(instrument=wave.instrument, code="TR1", position=1)
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))
    return token


@pytest.fixture
def server_env(survey_token, tmp_path) -> dict[str, str]:
    """The environment of a server process: the test settings (DEBUG off, a test secret key) over the
    test's data, with no broker or shared cache."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in memory: hand the server a file copy.
        copy = tmp_path / "portal.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        url = f"sqlite:///{copy}"
    else:
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        url = (
            f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GUNICORN", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=url,
        HITPORTAL_VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL="",
        REDIS_URL="",
        CACHE_URL="",
        WEB_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def _running(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Start `command` with stdout and stderr in `log`; stop it (and its workers) on the way out."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        # Its own process group (start_new_session): gunicorn's worker stops with its master.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=10)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def _wait_for(condition, process: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if process.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"The server never {what}. Its output:\n{log.read_text(errors='replace')}")


def _request(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> int:
    # Only ever the local server this module started.
    body = b"" if method == "POST" else None
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=body)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=START_DEADLINE) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _visit(base: str, token: str, process: subprocess.Popen, log: Path) -> str:
    """The three requests of each test; returns the whole log once their access lines are written."""
    forged = secrets.token_urlsafe(32)
    statuses = [
        _request(
            f"{base}/engagement/survey/{token}/?section=1",
            headers={"Referer": f"{base}/engagement/survey/{token}/", "User-Agent": "access-log-test"},
        ),
        _request(f"{base}/engagement/survey/{forged}/", headers={"User-Agent": "access-log-test"}),
        _request(
            f"{base}/engagement/survey/{token}/", method="POST", headers={"User-Agent": "access-log-test"}
        ),
    ]
    assert statuses == [200, 404, 403]  # the page, a forged link, a POST without its CSRF cookie

    # A server writes the access line after the response: wait until all three are there.
    _wait_for(lambda: len(ACCESS_LINE.findall(log.read_text(errors="replace"))) >= 3, process, log, "logged")
    output = log.read_text(errors="replace")
    assert token not in output
    assert forged not in output
    return output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dockerfile_command() -> list[str]:
    """The Dockerfile's CMD (an exec-form JSON array, possibly continued over several lines)."""
    text = (REPO_ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*?\])\s*$", text.replace("\\\n", " "), re.M | re.S)
    assert match, "the Dockerfile has no exec-form CMD"
    return json.loads(match.group(1))


def test_gunicorn_as_the_dockerfile_runs_it_logs_no_token(server_env, survey_token, tmp_path):
    command = _dockerfile_command()
    assert command[0] == "gunicorn"
    bind = command.index("--bind") + 1
    command[bind] = "127.0.0.1:0"  # gunicorn picks a free port and says which
    log = tmp_path / "gunicorn.log"

    with _running([sys.executable, "-m", *command], server_env, log) as process:
        port = _wait_for(
            lambda: re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text(errors="replace")),
            process,
            log,
            "listened",
        ).group(1)
        base = f"http://127.0.0.1:{port}"
        output = _visit(base, survey_token, process, log)

    assert ACCESS_LINE.findall(output) == [
        ("GET", "/engagement/survey/[redacted]/?section=1", "200"),
        ("GET", "/engagement/survey/[redacted]/", "404"),
        ("POST", "/engagement/survey/[redacted]/", "403"),
    ]
    # gunicorn's default format also quotes the referer.
    assert f'"{base}/engagement/survey/[redacted]/" "access-log-test"' in output
    assert "Not Found: /engagement/survey/[redacted]/" in output
    assert "Forbidden (CSRF cookie not set.): /engagement/survey/[redacted]/" in output


def test_gunicorn_passes_the_web_healthcheck_and_logs_no_line_for_it(server_env, tmp_path):
    # As in production: a public host name and the redirect to HTTPS, both of which the probe must pass.
    env = {**server_env, "ALLOWED_HOSTS": "hits.example.org", "SECURE_SSL_REDIRECT": "true"}
    command = _dockerfile_command()
    command[command.index("--bind") + 1] = "127.0.0.1:0"
    log = tmp_path / "gunicorn.log"

    with _running([sys.executable, "-m", *command], env, log) as process:
        port = _wait_for(
            lambda: re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text(errors="replace")),
            process,
            log,
            "listened",
        ).group(1)
        probe = subprocess.run(
            [sys.executable, "scripts/healthcheck.py", port],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=START_DEADLINE,
            check=False,
        )
        # A page that is logged, after the probe: once its line is there, the probe's would be too.
        login = _request(
            f"http://127.0.0.1:{port}/accounts/login/",
            headers={"Host": "hits.example.org", "X-Forwarded-Proto": "https"},
        )
        _wait_for(lambda: ACCESS_LINE.findall(log.read_text(errors="replace")), process, log, "logged")
        output = log.read_text(errors="replace")

    assert (probe.returncode, probe.stdout) == (
        0,
        '200 {"database": "ok", "cache": "ok", "broker": "not used"}\n',
    )
    assert login == 200
    assert ACCESS_LINE.findall(output) == [("GET", "/accounts/login/", "200")]


def test_runserver_logs_no_token(server_env, survey_token, tmp_path):
    log = tmp_path / "runserver.log"
    for _attempt in range(3):  # the free port may be taken between choosing it and binding it
        port = _free_port()
        command = [
            sys.executable,
            "manage.py",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--skip-checks",
        ]
        with _running(command, server_env, log) as process:

            def accepting(port: int = port) -> bool:
                with socket.socket() as probe:
                    return probe.connect_ex(("127.0.0.1", port)) == 0

            _wait_for(lambda: accepting() or "already in use" in log.read_text(), process, log, "listened")
            if "already in use" in log.read_text():
                continue
            output = _visit(f"http://127.0.0.1:{port}", survey_token, process, log)
            break
    else:
        pytest.fail("No free port for runserver after three attempts.")

    assert ACCESS_LINE.findall(output) == [
        ("GET", "/engagement/survey/[redacted]/?section=1", "200"),
        ("GET", "/engagement/survey/[redacted]/", "404"),
        ("POST", "/engagement/survey/[redacted]/", "403"),
    ]
    assert "WARNING django.request Not Found: /engagement/survey/[redacted]/" in output
    assert "Forbidden (CSRF cookie not set.): /engagement/survey/[redacted]/" in output
