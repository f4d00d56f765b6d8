"""Faults: a worker dies in the middle of a score computation, and the score is computed all the same.

Why it holds (hitportal/settings.py): tasks are acknowledged late (only once they have finished) and
rejected back onto the queue when their pool process dies, and compute_coverage is idempotent, so a
second run after a crash stores what one run would have.

How the tests catch a task mid-computation without a hook in the production code: they hold a lock on
the coverage score table from a connection of their own, so the task blocks inside its write
transaction, and PostgreSQL's pg_locks shows its backend waiting. That is the moment to kill.

Redis has no acknowledgements of its own: a message taken by a worker that then dies outright waits
in kombu's "unacked" set until some worker sees it has been unacknowledged for the visibility timeout
(an hour in production) and puts it back on the queue. The workers here get a one-second timeout
through CELERY_BROKER_VISIBILITY_TIMEOUT, so the replacement worker restores it as it starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from engagement import tasks
from engagement.enums import ScoreKind
from engagement.models import CoverageScore, CoverageSnapshot, ScoreRequest, Stakeholder
from engagement.services import stakeholders as services
from teams.models import HIT, Organisation, OrganisationType, StakeholderCategory

pytestmark = pytest.mark.integration

FAST_REDELIVERY = {"CELERY_BROKER_VISIBILITY_TIMEOUT": "1"}
COVERAGE_TABLE = CoverageScore._meta.db_table
RECEIVED = re.compile(r"Task engagement\.compute_coverage\[([0-9a-f-]+)\] received")


def _hit_with_map_edits() -> HIT:
    """A HIT whose map was just edited in one transaction: one debounced compute_coverage queued."""
    # Earlier transactional tests flush the seeded vocabularies, so make sure the categories exist.
    for position, code in enumerate(
        ["PROV", "COMM", "STAFF", "PUBLIC", "OPS", "NONNHS", "RESEARCH"], start=1
    ):
        StakeholderCategory.objects.get_or_create(code=code, defaults={"name": code, "position": position})
    acute, _ = OrganisationType.objects.get_or_create(
        code="nhs-acute", defaults={"name": "NHS acute provider", "sector": "nhs_provider"}
    )
    commissioner, _ = OrganisationType.objects.get_or_create(
        code="commissioner-icb", defaults={"name": "Commissioner", "sector": "commissioner"}
    )
    hit = HIT.objects.create(name="Fault HIT", slug="fault-hit", focus="Testing")
    with transaction.atomic():
        for organisation, code, depth in (
            (Organisation.objects.create(name="Fault trust", org_type=acute), "PROV", 2),
            (Organisation.objects.create(name="Fault ICB", org_type=commissioner), "COMM", 3),
        ):
            services.stakeholder_save(
                actor=None,
                stakeholder=Stakeholder(
                    hit=hit,
                    organisation=organisation,
                    category=StakeholderCategory.objects.get(code=code),
                    depth=depth,
                ),
            )
    return hit


@contextlib.contextmanager
def coverage_table_locked() -> Iterator[None]:
    """Hold off every write to the coverage score table (reads still work) until the block ends."""
    locker = connection.get_new_connection(connection.get_connection_params())  # not in autocommit
    try:
        with locker.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{COVERAGE_TABLE}" IN EXCLUSIVE MODE')
        yield
    finally:
        locker.rollback()
        locker.close()


def _backends_blocked_on_coverage_table(*, excluding: frozenset[int] = frozenset()) -> list[int]:
    """Wait until a backend other than `excluding` waits for the coverage table's lock: a task that has
    computed the scores and is about to store them. Returns the waiting backends' process ids."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [COVERAGE_TABLE]
            )
            waiting = sorted({pid for (pid,) in cursor.fetchall()} - excluding)
        if waiting:
            return waiting
        time.sleep(0.1)
    raise AssertionError("no worker started computing the coverage score in time")


