"""Reads of the stakeholder map and its coverage history."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, QuerySet
from django.utils import timezone

from engagement.models import CoverageSnapshot, Stakeholder
from teams.models import HIT, Organisation, OrganisationType, Person, StakeholderCategory

#: What the map's rows show (tracked by core.versions in EngagementConfig.ready).
STAKEHOLDER_MAP_SOURCES: tuple[type[models.Model], ...] = (
    Stakeholder,
    Person,
    Organisation,
    OrganisationType,
    StakeholderCategory,
)


def stakeholder_map(*, hit: HIT, include_ended: bool = False) -> QuerySet[Stakeholder]:
    today = timezone.localdate()
    qs = Stakeholder.objects.filter(hit=hit).select_related(
        "person", "organisation", "organisation__org_type", "category"
    )
    if not include_ended:
        qs = qs.exclude(end_date__lt=today)
    return qs.order_by("category__position", "-depth", "pk")


def stakeholder_counts(rows: QuerySet[Stakeholder]) -> dict[int, int]:
    """How many of `rows` (the map, filtered) each category holds, by category id: one query, whose sum
    is the map's total."""
    return dict(
        rows.order_by().values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n")
    )


def coverage_history(*, hit: HIT) -> QuerySet[CoverageSnapshot]:
    return CoverageSnapshot.objects.filter(hit=hit).order_by("taken_on", "pk")
