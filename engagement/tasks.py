"""Score tasks: thin, named, idempotent; retried on transient database errors."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from engagement import services
from teams.models import HIT, Membership

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
    """Release the results of the HIT's closed waves. Results are never recomputed from answers
    that arrive while a wave is open: see engagement.services.readiness_release."""
    if not HIT.objects.filter(pk=hit_id).exists():
        return 0
    return services.readiness_release_for_hit(hit_id=hit_id)


@shared_task(
    name="engagement.release_wave_results", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5
)
def release_wave_results(*, wave_id: int) -> int:
    """Store a wave's results once it has closed (queued when someone closes it early)."""
    return services.readiness_release(wave_ids=[wave_id])


@shared_task(
    name="engagement.release_closed_waves", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3
)
def release_closed_waves() -> int:
    """Store the results of every wave whose closing date has passed (beat, every quarter hour)."""
    return services.readiness_release()


@shared_task(name="engagement.recompute_all", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recompute_all() -> int:
    """Nightly full recompute of every HIT's coverage (set-based), and a catch-up release of waves
    that closed. Released readiness results are never recomputed."""
    # Memberships edited outside the portal's services (the admin site) reach the map here.
    since = timezone.now() - datetime.timedelta(days=2)
    for hit_id in (
        Membership.objects.filter(updated_at__gte=since).values_list("hit_id", flat=True).distinct()
    ):
        services.stakeholders_sync_memberships(hit_id=hit_id)
    scored = services.coverage_compute()
    services.readiness_release()
    return scored
