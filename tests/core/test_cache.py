"""The failover cache (core/cache.py): while Redis is down it answers from local memory, says so in
the log, and stops asking Redis for a while; when Redis answers again, it is used again."""

from __future__ import annotations

import logging
import socket

import pytest
import redis.exceptions
from django.core.cache.backends.redis import RedisCache

from core import cache as failover
from core.cache import FailoverRedisCache

WARNING = (
    "The shared cache (Redis) is unavailable (ConnectionError: {error}). Sign-in, password-reset and API "
    "throttling now count in each web process separately until it answers again; retrying every 30 s."
)


def _closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(FailoverRedisCache, "clock", staticmethod(clock))
    return clock


class FakeRedis:
    """Stands in for Redis: `calls` lists what was asked of it; while `down`, it refuses."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.down = True


@pytest.fixture
def fake_redis(monkeypatch) -> FakeRedis:
    fake = FakeRedis()

    def get(self, key, default=None, version=None):
        fake.calls.append("get")
        if fake.down:
            raise redis.exceptions.ConnectionError("Connection refused.")
        return "from redis"

    monkeypatch.setattr(RedisCache, "get", get)
    return fake


@pytest.fixture(autouse=True)
def _fresh_health(monkeypatch):
    monkeypatch.setattr(failover, "_health", {})


def _cache(port: int | None = None) -> FailoverRedisCache:
    return FailoverRedisCache(
        f"redis://127.0.0.1:{port or _closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )


def test_failover_cache_with_redis_stopped_counts_in_local_memory_and_warns_once(clock, caplog):
    port = _closed_port()
    cache = _cache(port)

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        added = cache.add("failures", 0, timeout=60)
        counts = [cache.incr("failures"), cache.incr("failures")]
        cache.set("lock", "until", timeout=60)
        values = (cache.get("failures"), cache.get("lock"), cache.get_many(["failures", "lock"]))

    assert (added, counts) == (True, [1, 2])
    assert values == (2, "until", {"failures": 2, "lock": "until"})
    assert caplog.messages == [
        WARNING.format(error=f"Error 111 connecting to 127.0.0.1:{port}. Connection refused.")
    ]


def test_failover_cache_does_not_ask_redis_again_until_the_retry_interval_ends(clock, fake_redis):
    cache = _cache()

    cache.get("a")
    clock.now += FailoverRedisCache.RETRY_AFTER - 1
    cache.get("a")
    clock.now += 1
    cache.get("a")

    assert fake_redis.calls == ["get", "get"]


def test_failover_cache_repeats_its_warning_only_every_few_minutes(clock, fake_redis, caplog):
    cache = _cache()

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _ in range(10):  # Redis is tried again every RETRY_AFTER, and refuses each time
            cache.get("a")
            clock.now += FailoverRedisCache.RETRY_AFTER
        cache.get("a")

    assert len(fake_redis.calls) == 11
    assert len(caplog.messages) == 2  # at the start, then after WARN_EVERY (300 s)


def test_failover_cache_uses_redis_again_once_it_answers_and_says_so(clock, fake_redis, caplog):
    cache = _cache()
    cache.get("a")
    fake_redis.down = False
    clock.now += FailoverRedisCache.RETRY_AFTER
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="core.cache"):
        value = cache.get("a")
        again = cache.get("a")

    assert (value, again) == ("from redis", "from redis")
    assert caplog.messages == [
        "The shared cache (Redis) answers again after about 30 s: throttling counts across all web processes again."
    ]


def test_failover_cache_outage_is_shared_by_every_thread_of_the_process(clock, fake_redis):
    location = _closed_port()
    first, second = _cache(location), _cache(location)  # Django builds one backend per thread

    first.get("a")
    second.get("a")

    assert fake_redis.calls == ["get"]


def test_failover_cache_says_when_it_is_not_shared_and_calls_back_on_recovery(clock, fake_redis, monkeypatch):
    cache = _cache()
    monkeypatch.setattr(failover, "_recovery_callbacks", [])
    recovered: list[str] = []
    failover.on_recovery(lambda: recovered.append("forget the versions"))
    monkeypatch.setattr("django.core.cache.caches", {"default": cache})

    cache.get("a")
    down = failover.shared_cache_answers()
    fake_redis.down = False
    clock.now += FailoverRedisCache.RETRY_AFTER
    cache.get("a")

    assert (down, failover.shared_cache_answers(), recovered) == (False, True, ["forget the versions"])
