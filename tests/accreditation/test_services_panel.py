"""The panel's services: assignment and conflicts, reviews and their visibility, statistics,
feedback, decisions, conditions, renewal and its reminders, and the emails they send."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accreditation.domain.criteria import LAY_CRITERIA, get_criterion
from accreditation.domain.review_stats import criteria_stats, stats_for
from accreditation.enums import (
    ApplicationKind,
    ApplicationStatus,
    ConflictDeclaration,
    ConflictResolution,
    DecisionOutcome,
    FeedbackStatus,
    PanelRole,
    Recommendation,
    ReviewStatus,
)
from accreditation.models import (
    Accreditation,
    ApplicationEvent,
    ApplicationSection,
    Condition,
    Decision,
    ReviewAssignment,
    StakeholderPlanRow,
)
from accreditation.selectors.applications import application_get_for_user
from accreditation.selectors.reviews import reviews_visible_to
from accreditation.services import renewals
from accreditation.services.applications import (
    ConditionInput,
    _add_years,
    application_transition,
    counting_reviews,
)
from accreditation.services.conditions import condition_close
from accreditation.services.renewals import renewal_reminders_send, renewal_start
from accreditation.services.reviews import (
    ScoreInput,
    assignment_create,
    conflict_declare,
    conflict_resolve,
    feedback_save,
    review_save,
    reviewer_suggestions,
    suggestion_accept,
)
from accreditation.tasks import send_renewal_reminders
from core.batch import BatchOutcome
from core.mail import send_after_commit
from core.workflow import InvalidTransition, StaleState
from teams.enums import HITStatus, MembershipRole
from teams.models import HIT, HITStatusChange, Person
from tests.factories import (
    AffiliationFactory,
    HITFactory,
    MembershipFactory,
    OrganisationFactory,
    PanelMemberFactory,
    PersonFactory,
    RoundFactory,
    StakeholderCategoryFactory,
)
from tests.factories.accreditation_panel import (
    AccreditationFactory,
    ConditionFactory,
    DecisionFactory,
    FeedbackDocumentFactory,
    FeedbackPointFactory,
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    submitted_review,
)

LONDON = ZoneInfo("Europe/London")
DECISIONS = ("accredit", "accredit_with_conditions", "defer", "not_accredit")


def _at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def application(panel, hit):
    """The Dementia HIT's new application, under review by the conftest panel's round."""
    HIT.objects.filter(pk=hit.pk).update(status=HITStatus.IN_APPLICATION)
    hit.refresh_from_db()
    application = PanelApplicationFactory(hit=hit, round=panel.round)
    PanelRevisionFactory(application=application)
    return application


@pytest.fixture
def reviewer2(panel):
    return PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER, user__full_name="Rita Second").user


@pytest.fixture
def trust():
    return OrganisationFactory(name="North Bristol Trust")


def _affiliate(user, organisation, **kwargs):
    person = Person.objects.filter(user=user).first() or PersonFactory(
        user=user, full_name=user.full_name, email=user.email
    )
    return AffiliationFactory(person=person, organisation=organisation, **kwargs)


def _name_in_table(application, organisation):
    return StakeholderPlanRow.objects.create(
        application=application,
        organisation=organisation,
        category=StakeholderCategoryFactory(code="PROV"),
        role="Chairs the management group",
        outcome="A single crisis pathway",
    )


def _ready(application, *reviewers, score: int = 2):
    """Each reviewer assigned, declared no conflict and submitted a review of the current version."""
    return [
        submitted_review(
            ReviewAssignmentFactory(application=application, reviewer=r, declared_none=True), score
        )
        for r in reviewers
    ]


def _condition(owner: Person, days: int = 90) -> ConditionInput:
    return ConditionInput(
        text="Agree terms of reference for the management group.",
        owner_id=owner.pk,
        due_on=timezone.localdate() + datetime.timedelta(days=days),
    )


# --- Assignment and automatic conflict flags -------------------------------------------------------


def test_assignment_create_flags_reviewer_affiliated_with_named_organisation(
    chair, reviewer, application, trust
):
    _name_in_table(application, trust)
    _affiliate(reviewer, trust)
    due = timezone.localdate() + datetime.timedelta(days=14)

    assignment = assignment_create(actor=chair, application_id=application.pk, reviewer=reviewer, due_on=due)

    assert assignment.flagged_organisations == "North Bristol Trust"
    assert assignment.due_on == due
    assert assignment.assigned_by == chair
    assert assignment.is_lay is False
    assert assignment.has_conflict is True


def test_assignment_create_does_not_flag_ended_affiliation(chair, reviewer, application, trust):
    _name_in_table(application, trust)
    _affiliate(reviewer, trust, end_date=timezone.localdate() - datetime.timedelta(days=1))

    assignment = assignment_create(actor=chair, application_id=application.pk, reviewer=reviewer)

    assert assignment.flagged_organisations == ""
    assert assignment.has_conflict is False


def test_assignment_create_does_not_flag_organisation_not_named(chair, reviewer, application, trust):
    _affiliate(reviewer, trust)

    assignment = assignment_create(actor=chair, application_id=application.pk, reviewer=reviewer)

    assert assignment.flagged_organisations == ""


def test_assignment_create_lay_member_becomes_lay_reviewer(chair, lay_reviewer, application):
    assignment = assignment_create(actor=chair, application_id=application.pk, reviewer=lay_reviewer)

    assert assignment.is_lay is True


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("outsider", "Choose a reviewer or lay reviewer of this round's panel."),
        ("chair", "Choose a reviewer or lay reviewer of this round's panel."),
    ],
)
def test_assignment_create_refuses_someone_not_reviewing_on_the_panel(
    request, chair, application, who, message
):
    user = request.getfixturevalue(who)

    with pytest.raises(ValidationError) as caught:
        assignment_create(actor=chair, application_id=application.pk, reviewer=user)

    assert caught.value.message_dict == {"reviewer": [message]}


def test_assignment_create_refuses_second_assignment_of_same_reviewer(chair, reviewer, application):
    assignment_create(actor=chair, application_id=application.pk, reviewer=reviewer)

    with pytest.raises(ValidationError) as caught:
        assignment_create(actor=chair, application_id=application.pk, reviewer=reviewer)

    assert caught.value.message_dict == {"reviewer": [f"{reviewer} is already assigned to this application."]}
    assert ReviewAssignment.objects.count() == 1


def test_assignment_create_refuses_past_due_date(chair, reviewer, application):
    with pytest.raises(ValidationError) as caught:
        assignment_create(
            actor=chair,
            application_id=application.pk,
            reviewer=reviewer,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )

    assert caught.value.message_dict == {"due_on": ["The due date cannot be in the past."]}


@pytest.mark.parametrize("who", ["director", "teammate", "reviewer", "board_member"])
def test_assignment_create_by_others_is_denied(request, reviewer, application, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied) as caught:
        assignment_create(actor=actor, application_id=application.pk, reviewer=reviewer)

    assert str(caught.value) == "Only the panel chair or a programme manager assigns reviewers."


def test_assignment_create_by_programme_manager_is_allowed(programme_manager, reviewer, application):
    assignment = assignment_create(actor=programme_manager, application_id=application.pk, reviewer=reviewer)

    assert assignment.reviewer == reviewer


def test_reviewer_suggestions_conflict_free_and_least_loaded_first(
    panel, reviewer, reviewer2, lay_reviewer, application, trust
):
    busy_elsewhere = PanelApplicationFactory(round=panel.round)
    ReviewAssignmentFactory(application=busy_elsewhere, reviewer=reviewer)
    conflicted = PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user
    _name_in_table(application, trust)
    _affiliate(conflicted, trust)

    suggestions = reviewer_suggestions(application=application)

    assert [(s.user, s.open_assignments, s.conflicts) for s in suggestions] == [
        (reviewer2, 0, []),
        (reviewer, 1, []),
        (lay_reviewer, 0, []),
        (conflicted, 0, ["North Bristol Trust"]),
    ]


def test_suggestion_accept_assigns_round_number_and_one_lay_reviewer_skipping_conflicts(
    panel, chair, reviewer, reviewer2, lay_reviewer, application, trust
):
    conflicted = PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user
    PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER)  # a third conflict-free reviewer, not needed
    _name_in_table(application, trust)
    _affiliate(conflicted, trust)

    created = suggestion_accept(actor=chair, application_id=application.pk)

    assert len(created) == 3
    assert sum(1 for a in created if a.is_lay) == 1
    assert conflicted.pk not in {a.reviewer_id for a in created}
    assert {a.reviewer_id for a in created if a.is_lay} == {lay_reviewer.pk}


# --- Declaring and resolving conflicts -------------------------------------------------------------


def test_conflict_declare_none_without_flags_opens_the_application(reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer)

    assignment = conflict_declare(actor=reviewer, assignment_id=assignment.pk, declaration="none")

    assert assignment.declaration == ConflictDeclaration.NONE
    assert assignment.declared_at is not None
    assert assignment.may_open_application is True


def test_conflict_declare_none_with_a_flag_still_waits_for_the_chair(reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, flagged=True)

    assignment = conflict_declare(actor=reviewer, assignment_id=assignment.pk, declaration="none")

    assert assignment.conflict_unresolved is True
    assert assignment.may_open_application is False


def test_conflict_declare_conflict_needs_a_note(reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer)

    with pytest.raises(ValidationError) as caught:
        conflict_declare(actor=reviewer, assignment_id=assignment.pk, declaration="declared", note=" ")

    assert caught.value.message_dict == {
        "declaration_note": ["Describe the conflict so the chair can decide."]
    }


def test_conflict_declare_by_someone_else_is_denied(reviewer, reviewer2, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer)

    with pytest.raises(PermissionDenied):
        conflict_declare(actor=reviewer2, assignment_id=assignment.pk, declaration="none")


def test_conflict_declare_after_recusal_is_refused(reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, recused=True)

    with pytest.raises(InvalidTransition) as caught:
        conflict_declare(actor=reviewer, assignment_id=assignment.pk, declaration="none")

    assert str(caught.value) == "You were recused from this application by the chair."


def test_conflict_resolve_waive_needs_a_note(chair, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_conflict=True)

    with pytest.raises(ValidationError) as caught:
        conflict_resolve(actor=chair, assignment_id=assignment.pk, resolution="waived")

    assert caught.value.message_dict == {"resolution_note": ["Say why the conflict is waived."]}


def test_conflict_resolve_dismiss_without_conflict_is_refused(chair, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)

    with pytest.raises(ValidationError) as caught:
        conflict_resolve(actor=chair, assignment_id=assignment.pk, resolution="dismissed")

    assert caught.value.message_dict == {"resolution": ["There is no conflict to dismiss or waive."]}


def test_conflict_resolve_dismiss_lets_the_reviewer_open_the_application(chair, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_conflict=True)

    assignment = conflict_resolve(actor=chair, assignment_id=assignment.pk, resolution="dismissed")

    assert assignment.resolution == ConflictResolution.DISMISSED
    assert assignment.resolved_by == chair
    assert assignment.may_open_application is True
    assert application_get_for_user(user=reviewer, pk=application.pk)[0] == application


@pytest.mark.parametrize("who", ["programme_manager", "director", "reviewer2"])
def test_conflict_resolve_by_anyone_but_the_chair_is_denied(request, reviewer, application, who):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_conflict=True)

    with pytest.raises(PermissionDenied) as caught:
        conflict_resolve(
            actor=request.getfixturevalue(who), assignment_id=assignment.pk, resolution="recused"
        )

    assert str(caught.value) == "Only the chair of this round's panel manages its reviews."


# --- Who may read the application and review it ----------------------------------------------------

BLOCKED_ASSIGNMENTS = {
    "undeclared": ({}, "Declare any conflict of interest before you open the application."),
    "flagged, declared none": (
        {"flagged": True, "declared_none": True},
        "A conflict of interest is waiting for the chair.",
    ),
    "declared a conflict": ({"declared_conflict": True}, "A conflict of interest is waiting for the chair."),
    "recused": ({"declared_none": True, "recused": True}, "The chair recused you from this application."),
}


@pytest.mark.parametrize(
    "traits", [v[0] for v in BLOCKED_ASSIGNMENTS.values()], ids=list(BLOCKED_ASSIGNMENTS)
)
def test_blocked_reviewer_gets_404_for_the_application(reviewer, application, traits):
    ReviewAssignmentFactory(application=application, reviewer=reviewer, **traits)

    with pytest.raises(Http404):
        application_get_for_user(user=reviewer, pk=application.pk)


@pytest.mark.parametrize(
    ("traits", "reason"), list(BLOCKED_ASSIGNMENTS.values()), ids=list(BLOCKED_ASSIGNMENTS)
)
def test_blocked_reviewer_cannot_save_a_review(reviewer, application, traits, reason):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, **traits)

    with pytest.raises(PermissionDenied) as caught:
        review_save(
            actor=reviewer,
            assignment_id=assignment.pk,
            scores=[ScoreInput("W1", 3)],
            recommendation=Recommendation.ACCREDIT,
            summary="",
            submit=True,
        )

    assert str(caught.value) == reason
    assert not hasattr(ReviewAssignment.objects.get(pk=assignment.pk), "review")


def test_waived_conflict_lets_the_reviewer_in(reviewer, application):
    ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_conflict=True, waived=True)

    found, assignment = application_get_for_user(user=reviewer, pk=application.pk)

    assert found == application
    assert assignment.reviewer == reviewer


# --- Saving reviews --------------------------------------------------------------------------------


def _all_scores(is_lay: bool = False, score: int = 2) -> list[ScoreInput]:
    from accreditation.domain.criteria import criteria_for

    return [ScoreInput(c.code, score, f"Comment on {c.code}") for c in criteria_for(is_lay=is_lay)]


def test_review_save_draft_then_submit(reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)

    draft = review_save(
        actor=reviewer,
        assignment_id=assignment.pk,
        scores=[ScoreInput("W1", 1, "Thin")],
        recommendation="",
        summary="Half done",
        submit=False,
    )
    submitted = review_save(
        actor=reviewer,
        assignment_id=assignment.pk,
        scores=_all_scores(),
        recommendation=Recommendation.ACCREDIT,
        summary="  Strong  ",
        submit=True,
    )

    assert draft.pk == submitted.pk
    assert submitted.status == ReviewStatus.SUBMITTED
    assert submitted.revision_number == 1
    assert submitted.summary == "Strong"
    assert submitted.scores.count() == 20
    assert submitted.scores.get(criterion="W1").score == 2


def test_review_save_submit_needs_every_score_and_a_recommendation(reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)

    with pytest.raises(ValidationError) as caught:
        review_save(
            actor=reviewer,
            assignment_id=assignment.pk,
            scores=[s for s in _all_scores() if s.criterion not in ("C9", "W2")],
            recommendation="",
            summary="",
            submit=True,
        )

    assert caught.value.message_dict == {
        "__all__": ["Score every criterion before submitting (missing: C9, W2)."],
        "recommendation": ["Choose a recommendation before submitting."],
    }


def test_review_save_lay_reviewer_scores_only_the_ppi_criteria(lay_reviewer, application):
    assignment = ReviewAssignmentFactory(
        application=application, reviewer=lay_reviewer, lay=True, declared_none=True
    )

    with pytest.raises(ValidationError) as caught:
        review_save(
            actor=lay_reviewer,
            assignment_id=assignment.pk,
            scores=[*_all_scores(is_lay=True), ScoreInput("W1", 3)],
            recommendation=Recommendation.ACCREDIT,
            summary="",
            submit=True,
        )
    review = review_save(
        actor=lay_reviewer,
        assignment_id=assignment.pk,
        scores=_all_scores(is_lay=True),
        recommendation=Recommendation.ACCREDIT,
        summary="",
        submit=True,
    )

    assert caught.value.message_dict == {
        "__all__": ["Some scores are for criteria that are not part of this review."]
    }
    assert sorted(review.scores.values_list("criterion", flat=True)) == sorted(LAY_CRITERIA)


def test_review_save_submitted_review_cannot_change(reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
    submitted_review(assignment, 2)

    with pytest.raises(InvalidTransition) as caught:
        review_save(
            actor=reviewer,
            assignment_id=assignment.pk,
            scores=_all_scores(score=0),
            recommendation=Recommendation.DEFER,
            summary="",
            submit=True,
        )

    assert str(caught.value) == "You already submitted this review; it can no longer change."


def test_review_save_outside_review_is_refused(reviewer, application):
    application.status = ApplicationStatus.FEEDBACK
    application.save(update_fields=["status"])
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)

    with pytest.raises(InvalidTransition) as caught:
        review_save(
            actor=reviewer,
            assignment_id=assignment.pk,
            scores=[],
            recommendation="",
            summary="",
            submit=False,
        )

    assert str(caught.value) == "This application is feedback released; reviews are closed."


# --- Who reads the reviews ------------------------------------------------------------------------


def test_reviews_visible_to_chair_are_all_submitted_reviews_of_the_current_version(
    chair, reviewer, reviewer2, lay_reviewer, application
):
    submitted = _ready(application, reviewer, reviewer2)
    ReviewFactory(
        assignment=ReviewAssignmentFactory(application=application, reviewer=lay_reviewer, lay=True)
    )

    visible = reviews_visible_to(user=chair, application=application, assignment=None)

    assert [r.pk for r in visible] == [r.pk for r in submitted]


def test_reviews_visible_to_reviewer_only_after_submitting_their_own(reviewer, reviewer2, application):
    (other,) = _ready(application, reviewer2)
    mine = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)

    before = list(reviews_visible_to(user=reviewer, application=application, assignment=mine))
    own = submitted_review(mine, 3)
    after = list(reviews_visible_to(user=reviewer, application=application, assignment=mine))

    assert before == []
    assert {r.pk for r in after} == {other.pk, own.pk}


@pytest.mark.parametrize("who", ["director", "teammate", "programme_manager", "board_member"])
def test_reviews_visible_to_anyone_else_are_none(request, reviewer, application, who):
    _ready(application, reviewer)

    visible = reviews_visible_to(user=request.getfixturevalue(who), application=application, assignment=None)

    assert list(visible) == []


def test_reviews_of_an_earlier_version_are_not_shown(chair, reviewer, application):
    _ready(application, reviewer)
    application.version = 2
    application.save(update_fields=["version"])

    visible = reviews_visible_to(user=chair, application=application, assignment=None)

    assert list(visible) == []


# --- Statistics -----------------------------------------------------------------------------------


def test_stats_for_three_scores_matches_hand_computation():
    stats = stats_for(get_criterion("W1"), [3, 1, 2])

    # mean (3+1+2)/3 = 2; median of 1,2,3 = 2; spread 3-1 = 2;
    # sample SD sqrt(((3-2)^2 + (1-2)^2 + (2-2)^2) / (3-1)) = sqrt(1) = 1
    assert (stats.n, stats.mean, stats.median, stats.spread, stats.sd) == (3, 2.0, 2.0, 2, 1.0)


def test_stats_for_two_scores_matches_hand_computation():
    stats = stats_for(get_criterion("C2"), [0, 3, None])

    # mean 1.5; median 1.5; spread 3; sample SD sqrt((1.5^2 + 1.5^2) / 1) = sqrt(4.5)
    assert (stats.n, stats.mean, stats.median, stats.spread) == (2, 1.5, 1.5, 3)
    assert stats.sd == pytest.approx(2.1213203435596424)


def test_stats_for_four_scores_median_is_between_the_middle_two():
    stats = stats_for(get_criterion("C2"), [1, 3, 3, 2])

    # sorted 1,2,3,3: median (2+3)/2 = 2.5; mean 9/4 = 2.25; spread 2;
    # SD sqrt((1.5625 + 0.0625 + 0.5625 + 0.5625) / 3) = sqrt(0.916666...)
    assert (stats.mean, stats.median, stats.spread) == (2.25, 2.5, 2)
    assert stats.sd == pytest.approx(0.9574271077563381)


def test_stats_for_one_score_has_no_standard_deviation():
    stats = stats_for(get_criterion("W1"), [2])

    assert (stats.mean, stats.median, stats.spread, stats.sd) == (2.0, 2.0, 0, None)


def test_criteria_stats_keeps_the_criteria_order_and_empty_criteria():
    criteria = [get_criterion("W4"), get_criterion("C10")]

    stats = criteria_stats(criteria, {"C10": [1, 2], "W1": [3]})

    assert [(s.criterion.code, s.scores, s.mean) for s in stats] == [("W4", (), None), ("C10", (1, 2), 1.5)]


# --- Decisions: the guard --------------------------------------------------------------------------


def test_decision_needs_the_rounds_number_of_submitted_reviews(chair, reviewer, application):
    _ready(application, reviewer)

    with pytest.raises(ValidationError) as caught:
        application_transition(
            actor=chair, application_id=application.pk, action="accredit", comment="Strong"
        )

    assert caught.value.message_dict == {
        "__all__": ["The round needs 2 submitted reviews of this revision; there are 1."]
    }
    assert Decision.objects.count() == 0


def test_decision_refused_while_a_conflict_waits_for_the_chair(
    chair, reviewer, reviewer2, lay_reviewer, application
):
    _ready(application, reviewer, reviewer2)
    ReviewAssignmentFactory(application=application, reviewer=lay_reviewer, lay=True, declared_conflict=True)

    with pytest.raises(ValidationError) as caught:
        application_transition(
            actor=chair, application_id=application.pk, action="accredit", comment="Strong"
        )

    assert caught.value.message_dict == {
        "__all__": ["1 conflict(s) of interest are still waiting for the chair."]
    }


def test_decision_allowed_once_the_conflicted_reviewer_is_recused(
    chair, reviewer, reviewer2, lay_reviewer, application
):
    _ready(application, reviewer, reviewer2)
    conflicted = ReviewAssignmentFactory(
        application=application, reviewer=lay_reviewer, lay=True, declared_conflict=True
    )
    conflict_resolve(actor=chair, assignment_id=conflicted.pk, resolution="recused")

    decided = application_transition(
        actor=chair, application_id=application.pk, action="defer", comment="More PPI detail"
    )

    assert decided.status == ApplicationStatus.DEFERRED


def test_review_of_a_recused_reviewer_does_not_count(chair, reviewer, reviewer2, application):
    first, second = _ready(application, reviewer, reviewer2)
    conflict_resolve(actor=chair, assignment_id=second.assignment_id, resolution="recused")

    counted = counting_reviews(application)

    assert counted == [first]


def test_decision_needs_a_rationale(chair, reviewer, reviewer2, application):
    _ready(application, reviewer, reviewer2)

    with pytest.raises(ValidationError) as caught:
        application_transition(actor=chair, application_id=application.pk, action="accredit", comment="  ")

    assert caught.value.message_dict == {"comment": ["Write a rationale."]}


@pytest.mark.parametrize("action", ["accredit", "defer"])
def test_decision_outside_review_is_refused(chair, application, action):
    application.status = ApplicationStatus.SUBMITTED
    application.save(update_fields=["status"])

    with pytest.raises(InvalidTransition) as caught:
        application_transition(actor=chair, application_id=application.pk, action=action, comment="x")

    assert str(caught.value).startswith(f"'{action.capitalize()}' is not possible while it is submitted.")


# --- Decisions: the effects ------------------------------------------------------------------------


def test_accredit_creates_decision_accreditation_and_sets_up_the_hit(
    chair, reviewer, reviewer2, application, hit
):
    _ready(application, reviewer, reviewer2)

    with time_machine.travel(_at(2026, 3, 15, 10, 0), tick=False):
        application_transition(
            actor=chair,
            application_id=application.pk,
            action="accredit",
            comment="A strong, well-connected team.",
            expected_status=ApplicationStatus.UNDER_REVIEW,
        )

    application.refresh_from_db()
    hit.refresh_from_db()
    decision = Decision.objects.get()
    accreditation = Accreditation.objects.get()
    change = HITStatusChange.objects.get()
    assert application.status == ApplicationStatus.ACCREDITED
    assert (decision.outcome, decision.rationale, decision.decided_by, decision.revision_number) == (
        DecisionOutcome.ACCREDITED,
        "A strong, well-connected team.",
        chair,
        1,
    )
    assert (accreditation.hit, accreditation.application, accreditation.decision) == (
        hit,
        application,
        decision,
    )
    assert (accreditation.valid_from, accreditation.valid_until) == (
        datetime.date(2026, 3, 15),
        datetime.date(2029, 3, 14),
    )
    assert hit.status == HITStatus.SET_UP
    assert (change.action, change.from_status, change.to_status, change.actor) == (
        "accredit",
        HITStatus.IN_APPLICATION,
        HITStatus.SET_UP,
        chair,
    )
    assert list(ApplicationEvent.objects.values_list("action", "from_status", "to_status", "actor")) == [
        ("accredit", "under_review", "accredited", chair.pk)
    ]


def test_accredit_uses_the_rounds_term(chair, reviewer, reviewer2, application):
    application.round.accreditation_term_years = 5
    application.round.save(update_fields=["accreditation_term_years"])
    _ready(application, reviewer, reviewer2)

    with time_machine.travel(_at(2026, 7, 1, 9, 0), tick=False):
        application_transition(actor=chair, application_id=application.pk, action="accredit", comment="Yes")

    assert Accreditation.objects.values_list("valid_from", "valid_until").get() == (
        datetime.date(2026, 7, 1),
        datetime.date(2031, 6, 30),
    )


def test_accredit_with_conditions_needs_a_condition(chair, reviewer, reviewer2, application):
    _ready(application, reviewer, reviewer2)

    with pytest.raises(ValidationError) as caught:
        application_transition(
            actor=chair, application_id=application.pk, action="accredit_with_conditions", comment="Nearly"
        )

    assert caught.value.message_dict == {
        "conditions": ["Add at least one condition, with an owner and a due date."]
    }
    assert (Decision.objects.count(), Accreditation.objects.count()) == (0, 0)


def test_accredit_with_conditions_records_each_condition(chair, reviewer, reviewer2, director, application):
    _ready(application, reviewer, reviewer2)
    owner = Person.objects.get(user=director)

    application_transition(
        actor=chair,
        application_id=application.pk,
        action="accredit_with_conditions",
        comment="Nearly there",
        conditions=[_condition(owner, 90), _condition(owner, 30)],
    )

    decision = Decision.objects.get()
    assert decision.outcome == DecisionOutcome.ACCREDITED_WITH_CONDITIONS
    assert list(Condition.objects.values_list("decision", "owner", "due_on", "closed_at")) == [
        (decision.pk, owner.pk, timezone.localdate() + datetime.timedelta(days=30), None),
        (decision.pk, owner.pk, timezone.localdate() + datetime.timedelta(days=90), None),
    ]
    assert Accreditation.objects.count() == 1


def test_accredit_with_conditions_emails_each_condition_owner_after_commit(
    chair, reviewer, reviewer2, director, application, django_capture_on_commit_callbacks, mailoutbox
):
    _ready(application, reviewer, reviewer2)
    owner = Person.objects.get(user=director)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            actor=chair,
            application_id=application.pk,
            action="accredit_with_conditions",
            comment="Nearly there",
            conditions=[_condition(owner, 30)],
        )

    set_mails = [m for m in mailoutbox if m.subject.startswith("Condition set for")]
    due = timezone.localdate() + datetime.timedelta(days=30)
    assert [(m.to, m.subject) for m in set_mails] == [
        ([director.email], f"Condition set for {application.hit.name}, due {due.day} {due:%B %Y}")
    ]
    condition = Condition.objects.get()
    assert f"/accreditation/conditions/{condition.pk}/close/" in set_mails[0].body


def test_accredit_with_conditions_refuses_a_past_due_date(chair, reviewer, reviewer2, director, application):
    _ready(application, reviewer, reviewer2)

    with pytest.raises(ValidationError) as caught:
        application_transition(
            actor=chair,
            application_id=application.pk,
            action="accredit_with_conditions",
            comment="Nearly",
            conditions=[_condition(Person.objects.get(user=director), -1)],
        )

    assert caught.value.message_dict == {"conditions": ["A condition's due date cannot be in the past."]}


def test_not_accredit_a_new_application_closes_the_hit(chair, reviewer, reviewer2, application, hit):
    _ready(application, reviewer, reviewer2)

    application_transition(
        actor=chair, application_id=application.pk, action="not_accredit", comment="No shared problem"
    )

    hit.refresh_from_db()
    change = HITStatusChange.objects.get()
    assert hit.status == HITStatus.CLOSED
    assert (change.action, change.from_status, change.to_status) == ("withdraw", "in_application", "closed")
    assert Decision.objects.get().outcome == DecisionOutcome.NOT_ACCREDITED
    assert Accreditation.objects.count() == 0


def test_not_accredit_a_renewal_leaves_the_hit_alone(chair, reviewer, reviewer2, application, hit):
    previous = AccreditationFactory(decision__application__hit=hit)
    HIT.objects.filter(pk=hit.pk).update(status=HITStatus.ACTIVE)
    application.kind, application.renewal_of = ApplicationKind.RENEWAL, previous
    application.save(update_fields=["kind", "renewal_of"])
    _ready(application, reviewer, reviewer2)

    application_transition(actor=chair, application_id=application.pk, action="not_accredit", comment="No")

    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE
    assert HITStatusChange.objects.count() == 0


def test_defer_records_the_decision_and_nothing_else(chair, reviewer, reviewer2, application, hit):
    _ready(application, reviewer, reviewer2)

    application_transition(actor=chair, application_id=application.pk, action="defer", comment="Revise PPI")

    application.refresh_from_db()
    hit.refresh_from_db()
    assert application.status == ApplicationStatus.DEFERRED
    assert Decision.objects.get().outcome == DecisionOutcome.DEFERRED
    assert Accreditation.objects.count() == 0
    assert hit.status == HITStatus.IN_APPLICATION


def test_renewal_accreditation_starts_the_day_after_the_previous_one_ends(
    chair, reviewer, reviewer2, application, hit
):
    with time_machine.travel(_at(2026, 3, 15, 10, 0), tick=False):
        previous = AccreditationFactory(
            decision__application__hit=hit,
            valid_from=datetime.date(2023, 6, 1),
            valid_until=datetime.date(2026, 5, 31),
        )
        application.kind, application.renewal_of = ApplicationKind.RENEWAL, previous
        application.save(update_fields=["kind", "renewal_of"])
        _ready(application, reviewer, reviewer2)

        application_transition(actor=chair, application_id=application.pk, action="accredit", comment="Again")

    renewed = Accreditation.objects.get(application=application)
    assert (renewed.valid_from, renewed.valid_until) == (
        datetime.date(2026, 6, 1),
        datetime.date(2029, 5, 31),
    )


def test_second_decision_is_stale_and_names_who_decided(chair, reviewer, reviewer2, application):
    _ready(application, reviewer, reviewer2)
    with time_machine.travel(_at(2026, 3, 15, 10, 0), tick=False):
        application_transition(
            actor=chair,
            application_id=application.pk,
            action="accredit",
            comment="Yes",
            expected_status=ApplicationStatus.UNDER_REVIEW,
        )

    with pytest.raises(StaleState) as caught:
        application_transition(
            actor=chair,
            application_id=application.pk,
            action="not_accredit",
            comment="No",
            expected_status=ApplicationStatus.UNDER_REVIEW,
        )

    assert str(caught.value) == (
        f"This application was already accredited by {chair} on 15 Mar 2026 at 10:00; nothing was changed."
    )
    assert (Decision.objects.count(), Accreditation.objects.count()) == (1, 1)


# --- Role x action: only the chair releases feedback and decides ----------------------------------

ROLE_PERSONAS = [
    "chair",
    "programme_manager",
    "director",
    "teammate",
    "reviewer",
    "lay_reviewer",
    "board_member",
    "outsider",
]


@pytest.mark.parametrize("action", ["issue_feedback", *DECISIONS])
@pytest.mark.parametrize("who", ROLE_PERSONAS)
def test_role_action_matrix_only_the_chair_releases_feedback_and_decides(
    request, reviewer, reviewer2, lay_reviewer, director, application, who, action
):
    _ready(application, reviewer, reviewer2)
    submitted_review(
        ReviewAssignmentFactory(application=application, reviewer=lay_reviewer, lay=True, declared_none=True)
    )
    FeedbackPointFactory(document=FeedbackDocumentFactory(application=application))
    actor = request.getfixturevalue(who)
    conditions = (
        [_condition(Person.objects.get(user=director))] if action == "accredit_with_conditions" else []
    )
    label = {
        "issue_feedback": "release feedback",
        "accredit": "accredit",
        "accredit_with_conditions": "accredit with conditions",
        "defer": "defer",
        "not_accredit": "do not accredit",
    }[action]

    def act():
        return application_transition(
            actor=actor,
            application_id=application.pk,
            action=action,
            comment="Because",
            conditions=conditions,
        )

    if who == "chair":
        assert act().status != ApplicationStatus.UNDER_REVIEW
    else:
        with pytest.raises(PermissionDenied) as caught:
            act()
        assert str(caught.value) == f"You cannot '{label}' here."
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW


# --- Feedback -------------------------------------------------------------------------------------


def test_feedback_save_replaces_the_points_and_skips_empty_ones(chair, application):
    FeedbackPointFactory(document=FeedbackDocumentFactory(application=application), text="Old point")

    document = feedback_save(
        actor=chair,
        application_id=application.pk,
        summary=" Promising ",
        points=[("ppi", "Name the decisions carers join.", "Carers only advise. "), ("general", "  ", "")],
    )

    assert document.summary == "Promising"
    assert document.author == chair
    assert list(document.points.values_list("section", "text", "quoted_comment")) == [
        ("ppi", "Name the decisions carers join.", "Carers only advise.")
    ]


def test_feedback_save_refuses_an_unknown_section(chair, application):
    with pytest.raises(ValidationError) as caught:
        feedback_save(actor=chair, application_id=application.pk, summary="", points=[("budget", "x", "")])

    assert caught.value.message_dict == {"section": ["Choose a section of the application."]}


@pytest.mark.parametrize("who", ["programme_manager", "reviewer", "director"])
def test_feedback_save_by_anyone_but_the_chair_is_denied(request, application, reviewer, who):
    ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)

    with pytest.raises(PermissionDenied):
        feedback_save(
            actor=request.getfixturevalue(who), application_id=application.pk, summary="", points=[]
        )


def test_issue_feedback_needs_a_point(chair, application):
    FeedbackDocumentFactory(application=application)

    with pytest.raises(ValidationError) as caught:
        application_transition(actor=chair, application_id=application.pk, action="issue_feedback")

    assert caught.value.message_dict == {
        "__all__": ["Write at least one feedback point before releasing the feedback."]
    }


def test_issue_feedback_releases_the_document_and_freezes_it(chair, application):
    feedback_save(actor=chair, application_id=application.pk, summary="S", points=[("ppi", "Point", "")])

    application_transition(
        actor=chair, application_id=application.pk, action="issue_feedback", expected_status="under_review"
    )

    application.refresh_from_db()
    document = application.feedback_documents.get()
    assert application.status == ApplicationStatus.FEEDBACK
    assert document.status == FeedbackStatus.RELEASED
    assert document.released_at is not None
    with pytest.raises(InvalidTransition):
        feedback_save(actor=chair, application_id=application.pk, summary="", points=[])


# --- Conditions -----------------------------------------------------------------------------------


def test_condition_close_by_its_owner_with_evidence(director):
    condition = ConditionFactory(owner=Person.objects.get(user=director))

    sent = condition_close(actor=director, condition_id=condition.pk, evidence=" Signed ToR ")

    sent.refresh_from_db()
    assert (sent.evidence, sent.status, sent.closed_at) == ("Signed ToR", "awaiting_acceptance", None)


def test_condition_close_needs_evidence(programme_manager):
    condition = ConditionFactory()

    with pytest.raises(ValidationError) as caught:
        condition_close(actor=programme_manager, condition_id=condition.pk, evidence="  ")

    assert caught.value.message_dict == {"evidence": ["Describe the evidence that the condition is met."]}


def test_condition_close_by_someone_else_is_denied(teammate):
    condition = ConditionFactory()

    with pytest.raises(PermissionDenied) as caught:
        condition_close(actor=teammate, condition_id=condition.pk, evidence="Done")

    assert str(caught.value) == "Only the condition's owner or a programme manager closes it."


def test_condition_close_twice_is_refused(programme_manager):
    condition = ConditionFactory(closed=True)

    with pytest.raises(InvalidTransition) as caught:
        condition_close(actor=programme_manager, condition_id=condition.pk, evidence="Again")

    assert str(caught.value) == "'Evidence sent' is not possible while the condition is closed."


# --- Renewal --------------------------------------------------------------------------------------


@pytest.fixture
def accredited(hit, chair):
    """The Dementia HIT's accredited application, its frozen revision 1 and its accreditation."""
    application = PanelApplicationFactory(hit=hit, round=RoundFactory(closed=True), accredited=True)
    revision_sections = {
        "aims": {"aims": "Frozen aims", "problem": "Frozen problem", "boundaries": "Frozen boundaries"},
        "ppi": {"ppi_plan": "Frozen PPI", "public_members_in_structures": "Two", "support": "Paid"},
    }
    PanelRevisionFactory(application=application, sections=revision_sections)
    # The working copy drifted after the freeze (e.g. an admin correction); the revision is what was accredited.
    ApplicationSection.objects.create(application=application, key="aims", data={"aims": "Working copy"})
    StakeholderPlanRow.objects.create(
        application=application,
        organisation=OrganisationFactory(name="North Bristol Trust"),
        category=StakeholderCategoryFactory(code="PROV"),
        role="Leads",
        outcome="Pathway",
        depth=3,
    )
    decision = DecisionFactory(application=application, decided_by=chair)
    return AccreditationFactory(decision=decision)


