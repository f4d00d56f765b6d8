"""Requests for the worker to recompute a HIT's scores: queue, dedupe, spot what is overdue and resend it.

Pages never aggregate raw data; a change asks for a recompute here and the worker stores the result.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.tasks import Dispatch, enqueue_after_commit
from engagement.enums import ScoreKind
from engagement.models import (
    ScoreRequest,
)
from teams.models import User

# --- Debounced recomputation -------------------------------------------------------------------------


def _enqueue_compute(*, hit_id: int, kind: str) -> Dispatch:
    # engagement.tasks imports this module, so the tasks are looked up when first needed.
    from engagement import tasks

    task = tasks.compute_coverage if kind == ScoreKind.COVERAGE else tasks.compute_readiness_for_hit
    return enqueue_after_commit(task, {"hit_id": hit_id}, countdown=settings.ENGAGEMENT_DEBOUNCE_SECONDS)


def request_recompute(*, hit_id: int, kind: str = ScoreKind.COVERAGE) -> bool:
    """Ask the worker to recompute one HIT's score after the current transaction commits.

    A burst of edits leads to one job: the first edit creates the pending ScoreRequest and queues
    the task with a delay; later edits find the request already pending and queue nothing.
    Returns True when a job was queued. A job the broker refuses is logged, not raised (the edit is
    saved); the request stays pending and score_requests_resend sends it again.
    """
    _request, created = ScoreRequest.objects.get_or_create(hit_id=hit_id, kind=kind)
    if not created:
        return False
    _enqueue_compute(hit_id=hit_id, kind=kind)
    return True


def is_recalculating(*, hit_id: int, kind: str = ScoreKind.COVERAGE) -> bool:
    return ScoreRequest.objects.filter(hit_id=hit_id, kind=kind).exists()


def score_request_pending_since(*, hit_id: int, kind: str = ScoreKind.COVERAGE) -> datetime.datetime | None:
    """When the HIT's pending request was last sent to the worker; None when nothing is pending."""
    return (
        ScoreRequest.objects.filter(hit_id=hit_id, kind=kind).values_list("requested_at", flat=True).first()
    )


def score_request_overdue(pending_since: datetime.datetime | None) -> bool:
    """Whether a pending request should have been computed by now: its task waits out the debounce
    window, so one still pending after it was most likely lost (a broker outage) or is stuck behind
    a busy worker; sending it again is harmless, as computing is idempotent."""
    window = datetime.timedelta(seconds=settings.ENGAGEMENT_DEBOUNCE_SECONDS)
    return pending_since is not None and pending_since < timezone.now() - window


def _score_request_claim(*, pk: int, cutoff: datetime.datetime, now: datetime.datetime) -> bool:
    # A conditional UPDATE: of two senders at once (a click and the periodic task), one wins. Moving
    # requested_at to now keeps the request pending (the compute clears requests asked for before it
    # started) and means "last sent at", so it is not sent again before another window has passed.
    return ScoreRequest.objects.filter(pk=pk, requested_at__lt=cutoff).update(requested_at=now) == 1


@dataclass(frozen=True)
class RecomputeNow:
    """The outcome of "Recalculate now": "requested", "resent" (an overdue request sent again) or
    "under_way" (a request sent within the debounce window is pending); `dispatch` tells, after the
    commit, whether the broker took the task."""

    outcome: str
    dispatch: Dispatch | None = None


@transaction.atomic
def recompute_now(*, actor: User, hit_id: int, kind: str = ScoreKind.COVERAGE) -> RecomputeNow:
    """The "Recalculate now" button. Side effects: a new ScoreRequest and its task on commit; or, when
    the pending request is overdue (score_request_overdue), its requested_at moved to now and its
    task sent again on commit; or nothing while a request sent within the debounce window waits."""
    now = timezone.now()
    request, created = ScoreRequest.objects.get_or_create(hit_id=hit_id, kind=kind)
    if created:
        return RecomputeNow("requested", _enqueue_compute(hit_id=hit_id, kind=kind))
    cutoff = now - datetime.timedelta(seconds=settings.ENGAGEMENT_DEBOUNCE_SECONDS)
    if _score_request_claim(pk=request.pk, cutoff=cutoff, now=now):
        return RecomputeNow("resent", _enqueue_compute(hit_id=hit_id, kind=kind))
    return RecomputeNow("under_way")


def score_requests_resend(*, older_than: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    """Send again every score request pending for longer than `older_than`: its task was lost,
    refused by a broker that was down or dropped by a Redis that restarted without its data.

    Side effects, per request, each in its own transaction: requested_at moved to now; on commit,
    its compute task enqueued (a refusal is logged and the request waits for the next run).
    Idempotent: a request just sent again is younger than `older_than`. Returns how many were sent.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    stale = ScoreRequest.objects.filter(requested_at__lt=cutoff).order_by("pk")
    resent = 0
    for pk, hit_id, kind in stale.values_list("pk", "hit_id", "kind"):
        with transaction.atomic():
            if _score_request_claim(pk=pk, cutoff=cutoff, now=now):
                _enqueue_compute(hit_id=hit_id, kind=kind)
                resent += 1
    return resent
