"""Reads of the API: the pages' access selectors with the API's joins applied, and the portfolio
aggregates. Everything comes from stored rows (the worker's scores, the workflow's states); each
read runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils import timezone

from accreditation.enums import ApplicationStatus, EOIStatus
from accreditation.models import Accreditation, Application, Condition, ExpressionOfInterest, Round
from engagement import permissions as engagement_permissions
from engagement.enums import Dimension
from engagement.models import CoverageScore, NetworkResult, ReadinessResult, Wave
from engagement.selectors import hits as engagement_selectors
from engagement.selectors import maturity as selectors_maturity
from engagement.selectors import network as selectors_network
from engagement.selectors import surveys as selectors_surveys
from reporting.models import ProgressReport, add_months
from reporting.selectors.home import overdue_condition
from teams.enums import HITStatus, LifecycleStage
from teams.models import HIT
from teams.roles import AnyUser
from teams.selectors import hits as team_selectors

# Renewals are flagged this many months ahead, as the first renewal reminder is (docs/domain.md section 3).
RENEWAL_HORIZON_MONTHS = 6

# --- HITs --------------------------------------------------------------------------------------------


def _current_accreditations(today: datetime.date) -> Prefetch[Any, Any, Any]:
    """Accreditations whose dates include today, as `hit.current_accreditations` (one query)."""
    return Prefetch(
        "accreditations",
        queryset=Accreditation.objects.filter(valid_from__lte=today, valid_until__gte=today).order_by(
            "-valid_from", "-pk"
        ),
        to_attr="current_accreditations",
    )


def hit_list_for_api(*, user: AnyUser, today: datetime.date | None = None) -> QuerySet[HIT]:
    """Exactly the HITs of teams.selectors.hit_list_for_user, with host and current accreditation
    joined: one query for the page of HITs and one for their accreditations."""
    today = today or timezone.localdate()
    return (
        team_selectors.hit_list_for_user(user=user)
        .prefetch_related(_current_accreditations(today))
        .order_by("name", "pk")
    )


def hit_for_api(*, user: AnyUser, pk: int, today: datetime.date | None = None) -> HIT:
    """One HIT the user may see (teams.selectors.hit_get_for_user: 404 otherwise), with its current
    accreditation attached."""
    hit = team_selectors.hit_get_for_user(user=user, pk=pk)
    prefetch_related_objects([hit], _current_accreditations(today or timezone.localdate()))
    return hit


# --- Stored scores of one HIT ------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """The latest wave with stored results, and its OVERALL rows only (never a group, never an answer)."""

    wave: Wave
    computed_at: datetime.datetime | None
    dimensions: list[ReadinessResult]


@dataclass(frozen=True)
class MaturityProfile:
    assessed_on: datetime.date
    profile: selectors_maturity.Profile


@dataclass(frozen=True)
class HITScores:
    hit: HIT
    coverage: CoverageScore | None
    readiness: Readiness | None
    maturity: MaturityProfile | None
    network: NetworkResult | None = None


def latest_readiness(*, hit: HIT) -> Readiness | None:
    """The overall results of the HIT's latest wave whose results are released (a wave still
    collecting answers has none). Two queries. Organisation and role groups are not read at all."""
    wave = selectors_surveys.latest_released_wave(hit=hit)
    if wave is None:
        return None
    order = list(Dimension.values)
    rows = sorted(
        ReadinessResult.objects.released()
        .filter(wave=wave, group_type=ReadinessResult.GROUP_OVERALL)
        .order_by(),
        key=lambda row: order.index(row.dimension) if row.dimension in order else len(order),
    )
    computed_at = max((row.computed_at for row in rows), default=None)
    return Readiness(wave=wave, computed_at=computed_at, dimensions=rows)


def latest_maturity(*, hit: HIT) -> MaturityProfile | None:
    row = selectors_maturity.latest_assessment(hit=hit)
    if row is None or row.profile is None:
        return None
    return MaturityProfile(assessed_on=row.assessment.assessed_on, profile=row.profile)


def hit_scores_for_user(*, user: AnyUser, pk: int) -> HITScores:
    """The stored scores of a HIT whose coverage the user may see (engagement.permissions.
    can_view_coverage; 404 otherwise). Its readiness and maturity follow their own pages
    (can_view_readiness, can_view_maturity), and its partnership network's figures the board's
    (can_view_network_summary): null, and not read, for a user who may not see them."""
    hit = engagement_selectors.hit_for_engagement(
        user=user, pk=pk, may_see=engagement_permissions.can_view_coverage
    )
    try:
        coverage: CoverageScore | None = hit.coverage
    except CoverageScore.DoesNotExist:
        coverage = None
    readiness = latest_readiness(hit=hit) if engagement_permissions.can_view_readiness(user, hit) else None
    maturity = latest_maturity(hit=hit) if engagement_permissions.can_view_maturity(user, hit) else None
    network = (
        selectors_network.network_summaries(hit_ids=[hit.pk]).get(hit.pk)
        if engagement_permissions.can_view_network_summary(user, hit)
        else None
    )
    return HITScores(hit=hit, coverage=coverage, readiness=readiness, maturity=maturity, network=network)


# --- Portfolio aggregates ----------------------------------------------------------------------------


def _counts(choices: Iterable[tuple[str, str]], counted: dict[str, int], key: str) -> list[dict[str, Any]]:
    """Every value of an enumeration with its count (zero included), in the enumeration's order."""
    return [{key: value, "label": label, "count": counted.get(value, 0)} for value, label in choices]


