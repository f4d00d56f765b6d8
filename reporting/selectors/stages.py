"""Reads of a HIT's life-cycle stage assessments."""

from __future__ import annotations

from django.db.models import QuerySet

from reporting.models import (
    StageAssessment,
)
from teams.models import HIT

# --- Life-cycle stage --------------------------------------------------------------------------------


def stage_history(*, hit: HIT) -> QuerySet[StageAssessment]:
    return (
        StageAssessment.objects.filter(hit=hit).select_related("assessed_by").order_by("-created_at", "-pk")
    )


def latest_stage_assessment(*, hit: HIT) -> StageAssessment | None:
    return stage_history(hit=hit).first()
