"""Score tasks: thin, named, idempotent; retried on transient database errors."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from engagement import services
from teams.models import HIT

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(name="engagement.compute_coverage", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def compute_coverage(*, hit_id: int) -> int:
    """Recompute one HIT's coverage (debounced by engagement.services.request_recompute)."""
    if not HIT.objects.filter(pk=hit_id).exists():
        return 0
    return services.coverage_compute(hit_ids=[hit_id])


@shared_task(
    name="engagement.compute_readiness_for_hit", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5
)
def compute_readiness_for_hit(*, hit_id: int) -> int:
    if not HIT.objects.filter(pk=hit_id).exists():
        return 0
    return services.readiness_compute_for_hit(hit_id=hit_id)


@shared_task(name="engagement.recompute_all", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recompute_all() -> dict[str, int]:
    """Nightly full recompute of every HIT's coverage and every wave's results (both set-based).
    A HIT or wave that fails is logged and skipped; the others carry on (engagement.services.
    scores_recompute_all). Returns how many HITs were scored ("done") and how many rows were
    skipped ("failed")."""
    # Memberships edited outside the portal's services (the admin site) reach the map here.
    since = timezone.now() - datetime.timedelta(days=2)
    return services.scores_recompute_all(memberships_since=since).as_dict()
