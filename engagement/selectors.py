"""Reads of the engagement app: permission-aware, with their joins applied."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from core.permissions import Verdict
from engagement.models import CoverageSnapshot, Stakeholder
from teams.models import HIT

# One of engagement.permissions' can_view_* predicates: which part of a HIT's engagement a page shows.
Predicate = Callable[[object, HIT], Verdict]


def hit_for_engagement(*, user: object, pk: int, may_see: Predicate) -> HIT:
    """A HIT whose engagement records of one kind (`may_see`, e.g. permissions.can_view_coverage)
    the user may see, or 404: who may not see them does not learn that the HIT exists."""
    try:
        hit = HIT.objects.select_related("coverage").get(pk=pk)
    except HIT.DoesNotExist:
        raise Http404("No such HIT.") from None
    if not may_see(user, hit):
        raise Http404("No such HIT.")
    return hit


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