def test_renewal_start_prefills_from_the_accredited_revision(director, accredited, panel):
    renewal = renewal_start(actor=director, accreditation_id=accredited.pk, round_id=panel.round.pk)

    assert (renewal.kind, renewal.renewal_of, renewal.round, renewal.status, renewal.version) == (
        ApplicationKind.RENEWAL,
        accredited,
        panel.round,
        ApplicationStatus.DRAFT,
        1,
    )
    assert dict(renewal.sections.values_list("key", "data")) == {
        "aims": {"aims": "Frozen aims", "problem": "Frozen problem", "boundaries": "Frozen boundaries"},
        "ppi": {"ppi_plan": "Frozen PPI", "public_members_in_structures": "Two", "support": "Paid"},
    }
    assert list(renewal.stakeholder_rows.values_list("organisation__name", "role", "depth")) == [
        ("North Bristol Trust", "Leads", 3)
    ]
    assert renewal.events.get().action == "start_renewal"


def test_renewal_start_by_a_teammate_is_denied(teammate, accredited, panel):
    with pytest.raises(PermissionDenied) as caught:
        renewal_start(actor=teammate, accreditation_id=accredited.pk, round_id=panel.round.pk)

    assert str(caught.value) == "Only the HIT's director or a programme manager starts a renewal."


