"""Reviewer calibration stored by the worker (docs/domain.md section 7.5): the round board only reads it.

round_calibration_recompute computes one round's calibration from its submitted review totals
(accreditation.domain.review_stats) and stores it with the totals' fingerprint; calibration_recompute_request
asks the worker for it once the current transaction commits (the receivers call it when a review, an
assignment or an application's version changes); all_calibrations_recompute is the nightly run over the rounds
whose applications are still being decided.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone

from accreditation.domain import review_stats
from accreditation.models import Application, ReviewAssignment, Round, RoundCalibration
from accreditation.selectors.rounds import review_totals
from accreditation.workflow import FINAL_APPLICATION_STATES
from core.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)


def _fingerprint(totals: list[tuple[int, int, float]]) -> str:
    return hashlib.sha256(json.dumps(sorted(totals)).encode()).hexdigest()


def round_calibration_recompute(*, round_id: int) -> RoundCalibration | None:
    """Compute and store one round's calibration (None when the round is gone). Unchanged totals leave the
    stored row as it is (its computed_at says when the totals were last seen changing)."""
    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None:
        return None
    totals = review_totals(round=round_)
    fingerprint = _fingerprint(totals)
    with transaction.atomic():
        stored = RoundCalibration.objects.select_for_update().filter(round=round_).first()
        if stored is not None and stored.inputs_fingerprint == fingerprint:
            return stored
        results = [
            {
                "application": c.application,
                "raw": c.raw,
                "calibrated": c.calibrated,
                "reviews": c.reviews,
                "calibrated_reviews": c.calibrated_reviews,
            }
            for c in review_stats.calibrate(totals).values()
        ]
        stored, _ = RoundCalibration.objects.update_or_create(
            round=round_,
            defaults={"results": results, "inputs_fingerprint": fingerprint, "computed_at": timezone.now()},
        )
    return stored


def all_calibrations_recompute() -> dict[str, int]:
    """Every round with an application still before its decision, and every round never computed:
    "done" rounds recomputed (unchanged ones write nothing), "failed" rounds logged and skipped."""
    undecided = set(
        Application.objects.exclude(status__in=FINAL_APPLICATION_STATES)
        .values_list("round_id", flat=True)
        .distinct()
    )
    never = set(Round.objects.filter(calibration__isnull=True).values_list("pk", flat=True))
    done = failed = 0
    for round_id in sorted(undecided | never):
        try:
            round_calibration_recompute(round_id=round_id)
        except Exception:
            logger.exception("Reviewer calibration of round %s failed; the others carry on", round_id)
            failed += 1
        else:
            done += 1
    return {"done": done, "failed": failed}


def calibration_recompute_request(
    *, round_id: int | None = None, application_id: int | None = None, assignment_id: int | None = None
) -> None:
    """Ask the worker to recompute the calibration of the round of a round, an application or a review
    assignment, once the current transaction commits (never after a rollback; a refusal by the broker is
    logged and the nightly run catches up). The round is looked up by the worker, not here."""
    from accreditation import tasks  # accreditation.tasks imports this module

    if round_id is None and application_id is None and assignment_id is None:
        return
    enqueue_after_commit(
        tasks.recompute_round_calibration,
        {"round_id": round_id, "application_id": application_id, "assignment_id": assignment_id},
    )


def round_of(
    *, round_id: int | None = None, application_id: int | None = None, assignment_id: int | None = None
) -> int | None:
    """The round id behind whichever id was given (None when it is gone)."""
    if round_id is not None:
        return round_id
    if application_id is not None:
        return Application.objects.filter(pk=application_id).values_list("round_id", flat=True).first()
    if assignment_id is not None:
        return (
            ReviewAssignment.objects.filter(pk=assignment_id)
            .values_list("application__round_id", flat=True)
            .first()
        )
    return None
