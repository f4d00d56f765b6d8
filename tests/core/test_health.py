"""The health page (core/health.py): whether the database, the cache and the broker answer.

Redis is replaced by a closed port here; tests/integration/test_health.py asks a real Redis, and stops it.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.db import OperationalError, connections
from django.urls import reverse

from core import cache as failover
from core import health
from hitportal import celery_app
from tests import factories as f

REPO_ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch) -> None:
    """Each test starts as a new process would: nothing failing yet, Redis not yet seen down."""
    monkeypatch.setattr(health, "_last_failed", frozenset())
    monkeypatch.setattr(failover, "_health", {})


@pytest.fixture
def cache_down(settings) -> None:
    """The production cache configuration, pointed at a port where no Redis listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def broker_down(monkeypatch) -> None:
    """Tasks sent through a broker (not run eagerly) at a port where nothing listens. Celery reads
    CELERY_BROKER_URL from the environment before its settings, so both change."""
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)


@pytest.fixture
def database_down(db) -> Iterator[None]:
    """Every new cursor on the default database fails as it does when PostgreSQL has gone away; undone
    before the test database is rolled back."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connections["default"]), "create_cursor", refuse)
        yield


def test_health_with_everything_answering_is_200(db, client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    # The test settings run tasks eagerly, with no broker: as the embedded default does.
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "not used"}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_health_needs_no_sign_in(db, client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert "Location" not in response


def test_health_answers_a_signed_in_user_the_same(db, client):
    client.force_login(f.UserFactory())

    response = client.get(reverse("health"))

    assert (response.status_code, response.json()) == (
        200,
        {"database": "ok", "cache": "ok", "broker": "not used"},
    )


def test_health_refuses_a_post(db, client):
    response = client.post(reverse("health"))

    assert response.status_code == 405


def test_health_with_the_database_down_is_503_naming_it(database_down, client):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"database": "failed", "cache": "ok", "broker": "not used"}


def test_health_with_the_cache_down_is_503_though_the_failover_cache_still_answers(db, cache_down, client):
    cache.set("still-answering", 1)  # from the process's own memory: Redis is not asked again for 30 s

    response = client.get(reverse("health"))

    assert cache.get("still-answering") == 1
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failed", "broker": "not used"}


def test_health_with_the_broker_down_is_503_naming_it(db, broker_down, client):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "failed"}


def test_health_page_never_says_why_a_service_failed(db, cache_down, broker_down, client):
    response = client.get(reverse("health"))

    # Only the three words: no host, port, error text or version on a public page.
    assert response.content == b'{"database": "ok", "cache": "failed", "broker": "failed"}'


def test_health_logs_an_outage_once_and_the_recovery_once(db, cache_down, client, settings, caplog):
    with caplog.at_level(logging.INFO):
        client.get(reverse("health"))
        client.get(reverse("health"))
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        client.get(reverse("health"))
        client.get(reverse("health"))

    logged = [(r.name, r.levelname, r.getMessage().split(" (", 1)[0]) for r in caplog.records]
    # Not Django's "Service Unavailable: /health/" error at every probe either.
    assert logged == [
        ("core.health", "WARNING", "Health check: cache not answering"),
        ("core.health", "INFO", "Health check: cache answering again."),
    ]
    assert "ConnectionError: Error 111 connecting to 127.0.0.1:" in caplog.records[0].getMessage()


def test_check_cache_with_a_local_memory_cache_is_ok(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    result = health.check_cache()

    assert result == health.Check("ok")


# --- The containers' probes ---------------------------------------------------------------------------


def test_web_probe_with_nothing_listening_exits_1():
    completed = subprocess.run(
        [sys.executable, "scripts/healthcheck.py", str(_closed_port())],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert completed.returncode == 1
    assert completed.stderr.startswith("No answer from port ")


def test_compose_healthchecks_ask_the_health_checks():
    services = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]

    web = services["web"]["healthcheck"]["test"]
    worker = services["worker"]["healthcheck"]["test"]

    assert web == ["CMD", "python", "scripts/healthcheck.py"]
    assert worker[0] == "CMD-SHELL"
    assert worker[1].startswith("python manage.py health >/dev/null && celery -A hitportal inspect ping ")


def test_health_answers_a_head_request(db, client):
    response = client.head(reverse("health"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
