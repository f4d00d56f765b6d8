"""Fixed-window rate limits in the cache (core.ratelimit)."""

from __future__ import annotations

import datetime
import logging
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from core import ratelimit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _numbers(count: int, who: str = "7") -> list[tuple[int, bool, bool]]:
    attempts = [ratelimit.attempt("probe", who, limit=2, window_seconds=60) for _ in range(count)]
    return [(a.number, a.allowed, a.first_refused) for a in attempts]


def test_attempts_past_the_limit_are_refused_and_the_first_refusal_is_marked():
    assert _numbers(4) == [(1, True, False), (2, True, False), (3, False, True), (4, False, False)]


def test_each_key_counts_on_its_own():
    _numbers(3, who="7")

    assert _numbers(1, who="8") == [(1, True, False)]


def test_window_starts_again_after_it_ends():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _numbers(3)
        traveller.shift(datetime.timedelta(seconds=61))

        assert _numbers(1) == [(1, True, False)]


def test_unreachable_cache_allows_the_attempt_and_says_so(caplog):
    broken = mock.Mock()
    broken.add.side_effect = ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    with mock.patch.object(ratelimit, "cache", broken):
        attempt = ratelimit.attempt("probe", "7", limit=2, window_seconds=60)

    assert (attempt.number, attempt.allowed) == (0, True)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "Rate limit probe not applied: the cache is unavailable")
    ]
