"""Reads for a HIT's life after accreditation: the public register, related HITs, documents,
meetings, the executive sponsor log and its liveness, and what the HIT page shows of them.

Also the permission predicates of these pages (each returns a Verdict with the reason), kept here
beside the reads that use them; viewing a HIT's records is `teams.permissions.can_view_hit`.

Sponsor liveness is derived from dates on every read and never stored: days since the latest
logged interaction, green up to 90 days, amber from 91 to 180, red beyond; "none" when no
interaction was logged since the HIT was accredited (or moved to set-up).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict, cast

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from teams import permissions
from teams.enums import HITStatus, MembershipRole
from teams.models import (
    HIT,
    ClosureRecord,
    Document,
    HITLink,
    HITStatusChange,
    Meeting,
    Membership,
    Organisation,
    Person,
    SponsorInteraction,
)
from teams.permissions import (
    DIRECTOR_ROLES,
    can_delete_link,
    can_log_sponsor_interaction,
    can_manage_links,
    can_record_meeting,
    can_upload_document,
)
from teams.roles import AnyUser
from teams.selectors.hits import current_memberships

AMBER_AFTER_DAYS = 90  # more than 90 days without an interaction: amber
RED_AFTER_DAYS = 180  # more than 180 days: red
REGISTER_STATUSES = (HITStatus.SET_UP, HITStatus.ACTIVE)
HIT_PAGE_DOCUMENTS = 10
HIT_PAGE_MEETINGS = 5


# --- The public register -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """One accredited HIT as the public sees it: no people, only the team's public description."""

    name: str
    focus: str
    aims: str
    status_label: str
    accredited_from: datetime.date
    accredited_until: datetime.date
    is_illustrative: bool


class RegisterRow(TypedDict):
    """One row of `register_rows`: a HIT's public fields, with its current accreditation's dates."""

    name: str
    focus: str
    aims: str
    status: str
    accredited_from: datetime.date
    accredited_until: datetime.date
    is_illustrative: bool


REGISTER_FIELDS = tuple(RegisterRow.__annotations__)


def register_rows(*, today: datetime.date | None = None, search: str = "") -> QuerySet[HIT, RegisterRow]:
    """Accredited HITs (set-up or active, with an accreditation current today) as plain values.

    One query. Values, not model instances, so a template can never reach a HIT's members.
    """
    today = today or timezone.localdate()
    current = HIT.objects.filter(
        pk=OuterRef("pk"), accreditations__valid_from__lte=today, accreditations__valid_until__gte=today
    ).order_by("-accreditations__valid_until")
    queryset = HIT.objects.filter(status__in=REGISTER_STATUSES).filter(Exists(current))
    search = search.strip()
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(focus__icontains=search))
    rows = (
        queryset.annotate(
            accredited_from=Subquery(current.values("accreditations__valid_from")[:1]),
            accredited_until=Subquery(current.values("accreditations__valid_until")[:1]),
        )
        .order_by("name")
        .values(*REGISTER_FIELDS)
    )
    # The values are RegisterRow's fields, read from the HIT's fields and the two date annotations;
    # django-stubs types the rows of an annotated queryset's values() as dict[str, Any].
    return cast("QuerySet[HIT, RegisterRow]", rows)


def register_entries(rows: Iterable[RegisterRow]) -> list[RegisterEntry]:
    labels = dict(HITStatus.choices)
    return [
        RegisterEntry(
            name=row["name"],
            focus=row["focus"],
            aims=row["aims"],
            status_label=labels[row["status"]],
            accredited_from=row["accredited_from"],
            accredited_until=row["accredited_until"],
            is_illustrative=row["is_illustrative"],
        )
        for row in rows
    ]


# --- Related HITs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedHIT:
    link: HITLink
    other: HIT
    can_open: bool
    can_delete: bool


def hit_links(*, hit: HIT, user: AnyUser) -> list[RelatedHIT]:
    """The HIT's links in either direction, with the other HIT (one query; permissions from cached roles)."""
    links = (
        HITLink.objects.filter(Q(from_hit=hit) | Q(to_hit=hit))
        .select_related("from_hit", "to_hit")
        .order_by("kind", "pk")
    )
    related = []
    for link in links:
        other = link.to_hit if link.from_hit_id == hit.pk else link.from_hit
        related.append(
            RelatedHIT(
                link=link,
                other=other,
                can_open=bool(permissions.can_view_hit(user, other)),
                can_delete=bool(can_delete_link(user, link)),
            )
        )
    related.sort(key=lambda r: (r.link.kind, r.other.name))
    return related


def link_get_for_user(*, user: AnyUser, pk: int) -> HITLink:
    """A link the user may see (they see one of its HITs), or 404."""
    link = HITLink.objects.select_related("from_hit", "to_hit").filter(pk=pk).first()
    if link is None or not (
        permissions.can_view_hit(user, link.from_hit) or permissions.can_view_hit(user, link.to_hit)
    ):
        raise Http404("No such link.")
    return link


