"""Score tasks: thin, named, idempotent; retried on transient database errors."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from engagement import services
from teams.models import HIT, Membership

logger = logging.getLogger(__name__)

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
def recompute_all() -> int:
    """Nightly full recompute of every HIT's coverage and every wave's results (both set-based)."""
    # Memberships edited outside the portal's services (the admin site) reach the map here.
    since = timezone.now() - datetime.timedelta(days=2)
    for hit_id in (
        Membership.objects.filter(updated_at__gte=since).values_list("hit_id", flat=True).distinct()
    ):
        services.stakeholders_sync_memberships(hit_id=hit_id)
    scored = services.coverage_compute()
    services.readiness_compute_waves()
    return scored


@shared_task(name="engagement.resend_score_requests")
def resend_score_requests() -> int:
    """Every few minutes (beat): send again the score requests pending for longer than
    SCORE_REQUEST_RESEND_AFTER_SECONDS, whose tasks were lost (services.score_requests_resend)."""
    older_than = datetime.timedelta(seconds=settings.SCORE_REQUEST_RESEND_AFTER_SECONDS)
    resent = services.score_requests_resend(older_than=older_than)
    if resent:
        logger.warning(
            "Sent again %d score request(s) pending for more than %d s: their tasks were lost.",
            resent,
            settings.SCORE_REQUEST_RESEND_AFTER_SECONDS,
        )
    return resent
