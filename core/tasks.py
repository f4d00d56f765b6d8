"""Enqueue Celery tasks once the surrounding transaction commits, and survive a broker that is down.

Every task the portal sends because of a write goes through `enqueue_after_commit`. By the time the
callback runs, the user's change is committed: if the broker (Redis) then refuses the message, the
change still stands, so the refusal is logged here and never raised into the request, which would
answer 500 "your change may not have been saved" about a change that was saved. What is lost is
only the message; each caller says how it is recovered (`on_refused`, or a periodic task that sends
again whatever is still pending, e.g. engagement.tasks.resend_score_requests).

A refusal has to come quickly, or the page hangs while the broker is down: settings.py keeps
kombu's publish retries and connect timeout short (CELERY_TASK_PUBLISH_RETRY_POLICY,
CELERY_BROKER_TRANSPORT_OPTIONS).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable: kombu's OperationalError once its retries
# are spent; the redis client's own errors; OSError for sockets (kombu's InconsistencyError, raised
# when a Redis restarted without its data has lost the routing table, is one too).
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)

Call = dict[str, Any]


@dataclass
class Dispatch:
    """What became of one `enqueue_after_commit`: `sent` stays None until the transaction commits
    (and for ever if it rolls back), then is True when the broker took every call."""

    task_name: str
    calls: list[Call]
    sent: bool | None = None
    refused: list[Call] = field(default_factory=list)


def describe(calls: list[Call]) -> str:
    """The calls for a log line: ids with their values, any other argument by name only, so no
    address, name or message text reaches the log."""

    def one(call: Call) -> str:
        return ", ".join(
            f"{key}={value!r}" if key.endswith(("_id", "_ids")) else key for key, value in call.items()
        )

    shown = "; ".join(f"({one(call)})" for call in calls[:10])
    return shown + (f" and {len(calls) - 10} more" if len(calls) > 10 else "")


def enqueue_after_commit(
    task: Task[Any, Any],
    *calls: Mapping[str, Any],
    countdown: float | None = None,
    on_refused: Callable[[list[Call]], None] | None = None,
    using: str | None = None,
) -> Dispatch:
    """Send `task` once per keyword-argument mapping in `calls` after the current transaction
    commits (at once outside a transaction; never after a rollback).

    If the broker refuses, the refusal is logged as an error naming the task and its ids, the calls
    not yet sent are handed to `on_refused` (the broker is not tried again for them: each try would
    keep the user waiting), and nothing is raised. Results are not kept (`ignore_result`): nobody
    waits for a task sent after a commit, and asking for its result would make the web process
    subscribe to the result backend, a second way to fail while Redis is down.
    """
    dispatch = Dispatch(task_name=task.name, calls=[dict(call) for call in calls])
    transaction.on_commit(partial(_send, task, dispatch, countdown, on_refused), using=using)
    return dispatch


def _send(
    task: Task[Any, Any],
    dispatch: Dispatch,
    countdown: float | None,
    on_refused: Callable[[list[Call]], None] | None,
) -> None:
    # No countdown is the same as sending at once.
    options: dict[str, Any] = {"countdown": countdown} if countdown is not None else {}
    if task.app.conf.task_always_eager:
        # No broker to refuse: the task runs here, and its own errors must stay loud (tests, development).
        for call in dispatch.calls:
            task.apply_async(kwargs=call, **options)
        dispatch.sent = True
        return
    for index, call in enumerate(dispatch.calls):
        try:
            task.apply_async(kwargs=call, ignore_result=True, **options)
        except BROKER_ERRORS as exc:
            dispatch.refused = dispatch.calls[index:]
            logger.error(
                "Task %s could not be queued: the broker refused it (%s: %s). The change that asked for "
                "it was saved. Not queued: %s",
                task.name,
                type(exc).__name__,
                exc,
                describe(dispatch.refused),
            )
            break
    dispatch.sent = not dispatch.refused
    if dispatch.refused and on_refused is not None:
        on_refused(dispatch.refused)
