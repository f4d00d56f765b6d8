"""Reads of the accreditation app: permission-aware and with their joins applied."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accreditation import permissions, workflow
from accreditation.models import (
    Application,
    ExpressionOfInterest,
    Review,
    ReviewAssignment,
    ReviewScore,
    Round,
)
from teams.enums import Role
from teams.roles import roles_of


def open_rounds(*, day=None) -> QuerySet[Round]:
    day = day or timezone.localdate()
    return Round.objects.filter(opens_on__lte=day, application_deadline__gte=day).order_by("eoi_deadline")


def application_get_for_user(*, user: object, pk: int) -> tuple[Application, ReviewAssignment | None]:
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
        ReviewAssignment.objects.filter(
            application=application, reviewer_id=getattr(user, "pk", None)
        ).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if not permissions.can_view_application(user, application, assignment):
        raise Http404("No such application.")
    return application, assignment


def assignment_get_for_reviewer(*, user: object, pk: int) -> ReviewAssignment:
    """The reviewer's own assignment while it is open, that is until the panel's decision
    (permissions.reviewing_is_open); 404 otherwise. Declaring comes before reading, so no conflict
    check here."""
    try:
        assignment = ReviewAssignment.objects.select_related(
            "application", "application__hit", "application__round"
        ).get(pk=pk, reviewer_id=getattr(user, "pk", None))
    except ReviewAssignment.DoesNotExist:
        raise Http404("No such assignment.") from None
    if not permissions.reviewing_is_open(assignment.application):
        raise Http404("No such assignment.")
    return assignment


def eoi_get_for_user(*, user: object, pk: int) -> ExpressionOfInterest:
    try:
        eoi = ExpressionOfInterest.objects.select_related("round", "author", "hit", "decided_by").get(pk=pk)
    except ExpressionOfInterest.DoesNotExist:
        raise Http404("No such expression of interest.") from None
    if not permissions.eoi_roles(user, eoi):
        raise Http404("No such expression of interest.")
    return eoi


def eoi_list_for_user(*, user: object) -> QuerySet[ExpressionOfInterest]:
    """The author's own EOIs, plus every EOI of rounds the user chairs (all for programme managers)."""
    roles = roles_of(user)
    qs = ExpressionOfInterest.objects.select_related("round", "author", "hit")
    if roles.has(Role.PROGRAMME_MANAGER):
        return qs
    return qs.filter(Q(author_id=getattr(user, "pk", None)) | Q(round_id__in=roles.chair_round_ids))


def application_list_for_applicant(*, user: object) -> QuerySet[Application]:
    """Applications of the HITs the user is a current member of."""
    return (
        Application.objects.filter(hit_id__in=roles_of(user).hit_ids)
        .select_related("hit", "round")
        .order_by("-updated_at")
    )


def assignment_list_for_reviewer(*, user: object) -> QuerySet[ReviewAssignment]:
    return (
        ReviewAssignment.objects.filter(reviewer_id=getattr(user, "pk", None))
        .select_related("application", "application__hit", "application__round", "review")
        .order_by("due_on", "pk")
    )


def round_board(*, round: Round) -> QuerySet[Application]:
    """A round's applications with their review progress (one query plus one prefetch)."""
    return (
        Application.objects.filter(round=round)
        .select_related("hit")
        .annotate(
            assigned=Count("assignments", distinct=True),
            # Only reviews of the current revision: after "revise" the old ones no longer count.
            submitted_reviews=Count(
                "assignments__review",
                filter=Q(
                    assignments__review__status="submitted",
                    assignments__review__revision_number=F("version"),
                ),
                distinct=True,
            ),
        )
        .order_by("hit__name")
    )


def reviews_visible_to(*, user: object, application: Application, assignment: ReviewAssignment | None):
    """Reviews of the current revision the user may read: the chair sees all; a reviewer sees the
    others' only after submitting their own; nobody else sees any."""
    reviews = (
        Review.objects.filter(
            assignment__application=application, revision_number=application.version, status="submitted"
        )
        .select_related("assignment__reviewer")
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.order_by("criterion")))
    )
    roles = permissions.application_roles(user, application)
    if workflow.CHAIR in roles:
        return reviews
    if assignment is not None:
        own = Review.objects.filter(
            assignment=assignment, revision_number=application.version, status="submitted"
        ).exists()
        if own:
            return reviews
    return Review.objects.none()
