"""Real Celery workers for the `integration` tests, on PostgreSQL and Redis, and the PostgreSQL
client tools for the backup tests.

./scripts/test.sh runs these in its PostgreSQL pass with HITPORTAL_INTEGRATION=1. Without that
variable the worker tests skip; with it and CI=true, a missing PostgreSQL or Redis fails the run, so
CI can never go green by skipping them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from hitportal import celery_app

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_START_TIMEOUT = 30.0
WORKER_STOP_TIMEOUT = 15.0
WORKER_LOGS_KEY = pytest.StashKey[list[Path]]()


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


def _test_database_url(name: str | None = None) -> str:
    """The URL of the test database (test_<name>) that pytest-django created for this session, or of
    another database `name` on the same server."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(name or db['NAME'], safe='')}"


@pytest.fixture
def postgres_database_url(transactional_db: None) -> str:
    """The test database's URL, for tools that open their own connections. Skips on SQLite, at run
    time, like the other PostgreSQL-only tests: ./scripts/test.sh runs the suite on both."""
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL, not {connection.vendor}")
    return _test_database_url()


@pytest.fixture(scope="session")
def pg_client_tools() -> dict[str, str]:
    """pg_dump, pg_restore and psql on PATH; missing ones skip, or fail with CI=true."""
    tools = {name: shutil.which(name) for name in ("pg_dump", "pg_restore", "psql")}
    missing = sorted(name for name, path in tools.items() if path is None)
    if missing:
        _unavailable(f"the PostgreSQL client tools are not on PATH: {', '.join(missing)}")
    return {name: path for name, path in tools.items() if path is not None}


# --- Workers -------------------------------------------------------------------------------------------


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

    def pool_pids(self) -> list[int]:
        """The processes of a prefork worker's pool (its children); empty for --pool=solo."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # "pid (command) state ppid ...": the command may hold spaces, so split after ")".
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:  # the process ended while we looked
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # warm shutdown: finishes the current task, closes its connections
    try:
        process.wait(timeout=WORKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WORKER_STOP_TIMEOUT)


def _forget_unacknowledged(broker_url: str) -> None:
    """Drop the messages that killed workers left unacknowledged in Redis (kombu keeps them in these
    two keys until a worker restores them): an interrupted run must not feed a later test."""
    import redis
    from kombu.transport.redis import Channel

    redis.Redis.from_url(broker_url).delete(Channel.unacked_key, Channel.unacked_index_key)


@dataclass
class CeleryWorkers:
    """Starts, kills and stops real `celery -A hitportal worker` processes for one test."""

    broker_url: str
    directory: Path
    logs: list[Path]
    started: list[Worker] = field(default_factory=list)

    def start(self, *, pool: str = "solo", env: Mapping[str, str] | None = None) -> Worker:
        """Start a worker against the test database and Redis and wait until it answers a ping.

        `pool="prefork"` runs tasks in a child process, as production does; `env` adds settings
        for this worker only (e.g. CELERY_BROKER_VISIBILITY_TIMEOUT).
        """
        nodename = f"integration-{uuid.uuid4().hex[:8]}@hitportal-tests"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        log_path = self.directory / f"celery-worker-{len(self.started) + 1}.log"
        self.logs.append(log_path)
        command = [
            sys.executable, "-m", "celery", "-A", "hitportal", "worker",
            f"--pool={pool}", "--concurrency=1", "-Q", "celery", "--loglevel=INFO",
            "--hostname", nodename,
            # Nothing to synchronise with in a one-worker test; these only slow start-up.
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with log_path.open("wb") as log_file:
            # A session of its own, so kill() can reach the pool's processes too.
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=worker_env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(nodename=nodename, process=process, log_path=log_path)
        self.started.append(worker)
        _wait_until_ready(worker)
        return worker

    def kill(self, worker: Worker) -> None:
        """SIGKILL the worker and its pool at once, as the kernel's out-of-memory killer or a lost host
        would: no warm shutdown, nothing acknowledged or handed back to the broker."""
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=WORKER_STOP_TIMEOUT)

    def stop_all(self) -> None:
        for worker in self.started:
            _stop(worker.process)


@pytest.fixture
def celery_workers(
    request: pytest.FixtureRequest, tmp_path: Path, integration_services: str, transactional_db: None
) -> Iterator[CeleryWorkers]:
    """A factory of real workers; every worker it started is stopped after the test.

    Depends on transactional_db so it starts after and stops before the database is flushed: a
    worker still connected would otherwise hold up the flush and the test database's removal.
    While it is in use, the test process sends tasks through Redis instead of running them eagerly.
    """
    broker_url = integration_services
    # Stale messages from an interrupted run would be picked up by the new worker.
    celery_app.control.purge()
    _forget_unacknowledged(broker_url)
    logs: list[Path] = []
    request.node.stash[WORKER_LOGS_KEY] = logs
    workers = CeleryWorkers(broker_url=broker_url, directory=tmp_path, logs=logs)
    eager_before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield workers
    finally:
        celery_app.conf.task_always_eager = eager_before
        workers.stop_all()
        celery_app.control.purge()
        _forget_unacknowledged(broker_url)


@pytest.fixture
def celery_worker(celery_workers: CeleryWorkers) -> Worker:
    """Start `celery -A hitportal worker` against the test database and Redis; stop it afterwards."""
    return celery_workers.start()


def _wait_until_ready(worker: Worker) -> None:
    """Wait for the worker's "ready" line: logged once it consumes from Redis. (A ping would not do:
    a solo worker that goes straight into a long task answers nothing until the task ends.)"""
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"the Celery worker exited with code {worker.process.returncode} before it was ready:\n"
                + worker.log(),
                pytrace=False,
            )
        if f"{worker.nodename} ready." in worker.log():
            return
        time.sleep(0.1)
    _stop(worker.process)
    pytest.fail(
        f"the Celery worker was not ready within {WORKER_START_TIMEOUT:.0f}s:\n" + worker.log(),
        pytrace=False,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the workers' logs to the report of a failing integration test."""
    report = yield
    if report.failed:
        for number, log_path in enumerate(item.stash.get(WORKER_LOGS_KEY, []), start=1):
            if log_path.exists():
                report.sections.append((f"Celery worker {number} log", log_path.read_text(errors="replace")))
    return report