def _end_orphaned_backend(pid: int) -> None:
    # The killed worker's backend sits waiting for the lock: PostgreSQL notices that its client is
    # gone only when it next talks to it. End it now, as the server's TCP keepalive would; its open
    # transaction rolls back, so nothing of the half-done computation is stored.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def _nothing_stored_yet(hit: HIT) -> bool:
    return (
        not CoverageScore.objects.filter(hit=hit).exists()
        and ScoreRequest.objects.filter(hit=hit, kind=ScoreKind.COVERAGE).exists()
    )


def _wait_for_score(hit: HIT, timeout: float = 20.0) -> CoverageScore:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        score = CoverageScore.objects.filter(hit=hit).first()
        if score is not None and not ScoreRequest.objects.filter(hit=hit).exists():
            return score
        time.sleep(0.1)
    raise AssertionError("the worker did not store a coverage score in time")


def _received_task_ids(log: str) -> list[str]:
    return RECEIVED.findall(log)


def test_score_is_computed_by_a_new_worker_after_the_first_is_killed_mid_task(celery_workers):
    # Arrange: a worker, and a map edit whose recompute it takes and starts.
    first = celery_workers.start(env=FAST_REDELIVERY)
    with coverage_table_locked():
        hit = _hit_with_map_edits()
        (first_backend,) = _backends_blocked_on_coverage_table()
        (task_id,) = _received_task_ids(first.log())

        # Act: kill the worker (and its pool) mid-task, then start another.
        celery_workers.kill(first)
        _end_orphaned_backend(first_backend)
        assert _nothing_stored_yet(hit)
        second = celery_workers.start(env=FAST_REDELIVERY)

        # The same message, never acknowledged, reaches the new worker, which starts again.
        _backends_blocked_on_coverage_table(excluding=frozenset({first_backend}))
        assert _received_task_ids(second.log()) == [task_id]
        assert _nothing_stored_yet(hit)

    # Assert: with the lock gone, the second worker stores the score and clears the request.
    score = _wait_for_score(hit)
    assert score.category_depths["PROV"] == 2
    assert score.category_depths["COMM"] == 3
    assert score.commissioner_in_leadership is True
    assert second.logged(f"Task engagement.compute_coverage[{task_id}] succeeded")
    assert f"Task engagement.compute_coverage[{task_id}] succeeded" not in first.log()

    # Running the task again (a second redelivery, the nightly recompute) stores the same result.
    assert tasks.compute_coverage.delay(hit_id=hit.pk).get(timeout=20) == 1
    again = CoverageScore.objects.get(hit=hit)
    assert again.fingerprint == score.fingerprint
    assert (again.breadth, again.degrees, again.weighted, again.leadership) == (
        score.breadth,
        score.degrees,
        score.weighted,
        score.leadership,
    )
    assert again.category_depths == score.category_depths
    assert again.gaps == score.gaps
    assert CoverageSnapshot.objects.filter(hit=hit).count() == 1


def test_score_is_computed_after_the_pool_process_running_it_is_killed(celery_workers):
    # Arrange: a prefork worker, as in production; its pool process takes and starts the recompute.
    worker = celery_workers.start(pool="prefork")
    with coverage_table_locked():
        hit = _hit_with_map_edits()
        (first_backend,) = _backends_blocked_on_coverage_table()
        (pool_process,) = worker.pool_pids()

        # Act: kill only the pool process; the worker itself lives on.
        os.kill(pool_process, signal.SIGKILL)
        _end_orphaned_backend(first_backend)

        # reject_on_worker_lost: the worker puts the message back at once and a new pool process
        # starts the task again, with no visibility timeout to wait for.
        _backends_blocked_on_coverage_table(excluding=frozenset({first_backend}))
        assert _nothing_stored_yet(hit)

    score = _wait_for_score(hit)
    assert score.category_depths["COMM"] == 3
    task_id, again = _received_task_ids(worker.log())
    assert again == task_id
    assert worker.logged(f"Task engagement.compute_coverage[{task_id}] succeeded")
    assert worker.process.poll() is None
    assert pool_process not in worker.pool_pids()
