"""A real Celery worker for the `integration` tests, on PostgreSQL and Redis.

./scripts/test.sh runs these in its PostgreSQL pass with HITPORTAL_INTEGRATION=1. Without that
variable they skip; with it and CI=true, a missing PostgreSQL or Redis fails the run, so CI can
never go green by skipping them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from hitportal import celery_app

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_START_TIMEOUT = 30.0
WORKER_STOP_TIMEOUT = 15.0
WORKER_LOG_KEY = pytest.StashKey[Path]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> NoReturn:
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: integration tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def integration_services() -> str:
    """Check PostgreSQL and Redis are configured and answering; returns the broker URL."""
    if not os.environ.get("HITPORTAL_INTEGRATION"):
        pytest.skip("HITPORTAL_INTEGRATION is not set: ./scripts/test.sh runs these in its PostgreSQL pass")
    engine = settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        _unavailable(f"integration tests need PostgreSQL (DATABASE_URL=postgres://...), not {engine}")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url.startswith(("redis://", "rediss://")):
        _unavailable("integration tests need CELERY_BROKER_URL=redis://...")
    import redis

    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problem = f"Redis at {broker_url} is not reachable: {exc}"
    else:
        return broker_url
    _unavailable(problem)  # outside the except block, so the report is the message, not a chain


def _test_database_url() -> str:
    """The URL of the test database (test_<name>) that pytest-django created for this session."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


@dataclass
class Worker:
    nodename: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def logged(self, text: str, *, timeout: float = 10.0) -> bool:
        """Whether `text` appears in the log within `timeout`: the worker stores a task's result
        before it logs the success, so the caller's `get()` can return first."""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # warm shutdown: finishes the current task, closes its connections
    try:
        process.wait(timeout=WORKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=WORKER_STOP_TIMEOUT)


@pytest.fixture
def celery_worker(
    request: pytest.FixtureRequest, tmp_path: Path, integration_services: str, transactional_db: None
) -> Iterator[Worker]:
    """Start `celery -A hitportal worker` against the test database and Redis; stop it afterwards.

    Depends on transactional_db so it starts after and stops before the database is flushed: a
    worker still connected would otherwise hold up the flush and the test database's removal.
    While it runs, the test process sends tasks through Redis instead of running them eagerly.
    """
    broker_url = integration_services
    # Stale messages from an interrupted run would be picked up by the new worker.
    celery_app.control.purge()

    # A name of its own, so the readiness ping cannot be answered by some other worker.
    nodename = f"integration-{uuid.uuid4().hex[:8]}@hitportal-tests"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "celery-worker.log"
    request.node.stash[WORKER_LOG_KEY] = log_path
    command = [
        sys.executable, "-m", "celery", "-A", "hitportal", "worker",
        "--pool=solo", "--concurrency=1", "-Q", "celery", "--loglevel=INFO",
        "--hostname", nodename,
        # Nothing to synchronise with in a one-worker test; these only slow start-up.
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    worker = Worker(nodename=nodename, process=process, log_path=log_path)
    eager_before = celery_app.conf.task_always_eager
    try:
        _wait_until_ready(worker)
        celery_app.conf.task_always_eager = False
        yield worker
    finally:
        celery_app.conf.task_always_eager = eager_before
        _stop(process)


def _wait_until_ready(worker: Worker) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"the Celery worker exited with code {worker.process.returncode} before answering:\n"
                + worker.log(),
                pytrace=False,
            )
        if celery_app.control.ping(destination=[worker.nodename], timeout=1.0):
            return
    _stop(worker.process)
    pytest.fail(
        f"the Celery worker did not answer a ping within {WORKER_START_TIMEOUT:.0f}s:\n" + worker.log(),
        pytrace=False,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the worker's log to the report of a failing integration test."""
    report = yield
    log_path = item.stash.get(WORKER_LOG_KEY, None)
    if report.failed and log_path is not None and log_path.exists():
        report.sections.append(("Celery worker log", log_path.read_text(errors="replace")))
    return report