# --- A Redis of the test's own, to stop and start ----------------------------------------------------

REDIS_START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RedisServer:
    """A `redis-server` subprocess on a port of its own, holding nothing on disk: the outage tests
    stop and start it for real, and never touch the machine's shared Redis."""

    executable: str
    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                [
                    self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"redis-server exited with code {self.process.returncode}:\n{self.log()}", pytrace=False
                )
            try:
                client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(
                        f"redis-server did not answer within {REDIS_START_TIMEOUT:.0f}s", pytrace=False
                    )
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop it and wait until it has exited: from here on, connections are refused."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=WORKER_STOP_TIMEOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def redis_server(integration_services: str, tmp_path: Path) -> Iterator[RedisServer]:
    """A running `redis-server` of this test's own (skips, or fails with CI=true, without one);
    stopped after the test whatever happened."""
    executable = shutil.which("redis-server")
    if executable is None:
        _unavailable("redis-server is not on PATH: the broker outage tests start and stop their own Redis")
    server = RedisServer(executable=executable, port=_free_port(), log_path=tmp_path / "redis-server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _forget_connections() -> None:
    # Celery keeps the connection pool and the result backend it built for the broker it first used.
    # Its pool is kombu's process-wide pool for that broker URL: closing it without dropping it from
    # kombu's registry would leave a closed pool behind for the next test that sends a task
    # ("Acquire on closed pool"), so kombu's pools are reset, which does both.
    kombu_pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@contextlib.contextmanager
def celery_sent_through(url: str, *, transport_options: Mapping[str, Any] | None = None) -> Iterator[None]:
    """This process sends its tasks through the broker at `url`, results kept there too, instead of
    running them eagerly; all as before afterwards. Celery reads CELERY_BROKER_URL and
    CELERY_RESULT_BACKEND from the environment before its settings, so both are set.

    With `transport_options` (the filesystem transport's folders, which keeps no results) they replace
    the broker's options, and no result backend is used."""
    result_backend = url if transport_options is None else None
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CELERY_BROKER_URL", url)
            if result_backend is None:
                patch.delenv("CELERY_RESULT_BACKEND", raising=False)
            else:
                patch.setenv("CELERY_RESULT_BACKEND", result_backend)
            changes: list[tuple[str, Any]] = [
                ("broker_url", url),
                ("result_backend", result_backend),
                ("task_always_eager", False),
            ]
            if transport_options is not None:
                changes.append(("broker_transport_options", dict(transport_options)))
            for key, value in changes:
                patch.setitem(celery_app.conf, key, value)
            _forget_connections()
            yield
    finally:
        _forget_connections()
