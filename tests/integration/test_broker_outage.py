"""Redis stopped for real: the portal keeps working, and what was lost is recovered once it is back.

The test starts a redis-server of its own (tests/integration/conftest.py: redis_server), points this
process's broker, result backend and cache at it, and starts a real worker on it. Then it stops that
Redis and, with tasks sent through the broker (not run eagerly), uses the site as people would: a
stakeholder is saved (the refused recompute is logged, the change stands), someone signs in, someone
asks for a password reset, a script reads the API with its token. Then Redis starts again, the
periodic task that sends lost score requests again runs in the worker, and the worker computes the
score the outage had held up.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core import cache as failover
from engagement import tasks
from engagement.models import CoverageScore, ScoreRequest, Stakeholder
from teams.models import Organisation, OrganisationType, StakeholderCategory
from tests.factories.teams import PASSWORD
from tests.integration.conftest import WORKER_LOGS_KEY, CeleryWorkers, RedisServer, celery_sent_through

pytestmark = pytest.mark.integration


@pytest.fixture
def outage(
    request: pytest.FixtureRequest,
    redis_server: RedisServer,
    settings,
    tmp_path: Path,
    transactional_db: None,
) -> Iterator[tuple[RedisServer, CeleryWorkers]]:
    """This process and a real worker on the test's own Redis (db 0: broker and results; db 1:
    cache), tasks sent through it; everything put back afterwards, the worker stopped first."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": redis_server.url(1),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    failover._health.clear()
    logs: list[Path] = []
    request.node.stash[WORKER_LOGS_KEY] = logs
    workers = CeleryWorkers(broker_url=redis_server.url(0), directory=tmp_path, logs=logs)
    with celery_sent_through(redis_server.url(0)):
        try:
            workers.start(env={"CELERY_RESULT_BACKEND": redis_server.url(0)})
            yield redis_server, workers
        finally:
            workers.stop_all()
            failover._health.clear()


def _map_payload() -> dict:
    # Earlier transactional tests flush the seeded vocabularies, so make sure what the form needs exists.
    for position, code in enumerate(
        ["PROV", "COMM", "STAFF", "PUBLIC", "OPS", "NONNHS", "RESEARCH"], start=1
    ):
        StakeholderCategory.objects.get_or_create(code=code, defaults={"name": code, "position": position})
    commissioner, _ = OrganisationType.objects.get_or_create(
        code="commissioner-icb", defaults={"name": "Commissioner", "sector": "commissioner"}
    )
    icb = Organisation.objects.create(name="Outage ICB", org_type=commissioner)
    return {
        "person": "",
        "organisation": icb.pk,
        "category": StakeholderCategory.objects.get(code="COMM").pk,
        "depth": "3",
        "role": "Co-chair of the steering group",
        "start_date": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "end_date": "",
        "evidence": "Terms of reference",
    }


def _wait_for_reconnection(workers: CeleryWorkers, server: RedisServer) -> None:
    """Until the worker has logged "Connected to" a second time: it has reconnected and declared its
    queue anew (a Redis started afresh has lost the queue's routing table until then)."""
    (worker,) = workers.started
    connected = re.compile(rf"Connected to redis://\S*127\.0\.0\.1:{server.port}/0$", re.MULTILINE)
    deadline = time.monotonic() + 45
    while len(connected.findall(worker.log())) < 2:
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not reconnect to Redis in time")
        time.sleep(0.2)


def _wait_for_score(hit_id: int) -> CoverageScore:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        score = CoverageScore.objects.filter(hit_id=hit_id).first()
        if score is not None and not ScoreRequest.objects.filter(hit_id=hit_id).exists():
            return score
        time.sleep(0.2)
    raise AssertionError("the worker did not store the coverage score in time")


def test_redis_stopped_then_started_again_loses_no_change_and_no_score(
    outage, client, hit, director, programme_manager, caplog
):
    server, workers = outage
    payload = _map_payload()
    token = Token.objects.create(user=programme_manager).key
    server.stop()

    # A stakeholder is saved: the change stands; the refused recompute is logged, not a 500.
    client.force_login(director)
    with caplog.at_level(logging.WARNING):
        saved = client.post(reverse("engagement:stakeholder-create", args=[hit.pk]), payload)
        signed_in = Client().post(
            reverse("login"), {"username": director.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
        )
        reset = Client().post(reverse("password_reset"), {"email": director.email}, REMOTE_ADDR="203.0.113.6")
        api = Client().get(reverse("api:hit-list"), HTTP_AUTHORIZATION=f"Token {token}")

    assert (saved.status_code, saved.url) == (302, reverse("engagement:stakeholder-map", args=[hit.pk]))
    assert Stakeholder.objects.get(hit=hit).organisation.name == "Outage ICB"
    assert ScoreRequest.objects.filter(hit=hit, kind="coverage").count() == 1
    lost = [r.getMessage() for r in caplog.records if r.name == "core.tasks"]
    assert len(lost) == 1
    assert lost[0].startswith("Task engagement.compute_coverage could not be queued: the broker refused it")
    assert lost[0].endswith(f"Not queued: (hit_id={hit.pk})")
    # Signing in, a password reset and the API work, with throttling counted in this process.
    assert (signed_in.status_code, signed_in.url) == (302, reverse("home"))
    assert (reset.status_code, reset.url) == (302, reverse("password_reset_done"))
    assert [message.to for message in mail.outbox] == [[director.email]]
    assert api.status_code == 200
    assert api.json()["count"] == 1
    cache_warnings = [r.getMessage() for r in caplog.records if r.name == "core.cache"]
    assert len(cache_warnings) == 1
    assert "throttling now count in each web process separately" in cache_warnings[0]

    # Redis is back; the periodic task (as beat sends it every few minutes) finds the request pending
    # longer than SCORE_REQUEST_RESEND_AFTER_SECONDS and sends it again; the worker computes the score.
    server.start()
    _wait_for_reconnection(workers, server)
    ScoreRequest.objects.filter(hit=hit).update(requested_at=timezone.now() - datetime.timedelta(minutes=10))

    assert tasks.resend_score_requests.delay().get(timeout=30) == 1
    score = _wait_for_score(hit.pk)
    assert score.category_depths["COMM"] == 3
    assert score.commissioner_in_leadership is True
    assert workers.started[0].logged("Task engagement.compute_coverage[")
