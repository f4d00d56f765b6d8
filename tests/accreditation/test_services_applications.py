"""The application workflow through the service layer: every (state, action) pair, the role x action
matrix, one test per side effect, bad input and the emails each move sends."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accreditation import workflow
from accreditation.enums import ApplicationStatus, ConflictDeclaration, FeedbackStatus, ReviewStatus
from accreditation.models import (
    Accreditation,
    ApplicationEvent,
    ApplicationSection,
    Decision,
    FeedbackDocument,
    FeedbackPoint,
    Review,
    ReviewAssignment,
    Revision,
    StakeholderPlanRow,
)
from accreditation.services import applications, eois
from accreditation.services.applications import ConditionInput, application_transition
from accreditation.services.drafting import (
    section_save,
    sponsor_confirm,
    sponsor_request,
    sponsor_token,
    sponsor_token_read,
    stakeholder_row_delete,
    stakeholder_row_save,
    submission_problems,
)
from accreditation.services.reviews import feedback_respond
from accreditation.workflow import APPLICATION_WORKFLOW
from core.workflow import InvalidTransition, StaleState
from teams.enums import HITStatus, MembershipRole
from tests import factories as f
from tests.factories.accreditation_applications import (
    VALID_SECTION_DATA,
    ApplicationFactory,
    ApplicationSectionFactory,
    StakeholderPlanRowFactory,
    complete_application,
)

ACTIONS = APPLICATION_WORKFLOW.action_names
TRANSITIONS = {t.action: t for t in APPLICATION_WORKFLOW.transitions}
LEGAL = {(source, t.action): t.target for t in APPLICATION_WORKFLOW.transitions for source in t.sources}


def _reviews_submitted(application, count: int) -> None:
    """`count` conflict-free assignments with a submitted review of the current revision."""
    for _ in range(count):
        assignment = ReviewAssignment.objects.create(
            application=application,
            reviewer=f.UserFactory(),
            declaration=ConflictDeclaration.NONE,
            declared_at=timezone.now(),
        )
        Review.objects.create(
            assignment=assignment,
            revision_number=application.version,
            status=ReviewStatus.SUBMITTED,
            recommendation="accredit",
            submitted_at=timezone.now(),
        )


def _feedback(application, *, released: bool = False, points: int = 1) -> FeedbackDocument:
    document = FeedbackDocument.objects.create(
        application=application,
        revision_number=application.version,
        summary="A strong plan; widen the engagement.",
        status=FeedbackStatus.RELEASED if released else FeedbackStatus.DRAFT,
        released_at=timezone.now() if released else None,
    )
    for n in range(points):
        FeedbackPoint.objects.create(
            document=document,
            section="stakeholders",
            text=f"Point {n + 1}: involve social care.",
            quoted_comment="Social care is missing from the table.",
        )
    return document


def _prepare(application, action: str) -> dict:
    """Meet the guard of `action` and return the extra service arguments it needs."""
    if action == "submit":
        complete_application(application)
    elif action == "issue_feedback":
        _feedback(application)
    elif action in workflow.DECISION_ACTIONS:
        _reviews_submitted(application, application.round.reviewers_per_application)
    kwargs: dict = {}
    if TRANSITIONS[action].needs_comment:
        kwargs["comment"] = "Recorded in the test."
    if action == "accredit_with_conditions":
        kwargs["conditions"] = [
            ConditionInput(
                text="Add a carer to the management group.",
                owner_id=f.PersonFactory().pk,
                due_on=timezone.localdate() + datetime.timedelta(days=90),
            )
        ]
    return kwargs


@pytest.fixture
def no_mail(monkeypatch):
    """The table tests are about states; emails (some templated by other pages) have their own tests."""
    for module in (applications, eois):
        monkeypatch.setattr(module, "send_after_commit", lambda **kwargs: None)


def _actor_for(action: str, *, director, chair):
    return director if workflow.APPLICANT in TRANSITIONS[action].roles else chair


# --- Every (state, action) pair ----------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", ApplicationStatus.values)
def test_application_transition_every_state_and_action(status, action, hit, director, chair, panel, no_mail):
    application = ApplicationFactory(hit=hit, round=panel.round, status=status)
    kwargs = _prepare(application, action)
    actor = _actor_for(action, director=director, chair=chair)

    if (status, action) in LEGAL:
        moved = application_transition(actor=actor, application_id=application.pk, action=action, **kwargs)
        event = ApplicationEvent.objects.get(application=application)
        assert moved.status == LEGAL[(status, action)]
        assert (event.actor, event.action, event.from_status, event.to_status) == (
            actor,
            action,
            status,
            LEGAL[(status, action)],
        )
    else:
        with pytest.raises(InvalidTransition):
            application_transition(actor=actor, application_id=application.pk, action=action, **kwargs)
        application.refresh_from_db()
        assert application.status == status
        assert ApplicationEvent.objects.filter(application=application).count() == 0


def test_application_transition_unknown_action_is_invalid(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)

    with pytest.raises(InvalidTransition, match=re.escape("There is no action called 'approve'.")):
        application_transition(actor=director, application_id=application.pk, action="approve")


# --- Role x action ------------------------------------------------------------------------------------

ROLE_ACTIONS = {
    # action: (source status, roles allowed)
    "submit": (ApplicationStatus.DRAFT, {"applicant"}),
    "withdraw": (ApplicationStatus.DRAFT, {"applicant"}),
    "revise": (ApplicationStatus.FEEDBACK, {"applicant"}),
    "start_review": (ApplicationStatus.SUBMITTED, {"chair", "programme_manager"}),
}
ROLE_FIXTURES = {
    "applicant": "director",
    "teammate": "teammate",
    "chair": "chair",
    "programme_manager": "programme_manager",
    "none": "no_role_user",
}


@pytest.mark.parametrize("role", ROLE_FIXTURES)
@pytest.mark.parametrize("action", ROLE_ACTIONS)
def test_application_transition_role_matrix(request, hit, panel, action, role, no_mail):
    source, allowed = ROLE_ACTIONS[action]
    application = ApplicationFactory(hit=hit, round=panel.round, status=source)
    kwargs = _prepare(application, action)
    actor = request.getfixturevalue(ROLE_FIXTURES[role])

    if role in allowed:
        moved = application_transition(actor=actor, application_id=application.pk, action=action, **kwargs)
        assert moved.status == LEGAL[(source, action)]
    else:
        with pytest.raises(PermissionDenied):
            application_transition(actor=actor, application_id=application.pk, action=action, **kwargs)
        application.refresh_from_db()
        assert application.status == source


# --- Side effects, one test each ---------------------------------------------------------------------


def test_submit_freezes_revision_with_sections_stakeholders_and_counts(hit, director, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    StakeholderPlanRowFactory(application=application, organisation=None, stakeholder="Carers' forum")

    application_transition(actor=director, application_id=application.pk, action="submit")

    revision = Revision.objects.get(application=application)
    application.refresh_from_db()
    assert revision.number == 1
    assert revision.submitted_by == director
    assert revision.sections == VALID_SECTION_DATA
    assert [row["stakeholder"] for row in revision.stakeholders] == ["", "", "Carers' forum"]
    assert [row["category"] for row in revision.stakeholders] == ["PROV", "COMM", "PROV"]
    assert (revision.organisation_count, revision.category_count) == (2, 2)
    assert revision.governance["executive_sponsor"] == str(application.executive_sponsor)
    assert application.submitted_at is not None


def test_first_submit_moves_proposed_hit_into_application(director, panel):
    proposed = f.HITFactory(status=HITStatus.PROPOSED)
    f.MembershipFactory(hit=proposed, person=director.person, role=MembershipRole.DIRECTOR)
    application = complete_application(ApplicationFactory(hit=proposed, round=panel.round))

    application_transition(actor=director, application_id=application.pk, action="submit")

    proposed.refresh_from_db()
    assert proposed.status == HITStatus.IN_APPLICATION
    assert proposed.status_changes.get().action == "start_application"


def test_revise_opens_next_version_keeping_revision(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, feedback=True, version=1)

    moved = application_transition(actor=director, application_id=application.pk, action="revise")

    assert (moved.status, moved.version) == (ApplicationStatus.DRAFT, 2)


def test_withdraw_closes_a_proposed_hit(director, panel):
    proposed = f.HITFactory(status=HITStatus.PROPOSED)
    f.MembershipFactory(hit=proposed, person=director.person, role=MembershipRole.DIRECTOR)
    application = ApplicationFactory(hit=proposed, round=panel.round)

    application_transition(
        actor=director, application_id=application.pk, action="withdraw", comment="Lost our sponsor."
    )

    proposed.refresh_from_db()
    assert proposed.status == HITStatus.CLOSED


def test_withdraw_needs_a_reason(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)

    with pytest.raises(ValidationError) as caught:
        application_transition(actor=director, application_id=application.pk, action="withdraw")

    assert caught.value.message_dict == {"comment": ["Write a reason."]}


def test_sponsor_change_voids_confirmation(hit, director, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    new_sponsor = f.PersonFactory()
    data = {
        **VALID_SECTION_DATA["governance"],
        "director": application.director_id,
        "executive_sponsor": new_sponsor.pk,
        "host_organisation": application.host_organisation_id,
        "host_unit": application.host_unit,
    }

    section_save(actor=director, application_id=application.pk, key="governance", data=data)

    application.refresh_from_db()
    assert application.executive_sponsor == new_sponsor
    assert application.sponsor_confirmed is False
    assert submission_problems(application) == [
        ("governance", "The executive sponsor has not confirmed their sponsorship yet.")
    ]


def test_submission_problems_lists_each_missing_piece(hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)
    ApplicationSectionFactory(application=application, key="aims")
    StakeholderPlanRowFactory(application=application)

    problems = submission_problems(application)

    assert problems == [
        ("governance", "Complete the section 'Governance'."),
        ("ppi", "Complete the section 'Patient and public involvement'."),
        ("coordination", "Complete the section 'Coordination with related HITs'."),
        ("data_sharing", "Complete the section 'Data sharing and information governance'."),
        ("integration", "Complete the section 'Integration plans'."),
        ("innovation", "Complete the section 'Innovation plans'."),
        ("skills", "Complete the section 'Skills gaps'."),
        ("milestones", "Complete the section 'First-year milestones'."),
        ("stakeholders", "Name at least two organisations in the table of who needs to be involved."),
        ("governance", "Name the HIT's director."),
        ("governance", "Name the executive sponsor."),
    ]


def test_submission_problems_empty_for_complete_application(hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))

    assert submission_problems(application) == []


def test_submit_of_incomplete_application_is_refused_and_changes_nothing(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)

    with pytest.raises(ValidationError) as caught:
        application_transition(actor=director, application_id=application.pk, action="submit")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert len(caught.value.message_dict["__all__"]) == 12
    assert Revision.objects.count() == 0


def test_submit_freezes_answers_to_previous_feedback(hit, director, chair, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round, feedback=True))
    document = _feedback(application, released=True, points=2)
    application_transition(actor=director, application_id=application.pk, action="revise")
    first, second = document.points.order_by("pk")
    feedback_respond(
        actor=director, application_id=application.pk, responses={first.pk: "We added the council."}
    )

    application_transition(actor=director, application_id=application.pk, action="submit")

    revision = Revision.objects.get(application=application, number=2)
    assert revision.feedback_responses == [
        {"section": "stakeholders", "point": first.text, "response": "We added the council."},
        {"section": "stakeholders", "point": second.text, "response": ""},
    ]


def test_section_save_in_draft_mode_keeps_partial_answers_incomplete(hit, teammate, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)

    row = section_save(
        actor=teammate,
        application_id=application.pk,
        key="aims",
        data={"aims": "Fewer admissions.", "problem": "", "boundaries": ""},
    )

    assert (row.data["aims"], row.is_complete, row.updated_by) == ("Fewer admissions.", False, teammate)


def test_section_save_marks_complete_section(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)

    row = section_save(
        actor=director, application_id=application.pk, key="aims", data=dict(VALID_SECTION_DATA["aims"])
    )

    assert row.is_complete is True


def test_feedback_respond_refuses_points_of_another_application(hit, director, panel, other_hit):
    application = ApplicationFactory(hit=hit, round=panel.round, version=2)
    mine = _feedback(application, released=True)
    other = ApplicationFactory(hit=other_hit, round=panel.round)
    foreign = _feedback(other, released=True).points.get()

    with pytest.raises(PermissionDenied):
        feedback_respond(actor=director, application_id=application.pk, responses={foreign.pk: "Ha"})

    assert mine.points.get().response == ""
    foreign.refresh_from_db()
    assert foreign.response == ""


# --- Bad input ---------------------------------------------------------------------------------------


def test_edit_of_submitted_application_is_refused(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, submitted=True)

    with pytest.raises(PermissionDenied, match="This application is submitted"):
        section_save(
            actor=director, application_id=application.pk, key="aims", data=dict(VALID_SECTION_DATA["aims"])
        )

    assert ApplicationSection.objects.count() == 0


def test_double_submit_gives_one_revision_and_a_clear_message(hit, director, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    application_transition(actor=director, application_id=application.pk, action="submit")

    with pytest.raises(InvalidTransition) as caught:
        application_transition(actor=director, application_id=application.pk, action="submit")

    assert str(caught.value).startswith(
        "'Submit' is not possible while it is submitted. It was already submitted by Dana Director on "
    )
    assert str(caught.value).endswith("; nothing was changed.")
    assert Revision.objects.filter(application=application).count() == 1


def test_submit_with_stale_expected_status_is_refused(hit, director, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    application_transition(actor=director, application_id=application.pk, action="submit")

    with pytest.raises(StaleState, match="This application was already submitted by Dana Director"):
        application_transition(
            actor=director, application_id=application.pk, action="submit", expected_status="draft"
        )

    assert Revision.objects.filter(application=application).count() == 1


def test_illegal_transition_message_names_the_state(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, under_review=True)

    with pytest.raises(InvalidTransition) as caught:
        application_transition(actor=director, application_id=application.pk, action="revise")

    assert str(caught.value) == "'Revise' is not possible while it is under review."


def test_stakeholder_row_of_another_application_is_refused(hit, director, panel, other_hit):
    application = ApplicationFactory(hit=hit, round=panel.round)
    foreign = StakeholderPlanRowFactory(application=ApplicationFactory(hit=other_hit, round=panel.round))

    with pytest.raises(PermissionDenied):
        stakeholder_row_delete(actor=director, application_id=application.pk, row_id=foreign.pk)
    foreign.role = "Taken over"
    with pytest.raises(PermissionDenied):
        stakeholder_row_save(actor=director, application_id=application.pk, row=foreign)

    foreign.refresh_from_db()
    assert foreign.role == "Member of the management group"
    assert foreign.application.hit == other_hit


def test_submit_needs_sponsor_confirmation(hit, director, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    application.sponsor_confirmed_at = None
    application.save(update_fields=["sponsor_confirmed_at"])

    with pytest.raises(ValidationError) as caught:
        application_transition(actor=director, application_id=application.pk, action="submit")

    assert caught.value.message_dict == {
        "__all__": ["The executive sponsor has not confirmed their sponsorship yet."]
    }


def _unconfirmed(hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    application.sponsor_confirmed_at = None
    application.sponsor_confirmed_for = None
    application.save(update_fields=["sponsor_confirmed_at", "sponsor_confirmed_for"])
    return application


def test_sponsor_token_with_wrong_salt_is_refused(hit, panel):
    application = _unconfirmed(hit, panel)
    forged = signing.dumps(
        {"a": application.pk, "s": application.executive_sponsor_id}, salt="something-else", compress=True
    )

    with pytest.raises(signing.BadSignature):
        sponsor_confirm(token=forged)

    application.refresh_from_db()
    assert application.sponsor_confirmed is False


def test_sponsor_token_expires_after_a_month(hit, panel):
    application = _unconfirmed(hit, panel)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=31)):
        token = sponsor_token(application)

    with pytest.raises(signing.SignatureExpired):
        sponsor_confirm(token=token)

    application.refresh_from_db()
    assert application.sponsor_confirmed is False


def test_sponsor_confirm_records_confirmation_and_event(hit, panel):
    application = _unconfirmed(hit, panel)

    confirmed = sponsor_confirm(token=sponsor_token(application))

    assert confirmed.sponsor_confirmed is True
    assert ApplicationEvent.objects.get(application=application).action == "confirm_sponsorship"


def test_sponsor_link_used_twice_is_refused(hit, panel):
    application = _unconfirmed(hit, panel)
    token = sponsor_token(application)
    sponsor_confirm(token=token)

    with pytest.raises(
        InvalidTransition, match=re.escape("Your sponsorship was already confirmed. Thank you.")
    ):
        sponsor_confirm(token=token)


def test_sponsor_link_of_replaced_sponsor_is_refused(hit, panel):
    application = _unconfirmed(hit, panel)
    token = sponsor_token(application)
    application.executive_sponsor = f.PersonFactory()
    application.save(update_fields=["executive_sponsor"])

    with pytest.raises(InvalidTransition, match="no longer named"):
        sponsor_confirm(token=token)


def test_sponsor_request_needs_a_named_sponsor(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)

    with pytest.raises(ValidationError) as caught:
        sponsor_request(actor=director, application_id=application.pk)

    assert caught.value.message_dict == {
        "executive_sponsor": ["Name the executive sponsor in the governance section first."]
    }


# --- Emails ------------------------------------------------------------------------------------------


def _html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_sponsor_request_emails_the_sponsor_a_link(hit, director, panel, django_capture_on_commit_callbacks):
    application = _unconfirmed(hit, panel)
    sponsor = application.executive_sponsor

    with django_capture_on_commit_callbacks(execute=True):
        sponsor_request(actor=director, application_id=application.pk)

    [message] = mail.outbox
    # The signed token carries a timestamp, so read it back from the email rather than rebuild it.
    link = re.search(r"http://127\.0\.0\.1:8000/accreditation/sponsor/([^/\s]+)/", message.body)
    assert sponsor_token_read(link.group(1)) == (application.pk, sponsor.pk)
    link = link.group(0)
    assert message.to == [sponsor.email]
    assert message.subject == "Please confirm your sponsorship of Dementia HIT"
    assert f"Hello {sponsor.full_name}," in message.body
    assert "Dana Director has named you as the executive sponsor of Dementia HIT" in message.body
    assert link in message.body
    assert f'<a href="{link}">Read what you are sponsoring and confirm</a>' in _html(message)


def test_sponsor_confirmation_emails_the_director(hit, panel, django_capture_on_commit_callbacks):
    application = _unconfirmed(hit, panel)

    with django_capture_on_commit_callbacks(execute=True):
        sponsor_confirm(token=sponsor_token(application))

    [message] = mail.outbox
    sponsor = application.executive_sponsor.full_name
    assert message.to == [application.director.email]
    assert message.subject == f"{sponsor} confirmed their sponsorship of Dementia HIT"
    assert f"{sponsor} confirmed on " in message.body
    assert f'href="http://127.0.0.1:8000/accreditation/applications/{application.pk}/"' in _html(message)


def test_submit_emails_chair_and_team(
    hit, director, teammate, chair, panel, django_capture_on_commit_callbacks
):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(actor=director, application_id=application.pk, action="submit")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([chair.email, director.email, teammate.email])
    message = mail.outbox[0]
    assert message.subject == "Dementia HIT submitted revision 1 of its application"
    assert f"Dementia HIT submitted revision 1 of its application to {panel.round.name} on " in message.body
    assert f"/accreditation/applications/{application.pk}/revisions/1/" in message.body
    assert (
        f'<a href="http://127.0.0.1:8000/accreditation/applications/{application.pk}/revisions/1/">Read revision 1</a>'
        in _html(message)
    )


def test_withdraw_emails_the_team_with_the_reason(
    hit, director, teammate, chair, panel, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(hit=hit, round=panel.round)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            actor=director, application_id=application.pk, action="withdraw", comment="Our sponsor left."
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted([director.email, teammate.email])
    message = mail.outbox[0]
    assert message.subject == "The application of Dementia HIT was withdrawn"
    assert "Reason given:\nOur sponsor left." in message.body
    assert "<blockquote><p>Our sponsor left.</p></blockquote>" in _html(message)


def test_issue_feedback_emails_the_team(hit, director, chair, panel, django_capture_on_commit_callbacks):
    application = ApplicationFactory(hit=hit, round=panel.round, under_review=True)
    _feedback(application)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(actor=chair, application_id=application.pk, action="issue_feedback")

    [message] = mail.outbox
    assert message.to == [director.email]
    assert message.subject == "Feedback on the application of Dementia HIT is ready"
    assert (
        "The panel has released its feedback on revision 1 of the application of Dementia HIT" in message.body
    )
    assert f"/accreditation/applications/{application.pk}/feedback/" in message.body
    assert (
        f'<a href="http://127.0.0.1:8000/accreditation/applications/{application.pk}/feedback/">Read the feedback</a>'
        in _html(message)
    )


def test_start_review_sends_no_email(hit, chair, director, panel, django_capture_on_commit_callbacks):
    application = ApplicationFactory(hit=hit, round=panel.round, submitted=True)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(actor=chair, application_id=application.pk, action="start_review")

    assert mail.outbox == []


def test_accredit_creates_decision_and_accreditation(hit, chair, panel, no_mail):
    application = ApplicationFactory(hit=hit, round=panel.round, under_review=True)
    _reviews_submitted(application, 2)

    application_transition(
        actor=chair, application_id=application.pk, action="accredit", comment="A strong team."
    )

    assert Decision.objects.get(application=application).rationale == "A strong team."
    assert Accreditation.objects.get(application=application).hit == hit


def test_stakeholder_row_save_checks_the_names_someone_constraint(hit, director, panel):
    application = ApplicationFactory(hit=hit, round=panel.round)
    row = StakeholderPlanRow(category=f.StakeholderCategoryFactory(code="PROV"), role="A", outcome="B")

    with pytest.raises(ValidationError):
        stakeholder_row_save(actor=director, application_id=application.pk, row=row)

    assert StakeholderPlanRow.objects.count() == 0


# --- Placeholder text in the stakeholder table does not count as complete --------------------------


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("To be agreed", True),
        ("to be agreed with the council", True),
        ("TBC", True),
        ("tbd.", True),
        ("N/A", True),
        ("-", True),
        ("...", True),
        ("   ", True),
        ("None yet", True),
        ("Chairs the management group", False),
        ("National crisis pathway", False),
        ("NHS trusts of the region", False),
    ],
)
def test_is_placeholder(text, placeholder):
    from accreditation.domain.sections import is_placeholder

    assert is_placeholder(text) is placeholder


def test_submission_problems_name_each_stakeholder_row_with_placeholder_text(hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    trust = f.OrganisationFactory(name="North Bristol Trust")
    StakeholderPlanRowFactory(application=application, organisation=trust, role="To be agreed", outcome="TBC")
    StakeholderPlanRowFactory(
        application=application,
        organisation=None,
        stakeholder="n/a",
        role="Sits on the board",
        outcome="Fewer falls",
    )

    problems = submission_problems(application)

    assert problems == [
        (
            "stakeholders",
            "Row 3 (North Bristol Trust) is not complete: \u201cHow they are involved\u201d says only "
            "\u201cTo be agreed\u201d and \u201cFor what outcome\u201d says only \u201cTBC\u201d. "
            "Write what is agreed, or remove the row.",
        ),
        (
            "stakeholders",
            "Row 4 (n/a) is not complete: \u201cWho\u201d says only \u201cn/a\u201d. "
            "Write what is agreed, or remove the row.",
        ),
    ]


def test_submit_with_a_placeholder_stakeholder_row_is_refused_and_changes_nothing(hit, director, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    StakeholderPlanRowFactory(application=application, role="TBD")

    with pytest.raises(ValidationError) as caught:
        application_transition(actor=director, application_id=application.pk, action="submit")

    [message] = caught.value.message_dict["__all__"]
    assert message.startswith("Row 3 (")
    assert "\u201cHow they are involved\u201d says only \u201cTBD\u201d" in message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert Revision.objects.filter(application=application).count() == 0
