"""Score tasks: thin, named, idempotent; retried on transient database errors."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from engagement.services.item_bank import item_bank_quality_compute
from engagement.services.network import network_close_due, network_compute
from engagement.services.releases import readiness_release, readiness_release_for_hit
from engagement.services.score_requests import score_requests_resend
from engagement.services.scores import coverage_compute, scores_recompute_all
from teams.models import HIT

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(name="engagement.compute_coverage", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def compute_coverage(*, hit_id: int) -> int:
    """Recompute one HIT's coverage (debounced by engagement.services.request_recompute)."""
    if not HIT.objects.filter(pk=hit_id).exists():
        return 0
    return coverage_compute(hit_ids=[hit_id])


@shared_task(
    name="engagement.compute_readiness_for_hit", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5
)
def compute_readiness_for_hit(*, hit_id: int) -> int:
    """Release the results of the HIT's closed waves. Results are never recomputed from answers
    that arrive while a wave is open: see engagement.services.readiness_release."""
    if not HIT.objects.filter(pk=hit_id).exists():
        return 0
    return readiness_release_for_hit(hit_id=hit_id)


@shared_task(
    name="engagement.release_wave_results", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5
)
def release_wave_results(*, wave_id: int) -> int:
    """Store a wave's results once it has closed (queued when someone closes it early)."""
    return readiness_release(wave_ids=[wave_id])


@shared_task(
    name="engagement.release_closed_waves", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3
)
def release_closed_waves() -> int:
    """Store the results of every wave whose closing date has passed (beat, every quarter hour)."""
    return readiness_release()


@shared_task(
    name="engagement.compute_item_bank_quality", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5
)
def compute_item_bank_quality(*, instrument_ids: list[int] | None = None) -> int:
    """Store the item bank's reliability per version and dimension (None: every version): queued after
    each release of a wave's results, and nightly (beat), when waves leave the 24-month window."""
    return item_bank_quality_compute(instrument_ids=instrument_ids)


@shared_task(name="engagement.recompute_all", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recompute_all() -> dict[str, int]:
    """Nightly full recompute of every HIT's coverage (set-based), and a catch-up release of waves
    that closed; released readiness results are never recomputed. A HIT or wave that fails is
    logged and skipped; the others carry on (engagement.services.scores_recompute_all). Returns how
    many HITs were scored ("done") and how many rows were skipped ("failed")."""
    # Memberships edited outside the portal's services (the admin site) reach the map here.
    since = timezone.now() - datetime.timedelta(days=2)
    return scores_recompute_all(memberships_since=since).as_dict()


@shared_task(name="engagement.resend_score_requests")
def resend_score_requests() -> int:
    """Every few minutes (beat): send again the score requests pending for longer than
    SCORE_REQUEST_RESEND_AFTER_SECONDS, whose tasks were lost (services.score_requests_resend)."""
    older_than = datetime.timedelta(seconds=settings.SCORE_REQUEST_RESEND_AFTER_SECONDS)
    resent = score_requests_resend(older_than=older_than)
    if resent:
        logger.warning(
            "Sent again %d score request(s) pending for more than %d s: their tasks were lost.",
            resent,
            settings.SCORE_REQUEST_RESEND_AFTER_SECONDS,
        )
    return resent


@shared_task(name="engagement.compute_networks", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def compute_networks(
    *, round_ids: list[int] | None = None, hit_ids: list[int] | None = None
) -> dict[str, int]:
    """Store the partnership network metrics of closed rounds (queued when a round closes) or of
    HITs (engagement.services.network.network_compute)."""
    return network_compute(round_ids=round_ids, hit_ids=hit_ids).as_dict()


@shared_task(
    name="engagement.close_due_network_rounds", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3
)
def close_due_network_rounds() -> int:
    """Close the network rounds whose closing date has passed and store their metrics (beat, hourly)."""
    closed = network_close_due()
    if closed:
        network_compute(round_ids=closed)
    return len(closed)


@shared_task(name="engagement.recompute_networks", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recompute_networks() -> dict[str, int]:
    """Nightly: every closed round's metrics and every HIT's co-membership network; results whose
    inputs have not changed are left as they are."""
    network_close_due()
    return network_compute().as_dict()
