"""Reads of applications, permission-aware."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from accreditation import permissions
from accreditation.enums import ApplicationStatus, FeedbackStatus
from accreditation.models import (
    Accreditation,
    Application,
    ApplicationEvent,
    ApplicationSection,
    Condition,
    Decision,
    FeedbackDocument,
    FeedbackPoint,
    ReviewAssignment,
    Revision,
    Round,
    StakeholderPlanRow,
)
from engagement.models import CoverageSnapshot
from teams.models import HIT, Organisation, Person, User
from teams.roles import AnyUser, roles_of

#: What the application page's body shows (accreditation.views.applications, core.versions): a save or
#: deletion in any of them renders it again.
APPLICATION_PAGE_SOURCES: tuple[type[models.Model], ...] = (
    Application,
    ApplicationSection,
    StakeholderPlanRow,
    ApplicationEvent,
    Revision,
    FeedbackDocument,
    FeedbackPoint,
    Decision,
    Condition,
    Accreditation,
    Round,
    ReviewAssignment,
    HIT,
    Person,
    Organisation,
    User,
)


def application_get_for_user(*, user: AnyUser, pk: int) -> tuple[Application, ReviewAssignment | None]:
    """One application the user may open, with their review assignment if any; 404 otherwise.

    A reviewer who has not declared, is recused, or has an unresolved conflict gets 404: they do
    not learn what the application says.
    """
    try:
        application = Application.objects.select_related(
            "hit", "round", "director", "executive_sponsor", "host_organisation", "renewal_of"
        ).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None
    assignment = (
        ReviewAssignment.objects.filter(application=application, reviewer_id=user.pk).first()
        if user.is_authenticated
        else None
    )
    if not permissions.can_view_application(user, application, assignment):
        raise Http404("No such application.")
    return application, assignment


def application_list_for_applicant(*, user: AnyUser) -> QuerySet[Application]:
    """Applications of the HITs the user is a current member of."""
    return (
        Application.objects.filter(hit_id__in=roles_of(user).hit_ids)
        .select_related("hit", "round")
        .order_by("-updated_at")
    )


def unanswered_feedback_points(*, application: Application) -> list[FeedbackPoint]:
    """Points of the panel's latest released feedback that the team has not answered yet, while
    the application is a draft of a later revision (after feedback or deferral); otherwise none.
    Submitting with some unanswered is allowed: the team is warned (docs/domain.md 3.3). One query."""
    if application.status != ApplicationStatus.DRAFT or application.version < 2:
        return []
    return list(
        FeedbackPoint.objects.filter(
            document__application=application,
            document__status=FeedbackStatus.RELEASED,
            document__revision_number=application.version - 1,
            response="",
        ).order_by("pk")
    )


@dataclass(frozen=True)
class RevisionCoverage:
    """A submitted revision's planned coverage, read from its stored snapshot, and the change from the
    revision before it. `snapshot` is None when none was stored (revisions submitted before coverage
    was kept per revision): the page says so instead of computing it."""

    number: int
    snapshot: CoverageSnapshot | None
    covered: int = 0
    enabled: int = 0
    weighted_percent: float = 0.0
    gaps: list[dict[str, object]] = field(default_factory=list)
    previous_number: int | None = None
    compared: bool = False  # both this and the previous revision have a stored snapshot
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    weighted_change: float = 0.0  # percentage points
    degrees_change: float = 0.0


def _covered(snapshot: CoverageSnapshot) -> set[str]:
    return {code for code, depth in snapshot.category_depths.items() if int(depth) >= 1}


def _gap_names(snapshot: CoverageSnapshot) -> dict[str, str]:
    return {gap["code"]: gap["name"] for gap in snapshot.gaps}


def coverage_change(*, revision: Revision, previous: Revision | None) -> RevisionCoverage:
    """A revision's coverage from its stored snapshot, and the change from `previous` (any earlier
    revision) when both have one. A category gained was a named gap before; one lost is a gap now."""
    snapshot = revision.coverage
    previous_number = previous.number if previous is not None else None
    if snapshot is None:
        return RevisionCoverage(number=revision.number, snapshot=None, previous_number=previous_number)
    covered = _covered(snapshot)
    entry = RevisionCoverage(
        number=revision.number,
        snapshot=snapshot,
        covered=len(covered),
        enabled=len(snapshot.category_depths),
        weighted_percent=round(100 * snapshot.weighted, 1),
        gaps=list(snapshot.gaps),
        previous_number=previous_number,
    )
    before = previous.coverage if previous is not None else None
    if before is None:
        return entry
    was_covered = _covered(before)
    names_before, names_now = _gap_names(before), _gap_names(snapshot)
    return replace(
        entry,
        compared=True,
        gained=sorted(names_before.get(c, c) for c in covered - was_covered),
        lost=sorted(names_now.get(c, c) for c in was_covered - covered),
        weighted_change=round(100 * (snapshot.weighted - before.weighted), 1),
        degrees_change=round(snapshot.degrees - before.degrees, 1),
    )


def revision_coverage(*, revisions: Sequence[Revision]) -> dict[int, RevisionCoverage]:
    """Each revision's coverage and its change from the revision numbered just before it (when that one
    is among `revisions`), by revision number. No queries beyond loading `revisions` with
    select_related("coverage")."""
    by_number = {r.number: r for r in revisions}
    return {
        number: coverage_change(revision=revision, previous=by_number.get(number - 1))
        for number, revision in by_number.items()
    }
