"""Reads of patient and public involvement (PPI): a HIT's log and its totals, standards
self-assessments, the public review group's assessments, support requests and the PPI
facilitators' caseload. Each returns its joins applied, so a page costs a fixed number of queries.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from engagement import permissions
from engagement.enums import SupportStatus
from engagement.models import (
    CoverageScore,
    InvolvementActivity,
    PublicReview,
    StandardsAssessment,
    SupportGiven,
    SupportRequest,
)
from engagement.services.scores import PPI_LOG_WINDOW_DAYS
from teams.enums import HITStatus, MembershipRole
from teams.models import HIT, Membership, Person, User
from teams.roles import AnyUser

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A HIT with no logged involvement for this many days (or none ever) is flagged on the caseload.
FLAG_AFTER_DAYS = 90
# The PPI page lists this many standards self-assessments, newest first.
STANDARDS_HISTORY_LENGTH = 10


def _recent(today: datetime.date) -> Q:
    """Involvement in the last twelve months: the same window the PPI depth counts (F4)."""
    return Q(happened_on__gt=today - datetime.timedelta(days=PPI_LOG_WINDOW_DAYS))


def flag_cutoff(today: datetime.date | None = None) -> datetime.date:
    """A last activity on or before this day flags the HIT (90 days ago flags, 89 does not)."""
    return (today or timezone.localdate()) - datetime.timedelta(days=FLAG_AFTER_DAYS)


# --- One HIT's PPI page ------------------------------------------------------------------------------


def ppi_log(*, hit: HIT) -> QuerySet[InvolvementActivity]:
    """The HIT's involvement log, newest first."""
    return (
        InvolvementActivity.objects.filter(hit=hit)
        .select_related("recorded_by")
        .order_by("-happened_on", "-pk")
    )


class PPITotals(TypedDict):
    """A HIT's PPI log added up: all time, and in the last twelve months (`_12m`)."""

    activities: int
    people: int
    total_hours: Decimal
    activities_12m: int
    people_12m: int
    hours_12m: Decimal
    last_on: datetime.date | None  # the latest activity's day; None for an empty log


def ppi_totals(*, hit: HIT, today: datetime.date | None = None) -> PPITotals:
    """People involved, hours and activities, all time and in the last twelve months, in one query.

    "People" adds up each activity's patients, carers and public, so someone at two meetings
    counts twice: the log keeps counts, not identities.
    """
    today = today or timezone.localdate()
    recent = _recent(today)
    people = F("patients") + F("carers") + F("public")
    zero_hours = Value(Decimal("0.0"), output_field=DecimalField(max_digits=9, decimal_places=1))
    # aggregate() returns a plain dict of exactly these keys; Coalesce keeps every sum a number.
    totals = InvolvementActivity.objects.filter(hit=hit).aggregate(
        activities=Count("pk"),
        people=Coalesce(Sum(people), 0, output_field=IntegerField()),
        total_hours=Coalesce(Sum("hours"), zero_hours),
        activities_12m=Count("pk", filter=recent),
        people_12m=Coalesce(Sum(people, filter=recent), 0, output_field=IntegerField()),
        hours_12m=Coalesce(Sum("hours", filter=recent), zero_hours),
        last_on=Max("happened_on"),
    )
    return cast(PPITotals, totals)


def standards_history(*, hit: HIT) -> QuerySet[StandardsAssessment]:
    """The HIT's self-assessments against the UK Standards for Public Involvement, newest first,
    each with its six ratings (in the standards' order) prefetched."""
    return (
        StandardsAssessment.objects.filter(hit=hit)
        .select_related("assessed_by")
        .prefetch_related("ratings")
        .order_by("-assessed_on", "-pk")
    )


def latest_standards(hit: HIT) -> StandardsAssessment | None:
    """The HIT's latest standards self-assessment with its ratings, or None (progress reports use it)."""
    return standards_history(hit=hit).first()


def public_reviews(*, hit: HIT) -> QuerySet[PublicReview]:
    """The public review group's assessments of the HIT's PPI arrangements, newest first."""
    return PublicReview.objects.filter(hit=hit).select_related("reviewer").order_by("-reviewed_on", "-pk")


