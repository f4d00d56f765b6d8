"""Reads of a round's panels: who sits on them, the reviews each member still owes, their seat history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accreditation import permissions
from accreditation.enums import ConflictResolution
from accreditation.models import Panel, PanelMember, PanelSeatEvent, ReviewAssignment, Round
from accreditation.workflow import FINAL_APPLICATION_STATES
from teams.roles import AnyUser

HISTORY_SHOWN = 50


def panel_get_for_user(*, user: AnyUser, pk: int) -> Panel:
    """A panel the user may see (permissions.can_view_panel) with its round; 404 otherwise."""
    panel = Panel.objects.select_related("round").filter(pk=pk).first()
    if panel is None or not permissions.can_view_panel(user, panel):
        raise Http404("No such panel.")
    return panel


def seat_get_for_manager(*, user: AnyUser, pk: int) -> PanelMember:
    """A seat, with its panel, round and member, for the pages that change it; 404 for anyone who may not
    see its panel."""
    member = PanelMember.objects.select_related("panel__round", "user").filter(pk=pk).first()
    if member is None or not permissions.can_view_panel(user, member.panel):
        raise Http404("No such panel seat.")
    return member


def round_panels(*, round: Round) -> QuerySet[Panel]:
    """The round's panels with how many members each has (one query)."""
    return Panel.objects.filter(round=round).annotate(seats=Count("members")).order_by("name")


def open_reviews_filter() -> Q:
    """The assignments a member still owes: on an undecided application, not recused."""
    return ~Q(application__status__in=sorted(FINAL_APPLICATION_STATES)) & ~Q(
        resolution=ConflictResolution.RECUSED
    )


@dataclass(frozen=True)
class Seat:
    member: PanelMember
    open_reviews: int


def panel_seats(*, panel: Panel) -> list[Seat]:
    """The panel's seats, chair first, with the reviews each member owes in the round (two queries)."""
    members = list(
        PanelMember.objects.filter(panel=panel).select_related("user").order_by("role", "user__full_name")
    )
    owed = dict(
        ReviewAssignment.objects.filter(open_reviews_filter())
        .filter(application__round=panel.round_id, reviewer__in=[m.user_id for m in members])
        .order_by()
        .values_list("reviewer")
        .annotate(n=Count("pk"))
    )
    return [Seat(member=m, open_reviews=owed.get(m.user_id, 0)) for m in members]


def seat_open_assignments(*, member: PanelMember) -> QuerySet[ReviewAssignment]:
    """The reviews this member owes in the panel's round, with their application (one query)."""
    return (
        ReviewAssignment.objects.filter(open_reviews_filter())
        .filter(reviewer=member.user_id, application__round=member.panel.round_id)
        .select_related("application__hit", "review")
        .order_by("application__hit__name")
    )


def seat_history(*, panel: Panel) -> QuerySet[PanelSeatEvent]:
    """The panel's latest seat changes, newest first (one query)."""
    return (
        PanelSeatEvent.objects.filter(panel=panel)
        .select_related("user", "successor", "actor")
        .order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )
