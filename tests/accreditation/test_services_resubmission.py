"""Loops that close at each submission of an application: conflicts of interest re-checked against
what the new revision names (parents and parts of organisations included) and the assigned
reviewers told that the revision needs their review."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accreditation.enums import ConflictDeclaration, ConflictResolution, PanelRole
from accreditation.models import ReviewAssignment
from accreditation.services.applications import application_transition
from accreditation.services.reviews import assignment_create, reviewer_suggestions
from teams.models import Person
from tests.factories import AffiliationFactory, OrganisationFactory, PanelMemberFactory, PersonFactory
from tests.factories.accreditation_applications import (
    ApplicationFactory,
    StakeholderPlanRowFactory,
    complete_application,
)
from tests.factories.accreditation_panel import ReviewAssignmentFactory


@pytest.fixture
def revising(hit, panel):
    """Dementia HIT's application, revised after feedback: a complete draft of revision 2."""
    return complete_application(ApplicationFactory(hit=hit, round=panel.round, version=2))


@pytest.fixture
def reviewer2_user(panel):
    return PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER, user__full_name="Rita Second").user


@pytest.fixture
def university():
    return OrganisationFactory(name="University of Bristol")


@pytest.fixture
def medical_school(university):
    return OrganisationFactory(name="Bristol Medical School", parent=university)


def _affiliate(user, organisation, **kwargs):
    person = Person.objects.filter(user=user).first() or PersonFactory(
        user=user, full_name=user.full_name, email=user.email
    )
    return AffiliationFactory(person=person, organisation=organisation, **kwargs)


def _submit(application, director):
    return application_transition(actor=director, application_id=application.pk, action="submit")


# --- Conflicts re-checked at every submission ------------------------------------------------------


def test_resubmission_naming_the_reviewers_employer_flags_them_and_reopens_their_declaration(
    revising, director, chair, reviewer
):
    employer = OrganisationFactory(name="North Bristol Trust")
    _affiliate(reviewer, employer)
    assignment = ReviewAssignmentFactory(application=revising, reviewer=reviewer, declared_none=True)
    assert assignment.may_open_application is True
    StakeholderPlanRowFactory(application=revising, organisation=employer)

    _submit(revising, director)

    assignment.refresh_from_db()
    assert assignment.flagged_organisations == "North Bristol Trust"
    assert assignment.declaration == ConflictDeclaration.PENDING
    assert assignment.declared_at is None
    assert assignment.resolution == ConflictResolution.OPEN
    assert assignment.may_open_application is False


def test_resubmission_reopens_a_conflict_the_chair_waived_when_a_new_organisation_is_flagged(
    revising, director, chair, reviewer
):
    first, second = OrganisationFactory(name="North Bristol Trust"), OrganisationFactory(name="Sirona Care")
    _affiliate(reviewer, first)
    _affiliate(reviewer, second)
    StakeholderPlanRowFactory(application=revising, organisation=first)
    StakeholderPlanRowFactory(application=revising, organisation=second)
    assignment = ReviewAssignmentFactory(
        application=revising,
        reviewer=reviewer,
        declared_none=True,
        flagged_organisations="North Bristol Trust",
        resolution=ConflictResolution.WAIVED,
        resolution_note="An honorary post only.",
        resolved_by=chair,
        resolved_at=timezone.now(),
    )

    _submit(revising, director)

    assignment.refresh_from_db()
    assert assignment.flagged_organisations == "North Bristol Trust\nSirona Care"
    assert (assignment.resolution, assignment.resolution_note, assignment.resolved_by) == (
        ConflictResolution.OPEN,
        "",
        None,
    )
    assert assignment.declaration == ConflictDeclaration.PENDING


def test_resubmission_keeps_the_chairs_decision_when_nothing_new_is_flagged(
    revising, director, chair, reviewer
):
    employer = OrganisationFactory(name="North Bristol Trust")
    _affiliate(reviewer, employer)
    StakeholderPlanRowFactory(application=revising, organisation=employer)
    assignment = ReviewAssignmentFactory(
        application=revising,
        reviewer=reviewer,
        declared_none=True,
        flagged_organisations="North Bristol Trust",
        resolution=ConflictResolution.DISMISSED,
        resolved_by=chair,
        resolved_at=timezone.now(),
    )

    _submit(revising, director)

    assignment.refresh_from_db()
    assert assignment.flagged_organisations == "North Bristol Trust"
    assert assignment.resolution == ConflictResolution.DISMISSED
    assert assignment.declaration == ConflictDeclaration.NONE
    assert assignment.may_open_application is True


def test_resubmission_naming_a_university_flags_a_reviewer_of_its_medical_school(
    revising, director, reviewer, university, medical_school
):
    _affiliate(reviewer, medical_school)
    assignment = ReviewAssignmentFactory(application=revising, reviewer=reviewer, declared_none=True)
    StakeholderPlanRowFactory(application=revising, organisation=university)

    _submit(revising, director)

    assignment.refresh_from_db()
    assert assignment.flagged_organisations == "University of Bristol, through Bristol Medical School"
    assert assignment.may_open_application is False