def support_requests_for_hit(*, hit: HIT) -> QuerySet[SupportRequest]:
    """The HIT's requests for PPI support: open ones first, then newest first."""
    return (
        SupportRequest.objects.filter(hit=hit)
        .select_related("requested_by")
        .annotate(
            is_closed=Case(
                When(status=SupportStatus.CLOSED, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("is_closed", "-created_at", "-pk")
    )


# --- Support requests --------------------------------------------------------------------------------


def support_request_for_user(*, user: AnyUser, pk: int) -> SupportRequest:
    """A support request the user may see (facilitators, programme managers, its HIT's members), or 404."""
    try:
        support_request = SupportRequest.objects.select_related("hit", "requested_by").get(pk=pk)
    except SupportRequest.DoesNotExist:
        raise Http404("No such support request.") from None
    if not permissions.can_view_support_request(user, support_request.hit):
        raise Http404("No such support request.")
    return support_request


def support_given(*, support_request: SupportRequest) -> QuerySet[SupportGiven]:
    return support_request.support.select_related("given_by").order_by("-given_on", "-pk")


def open_support_requests() -> QuerySet[SupportRequest]:
    """Every request not yet closed, across the programme, oldest first: the facilitators' queue."""
    return (
        SupportRequest.objects.exclude(status=SupportStatus.CLOSED)
        .select_related("hit", "requested_by")
        .order_by("created_at", "pk")
    )


# --- The PPI facilitators' caseload ------------------------------------------------------------------


#: What the caseload shows (its rendering is cached per version of these tables: core.versions).
CASELOAD_SOURCES: tuple[type[models.Model], ...] = (
    HIT,
    InvolvementActivity,
    SupportRequest,
    PublicReview,
    Membership,
    Person,
    User,
    CoverageScore,
)


class CaseloadFigures(TypedDict):
    """The figures caseload() annotates each HIT with."""

    last_activity_on: datetime.date | None
    activities_12m: int
    open_support: int
    review_depth: int | None
    review_adequate: bool | None
    review_on: datetime.date | None
    ppi_lead_name: str | None
    ppi_lead_email: str | None
    flagged: bool


def caseload(*, today: datetime.date | None = None) -> QuerySet[WithAnnotations[HIT, CaseloadFigures]]:
    """Every HIT not closed, with its PPI figures, flagged ones first.

    Each figure is a correlated subquery rather than a join, so the counts do not multiply one
    another and the page costs the same number of queries for 1 HIT or 1,000. Annotations:
    last_activity_on, activities_12m, open_support, the latest public review (review_depth,
    review_adequate, review_on), the current PPI lead (ppi_lead_name, ppi_lead_email) and `flagged`
    (no activity for 90 days, or never). The stored
    CoverageScore (PPI depth) comes with `select_related("coverage")`.
    """
    today = today or timezone.localdate()
    log = InvolvementActivity.objects.filter(hit=OuterRef("pk")).order_by().values("hit")
    last_activity = log.annotate(last=Max("happened_on")).values("last")
    recent_count = log.filter(_recent(today)).annotate(n=Count("pk")).values("n")
    open_count = (
        SupportRequest.objects.filter(hit=OuterRef("pk"))
        .exclude(status=SupportStatus.CLOSED)
        .order_by()
        .values("hit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest_review = PublicReview.objects.filter(hit=OuterRef("pk")).order_by("-reviewed_on", "-pk")
    # The PPI lead is who the facilitators contact (docs/domain.md section 4: their name and email address).
    lead = (
        Membership.objects.filter(hit=OuterRef("pk"), role=MembershipRole.PPI_LEAD, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("start_date", "pk")
    )
    cutoff = flag_cutoff(today)
    return (
        HIT.objects.exclude(status=HITStatus.CLOSED)
        .select_related("coverage")
        .annotate(
            last_activity_on=Subquery(last_activity),
            activities_12m=Coalesce(Subquery(recent_count, output_field=IntegerField()), 0),
            open_support=Coalesce(Subquery(open_count, output_field=IntegerField()), 0),
            review_depth=Subquery(latest_review.values("ppi_depth")[:1]),
            review_adequate=Subquery(latest_review.values("arrangements_adequate")[:1]),
            review_on=Subquery(latest_review.values("reviewed_on")[:1]),
            ppi_lead_name=Subquery(lead.values("person__full_name")[:1]),
            ppi_lead_email=Subquery(lead.values("person__email")[:1]),
        )
        .annotate(
            flagged=Case(
                When(Q(last_activity_on__isnull=True) | Q(last_activity_on__lte=cutoff), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-flagged", F("last_activity_on").asc(nulls_first=True), "name", "pk")
    )


def caseload_counts(*, queryset: QuerySet[WithAnnotations[HIT, CaseloadFigures]]) -> dict[str, int]:
    """How many HITs the caseload lists, and how many of them are flagged (one query).

    Grouped by the flag rather than aggregated with a filter: Django drops the `flagged`
    annotation from an aggregate() whose filter refers to it, which would count nothing.
    """
    by_flag = dict(
        queryset.order_by().values_list("flagged").annotate(n=Count("pk")).values_list("flagged", "n")
    )
    return {"hits": sum(by_flag.values()), "flagged": by_flag.get(True, 0)}
