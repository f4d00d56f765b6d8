"""Celery tasks of the project package (found by the worker's autodiscovery): thin, named, idempotent."""

from __future__ import annotations

from celery import shared_task

from hitportal.security.sessions import sessions_clear_stale


@shared_task(name="hitportal.clear_stale_sessions")
def clear_stale_sessions() -> int:
    """Delete expired sessions and the signed-in list's rows of sessions that ended without a sign-out
    (beat runs it nightly at 04:00). Idempotent: a second run deletes nothing. Returns how many list rows
    were deleted."""
    return sessions_clear_stale()[1]
