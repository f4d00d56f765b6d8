"""Reads of HITs and their memberships, permission-aware: who may see which HIT and who is in it."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.permissions import Verdict
from teams import permissions
from teams.enums import MembershipRole
from teams.models import HIT, HITProfileChange, Membership, MembershipChange, Organisation, WorkingGroup
from teams.roles import AnyUser, roles_of


def current_memberships(day: datetime.date | None = None) -> QuerySet[Membership]:
    day = day or timezone.localdate()
    return Membership.objects.filter(start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


#: What the HIT list shows (its rendering is cached per version of these tables: core.versions).
HIT_LIST_SOURCES: tuple[type[models.Model], ...] = (HIT, Organisation)


def hit_page_sources() -> tuple[type[models.Model], ...]:
    """What the HIT page shows from teams (teams.views.hits.hit_detail; its rendering is cached per viewer
    and version of these tables, with those the parts of the apps above teams declare): the HIT, its
    people, groups, links, documents, meetings, sponsor log, closure, status history (with who moved
    it), pending proposals, and its accreditations and applications with their rounds, reached by
    relation (accreditation is above teams: never imported)."""
    from teams.models import (
        ClosureRecord,
        Document,
        DocumentType,
        HITLink,
        HITStatusChange,
        Meeting,
        OrganisationType,
        Person,
        ProposedMembership,
        SponsorInteraction,
        Theme,
        User,
    )

    accreditations = HIT._meta.get_field("accreditations").related_model
    applications = HIT._meta.get_field("applications").related_model
    assert isinstance(accreditations, type) and isinstance(applications, type)
    rounds = applications._meta.get_field("round").related_model
    assert isinstance(rounds, type)
    return (
        HIT,
        Organisation,
        OrganisationType,
        Person,
        User,
        Membership,
        WorkingGroup,
        Theme,
        HITStatusChange,
        HITLink,
        Document,
        DocumentType,
        Meeting,
        SponsorInteraction,
        ClosureRecord,
        ProposedMembership,
        accreditations,
        applications,
        rounds,
    )


def hit_list_for_user(*, user: AnyUser) -> QuerySet[HIT]:
    """The HITs a user may see: all for portfolio roles, their own for members, none otherwise."""
    qs = HIT.objects.select_related("host_organisation")
    if permissions.can_view_portfolio(user):
        return qs
    return qs.filter(pk__in=roles_of(user).hit_ids)


def hit_get_for_user(
    *, user: AnyUser, pk: int, may_see: Callable[[AnyUser, HIT], Verdict] = permissions.can_view_hit
) -> HIT:
    """One HIT the user may see, or 404 (outsiders never learn that it exists). `may_see` narrows
    it to the HIT's records of one kind (e.g. permissions.can_view_documents): who may see the
    HIT's page but not those records gets the same 404."""
    try:
        hit = HIT.objects.select_related("host_organisation", "merged_into").get(pk=pk)
    except HIT.DoesNotExist:
        raise Http404("No such HIT.") from None
    if not permissions.can_view_hit(user, hit) or not may_see(user, hit):
        raise Http404("No such HIT.")
    return hit


def hit_people(*, hit: HIT) -> QuerySet[Membership]:
    return (
        current_memberships()
        .filter(hit=hit)
        .select_related("person", "organisation", "working_group", "theme")
        .order_by("role", "person__full_name")
    )


def membership_changes(*, hit: HIT) -> QuerySet[MembershipChange]:
    """The HIT's membership changes, newest first, with the person and who made the change (one
    query a page)."""
    return (
        MembershipChange.objects.filter(membership__hit=hit)
        .select_related("membership__person", "actor")
        .order_by("-created_at", "-pk")
    )


def working_groups_missing_leads(*, hit_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per HIT, the working groups that lack a current academic or service lead (one query)."""
    today = timezone.localdate()
    current_lead = Q(
        memberships__role=MembershipRole.WORKING_GROUP_LEAD,
        memberships__start_date__lte=today,
    ) & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today))
    groups = (
        WorkingGroup.objects.filter(hit_id__in=hit_ids)
        .annotate(
            academic=Count("memberships", filter=current_lead & Q(memberships__lead_side="academic")),
            service=Count("memberships", filter=current_lead & Q(memberships__lead_side="service")),
        )
        .filter(Q(academic=0) | Q(service=0))
        .order_by("hit_id", "name")
    )
    missing: dict[int, list[str]] = {}
    for group in groups:
        missing.setdefault(group.hit_id, []).append(group.name)
    return missing


def hit_profile_changes(*, hit: HIT) -> QuerySet[HITProfileChange]:
    """The changes of a HIT's profile, newest first, with who made each (the caller checked access)."""
    return hit.profile_changes.select_related("actor").order_by("-created_at", "-pk")
