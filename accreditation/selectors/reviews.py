"""Reads of review assignments and of the reviews a user may see."""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accreditation import permissions, workflow
from accreditation.models import (
    Application,
    Review,
    ReviewAssignment,
    ReviewScore,
    Round,
)
from teams.models import HIT, User

#: What the reviewer's assignment list shows (its rendering is cached per version of these tables).
ASSIGNMENT_LIST_SOURCES: tuple[type[models.Model], ...] = (ReviewAssignment, Review, Application, HIT, Round)


def assignment_get_for_reviewer(*, user: User, pk: int) -> ReviewAssignment:
    """The reviewer's own assignment while it is open, that is until the panel's decision
    (permissions.reviewing_is_open); 404 otherwise. Declaring comes before reading, so no conflict
    check here."""
    try:
        assignment = ReviewAssignment.objects.select_related(
            "application", "application__hit", "application__round"
        ).get(pk=pk, reviewer_id=user.pk)
    except ReviewAssignment.DoesNotExist:
        raise Http404("No such assignment.") from None
    if not permissions.reviewing_is_open(assignment.application):
        raise Http404("No such assignment.")
    return assignment


def assignment_list_for_reviewer(*, user: User) -> QuerySet[ReviewAssignment]:
    return (
        ReviewAssignment.objects.filter(reviewer_id=user.pk)
        .select_related("application", "application__hit", "application__round", "review")
        .order_by("due_on", "pk")
    )


def reviews_visible_to(
    *, user: User, application: Application, assignment: ReviewAssignment | None
) -> QuerySet[Review]:
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
