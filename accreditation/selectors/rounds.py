"""Reads of funding rounds and the chair's board of a round."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accreditation.models import (
    Application,
    Round,
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
