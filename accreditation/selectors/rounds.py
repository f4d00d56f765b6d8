"""Reads of funding rounds and the chair's board of a round."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from accreditation.enums import ReviewStatus
from accreditation.models import (
    Application,
    Review,
    ReviewAssignment,
    ReviewScore,
    Round,
    RoundCalibration,
)
from teams.models import HIT

#: What a round's board shows (its rendering is cached per version of these tables: core.versions).
ROUND_BOARD_SOURCES: tuple[type[models.Model], ...] = (
    Round,
    Application,
    HIT,
    ReviewAssignment,
    Review,
    RoundCalibration,  # the stored calibrated order (accreditation.services.calibration)
)


def open_rounds(*, day: datetime.date | None = None) -> QuerySet[Round]:
    day = day or timezone.localdate()
    return Round.objects.filter(opens_on__lte=day, application_deadline__gte=day).order_by("eoi_deadline")


def round_board(*, round: Round) -> QuerySet[Application]:
    """A round's applications with their review progress (one query plus one prefetch)."""
    return (
        Application.objects.filter(round=round)
        .select_related("hit")
        .annotate(
            assigned=Count("assignments", distinct=True),
            # Only reviews of the current revision: after "revise" the old ones no longer count.
            submitted_reviews=Count(
                "assignments__review",
                filter=Q(
                    assignments__review__status="submitted",
                    assignments__review__revision_number=F("version"),
                ),
                distinct=True,
            ),
        )
        .order_by("hit__name")
    )


def review_totals(*, round: Round) -> list[tuple[int, int, float]]:
    """(reviewer id, application id, total) of every submitted panel review of an application's
    current version in the round, the total being the sum of its criterion scores (one query;
    bounded by the round's reviews, a few hundred at most). Lay reviews score no criteria."""
    rows = (
        ReviewScore.objects.filter(
            review__assignment__application__round=round,
            review__assignment__is_lay=False,
            review__status=ReviewStatus.SUBMITTED,
            review__revision_number=F("review__assignment__application__version"),
            score__isnull=False,
        )
        .order_by()
        .values("review__assignment__reviewer_id", "review__assignment__application_id")
        .annotate(total=Sum("score"))
        .values_list("review__assignment__reviewer_id", "review__assignment__application_id", "total")
    )
    return [(reviewer, application, float(total)) for reviewer, application, total in rows]
