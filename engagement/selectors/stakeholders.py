"""Reads of the stakeholder map and its coverage history."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from engagement.models import CoverageSnapshot, Stakeholder
from teams.models import HIT


def stakeholder_map(*, hit: HIT, include_ended: bool = False) -> QuerySet[Stakeholder]:
    today = timezone.localdate()
    qs = Stakeholder.objects.filter(hit=hit).select_related(
        "person", "organisation", "organisation__org_type", "category"
    )
    if not include_ended:
        qs = qs.exclude(end_date__lt=today)
    return qs.order_by("category__position", "-depth", "pk")


def coverage_history(*, hit: HIT) -> QuerySet[CoverageSnapshot]:
    return CoverageSnapshot.objects.filter(hit=hit).order_by("taken_on", "pk")
