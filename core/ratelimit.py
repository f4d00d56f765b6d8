"""Fixed-window rate limits kept in Django's cache (per user, per address: the caller chooses the key).

A window starts at the first attempt and lasts `window_seconds`; attempt number `limit + 1` within it is
the first one refused. `add` + `incr` is atomic on Redis and on the local-memory cache, so parallel
requests cannot slip extra attempts past the limit (the same technique as core/throttle.py's
sign-in limits). Production shares one Redis cache between web processes (settings.CACHES); the
local-memory cache counts per process.

If the cache cannot be reached the attempt is allowed and a warning is logged: a limit exists to slow an
abuser down, and a broken cache must not lock every user out of the page that uses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

_PREFIX = "core:ratelimit"


@dataclass(frozen=True)
class Attempt:
    number: int  # this attempt's number in the current window; 0 when it could not be counted
    limit: int

    @property
    def allowed(self) -> bool:
        return self.number <= self.limit

    @property
    def first_refused(self) -> bool:
        """The attempt that crossed the limit: log it once per window, not once per refusal."""
        return self.number == self.limit + 1


def attempt(scope: str, who: str, *, limit: int, window_seconds: int) -> Attempt:
    """Count one attempt of `who` (a user id, never personal data) at `scope` and say if it is allowed."""
    key = f"{_PREFIX}:{scope}:{who}"
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            number = cache.incr(key)
        except ValueError:  # the entry expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            number = 1
    except Exception:  # any backend's connection error: the cache backends share no exception type
        logger.warning("Rate limit %s not applied: the cache is unavailable", scope, exc_info=True)
        return Attempt(number=0, limit=limit)
    return Attempt(number=number, limit=limit)
