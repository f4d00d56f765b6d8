"""With the shared cache (Redis) down, sign-in, password reset and the API keep working, and their
throttling keeps counting, per process (core/cache.py, core/throttle.py, DRF's throttle)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core import cache as failover
from tests import factories as f
from tests.factories.teams import PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCKED_15 = "Too many failed sign-ins. Try again in 15 minutes or reset your password."


@pytest.fixture(autouse=True)
def redis_down(settings, monkeypatch) -> None:
    """The production cache configuration, pointed at a port where no Redis listens."""
    monkeypatch.setattr(failover, "_health", {})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def user(db):
    created = f.UserFactory(email="dana@example.org")
    # Saving a user bumps the lists' table versions (core.versions), so the cache already noticed the
    # outage: start the tests from a process that has not, as a sign-in after a quiet spell does.
    for health in failover._health.values():
        health.down_until, health.down_since, health.warned_at = 0.0, None, None
    return created


def _sign_in(client, password: str):
    return client.post(
        reverse("login"), {"username": "dana@example.org", "password": password}, REMOTE_ADDR="203.0.113.5"
    )


def test_sign_in_with_redis_down_works_and_says_throttling_is_per_process(client, user, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        response = _sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert [record.levelname for record in caplog.records if record.name == "core.cache"] == ["WARNING"]
    assert "throttling now count in each web process separately" in caplog.text


def test_sign_in_with_redis_down_still_locks_after_five_failures(client, user):
    for _ in range(5):
        _sign_in(client, "wrong-password")

    response = _sign_in(client, PASSWORD)

    assert list(response.context["form"].non_field_errors()) == [LOCKED_15]
    assert "_auth_user_id" not in client.session


def test_password_reset_with_redis_down_sends_the_email(client, user):
    response = client.post(
        reverse("password_reset"), {"email": "dana@example.org"}, REMOTE_ADDR="203.0.113.5"
    )

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["dana@example.org"]]


def test_api_with_redis_down_answers_a_token(client, programme_manager):
    f.HITFactory()
    key = Token.objects.create(user=programme_manager).key

    response = client.get(reverse("api:hit-list"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_sessions_live_in_the_database_not_the_cache():
    from django.conf import settings

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_cache_url_configures_the_failover_cache_with_short_timeouts():
    """In a fresh interpreter, as the web process starts with CACHE_URL set."""
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.CACHES, settings.SESSION_ENGINE, settings.CELERY_TASK_PUBLISH_RETRY_POLICY]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "CACHE_URL": "redis://cache.internal:6379/1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
        cwd=REPO_ROOT,
    )

    caches, session_engine, publish_retry = json.loads(result.stdout)
    assert caches == {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": "redis://cache.internal:6379/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    assert session_engine == "django.contrib.sessions.backends.db"
    assert publish_retry == {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
