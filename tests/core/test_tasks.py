"""Enqueueing after commit (core/tasks.py): a broker that refuses is logged, never raised."""

from __future__ import annotations

import logging

import pytest
import redis.exceptions
from django.db import transaction

from core.tasks import enqueue_after_commit
from core.tasks_mail import send_email
from engagement.tasks import compute_coverage
from hitportal import celery_app
from tests.conftest import BROKER_DOWN


def test_enqueue_after_commit_sends_after_commit(broker, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = enqueue_after_commit(compute_coverage, {"hit_id": 7}, countdown=5)
        assert broker.published == []

    assert broker.published == [("engagement.compute_coverage", {"hit_id": 7}, 5)]
    assert (dispatch.sent, dispatch.refused) == (True, [])


def test_enqueue_after_commit_keeps_no_result(monkeypatch, broker, db, django_capture_on_commit_callbacks):
    options: list[dict] = []
    monkeypatch.setattr(compute_coverage, "apply_async", lambda **kwargs: options.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(compute_coverage, {"hit_id": 7})

    assert options == [{"kwargs": {"hit_id": 7}, "ignore_result": True}]


def test_enqueue_after_commit_sends_nothing_after_a_rollback(broker, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        dispatch = enqueue_after_commit(compute_coverage, {"hit_id": 7})
        raise RuntimeError("the change failed")

    assert broker.published == []
    assert dispatch.sent is None


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(BROKER_DOWN, id="kombu"),
        pytest.param(redis.exceptions.ConnectionError("Connection refused."), id="redis"),
        pytest.param(ConnectionRefusedError(111, "Connection refused"), id="socket"),
    ],
)
def test_enqueue_after_commit_broker_refusing_is_logged_not_raised(
    broker, db, django_capture_on_commit_callbacks, caplog, error
):
    broker.refuse = error

    with (
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch = enqueue_after_commit(compute_coverage, {"hit_id": 7}, countdown=5)

    assert (dispatch.sent, dispatch.refused) == (False, [{"hit_id": 7}])
    assert [(record.levelname, record.name) for record in caplog.records] == [("ERROR", "core.tasks")]
    assert "Task engagement.compute_coverage could not be queued" in caplog.text
    assert "Not queued: (hit_id=7)" in caplog.text


def test_enqueue_after_commit_hands_the_rest_to_on_refused_after_the_first_refusal(
    broker, db, django_capture_on_commit_callbacks
):
    broker.refuse = BROKER_DOWN
    handed: list[list[dict]] = []

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(
            compute_coverage, {"hit_id": 1}, {"hit_id": 2}, {"hit_id": 3}, on_refused=handed.append
        )

    assert len(broker.published) == 1  # each further try would keep the user waiting on a dead broker
    assert handed == [[{"hit_id": 1}, {"hit_id": 2}, {"hit_id": 3}]]


def test_enqueue_after_commit_logs_ids_but_never_personal_data(
    broker, db, django_capture_on_commit_callbacks, caplog
):
    broker.refuse = BROKER_DOWN
    call = {
        "to": "dana@example.org",
        "subject": "Dana's report",
        "text": "Dear Dana",
        "html": "<p>Dear Dana</p>",
    }

    with (
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_after_commit(send_email, call)

    assert "Not queued: (to, subject, text, html)" in caplog.text
    assert "Dana" not in caplog.text and "dana@" not in caplog.text


def test_enqueue_after_commit_eager_runs_the_task_and_keeps_its_errors_loud(
    db, django_capture_on_commit_callbacks
):
    with pytest.raises(OSError, match="mail server down"), django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(_failing_task, {"hit_id": 1})


@celery_app.task(name="tests.core.failing_task")
def _failing_task(*, hit_id: int) -> None:
    raise OSError("mail server down")