def test_resubmission_naming_a_medical_school_flags_a_reviewer_of_its_university(
    revising, director, reviewer, university, medical_school
):
    _affiliate(reviewer, university)
    assignment = ReviewAssignmentFactory(application=revising, reviewer=reviewer, declared_none=True)
    StakeholderPlanRowFactory(application=revising, organisation=medical_school)

    _submit(revising, director)

    assignment.refresh_from_db()
    assert assignment.flagged_organisations == "Bristol Medical School, through University of Bristol"


def test_resubmission_does_not_flag_a_sibling_or_an_ended_post(
    revising, director, reviewer, reviewer2_user, university, medical_school
):
    engineering = OrganisationFactory(name="Faculty of Engineering", parent=university)
    _affiliate(reviewer, engineering)
    _affiliate(reviewer2_user, medical_school, end_date=timezone.localdate().replace(year=2020))
    first = ReviewAssignmentFactory(application=revising, reviewer=reviewer, declared_none=True)
    second = ReviewAssignmentFactory(application=revising, reviewer=reviewer2_user, declared_none=True)
    StakeholderPlanRowFactory(application=revising, organisation=medical_school)

    _submit(revising, director)

    assert [
        a.flagged_organisations for a in ReviewAssignment.objects.filter(pk__in=[first.pk, second.pk])
    ] == [
        "",
        "",
    ]


def test_resubmission_leaves_a_recused_reviewer_alone(revising, director, reviewer):
    employer = OrganisationFactory(name="North Bristol Trust")
    _affiliate(reviewer, employer)
    StakeholderPlanRowFactory(application=revising, organisation=employer)
    assignment = ReviewAssignmentFactory(application=revising, reviewer=reviewer, recused=True)

    _submit(revising, director)

    assignment.refresh_from_db()
    assert (assignment.flagged_organisations, assignment.resolution) == ("", ConflictResolution.RECUSED)


def test_assignment_flags_a_reviewer_of_a_named_universitys_medical_school(
    review_application, chair, reviewer, university, medical_school
):
    _affiliate(reviewer, medical_school)
    StakeholderPlanRowFactory(application=review_application, organisation=university)

    assignment = assignment_create(actor=chair, application_id=review_application.pk, reviewer=reviewer)

    assert assignment.flagged_organisations == "University of Bristol, through Bristol Medical School"
    assert assignment.has_conflict is True


def test_suggestions_set_apart_a_reviewer_of_a_named_medical_schools_university(
    review_application, reviewer, university, medical_school
):
    _affiliate(reviewer, university)
    StakeholderPlanRowFactory(application=review_application, organisation=medical_school)

    suggestions = {s.user: s.conflicts for s in reviewer_suggestions(application=review_application)}

    assert suggestions[reviewer] == ["Bristol Medical School, through University of Bristol"]


# --- Reviewers told of a revision to review --------------------------------------------------------


def test_resubmission_emails_each_assigned_reviewer_once(
    revising,
    director,
    chair,
    reviewer,
    reviewer2_user,
    lay_reviewer,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    employer = OrganisationFactory(name="North Bristol Trust")
    _affiliate(reviewer2_user, employer)
    StakeholderPlanRowFactory(application=revising, organisation=employer)
    clear = ReviewAssignmentFactory(application=revising, reviewer=reviewer, declared_none=True)
    flagged = ReviewAssignmentFactory(application=revising, reviewer=reviewer2_user, declared_none=True)
    ReviewAssignmentFactory(application=revising, reviewer=lay_reviewer, lay=True, recused=True)

    with django_capture_on_commit_callbacks(execute=True):
        _submit(revising, director)

    to_reviewers = [m for m in mailoutbox if "needs your review" in m.subject]
    assert sorted(m.to[0] for m in to_reviewers) == sorted([reviewer.email, reviewer2_user.email])
    by_address = {m.to[0]: m for m in to_reviewers}
    message = by_address[reviewer.email]
    assert message.subject == "Revision 2 of Dementia HIT's application needs your review"
    assert (
        f"Dementia HIT has submitted revision 2 of its application to {revising.round.name}." in message.body
    )
    review_link = f"http://127.0.0.1:8000/accreditation/assignments/{clear.pk}/review/"
    assert review_link in message.body
    assert f'<a href="{review_link}">Open your review</a>' in message.alternatives[0][0]
    warned = by_address[reviewer2_user.email]
    declare_link = f"http://127.0.0.1:8000/accreditation/assignments/{flagged.pk}/declare/"
    assert (
        "names organisations our directory records you as affiliated with:\nNorth Bristol Trust"
        in warned.body
    )
    assert declare_link in warned.body
    assert f'<a href="{declare_link}">Declare your interests</a>' in warned.alternatives[0][0]
    # The chairs and the team still hear of the submission as before.
    assert {chair.email, director.email} <= {m.to[0] for m in mailoutbox}


def test_first_submission_emails_no_reviewer(
    hit, director, panel, reviewer, django_capture_on_commit_callbacks, mailoutbox
):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))

    with django_capture_on_commit_callbacks(execute=True):
        _submit(application, director)

    assert [m for m in mailoutbox if "needs your review" in m.subject] == []
    assert reviewer.email not in {m.to[0] for m in mailoutbox}