def link_candidates(*, hit: HIT) -> QuerySet[HIT]:
    """HITs this one may be linked to: any other HIT (names of HITs are public, see the register)."""
    return HIT.objects.exclude(pk=hit.pk).order_by("name")


# --- Documents -----------------------------------------------------------------------------------------


def document_list(*, hit: HIT) -> QuerySet[Document]:
    """Every version of the HIT's documents, grouped by title, newest version first."""
    return (
        Document.objects.filter(hit=hit)
        .select_related("document_type", "uploaded_by")
        .order_by("title", "-version")
    )


def latest_documents(*, hit: HIT) -> QuerySet[Document]:
    """The newest version of each of the HIT's documents, most recently uploaded first."""
    newer = Document.objects.filter(
        hit=OuterRef("hit"), title=OuterRef("title"), version__gt=OuterRef("version")
    )
    return (
        Document.objects.filter(hit=hit)
        .exclude(Exists(newer))
        .select_related("document_type")
        .order_by("-uploaded_at", "-pk")
    )


def document_titles(*, hit: HIT) -> list[str]:
    """The titles already used, offered when uploading so a new version keeps its title."""
    return list(Document.objects.filter(hit=hit).order_by("title").values_list("title", flat=True).distinct())


def document_get_for_user(*, user: AnyUser, pk: int) -> Document:
    """A document of a HIT whose documents the user may see (teams.permissions.can_view_documents),
    or 404."""
    document = Document.objects.select_related("hit").filter(pk=pk).first()
    if document is None or not permissions.can_view_documents(user, document.hit):
        raise Http404("No such document.")
    return document


# --- Meetings ------------------------------------------------------------------------------------------


def meeting_list(*, hit: HIT) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(hit=hit)
        .select_related("working_group", "recorded_by")
        .order_by("-held_on", "-pk")
    )


# --- The executive sponsor log -------------------------------------------------------------------------


def sponsor_log(*, hit: HIT) -> QuerySet[SponsorInteraction]:
    return (
        SponsorInteraction.objects.filter(hit=hit)
        .select_related("sponsor", "recorded_by")
        .order_by("-happened_on", "-pk")
    )


def hit_sponsors(*, hit: HIT) -> QuerySet[Person]:
    """People who are or were the HIT's executive sponsor (anyone an interaction may name)."""
    return (
        Person.objects.filter(memberships__hit=hit, memberships__role=MembershipRole.EXECUTIVE_SPONSOR)
        .distinct()
        .order_by("full_name")
    )


@dataclass(frozen=True)
class SponsorLiveness:
    """How recently the HIT was in touch with its executive sponsor, derived from dates."""

    state: str  # "green", "amber", "red" or "none"
    last_on: datetime.date | None  # the latest interaction counted
    days_since: int | None  # days from last_on to today
    counted_from: datetime.date | None  # accreditation or set-up; earlier interactions do not count

    @property
    def label(self) -> str:
        return {
            "green": "In touch",
            "amber": f"No contact for more than {AMBER_AFTER_DAYS} days",
            "red": f"No contact for more than {RED_AFTER_DAYS} days",
            "none": "No contact logged since accreditation" if self.counted_from else "No contact logged",
        }[self.state]

    @property
    def needs_attention(self) -> bool:
        return self.state != "green"


def liveness_state(days_since: int | None) -> str:
    """green up to 90 days, amber 91 to 180, red after 180, none without an interaction."""
    if days_since is None:
        return "none"
    if days_since <= AMBER_AFTER_DAYS:
        return "green"
    if days_since <= RED_AFTER_DAYS:
        return "amber"
    return "red"