def portfolio_figures(*, today: datetime.date | None = None) -> dict[str, Any]:
    """The board's portfolio figures, from grouped queries over stored rows (eight queries, whatever
    the number of HITs, rounds or reports).

    - HITs by status (every HIT) and by life-cycle stage (HITs not closed);
    - per round, expressions of interest and applications by status;
    - stored engagement coverage of HITs not closed: how many have a score, their average degrees,
      and how many have a commissioner in leadership;
    - progress reports overdue (due date passed, still with the team);
    - conditions open, and open past their due date;
    - accreditations ending within six months that no later accreditation supersedes.
    """
    today = today or timezone.localdate()
    by_status, by_stage = _hit_counts()
    rounds = _round_figures()
    coverage = _coverage_figures()
    conditions = (
        Condition.objects.filter(closed_at__isnull=True)
        .order_by()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    renewals_due = _renewals_due(today)
    return {
        "as_of": today,
        "hits_total": sum(by_status.values()),
        "hits_by_status": _counts(HITStatus.choices, by_status, "status"),
        "hits_by_stage": _counts(LifecycleStage.choices, by_stage, "stage"),
        "rounds": rounds,
        "coverage": coverage,
        "overdue_reports": ProgressReport.objects.filter(overdue_condition(today)).count(),
        "conditions": {"open": conditions["open"], "overdue": conditions["overdue"]},
        "renewals_due": renewals_due,
        "renewal_horizon_months": RENEWAL_HORIZON_MONTHS,
    }


def _hit_counts() -> tuple[dict[str, int], dict[str, int]]:
    """HITs by status (every HIT) and by life-cycle stage (HITs not closed), in one grouped query."""
    by_status: dict[str, int] = {}
    by_stage: dict[str, int] = {}
    for status, stage, n in HIT.objects.order_by().values_list("status", "stage").annotate(n=Count("pk")):
        by_status[status] = by_status.get(status, 0) + n
        if status != HITStatus.CLOSED:
            by_stage[stage] = by_stage.get(stage, 0) + n
    return by_status, by_stage


def _round_figures() -> list[dict[str, Any]]:
    """Per round, newest first: its expressions of interest and applications by status (three queries)."""
    eois: dict[int, dict[str, int]] = {}
    for round_id, status, n in (
        ExpressionOfInterest.objects.order_by().values_list("round_id", "status").annotate(n=Count("pk"))
    ):
        eois.setdefault(round_id, {})[status] = n
    applications: dict[int, dict[str, int]] = {}
    for round_id, status, n in (
        Application.objects.order_by().values_list("round_id", "status").annotate(n=Count("pk"))
    ):
        applications.setdefault(round_id, {})[status] = n
    return [
        {
            "id": round_.pk,
            "name": round_.name,
            "opens_on": round_.opens_on,
            "eois_by_status": _counts(EOIStatus.choices, eois.get(round_.pk, {}), "status"),
            "applications_by_status": _counts(
                ApplicationStatus.choices, applications.get(round_.pk, {}), "status"
            ),
        }
        for round_ in Round.objects.order_by("-opens_on", "name").only("pk", "name", "opens_on")
    ]


def _coverage_figures() -> dict[str, Any]:
    """Stored engagement coverage of the HITs not closed (one query)."""
    coverage = (
        CoverageScore.objects.exclude(hit__status=HITStatus.CLOSED)
        .order_by()
        .aggregate(
            hits_with_score=Count("pk"),
            average_degrees=Avg("degrees"),
            commissioner_in_leadership=Count("pk", filter=Q(commissioner_in_leadership=True)),
        )
    )
    average = coverage["average_degrees"]
    return {
        "hits_with_score": coverage["hits_with_score"],
        "average_degrees": None if average is None else round(average, 1),
        "commissioner_in_leadership": coverage["commissioner_in_leadership"],
    }


def _renewals_due(today: datetime.date) -> int:
    """Accreditations ending within RENEWAL_HORIZON_MONTHS that no later accreditation supersedes."""
    superseded = Accreditation.objects.filter(
        hit_id=OuterRef("hit_id"), valid_from__gt=OuterRef("valid_until")
    )
    return (
        Accreditation.objects.filter(
            valid_until__gte=today, valid_until__lte=add_months(today, RENEWAL_HORIZON_MONTHS)
        )
        .exclude(Exists(superseded))
        .count()
    )
