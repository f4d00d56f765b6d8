"""The embedded default's worker, as ./scripts/run.sh starts it: a real `celery worker --beat` on kombu's
filesystem transport (HITPORTAL_EMBEDDED_WORKER, hitportal/settings.py), with no broker server.

Needs nothing but this machine, so it runs in both passes of ./scripts/test.sh: on SQLite the worker gets a
file copy of the in-memory test database, on PostgreSQL the test database itself.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from core.tasks import enqueue_after_commit
from teams.enums import HITStatus
from teams.models import HIT
from teams.tasks import snapshot_portfolio
from tests.fresh_settings import CLEARED, fresh_settings
from tests.integration.conftest import (
    REPO_ROOT,
    WORKER_LOGS_KEY,
    Worker,
    _stop,
    _test_database_url,
    _wait_until_ready,
    celery_sent_through,
)

pytestmark = pytest.mark.integration

# How long a task may take to come through the queue folder (polled every second) on a busy machine.
DEADLINE = 30.0

# A beat schedule that falls due at once, in place of the real one (whose nearest entry is two minutes
# away): a settings module of the test's own, over the test settings.
QUICK_BEAT_SETTINGS = """\
from tests.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "every-second-form-key-expiry": {"task": "core.expire_form_submissions", "schedule": 1.0},
}
"""


@dataclass
class EmbeddedWorker:
    worker: Worker
    var_dir: Path
    query: Callable[[str], list[tuple]]

    @property
    def queue_folder(self) -> Path:
        return self.var_dir / "celery" / "queue"


def _worker_database(tmp_path: Path) -> tuple[str, Callable[[str], list[tuple]]]:
    """The test database's URL for the worker, and how this test reads what the worker wrote."""
    if connection.vendor == "sqlite":
        # The test database lives in memory: hand the worker a file copy, and read that file.
        copy = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

        def query_file(sql: str) -> list[tuple]:
            with sqlite3.connect(copy, timeout=20) as reader:
                return reader.execute(sql).fetchall()

        return f"sqlite:///{copy}", query_file

    def query_shared(sql: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return _test_database_url(), query_shared


@pytest.fixture
def start_embedded_worker(
    request: pytest.FixtureRequest, tmp_path: Path, transactional_db: None
) -> Iterator[Callable[..., EmbeddedWorker]]:
    """Start the worker with beat on a filesystem queue under the test's own var dir, against the test
    data committed so far; this process sends its tasks there too. Stopped after the test.

    Depends on transactional_db, so the worker stops before the database is flushed."""
    logs: list[Path] = []
    request.node.stash[WORKER_LOGS_KEY] = logs
    started: list[Worker] = []
    var_dir = tmp_path / "var"
    embedded = fresh_settings({"HITPORTAL_VAR_DIR": str(var_dir), "HITPORTAL_EMBEDDED_WORKER": "true"})

    def start(*, quick_beat: bool = False) -> EmbeddedWorker:
        database_url, query = _worker_database(tmp_path)
        settings_module = "tests.settings"
        python_path = [str(REPO_ROOT)]
        if quick_beat:
            (tmp_path / "quick_beat_settings.py").write_text(QUICK_BEAT_SETTINGS)
            settings_module = "quick_beat_settings"
            python_path.append(str(tmp_path))
        nodename = f"embedded-{uuid.uuid4().hex[:8]}@hitportal-tests"
        env = {key: value for key, value in os.environ.items() if key not in CLEARED}
        env.update(
            DJANGO_SETTINGS_MODULE=settings_module,
            PYTHONPATH=os.pathsep.join(python_path),
            DATABASE_URL=database_url,
            HITPORTAL_VAR_DIR=str(var_dir),
            HITPORTAL_EMBEDDED_WORKER="true",
            PYTHONUNBUFFERED="1",
        )
        log_path = tmp_path / f"embedded-worker-{len(started) + 1}.log"
        logs.append(log_path)
        # The command of scripts/run.sh, with a node name to wait for.
        command = [
            sys.executable, "-m", "celery", "-A", "hitportal", "worker", "--beat", "--loglevel=INFO",
            "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", nodename,
        ]  # fmt: skip
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(nodename=nodename, process=process, log_path=log_path)
        started.append(worker)
        _wait_until_ready(worker)
        return EmbeddedWorker(worker=worker, var_dir=var_dir, query=query)

    with celery_sent_through(
        embedded["CELERY_BROKER_URL"], transport_options=embedded["CELERY_BROKER_TRANSPORT_OPTIONS"]
    ):
        try:
            yield start
        finally:
            for worker in started:
                _stop(worker.process)


def _wait_for(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _succeeded(worker: Worker, task_name: str) -> bool:
    """Whether the worker logged a success of `task_name` ("Task <name>[<id>] succeeded in ...")."""
    return any(
        line.startswith(f"Task {task_name}[") and "] succeeded in " in line
        for line in (entry.partition("] ")[2] for entry in worker.log().splitlines())
    )


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_embedded_worker_runs_a_task_sent_after_a_commit(start_embedded_worker):
    # Arrange: committed rows (transactional_db), copied or shared with the worker.
    for number, status in enumerate([HITStatus.ACTIVE, HITStatus.ACTIVE, HITStatus.PROPOSED], start=1):
        HIT.objects.create(
            name=f"Laptop HIT {number}", slug=f"laptop-hit-{number}", focus="Testing", status=status
        )
    embedded = start_embedded_worker()

    # Act: the path every web request takes (no transaction open here, so it is sent at once).
    dispatch = enqueue_after_commit(snapshot_portfolio, {})
    stored = _wait_for(lambda: bool(embedded.query("SELECT hits_total FROM teams_portfoliosnapshot")))

    # Assert: the message went through the queue folder and the worker stored the snapshot.
    assert dispatch.sent is True
    assert stored, "the worker stored no portfolio snapshot:\n" + embedded.worker.log()
    assert embedded.query("SELECT hits_total FROM teams_portfoliosnapshot") == [(3,)]
    assert _wait_for(lambda: _succeeded(embedded.worker, "teams.snapshot_portfolio"))
    assert "filesystem://" in embedded.worker.log()
    assert list(embedded.queue_folder.iterdir()) == []


def test_embedded_worker_runs_its_beat_schedule_and_stops_whole(start_embedded_worker):
    embedded = start_embedded_worker(quick_beat=True)

    # Beat (inside the worker) sends the due task through the queue folder; the worker runs it.
    sent = embedded.worker.logged("Sending due task every-second-form-key-expiry", timeout=DEADLINE)
    ran = _wait_for(lambda: _succeeded(embedded.worker, "core.expire_form_submissions"))
    _stop(embedded.worker.process)

    assert (sent, ran) == (True, True), embedded.worker.log()
    assert embedded.worker.process.returncode == 0
    assert "beat: Starting..." in embedded.worker.log()
    # Beat keeps its last run times under the var dir (a shelve file, named by the dbm module it uses).
    assert any(path.name.startswith("beat-schedule") for path in (embedded.var_dir / "celery").iterdir())
    # A warm shutdown stops the pool and beat with the worker: nothing of its process group is left.
    assert _wait_for(lambda: not _group_alive(embedded.worker.process.pid))
