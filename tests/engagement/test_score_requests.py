"""Score requests whose task was lost (a broker outage) are sent again: the periodic task
engagement.resend_score_requests and engagement.services.score_requests_resend."""

from __future__ import annotations

import datetime
import logging

import time_machine
from django.utils import timezone

from engagement import tasks
from engagement.models import CoverageScore, ScoreRequest
from engagement.services import score_requests as services
from tests.conftest import BROKER_DOWN
from tests.factories import engagement as ef

# Frozen at today's date: map rows start today.
NOW = timezone.now().replace(microsecond=0)
FIVE_MINUTES = datetime.timedelta(minutes=5)


def _pending(hit, *, seconds_ago: int, kind: str = "coverage") -> ScoreRequest:
    return ef.ScoreRequestFactory(
        hit=hit, kind=kind, requested_at=NOW - datetime.timedelta(seconds=seconds_ago)
    )


def test_resend_sends_only_requests_pending_longer_than_the_threshold(
    broker, hit, other_hit, django_capture_on_commit_callbacks
):
    lost = _pending(hit, seconds_ago=301)
    lost_readiness = _pending(hit, seconds_ago=3600, kind="readiness")
    recent = _pending(other_hit, seconds_ago=299)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        resent = services.score_requests_resend(older_than=FIVE_MINUTES)

    assert resent == 2
    assert sorted(broker.published) == [
        ("engagement.compute_coverage", {"hit_id": hit.pk}, 1),
        ("engagement.compute_readiness_for_hit", {"hit_id": hit.pk}, 1),
    ]
    assert [ScoreRequest.objects.get(pk=r.pk).requested_at for r in (lost, lost_readiness, recent)] == [
        NOW,
        NOW,
        NOW - datetime.timedelta(seconds=299),
    ]


def test_resend_twice_sends_once(broker, hit, django_capture_on_commit_callbacks):
    _pending(hit, seconds_ago=600)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = services.score_requests_resend(older_than=FIVE_MINUTES)
        second = services.score_requests_resend(older_than=FIVE_MINUTES)

    assert (first, second, len(broker.published)) == (1, 0, 1)


def test_resend_with_the_broker_still_down_waits_for_the_next_run(
    broker, hit, django_capture_on_commit_callbacks, caplog
):
    broker.refuse = BROKER_DOWN
    _pending(hit, seconds_ago=600)

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.ERROR, logger="core.tasks"),
    ):
        resent = services.score_requests_resend(older_than=FIVE_MINUTES)
    with (
        time_machine.travel(NOW + FIVE_MINUTES + datetime.timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        later = services.score_requests_resend(older_than=FIVE_MINUTES)

    assert (resent, later, len(broker.published)) == (1, 1, 2)
    assert "Task engagement.compute_coverage could not be queued" in caplog.text
    assert ScoreRequest.objects.filter(hit=hit).count() == 1


def test_resend_task_computes_the_lost_score_and_clears_the_request(
    hit, settings, django_capture_on_commit_callbacks, caplog
):
    settings.SCORE_REQUEST_RESEND_AFTER_SECONDS = 300
    ef.StakeholderFactory(hit=hit, category=ef.category("COMM"), depth=3)
    _pending(hit, seconds_ago=301)

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING, logger="engagement.tasks"),
    ):
        resent = tasks.resend_score_requests.delay().get()

    assert resent == 1
    assert CoverageScore.objects.get(hit=hit).commissioner_in_leadership is True
    assert ScoreRequest.objects.count() == 0
    assert [record.getMessage() for record in caplog.records if record.name == "engagement.tasks"] == [
        "Sent again 1 score request(s) pending for more than 300 s: their tasks were lost."
    ]


def test_resend_entry_runs_every_few_minutes_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["resend-score-requests"]

    assert entry["task"] == tasks.resend_score_requests.name == "engagement.resend_score_requests"
    assert entry["schedule"].minute == set(range(0, 60, 2))
