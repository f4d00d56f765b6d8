"""The production path of a task: the web process enqueues on Redis, a separate worker runs it
against PostgreSQL, and the result comes back through the result backend."""

from __future__ import annotations

import pytest
from celery.result import EagerResult
from django.utils import timezone

from hitportal import celery_app
from teams.enums import HITStatus
from teams.models import HIT, PortfolioSnapshot
from teams.tasks import snapshot_portfolio

pytestmark = pytest.mark.integration


def test_snapshot_portfolio_runs_in_worker_process(celery_worker):
    # Arrange: committed rows (transactional_db), so the worker's own connection sees them.
    statuses = [HITStatus.ACTIVE, HITStatus.ACTIVE, HITStatus.PROPOSED, HITStatus.SUSPENDED]
    for number, status in enumerate(statuses, start=1):
        HIT.objects.create(
            name=f"Worker HIT {number}", slug=f"worker-hit-{number}", focus="Testing", status=status
        )
    day_before = timezone.localdate()

    # Act
    result = snapshot_portfolio.delay()
    snapshot_id = result.get(timeout=30)

    # Assert: sent through the broker, run by the worker, stored in PostgreSQL.
    assert celery_app.conf.task_always_eager is False
    assert not isinstance(result, EagerResult)
    assert result.status == "SUCCESS"
    assert celery_worker.logged(f"Task teams.snapshot_portfolio[{result.id}] succeeded")
    snapshot = PortfolioSnapshot.objects.get(pk=snapshot_id)
    assert snapshot.taken_on in {day_before, timezone.localdate()}
    assert snapshot.hits_total == 4
    assert snapshot.by_status == {
        "proposed": 1,
        "in_application": 0,
        "set_up": 0,
        "active": 2,
        "suspended": 1,
        "closing": 0,
        "closed": 0,
    }