def sponsor_liveness_for_hits(
    *, hit_ids: Iterable[int], today: datetime.date | None = None
) -> dict[int, SponsorLiveness]:
    """Sponsor liveness of many HITs in one query, whatever their number.

    A HIT's count starts at its first accreditation or its first move to set-up, whichever came
    first; interactions before that (during the application) do not count. A HIT never accredited
    counts every interaction.
    """
    today = today or timezone.localdate()
    accredited = (
        HIT.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .values("pk")
        .annotate(first=Min("accreditations__valid_from"))
        .values("first")
    )
    set_up = (
        HITStatusChange.objects.filter(hit=OuterRef("pk"), to_status=HITStatus.SET_UP)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    latest = (
        SponsorInteraction.objects.filter(hit=OuterRef("pk"))
        .order_by("-happened_on")
        .values("happened_on")[:1]
    )
    rows = (
        HIT.objects.filter(pk__in=hit_ids)
        .order_by()
        .annotate(accredited_from=Subquery(accredited), set_up_at=Subquery(set_up), last_on=Subquery(latest))
        .values_list("pk", "accredited_from", "set_up_at", "last_on")
    )
    result: dict[int, SponsorLiveness] = {}
    for pk, accredited_from, set_up_at, last_on in rows:
        starts = [d for d in (accredited_from, set_up_at and timezone.localdate(set_up_at)) if d]
        counted_from = min(starts) if starts else None
        if last_on is not None and counted_from is not None and last_on < counted_from:
            last_on = None
        days = (today - last_on).days if last_on is not None else None
        result[pk] = SponsorLiveness(
            state=liveness_state(days), last_on=last_on, days_since=days, counted_from=counted_from
        )
    return result


def sponsor_liveness(*, hit: HIT, today: datetime.date | None = None) -> SponsorLiveness:
    return sponsor_liveness_for_hits(hit_ids=[hit.pk], today=today)[hit.pk]


# --- The HIT page --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HITStructure:
    directors: list[Membership]
    sponsors: list[Membership]
    management_group: list[Membership]
    theme_leads: list[Membership]
    partner_organisations: list[Organisation]


def hit_structure(*, hit: HIT) -> HITStructure:
    """The HIT's leadership from its current memberships, and the distinct organisations they
    represent (two queries)."""
    leaders = list(
        current_memberships()
        .filter(
            hit=hit,
            role__in=[
                *DIRECTOR_ROLES,
                MembershipRole.EXECUTIVE_SPONSOR,
                MembershipRole.MANAGEMENT_GROUP,
                MembershipRole.THEME_LEAD,
            ],
        )
        .select_related("person", "organisation", "theme")
        .order_by("role", "person__full_name")
    )
    member_orgs = current_memberships().filter(hit=hit, organisation=OuterRef("pk"))
    organisations = list(
        Organisation.objects.filter(Exists(member_orgs)).select_related("org_type").order_by("name")
    )

    def having(*roles: str) -> list[Membership]:
        return [m for m in leaders if m.role in roles]

    return HITStructure(
        directors=having(*DIRECTOR_ROLES),
        sponsors=having(MembershipRole.EXECUTIVE_SPONSOR),
        management_group=having(MembershipRole.MANAGEMENT_GROUP),
        theme_leads=having(MembershipRole.THEME_LEAD),
        partner_organisations=organisations,
    )


def lifecycle_actions(*, hit: HIT, user: AnyUser) -> dict[str, bool]:
    """What the user may do from the HIT page (the template never decides permissions)."""
    can_change = bool(permissions.can_change_hit_status(user, hit))
    return {
        "link": bool(can_manage_links(user, hit)),
        "upload": bool(can_upload_document(user, hit)),
        "record_meeting": bool(can_record_meeting(user, hit)),
        "log_sponsor": bool(can_log_sponsor_interaction(user, hit)),
        "suspend": can_change and hit.status == HITStatus.ACTIVE,
        "reinstate": can_change and hit.status == HITStatus.SUSPENDED,
        "close": can_change
        and hit.status in (HITStatus.SET_UP, HITStatus.ACTIVE, HITStatus.SUSPENDED, HITStatus.CLOSING),
    }


def closure_record(*, hit: HIT) -> ClosureRecord | None:
    return ClosureRecord.objects.select_related("closure_report", "recorded_by").filter(hit=hit).first()


def record_access(*, hit: HIT, user: AnyUser) -> dict[str, bool]:
    """Which of the HIT's records the user may see, so the HIT page neither lists nor links the
    others (the template never decides permissions)."""
    return {
        "documents": bool(permissions.can_view_documents(user, hit)),
        "meetings": bool(permissions.can_view_meetings(user, hit)),
        "sponsor_log": bool(permissions.can_view_sponsor_log(user, hit)),
        "sponsor_contact": bool(permissions.can_view_sponsor_contact(user, hit)),
    }


def hit_page_context(*, hit: HIT, user: AnyUser) -> dict[str, object]:
    """What the HIT page shows of the HIT's life after accreditation (a fixed number of queries for
    each user; records the user may not see are not read)."""
    may_see = record_access(hit=hit, user=user)
    return {
        "structure": hit_structure(hit=hit),
        "related_hits": hit_links(hit=hit, user=user),
        "may_see": may_see,
        "latest_documents": list(latest_documents(hit=hit)[:HIT_PAGE_DOCUMENTS])
        if may_see["documents"]
        else [],
        "recent_meetings": list(meeting_list(hit=hit)[:HIT_PAGE_MEETINGS]) if may_see["meetings"] else [],
        "sponsor_liveness": sponsor_liveness(hit=hit) if may_see["sponsor_contact"] else None,
        "closure": closure_record(hit=hit),
        "lifecycle_actions": lifecycle_actions(hit=hit, user=user),
        "amber_after_days": AMBER_AFTER_DAYS,
        "red_after_days": RED_AFTER_DAYS,
    }
