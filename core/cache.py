"""A Redis cache that keeps answering while Redis does not.

The shared cache holds the sign-in and password-reset counters (core/throttle.py) and DRF's
API throttle history, so with Django's plain RedisCache a stopped Redis made sign-in, password
reset and every API call answer 500. FailoverRedisCache answers from a local-memory cache of its
own process instead, and logs a warning that throttling now counts per web process (each of N
processes allows the full limit, so an attacker gets at most N times the attempts: looser, never
off). The warning is repeated at most every WARN_EVERY seconds, and an info line says when Redis
answers again.

Fail fast: after a connection error the process stops asking Redis for RETRY_AFTER seconds, so a
dead Redis costs one refused connection (or one socket_connect_timeout, set short in settings) per
process every RETRY_AFTER seconds, not one per cache call. What the local cache held is not copied
to Redis on recovery: counters restart from what Redis kept, and a lock set during the outage
lapses early; both err towards letting people in, which the outage already does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis.exceptions
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

REDIS_DOWN: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
# The local cache only holds counters and locks while Redis is away: plenty of room, so culling
# (which drops a third of the entries, counters included) does not happen under a password spray.
FALLBACK_MAX_ENTRIES = 50_000


@dataclass
class _Health:
    """Redis as one process sees it. Shared by every thread's backend instance for one LOCATION:
    Django creates one backend per thread, but the outage and its warnings are per process."""

    down_until: float = 0.0
    down_since: float | None = None
    warned_at: float | None = None


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()
_recovery_callbacks: list[Callable[[], None]] = []


def on_recovery(callback: Callable[[], None]) -> None:
    """Call `callback` when Redis answers again after this process saw it down (core.versions forgets
    the table versions then: the ones bumped during the outage never reached Redis)."""
    if callback not in _recovery_callbacks:
        _recovery_callbacks.append(callback)


def shared_cache_answers() -> bool:
    """False while this process answers from its own cache because Redis does not (see above): what
    one process writes then is not seen by the others."""
    from django.core.cache import caches

    backend = caches["default"]
    if not isinstance(backend, FailoverRedisCache):
        return True  # one process's own cache (development, tests): nothing to share
    return backend.clock() >= backend._health.down_until


class FailoverRedisCache(RedisCache):
    """Django's RedisCache, answering from a per-process local-memory cache while Redis is down."""

    RETRY_AFTER = 30.0
    WARN_EVERY = 300.0
    clock: Callable[[], float] = staticmethod(time.monotonic)

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        name = f"core.cache.failover:{server}"
        with _health_lock:
            self._health = _health.setdefault(name, _Health())
        self._fallback = LocMemCache(
            name,
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        health = self._health
        if self.clock() < health.down_until:
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except REDIS_DOWN as exc:
            self._went_down(exc)
            return getattr(self._fallback, name)(*args, **kwargs)
        if health.down_since is not None:
            self._came_back()
        return result

    def _went_down(self, exc: BaseException) -> None:
        health, now = self._health, self.clock()
        health.down_until = now + self.RETRY_AFTER
        if health.down_since is None:
            health.down_since = now
        if health.warned_at is None or now - health.warned_at >= self.WARN_EVERY:
            health.warned_at = now
            logger.warning(
                "The shared cache (Redis) is unavailable (%s: %s). Sign-in, password-reset and API "
                "throttling now count in each web process separately until it answers again; "
                "retrying every %d s.",
                type(exc).__name__,
                exc,
                self.RETRY_AFTER,
            )

    def _came_back(self) -> None:
        health, now = self._health, self.clock()
        outage = now - (health.down_since if health.down_since is not None else now)
        health.down_since = health.warned_at = None
        health.down_until = 0.0
        logger.info(
            "The shared cache (Redis) answers again after about %d s: throttling counts across all web "
            "processes again.",
            outage,
        )
        for callback in _recovery_callbacks:
            callback()

    # RedisCache's public methods; BaseCache builds the rest (decr, get_or_set, the async ones) on them.

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("add", key, value, timeout, version))

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("touch", key, timeout, version))

    def delete(self, key: str, version: int | None = None) -> bool:
        return bool(self._call("delete", key, version))

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self._call(
            "get_many", list(keys), version
        )  # a list: a retry sees the keys too
        return found

    def has_key(self, key: str, version: int | None = None) -> bool:
        return bool(self._call("has_key", key, version))

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("incr", key, delta, version))

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        failed: list[str] = self._call("set_many", data, timeout, version)
        return failed

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        self._call("delete_many", list(keys), version)

    def clear(self) -> None:
        self._call("clear")
