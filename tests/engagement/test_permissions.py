"""Engagement's access predicates where the persona matrices cannot reach: the application states
it follows by name, and which assignment opens a HIT's coverage to a reviewer."""

from __future__ import annotations

import pytest

from accreditation.enums import ApplicationStatus
from accreditation.models import Application, ReviewAssignment
from accreditation.workflow import FINAL_APPLICATION_STATES
from engagement import permissions
from tests.factories.accreditation_panel import ReviewAssignmentFactory


def test_open_application_statuses_are_accreditations_non_final_states():
    assert set(permissions.OPEN_APPLICATION_STATUSES) == (
        set(ApplicationStatus.values) - set(FINAL_APPLICATION_STATES)
    )


@pytest.mark.parametrize(
    ("status", "sees"),
    [
        (ApplicationStatus.UNDER_REVIEW, True),
        (ApplicationStatus.FEEDBACK, True),
        (ApplicationStatus.DEFERRED, True),
        (ApplicationStatus.ACCREDITED, False),
        (ApplicationStatus.ACCREDITED_WITH_CONDITIONS, False),
        (ApplicationStatus.NOT_ACCREDITED, False),
        (ApplicationStatus.WITHDRAWN, False),
    ],
)
def test_reviewer_sees_the_coverage_until_the_final_decision(
    hit, hit_reviewer, review_application, status, sees
):
    Application.objects.filter(pk=review_application.pk).update(status=status)

    assert bool(permissions.can_view_coverage(hit_reviewer, hit)) is sees


def test_another_reviewers_recusal_does_not_hide_the_coverage_from_a_cleared_reviewer(
    hit, hit_reviewer, review_application
):
    ReviewAssignmentFactory(application=review_application, declared_conflict=True, recused=True)

    assert bool(permissions.can_view_coverage(hit_reviewer, hit)) is True


def test_a_recused_reviewer_does_not_see_the_coverage(hit, hit_reviewer):
    ReviewAssignment.objects.filter(reviewer=hit_reviewer).update(resolution="recused")

    assert permissions.can_view_coverage(hit_reviewer, hit) == (
        False,
        "You cannot see this HIT's engagement coverage.",
    )


def test_a_reviewer_cleared_by_the_chair_sees_the_coverage(hit, hit_reviewer):
    ReviewAssignment.objects.filter(reviewer=hit_reviewer).update(
        flagged_organisations="North Bristol NHS Trust", resolution="dismissed"
    )

    assert bool(permissions.can_view_coverage(hit_reviewer, hit)) is True


def test_a_lay_assignment_does_not_open_the_coverage_even_to_a_panel_reviewer(
    hit, reviewer, review_application
):
    ReviewAssignmentFactory(application=review_application, reviewer=reviewer, lay=True, declared_none=True)

    assert bool(permissions.can_view_coverage(reviewer, hit)) is False
