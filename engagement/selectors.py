"""Reads of the engagement app: permission-aware, with their joins applied."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from engagement import permissions
from engagement.models import CoverageSnapshot, Stakeholder
from teams.models import HIT


def hit_for_engagement(*, user: object, pk: int) -> HIT:
    """A HIT whose engagement the user may see, or 404."""
    try:
        hit = HIT.objects.select_related("coverage").get(pk=pk)
    except HIT.DoesNotExist:
        raise Http404("No such HIT.") from None
    if not permissions.can_view_engagement(user, hit):
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
