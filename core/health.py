"""Whether the services the portal needs answer: the database, the shared cache and the task broker.

Two callers, the same checks: the page /health/ (hitportal/urls.py), which the web container's
healthcheck asks (scripts/healthcheck.py), and `manage.py health`, the worker container's (the worker
has no HTTP port). docs/operations.md, "Checks", says what each answer means.

The page is public, so it says only "ok", "failed" or "not used" per service: never a version, a host
name or an error message. What failed and why goes to the log (once when it starts failing, once when it
recovers, not at every probe) and to the command's output.

Each check gives up after TIMEOUT seconds, so the page answers within a few seconds even when Redis (the
cache and the broker) does not answer at all; a refused connection fails at once.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass

import redis
from celery import current_app
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import Error as DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.tasks import BROKER_ERRORS

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"
NOT_USED = "not used"
#: Seconds each network check may take to connect, and again to hear an answer.
TIMEOUT = 1.0


@dataclass(frozen=True)
class Check:
    """One service's answer. `detail` says why it failed, for operators only (the log, the command)."""

    status: str
    detail: str = ""

    @property
    def healthy(self) -> bool:
        return self.status != FAILED


def _failed(exc: BaseException) -> Check:
    return Check(FAILED, f"{type(exc).__name__}: {exc}")


def check_database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _failed(exc)
    return Check(OK)


def check_cache() -> Check:
    config = settings.CACHES[DEFAULT_CACHE_ALIAS]
    if issubclass(import_string(str(config["BACKEND"])), RedisCache):
        # core.cache.FailoverRedisCache answers from the process's own memory while Redis is down, so
        # the cache would always seem to work: ask Redis itself. The first server is the one written to.
        location = config["LOCATION"]
        servers = location.split(",") if isinstance(location, str) else list(location)
        return _ping_redis(servers[0])
    # A cache in the process's own memory (the embedded default) or another backend: a round trip.
    cache, key, token = caches[DEFAULT_CACHE_ALIAS], "core.health", secrets.token_hex(8)
    try:
        cache.set(key, token, timeout=10)
        answered = cache.get(key)
    except Exception as exc:  # each backend raises its own errors
        return _failed(exc)
    return Check(OK) if answered == token else Check(FAILED, "the cache did not keep a value")


def _ping_redis(url: str) -> Check:
    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return _failed(exc)
    finally:
        client.close()
    return Check(OK)


def check_broker() -> Check:
    conf = current_app.conf
    if conf.task_always_eager or conf.broker_url.startswith("memory://"):
        return Check(NOT_USED)  # tasks run inside the process that sends them (the embedded default)
    try:
        with current_app.connection_for_write(
            connect_timeout=TIMEOUT,
            transport_options={"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT},
        ) as broker:
            broker.ensure_connection(max_retries=0)  # one try: no retries, no back-off
    except BROKER_ERRORS as exc:
        return _failed(exc)
    return Check(OK)


def run_checks() -> dict[str, Check]:
    return {"database": check_database(), "cache": check_cache(), "broker": check_broker()}


_last_failed: frozenset[str] = frozenset()
_last_failed_lock = threading.Lock()


def _log_change(results: dict[str, Check]) -> None:
    """Log when services start or stop failing, as this process sees them; nothing while it lasts."""
    global _last_failed
    failed = frozenset(name for name, result in results.items() if not result.healthy)
    with _last_failed_lock:
        previous, _last_failed = _last_failed, failed
    started, recovered = sorted(failed - previous), sorted(previous - failed)
    if started:
        logger.warning(
            "Health check: %s not answering (%s).",
            ", ".join(started),
            "; ".join(f"{name}: {results[name].detail}" for name in started),
        )
    if recovered:
        logger.info("Health check: %s answering again.", ", ".join(recovered))


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 with each service's status when all answer, 503 naming the one that failed. Public."""
    results = run_checks()
    _log_change(results)
    healthy = all(result.healthy for result in results.values())
    response = JsonResponse(
        {name: result.status for name, result in results.items()}, status=200 if healthy else 503
    )
    if not healthy:
        # Django would log "Service Unavailable: /health/" as an error at every probe while an outage
        # lasts; _log_change has said what failed, once.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response