def test_renewal_start_refused_while_an_application_is_in_progress(
    programme_manager, accredited, application
):
    with pytest.raises(InvalidTransition) as caught:
        renewal_start(actor=programme_manager, accreditation_id=accredited.pk, round_id=application.round_id)

    assert str(caught.value) == "This HIT already has an application in progress."


# --- Renewal reminders ----------------------------------------------------------------------------


@pytest.fixture
def expiring(hit, director):
    """An accreditation of the Dementia HIT valid until 14 March 2027."""
    return AccreditationFactory(
        decision__application__hit=hit,
        valid_from=datetime.date(2024, 3, 15),
        valid_until=datetime.date(2027, 3, 14),
    )


def test_renewal_reminders_go_out_once_per_offset(expiring, django_capture_on_commit_callbacks, mailoutbox):
    sent = []
    for day in ("2026-09-13", "2026-09-14", "2026-09-15", "2027-02-14", "2027-02-15", "2027-03-01"):
        moment = _at(*map(int, day.split("-")), 7, 0)
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            sent.append((day, renewal_reminders_send().done))

    expiring.refresh_from_db()
    assert sent == [
        ("2026-09-13", 0),
        ("2026-09-14", 1),
        ("2026-09-15", 0),
        ("2027-02-14", 1),
        ("2027-02-15", 0),
        ("2027-03-01", 0),
    ]
    assert expiring.reminded_6_months_at == _at(2026, 9, 14, 7, 0)
    assert expiring.reminded_1_month_at == _at(2027, 2, 14, 7, 0)
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("day", "says"),
    [
        ("2026-09-14", "in 6 months."),
        ("2026-11-14", "in 4 months."),
        ("2026-11-01", "in 4 months and 1 week."),
        ("2027-02-14", "in 1 month."),
        ("2027-03-04", "in 1 week and 3 days."),
    ],
)
def test_renewal_reminder_says_the_time_really_left(
    expiring, day, says, django_capture_on_commit_callbacks, mailoutbox
):
    """Regression: a first reminder sent four months before the end said "in about 6 months"."""
    with (
        time_machine.travel(_at(*map(int, day.split("-")), 7, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        renewal_reminders_send()

    (message,) = mailoutbox
    assert f"ends on 14 March 2027, {says}" in message.body
    assert f"ends on <strong>14 March 2027</strong>, {says}" in message.alternatives[0][0]
    assert "about" not in message.body


def test_renewal_reminders_skip_a_superseded_accreditation(expiring, hit, mailoutbox):
    AccreditationFactory(
        decision__application__hit=hit,
        valid_from=datetime.date(2027, 3, 15),
        valid_until=datetime.date(2030, 3, 14),
    )

    with time_machine.travel(_at(2026, 9, 14, 7, 0), tick=False):
        sent = renewal_reminders_send()

    expiring.refresh_from_db()
    assert sent == BatchOutcome(done=0, failed=[])
    assert expiring.reminded_6_months_at is None
    assert mailoutbox == []


def test_send_renewal_reminders_task_runs_the_service_and_is_idempotent(expiring):
    with time_machine.travel(_at(2026, 9, 14, 7, 0), tick=False):
        first = send_renewal_reminders.delay().get()
        second = send_renewal_reminders.delay().get()

    assert (first, second) == ({"done": 1, "failed": 0}, {"done": 0, "failed": 0})


def test_renewal_reminder_that_fails_is_logged_and_skipped_while_the_others_go_out(
    expiring, programme_manager, caplog, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    others = [
        AccreditationFactory(
            decision__application__hit=HITFactory(name=name),
            valid_from=datetime.date(2024, 3, 1),
            valid_until=datetime.date(2027, 3, 1),
        )
        for name in ("Broken HIT", "Pain HIT")
    ]
    broken, fine = others
    real_send = send_after_commit

    def send_failing_for_broken(*, template, recipients, context):
        # Anything that goes wrong with one accreditation: here, building its email.
        if context["accreditation"].pk == broken.pk:
            raise ValueError("cannot build this reminder")
        real_send(template=template, recipients=recipients, context=context)

    monkeypatch.setattr(renewals, "send_after_commit", send_failing_for_broken)

    with (
        time_machine.travel(_at(2026, 9, 14, 7, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = send_renewal_reminders()

    assert outcome == {"done": 2, "failed": 1}
    assert sorted(m.subject.split(":")[0] for m in mailoutbox if m.to == [programme_manager.email]) == [
        "Dementia HIT",
        "Pain HIT",
    ]
    # The failed row's claim was rolled back with it, so tomorrow's run tries it again.
    assert Accreditation.objects.get(pk=broken.pk).reminded_6_months_at is None
    assert Accreditation.objects.get(pk=fine.pk).reminded_6_months_at == _at(2026, 9, 14, 7, 0)
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.levelname == "ERROR"] == [
        (
            "ERROR",
            f"The 6-month renewal reminder of accreditation {broken.pk} failed and was skipped; "
            "the other rows carry on.",
        )
    ]


# --- Emails ---------------------------------------------------------------------------------------


def _html(message) -> str:
    return message.alternatives[0][0]


def test_review_assigned_email(chair, reviewer, application, django_capture_on_commit_callbacks, mailoutbox):
    due = timezone.localdate() + datetime.timedelta(days=20)

    with django_capture_on_commit_callbacks(execute=True):
        assignment = assignment_create(
            actor=chair, application_id=application.pk, reviewer=reviewer, due_on=due
        )

    (message,) = mailoutbox
    link = f"http://127.0.0.1:8000/accreditation/assignments/{assignment.pk}/declare/"
    assert message.subject == "Please review the application of Dementia HIT"
    assert message.to == [reviewer.email]
    assert (
        f"You are asked to review the application of Dementia HIT to {application.round.name}."
        in message.body
    )
    assert f"Your review is due by {due:%-d %B %Y}." in message.body
    assert link in message.body
    assert f'<a href="{link}">Declare your interests</a>' in _html(message)
    assert f"<strong>{due:%-d %B %Y}</strong>" in _html(message)


def test_conflict_declared_email_goes_to_the_chairs(
    chair, reviewer, application, django_capture_on_commit_callbacks, mailoutbox
):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        conflict_declare(
            actor=reviewer,
            assignment_id=assignment.pk,
            declaration="declared",
            note="I chair the trust's board.",
        )

    (message,) = mailoutbox
    assert message.subject == "Conflict of interest declared on Dementia HIT"
    assert message.to == [chair.email]
    assert (
        f"{reviewer.full_name} declared a conflict of interest with the application of Dementia HIT"
        in message.body
    )
    assert "I chair the trust's board." in message.body
    assert f"/accreditation/applications/{application.pk}/assignments/" in message.body
    assert "<p>I chair the trust&#x27;s board.</p>" in _html(message)


def test_application_decided_email_lists_outcome_rationale_conditions_and_dates(
    chair,
    reviewer,
    reviewer2,
    director,
    teammate,
    application,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    _ready(application, reviewer, reviewer2)
    owner = Person.objects.get(user=director)
    today = timezone.localdate()
    due = today + datetime.timedelta(days=60)
    until = _add_years(today, 3) - datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            actor=chair,
            application_id=application.pk,
            action="accredit_with_conditions",
            comment="Strong plan; governance needs terms of reference.",
            conditions=[ConditionInput(text="Agree terms of reference.", owner_id=owner.pk, due_on=due)],
        )

    decided = [m for m in mailoutbox if not m.subject.startswith("Condition set for")]
    assert sorted(m.to[0] for m in decided) == sorted([director.email, teammate.email])
    assert [m.to for m in mailoutbox if m.subject.startswith("Condition set for")] == [[director.email]]
    message = decided[0]
    html = _html(message)
    assert message.subject == "Dementia HIT: Accredited with conditions"
    assert "Outcome: Accredited with conditions" in message.body
    assert "Strong plan; governance needs terms of reference." in message.body
    assert f"Dementia HIT is accredited from {today:%-d %B %Y} until {until:%-d %B %Y}." in message.body
    assert f"1. Agree terms of reference.\n   Owner: Dana Director. Due: {due:%-d %B %Y}." in message.body
    assert "Outcome: <strong>Accredited with conditions</strong>" in html
    assert f"<strong>{today:%-d %B %Y}</strong> until <strong>{until:%-d %B %Y}</strong>" in html
    assert f"<li>Agree terms of reference.<br>Owner: Dana Director. Due: {due:%-d %B %Y}.</li>" in html


def test_application_decided_email_for_a_deferral_asks_for_a_revision(
    chair, reviewer, reviewer2, director, application, django_capture_on_commit_callbacks, mailoutbox
):
    _ready(application, reviewer, reviewer2)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(actor=chair, application_id=application.pk, action="defer", comment="Revise")

    (message,) = mailoutbox
    assert message.subject == "Dementia HIT: Deferred"
    assert "accredited from" not in message.body
    assert 'choose "Revise" on the application page' in message.body


def test_renewal_reminder_email(
    expiring, director, programme_manager, django_capture_on_commit_callbacks, mailoutbox
):
    co_director = PersonFactory(full_name="Cory Codirector", email="cory@example.org")
    MembershipFactory(hit=expiring.hit, person=co_director, role=MembershipRole.CO_DIRECTOR)

    moment = _at(2026, 9, 14, 7, 0)
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        renewal_reminders_send()

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [director.email, "cory@example.org", programme_manager.email]
    )
    message = mailoutbox[0]
    assert message.subject == "Dementia HIT: accreditation ends on 14 March 2027"
    assert "The accreditation of Dementia HIT ends on 14 March 2027, in 6 months." in message.body
    assert f"/accreditation/applications/{expiring.application_id}/" in message.body
    assert "<strong>14 March 2027</strong>, in 6 months." in _html(message)
