"""The health page and `manage.py health` against a real Redis (cache and broker), which the test then
stops: what the containers' healthchecks see during an outage (core/health.py).

The test starts a redis-server of its own (tests/integration/conftest.py: redis_server) and never touches
the machine's shared one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from core import cache as failover
from core import health
from tests.integration.conftest import RedisServer, celery_sent_through

pytestmark = pytest.mark.integration


@pytest.fixture
def on_own_redis(redis_server: RedisServer, settings, db, monkeypatch) -> Iterator[RedisServer]:
    """This process's cache (db 1) and broker (db 0) on the test's own Redis, tasks sent through it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": redis_server.url(1),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    monkeypatch.setattr(failover, "_health", {})
    monkeypatch.setattr(health, "_last_failed", frozenset())
    with celery_sent_through(redis_server.url(0)):
        yield redis_server


def test_health_with_redis_answering_then_stopped(on_own_redis):
    client = Client()
    up = client.get(reverse("health"))

    on_own_redis.stop()
    down = client.get(reverse("health"))

    assert (up.status_code, up.json()) == (200, {"database": "ok", "cache": "ok", "broker": "ok"})
    assert (down.status_code, down.json()) == (503, {"database": "ok", "cache": "failed", "broker": "failed"})


def test_health_command_with_redis_answering_then_stopped(on_own_redis):
    up = io.StringIO()
    call_command("health", stdout=up)

    on_own_redis.stop()
    with pytest.raises(CommandError) as raised:
        call_command("health", stdout=io.StringIO(), stderr=io.StringIO())

    assert up.getvalue() == "database: ok\ncache: ok\nbroker: ok\n"
    assert str(raised.value) == "Not answering: cache, broker."
