"""Reads of applications, permission-aware."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accreditation import permissions
from accreditation.enums import ApplicationStatus, FeedbackStatus
from accreditation.models import (
    Application,
    FeedbackPoint,
    ReviewAssignment,
)
from teams.roles import AnyUser, roles_of


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
