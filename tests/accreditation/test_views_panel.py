"""The panel's pages: what each shows, what each POST does, and constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accreditation.enums import (
    ApplicationStatus,
    ConflictDeclaration,
    ConflictResolution,
    FeedbackStatus,
    PanelRole,
    ReviewStatus,
)
from accreditation.models import Accreditation, Application, Condition, Decision, ReviewAssignment
from teams.enums import HITStatus
from teams.models import HIT, Person
from tests.factories import HITFactory, PanelMemberFactory, PersonFactory, RoundFactory
from tests.factories.accreditation_panel import (
    AccreditationFactory,
    ConditionFactory,
    DecisionFactory,
    FeedbackDocumentFactory,
    FeedbackPointFactory,
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    submitted_review,
)


@pytest.fixture
def application(panel, hit):
    HIT.objects.filter(pk=hit.pk).update(status=HITStatus.IN_APPLICATION)
    application = PanelApplicationFactory(hit=hit, round=panel.round)
    PanelRevisionFactory(application=application)
    return application


@pytest.fixture
def reviewer2(panel):
    return PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER, user__full_name="Rita Second").user


@pytest.fixture
def chair_client(client, chair):
    client.force_login(chair)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _ready(application, *reviewers, score: int = 2):
    return [
        submitted_review(
            ReviewAssignmentFactory(application=application, reviewer=r, declared_none=True), score
        )
        for r in reviewers
    ]


# --- Round board ----------------------------------------------------------------------------------


def test_round_board_groups_applications_by_status_with_review_counts(
    chair_client, panel, application, reviewer
):
    _ready(application, reviewer)
    ReviewAssignmentFactory(application=application)
    submitted = PanelApplicationFactory(round=panel.round, submitted=True, hit__name="Pain HIT 2")
    PanelApplicationFactory(hit__name="Another round's HIT")

    response = chair_client.get(reverse("accreditation:round-board", args=[panel.round.pk]))

    groups = [
        (status, [(a.hit.name, a.assigned, a.submitted_reviews) for a in apps])
        for status, _l, apps in response.context["groups"]
    ]
    assert groups == [
        ("submitted", [(submitted.hit.name, 0, 0)]),
        ("under_review", [("Dementia HIT", 2, 1)]),
    ]
    assert response.context["count"] == 2


def test_round_board_counts_only_reviews_of_the_current_version(chair_client, panel, application, reviewer):
    _ready(application, reviewer)
    Application.objects.filter(pk=application.pk).update(version=2)

    response = chair_client.get(reverse("accreditation:round-board", args=[panel.round.pk]))

    (_status, _label, (row,)) = response.context["groups"][0]
    assert (row.assigned, row.submitted_reviews) == (1, 0)


def test_round_board_filters_by_status(chair_client, panel, application):
    PanelApplicationFactory(round=panel.round, submitted=True)

    response = chair_client.get(
        reverse("accreditation:round-board", args=[panel.round.pk]), {"status": "under_review"}
    )

    assert [(s, [a.pk for a in apps]) for s, _l, apps in response.context["groups"]] == [
        ("under_review", [application.pk])
    ]


def test_round_board_offers_start_review_and_release_feedback_to_the_chair_only_where_possible(
    chair_client, panel, application
):
    submitted = PanelApplicationFactory(round=panel.round, submitted=True)

    response = chair_client.get(reverse("accreditation:round-board", args=[panel.round.pk]))

    actions = {
        a.pk: [t.action for t in a.panel_actions] for _s, _l, apps in response.context["groups"] for a in apps
    }
    assert actions == {submitted.pk: ["start_review"], application.pk: ["issue_feedback"]}


@pytest.mark.parametrize("rows", [1, 3])
def test_round_board_query_count_is_constant(chair_client, panel, django_assert_num_queries, rows):
    for _ in range(rows):
        application = PanelApplicationFactory(round=panel.round)
        _ready(application, PanelMemberFactory(panel=panel).user, score=rows)

    # session + user + 3 role lookups + round + the tables' versions (core.versions) + board + the round's
    # review totals (calibration)
    with django_assert_num_queries(9):
        response = chair_client.get(reverse("accreditation:round-board", args=[panel.round.pk]))

    assert response.context["count"] == rows


def test_start_review_from_the_board(chair_client, chair, panel):
    submitted = PanelApplicationFactory(round=panel.round, submitted=True)

    response = chair_client.post(
        reverse("accreditation:decision-transition", args=[submitted.pk]),
        {"action": "start_review", "expected_status": "submitted", "return_to": "board"},
        follow=True,
    )

    submitted.refresh_from_db()
    assert response.redirect_chain == [(reverse("accreditation:round-board", args=[panel.round.pk]), 302)]
    assert submitted.status == ApplicationStatus.UNDER_REVIEW
    assert _messages(response) == [f"{submitted.hit}: The review has started."]


def test_start_review_twice_says_who_did_it_first(chair_client, chair, panel):
    submitted = PanelApplicationFactory(round=panel.round, submitted=True)
    data = {"action": "start_review", "expected_status": "submitted", "return_to": "board"}
    chair_client.post(reverse("accreditation:decision-transition", args=[submitted.pk]), data, follow=True)

    response = chair_client.post(
        reverse("accreditation:decision-transition", args=[submitted.pk]), data, follow=True
    )

    (message,) = _messages(response)
    assert message.startswith(f"This application was already under review by {chair} on ")
    assert message.endswith("; nothing was changed.")


def test_release_feedback_without_points_shows_the_guard(chair_client, application):
    response = chair_client.post(
        reverse("accreditation:decision-transition", args=[application.pk]),
        {"action": "issue_feedback", "expected_status": "under_review", "return_to": "feedback"},
        follow=True,
    )

    application.refresh_from_db()
    assert response.redirect_chain == [(reverse("accreditation:feedback-edit", args=[application.pk]), 302)]
    assert _messages(response) == ["Write at least one feedback point before releasing the feedback."]
    assert application.status == ApplicationStatus.UNDER_REVIEW


# --- Assignments ----------------------------------------------------------------------------------


def test_assignment_manage_lists_assignments_and_suggestions(
    chair_client, application, reviewer, reviewer2, lay_reviewer
):
    ReviewAssignmentFactory(application=application, reviewer=reviewer, flagged=True, declared_none=True)

    response = chair_client.get(reverse("accreditation:assignment-manage", args=[application.pk]))

    html = response.content.decode()
    (assignment,) = response.context["assignments"]
    assert assignment.flagged_list == ["North Bristol Trust"]
    assert assignment.needs_resolution is True
    assert [s.user for s in response.context["suggestions"]] == [reviewer2, lay_reviewer]
    assert list(response.context["form"].fields["reviewer"].queryset) == sorted(
        [reviewer2, lay_reviewer], key=lambda u: u.full_name
    )
    # Generated names may hold an apostrophe (O'Neill), which the page escapes.
    assert f"Decide on the conflict of {escape(str(reviewer))}" in html


def test_assignment_manage_assigns_by_hand(chair_client, application, reviewer):
    due = timezone.localdate() + datetime.timedelta(days=21)

    response = chair_client.post(
        reverse("accreditation:assignment-manage", args=[application.pk]),
        {"reviewer": reviewer.pk, "due_on": due.isoformat()},
        follow=True,
    )

    assignment = ReviewAssignment.objects.get()
    assert (assignment.reviewer, assignment.due_on, assignment.declaration) == (
        reviewer,
        due,
        ConflictDeclaration.PENDING,
    )
    assert _messages(response) == [
        f"{reviewer} was asked to review; they declare any conflict before reading."
    ]


def test_assignment_manage_with_a_past_due_date_shows_the_error(chair_client, application, reviewer):
    response = chair_client.post(
        reverse("accreditation:assignment-manage", args=[application.pk]),
        {"reviewer": reviewer.pk, "due_on": "2020-01-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"due_on": ["The due date cannot be in the past."]}
    assert 'id="error-summary"' in response.content.decode()
    assert ReviewAssignment.objects.count() == 0


def test_accept_suggestions_assigns_reviewers(chair_client, application, reviewer, reviewer2, lay_reviewer):
    response = chair_client.post(
        reverse("accreditation:assignment-suggest-accept", args=[application.pk]), {"due_on": ""}, follow=True
    )

    assert set(ReviewAssignment.objects.values_list("reviewer", "is_lay")) == {
        (reviewer.pk, False),
        (reviewer2.pk, False),
        (lay_reviewer.pk, True),
    }
    (message,) = _messages(response)
    assert message.startswith("Assigned ")


def test_conflict_resolve_waive_without_a_note_changes_nothing(chair_client, application, reviewer):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_conflict=True)

    response = chair_client.post(
        reverse("accreditation:conflict-resolve", args=[assignment.pk]), {"resolution": "waived"}, follow=True
    )

    assignment.refresh_from_db()
    assert _messages(response) == ["Say why the conflict is waived."]
    assert assignment.resolution == ConflictResolution.OPEN


def test_conflict_resolve_recuse(chair_client, application, reviewer):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_conflict=True)

    response = chair_client.post(
        reverse("accreditation:conflict-resolve", args=[assignment.pk]),
        {"resolution": "recused"},
        follow=True,
    )

    assignment.refresh_from_db()
    assert response.redirect_chain == [
        (reverse("accreditation:assignment-manage", args=[application.pk]), 302)
    ]
    assert _messages(response) == [f"{reviewer}: recused."]
    assert assignment.resolution == ConflictResolution.RECUSED


# --- The reviewer's list and declaration ----------------------------------------------------------


def test_assignment_list_derives_overdue_and_next_step(client, reviewer, panel, application):
    today = timezone.localdate()
    late = ReviewAssignmentFactory(
        application=application,
        reviewer=reviewer,
        declared_none=True,
        due_on=today - datetime.timedelta(days=1),
    )
    done = ReviewAssignmentFactory(
        application=PanelApplicationFactory(round=panel.round),
        reviewer=reviewer,
        declared_none=True,
        due_on=today - datetime.timedelta(days=2),
    )
    submitted_review(done)
    pending = ReviewAssignmentFactory(
        application=PanelApplicationFactory(round=panel.round), reviewer=reviewer, due_on=today
    )
    ReviewAssignmentFactory(application=application)  # someone else's
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:assignment-list"))

    rows = [(r.assignment.pk, r.overdue, r.next_step, r.review_state) for r in response.context["rows"]]
    assert rows == [
        (done.pk, False, "done", "Submitted"),
        (late.pk, True, "review", "Not started"),
        (pending.pk, False, "declare", "Not started"),
    ]
    assert '<span class="badge text-bg-danger">Overdue</span>' in response.content.decode()


@pytest.mark.parametrize("rows", [1, 3])
def test_assignment_list_query_count_is_constant(client, reviewer, panel, django_assert_num_queries, rows):
    for _ in range(rows):
        submitted_review(
            ReviewAssignmentFactory(
                application=PanelApplicationFactory(round=panel.round), reviewer=reviewer, declared_none=True
            )
        )
    client.force_login(reviewer)

    # session + user + 3 role lookups + the tables' versions (core.versions) + the assignments with
    # application, HIT, round and review
    with django_assert_num_queries(7):
        response = client.get(reverse("accreditation:assignment-list"))

    assert len(response.context["rows"]) == rows


def test_conflict_declare_page_names_organisations_but_not_the_content(client, reviewer, application):
    from accreditation.models import StakeholderPlanRow
    from tests.factories import OrganisationFactory, StakeholderCategoryFactory

    StakeholderPlanRow.objects.create(
        application=application,
        organisation=OrganisationFactory(name="Bristol City Council"),
        category=StakeholderCategoryFactory(code="OPS"),
        role="Commissions social care",
        outcome="Joined-up crisis care",
    )
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, flagged=True)
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:conflict-declare", args=[assignment.pk]))

    html = response.content.decode()
    assert response.context["organisations"] == ["Bristol City Council"]
    assert response.context["flagged"] == ["North Bristol Trust"]
    assert "Dementia HIT" in html
    assert application.round.name in html
    assert "Commissions social care" not in html
    assert "Fewer crisis admissions" not in html
    assert "Carers co-design" not in html


def test_conflict_declare_conflict_without_a_note_shows_the_error(client, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("accreditation:conflict-declare", args=[assignment.pk]),
        {"declaration": "declared", "note": ""},
    )

    assignment.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {"note": ["Describe the conflict so the chair can decide."]}
    assert assignment.declaration == ConflictDeclaration.PENDING


def test_conflict_declare_none_leads_to_the_review(client, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("accreditation:conflict-declare", args=[assignment.pk]), {"declaration": "none"}
    )

    assert response.status_code == 302
    assert response.url == reverse("accreditation:review-edit", args=[assignment.pk])


def test_conflict_declare_none_while_flagged_waits_for_the_chair(client, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, flagged=True)
    client.force_login(reviewer)

    response = client.post(
        reverse("accreditation:conflict-declare", args=[assignment.pk]), {"declaration": "none"}, follow=True
    )

    assert response.redirect_chain == [(reverse("accreditation:assignment-list"), 302)]
    assert _messages(response) == [
        "Thank you. The chair will decide on the conflict before you can read the application."
    ]


# --- Reviewing ------------------------------------------------------------------------------------


def _review_data(codes, score="2", intent="draft", recommendation="accredit") -> dict:
    data = {f"score_{code}": score for code in codes}
    data.update({f"comment_{code}": f"On {code}" for code in codes})
    data.update({"recommendation": recommendation, "summary": "Convincing.", "intent": intent})
    return data


ALL_CODES = [
    "W1", "W2", "W3", "W4", "W5", "W6", "C1", "C2", "C3", "C4",
    "C7", "C8", "C9", "C10", "I1", "I3", "I7", "N1", "N3", "N6",
]  # fmt: skip


def test_review_edit_shows_the_frozen_revision_and_every_criterion(client, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:review-edit", args=[assignment.pk]))

    html = response.content.decode()
    assert [s.key for s in response.context["sections"]] == ["aims", "governance", "ppi", "coordination",
                                                             "data_sharing", "integration", "innovation",
                                                             "skills", "milestones"]  # fmt: skip
    assert "Fewer crisis admissions of people living with dementia." in html
    assert "Dana Director" in html  # governance's frozen names
    assert "Quarterly" in html  # a choice shown by its label
    assert "Chairs the management group" in html  # the stakeholder table
    assert [c.code for c, _s, _c in response.context["form"].criterion_rows()] == ALL_CODES


def test_review_edit_lay_reviewer_sees_aims_ppi_and_the_stakeholder_table_only(
    client, lay_reviewer, application
):
    assignment = ReviewAssignmentFactory(
        application=application, reviewer=lay_reviewer, lay=True, declared_none=True
    )
    client.force_login(lay_reviewer)

    response = client.get(reverse("accreditation:review-edit", args=[assignment.pk]))

    html = response.content.decode()
    assert [s.key for s in response.context["sections"]] == ["aims", "ppi"]
    assert "Carers co-design each working group" in html
    assert "Chairs the management group" in html
    assert "Dana Director" not in html
    assert "carer-held crisis plan" not in html
    assert [c.code for c, _s, _c in response.context["form"].criterion_rows()] == ["W4", "C10"]


@pytest.mark.parametrize(
    ("traits", "reason"),
    [
        ({}, "Declare any conflict of interest before you open the application."),
        ({"flagged": True, "declared_none": True}, "A conflict of interest is waiting for the chair."),
        ({"declared_none": True, "recused": True}, "The chair recused you from this application."),
    ],
    ids=["undeclared", "flagged", "recused"],
)
def test_review_edit_blocked_reviewer_gets_the_reason_and_no_content(
    client, reviewer, application, traits, reason
):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, **traits)
    client.force_login(reviewer)

    got = client.get(reverse("accreditation:review-edit", args=[assignment.pk]))
    posted = client.post(
        reverse("accreditation:review-edit", args=[assignment.pk]), _review_data(ALL_CODES, intent="submit")
    )
    detail = client.get(reverse("accreditation:review-summary", args=[application.pk]))

    assert (got.status_code, posted.status_code, detail.status_code) == (403, 403, 404)
    assert reason in got.content.decode()
    assert "Fewer crisis admissions" not in got.content.decode()
    assert not hasattr(ReviewAssignment.objects.get(pk=assignment.pk), "review")


def test_review_edit_of_someone_elses_assignment_is_404(client, reviewer, reviewer2, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer2, declared_none=True)
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:review-edit", args=[assignment.pk]))

    assert response.status_code == 404


def test_review_edit_saves_a_draft(client, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
    client.force_login(reviewer)

    response = client.post(
        reverse("accreditation:review-edit", args=[assignment.pk]), _review_data(["W1", "W2"]), follow=True
    )

    review = ReviewAssignment.objects.get(pk=assignment.pk).review
    assert _messages(response) == ["Your draft was saved."]
    assert review.status == ReviewStatus.DRAFT
    assert dict(review.scores.values_list("criterion", "score"))["W1"] == 2
    assert response.context["form"].initial["score_W1"] == "2"


def test_review_edit_submit_with_missing_scores_shows_the_problem(client, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
    client.force_login(reviewer)

    response = client.post(
        reverse("accreditation:review-edit", args=[assignment.pk]),
        _review_data([c for c in ALL_CODES if c != "N6"], intent="submit"),
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Score every criterion before submitting (missing: N6)."
    ]
    assert (
        ReviewAssignment.objects.get(pk=assignment.pk).review.status == ReviewStatus.DRAFT
        if hasattr(ReviewAssignment.objects.get(pk=assignment.pk), "review")
        else True
    )


def test_review_edit_submit_then_read_only(client, reviewer, application):
    assignment = ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
    client.force_login(reviewer)
    url = reverse("accreditation:review-edit", args=[assignment.pk])

    submitted = client.post(url, _review_data(ALL_CODES, intent="submit"))
    client.get(submitted.url)  # reads the success message
    again = client.post(url, _review_data(ALL_CODES, score="0", intent="submit"), follow=True)

    review = ReviewAssignment.objects.get(pk=assignment.pk).review
    assert submitted.url == reverse("accreditation:review-summary", args=[application.pk])
    assert review.status == ReviewStatus.SUBMITTED
    assert set(review.scores.values_list("score", flat=True)) == {2}
    assert _messages(again) == ["This review can no longer be changed."]
    assert again.context["read_only"] is True
    assert '<form method="post" novalidate>' not in again.content.decode()


# --- Review summary -------------------------------------------------------------------------------


def test_review_summary_chair_sees_names_scores_and_statistics(
    chair_client, application, reviewer, reviewer2, lay_reviewer
):
    first, second = _ready(application, reviewer, reviewer2)
    first.scores.filter(criterion="W1").update(score=3, comment="Every partner is in the table.")
    second.scores.filter(criterion="W1").update(score=0)
    lay = submitted_review(
        ReviewAssignmentFactory(application=application, reviewer=lay_reviewer, lay=True, declared_none=True),
        {"W4": 1, "C10": 3},
    )

    response = chair_client.get(reverse("accreditation:review-summary", args=[application.pk]))

    columns = response.context["columns"]
    rows = {row["stats"].criterion.code: row for row in response.context["rows"]}
    assert [c.label for c in columns] == [str(reviewer), str(reviewer2), f"{lay_reviewer} (lay)"]
    # W1: 3 and 0 -> mean 1.5, median 1.5, spread 3, SD sqrt(4.5)
    w1 = rows["W1"]["stats"]
    assert (w1.scores, w1.mean, w1.median, w1.spread, round(w1.sd, 4)) == ((3, 0), 1.5, 1.5, 3, 2.1213)
    # W4: 2, 2 and the lay reviewer's 1 -> mean 5/3, median 2, spread 1, SD sqrt(1/3)
    w4 = rows["W4"]["stats"]
    assert (w4.scores, round(w4.mean, 4), w4.median, w4.spread, round(w4.sd, 4)) == (
        (2, 2, 1),
        1.6667,
        2.0,
        1,
        0.5774,
    )
    assert rows["W1"]["comments"] == [(str(reviewer), "Every partner is in the table.")]
    assert lay.pk in {c.review.pk for c in columns}
    html = response.content.decode()
    assert "<td>1.50</td>" in html
    assert "<td>2.12</td>" in html


def test_review_summary_leaves_a_recused_reviewers_scores_out_of_the_statistics(
    chair_client, application, reviewer, reviewer2
):
    _ready(application, reviewer)
    (recused,) = _ready(application, reviewer2, score=0)
    ReviewAssignment.objects.filter(pk=recused.assignment_id).update(resolution=ConflictResolution.RECUSED)

    response = chair_client.get(reverse("accreditation:review-summary", args=[application.pk]))

    assert [c.counted for c in response.context["columns"]] == [True, False]
    assert response.context["rows"][0]["stats"].scores == (2,)
    assert response.context["counted"] == 1


def test_review_summary_reviewer_must_submit_first(client, application, reviewer, reviewer2):
    _ready(application, reviewer2)
    ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:review-summary", args=[application.pk]))

    assert response.status_code == 403
    assert "Submit your own review first." in response.content.decode()


def test_review_summary_reviewer_sees_others_without_names_after_submitting(
    client, application, reviewer, reviewer2
):
    _ready(application, reviewer, reviewer2)
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:review-summary", args=[application.pk]))

    assert [c.label for c in response.context["columns"]] == ["You", "Reviewer 1"]
    assert str(reviewer2) not in response.content.decode()


def test_review_summary_lay_reviewer_sees_the_ppi_criteria_only(client, application, reviewer, lay_reviewer):
    _ready(application, reviewer)
    submitted_review(
        ReviewAssignmentFactory(application=application, reviewer=lay_reviewer, lay=True, declared_none=True)
    )
    client.force_login(lay_reviewer)

    response = client.get(reverse("accreditation:review-summary", args=[application.pk]))

    assert [r["stats"].criterion.code for r in response.context["rows"]] == ["W4", "C10"]
    assert response.context["show_summaries"] is False


# --- Feedback -------------------------------------------------------------------------------------


def _feedback_data(points: list[dict], summary: str = "Promising.", initial: int = 0) -> dict:
    data = {
        "summary": summary,
        "points-TOTAL_FORMS": str(len(points)),
        "points-INITIAL_FORMS": str(initial),
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "1000",
    }
    for number, point in enumerate(points):
        for key, value in point.items():
            data[f"points-{number}-{key}"] = value
    return data


def test_feedback_edit_quotes_reviewer_comments_without_names(chair_client, application, reviewer, reviewer2):
    first, _second = _ready(application, reviewer, reviewer2)
    score = first.scores.get(criterion="W4")
    score.comment = "Carers advise but do not decide."
    score.save(update_fields=["comment"])

    page = chair_client.get(reverse("accreditation:feedback-edit", args=[application.pk]))
    response = chair_client.post(
        reverse("accreditation:feedback-edit", args=[application.pk]),
        _feedback_data(
            [
                {"section": "ppi", "text": "Say which decisions carers join.", "quote_from": f"s{score.pk}"},
                {"section": "general", "text": "", "quote_from": ""},
            ]
        ),
        follow=True,
    )

    document = application.feedback_documents.get()
    assert (
        f"s{score.pk}",
        "W4: Carers advise but do not decide.",
        "Carers advise but do not decide.",
    ) in page.context["quotes"]
    assert str(reviewer) not in page.content.decode()
    assert _messages(response) == ["The feedback was saved as a draft. Release it when it is ready."]
    assert (document.summary, document.status) == ("Promising.", FeedbackStatus.DRAFT)
    assert list(document.points.values_list("section", "text", "quoted_comment")) == [
        ("ppi", "Say which decisions carers join.", "Carers advise but do not decide.")
    ]
    assert response.context["can_release"] is True


def test_feedback_edit_then_release(chair_client, application):
    FeedbackPointFactory(document=FeedbackDocumentFactory(application=application))

    response = chair_client.post(
        reverse("accreditation:decision-transition", args=[application.pk]),
        {"action": "issue_feedback", "expected_status": "under_review", "return_to": "feedback"},
        follow=True,
    )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.FEEDBACK
    assert _messages(response) == [f"{application.hit}: The feedback was released."]
    assert response.context["editable"] is False
    assert "Say which decisions carers take part in." in response.content.decode()


def test_feedback_edit_pasted_quote_wins_over_chosen_one(chair_client, application):
    response = chair_client.post(
        reverse("accreditation:feedback-edit", args=[application.pk]),
        _feedback_data([{"section": "aims", "text": "Sharpen the aims.", "quoted_comment": "Vague aims."}]),
    )

    assert response.status_code == 302
    assert list(application.feedback_documents.get().points.values_list("quoted_comment", flat=True)) == [
        "Vague aims."
    ]


# --- Decisions ------------------------------------------------------------------------------------


def _decision_data(
    outcome: str, rationale: str = "A strong team.", conditions: list[dict] | None = None
) -> dict:
    conditions = conditions or []
    data = {
        "outcome": outcome,
        "rationale": rationale,
        "expected_status": "under_review",
        "conditions-TOTAL_FORMS": str(max(len(conditions), 1)),
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
    }
    for number, condition in enumerate(conditions):
        for key, value in condition.items():
            data[f"conditions-{number}-{key}"] = value
    return data


def test_decision_create_shows_what_blocks_a_decision(chair_client, application, reviewer, reviewer2):
    _ready(application, reviewer)
    ReviewAssignmentFactory(application=application, reviewer=reviewer2, declared_conflict=True)

    response = chair_client.get(reverse("accreditation:decision-create", args=[application.pk]))

    assert response.context["problems"] == [
        "1 conflict(s) of interest are still waiting for the chair.",
        "The round needs 2 submitted reviews of this revision; there are 1.",
    ]
    assert "A decision cannot be recorded yet" in response.content.decode()


def test_decision_create_accredits_then_shows_the_decision(
    chair_client, chair, application, reviewer, reviewer2
):
    _ready(application, reviewer, reviewer2)

    response = chair_client.post(
        reverse("accreditation:decision-create", args=[application.pk]),
        _decision_data("accredit"),
        follow=True,
    )

    decision = Decision.objects.get()
    html = response.content.decode()
    assert _messages(response) == [f"The decision was recorded and {application.hit} was told."]
    assert Accreditation.objects.get().decision == decision
    assert response.context["can_decide"] is False
    assert f"This application was already accredited by {chair} on " in html


def test_decision_create_duplicate_post_changes_nothing_and_says_who_decided(
    chair_client, chair, application, reviewer, reviewer2
):
    _ready(application, reviewer, reviewer2)
    url = reverse("accreditation:decision-create", args=[application.pk])
    chair_client.post(url, _decision_data("accredit"), follow=True)

    response = chair_client.post(url, _decision_data("not_accredit", "No."), follow=True)

    (message,) = _messages(response)
    assert message.startswith(f"This application was already accredited by {chair} on ")
    assert message.endswith("; nothing was changed.")
    assert (Decision.objects.count(), Decision.objects.get().outcome) == (1, "accredited")


def test_decision_create_with_conditions(chair_client, director, application, reviewer, reviewer2):
    _ready(application, reviewer, reviewer2)
    owner = Person.objects.get(user=director)
    due = timezone.localdate() + datetime.timedelta(days=60)

    chair_client.post(
        reverse("accreditation:decision-create", args=[application.pk]),
        _decision_data(
            "accredit_with_conditions",
            conditions=[{"text": "Agree terms of reference.", "owner": owner.pk, "due_on": due.isoformat()}],
        ),
    )

    assert list(Condition.objects.values_list("text", "owner", "due_on")) == [
        ("Agree terms of reference.", owner.pk, due)
    ]
    assert Decision.objects.get().outcome == "accredited_with_conditions"


def test_decision_create_with_conditions_but_none_given_shows_the_error(
    chair_client, application, reviewer, reviewer2
):
    _ready(application, reviewer, reviewer2)

    response = chair_client.post(
        reverse("accreditation:decision-create", args=[application.pk]),
        _decision_data("accredit_with_conditions"),
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Add at least one condition, with an owner and a due date."
    ]
    assert Decision.objects.count() == 0


def test_decision_create_condition_owner_must_be_in_the_team(chair_client, application, reviewer, reviewer2):
    _ready(application, reviewer, reviewer2)
    stranger = PersonFactory()

    response = chair_client.post(
        reverse("accreditation:decision-create", args=[application.pk]),
        _decision_data(
            "accredit_with_conditions",
            conditions=[{"text": "x", "owner": stranger.pk, "due_on": "2030-01-01"}],
        ),
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {
        "owner": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Decision.objects.count() == 0


def test_decision_create_without_rationale_shows_the_error(chair_client, application, reviewer, reviewer2):
    _ready(application, reviewer, reviewer2)

    response = chair_client.post(
        reverse("accreditation:decision-create", args=[application.pk]), _decision_data("defer", rationale="")
    )

    assert response.context["form"].errors == {"rationale": ["This field is required."]}
    assert (
        '<a class="alert-link" href="#id_rationale">Rationale: This field is required.</a>'
        in response.content.decode()
    )


# --- Conditions -----------------------------------------------------------------------------------


@pytest.fixture
def conditions(hit, other_hit, director):
    today = timezone.localdate()
    owner = Person.objects.get(user=director)
    mine = DecisionFactory(application__hit=hit, outcome="accredited_with_conditions")
    theirs = DecisionFactory(application__hit=other_hit, outcome="accredited_with_conditions")
    return {
        "overdue": ConditionFactory(decision=mine, owner=owner, due_on=today - datetime.timedelta(days=1)),
        "open": ConditionFactory(decision=mine, due_on=today + datetime.timedelta(days=5)),
        "closed": ConditionFactory(decision=mine, closed=True),
        "other": ConditionFactory(decision=theirs),
    }


def test_condition_list_programme_manager_sees_all(client, programme_manager, conditions):
    client.force_login(programme_manager)

    response = client.get(reverse("accreditation:condition-list"))

    assert [c.pk for c in response.context["open_conditions"]] == [
        conditions["overdue"].pk,
        conditions["open"].pk,
        conditions["other"].pk,
    ]
    assert [c.overdue for c in response.context["open_conditions"]] == [True, False, False]
    assert all(c.can_close for c in response.context["open_conditions"])
    closed = client.get(reverse("accreditation:condition-list"), {"show": "closed"})
    assert [c.pk for c in closed.context["closed_conditions"]] == [conditions["closed"].pk]


def test_condition_list_member_sees_own_hits_conditions(client, director, conditions):
    client.force_login(director)

    response = client.get(reverse("accreditation:condition-list"))

    assert [(c.pk, c.can_close) for c in response.context["open_conditions"]] == [
        (conditions["overdue"].pk, True),
        (conditions["open"].pk, False),
    ]
    assert '<span class="badge text-bg-danger">Overdue</span>' in response.content.decode()


@pytest.mark.parametrize("show", ["", "closed"])
@pytest.mark.parametrize("rows", [1, 3])
def test_condition_list_query_count_is_constant(
    client, programme_manager, django_assert_num_queries, rows, show
):
    for _ in range(rows):
        ConditionFactory(decision__application__hit=HITFactory())
        ConditionFactory(decision__application__hit=HITFactory(), closed=True, closed_by=programme_manager)
    client.force_login(programme_manager)

    # session + user + 3 role lookups + the tables' versions (core.versions) + the counts + the page of
    # conditions with owner, closer, decision, application and HIT
    with django_assert_num_queries(8):
        response = client.get(reverse("accreditation:condition-list"), {"show": show} if show else {})

    assert response.context["counts"] == {"open": rows, "closed": rows, "awaiting": 0}
    assert len(response.context["closed_conditions" if show else "open_conditions"]) == rows


def test_condition_list_pages_by_fifty(client, programme_manager):
    ConditionFactory.create_batch(51)
    client.force_login(programme_manager)

    first = client.get(reverse("accreditation:condition-list"))
    second = client.get(reverse("accreditation:condition-list"), {"page": 2})

    assert len(first.context["open_conditions"]) == 50
    assert len(second.context["open_conditions"]) == 1
    assert "page 1 of 2" in first.content.decode()


def test_condition_close_by_owner(client, director, conditions):
    client.force_login(director)

    response = client.post(
        reverse("accreditation:condition-close", args=[conditions["overdue"].pk]),
        {"evidence": "Signed on 1 March."},
        follow=True,
    )

    conditions["overdue"].refresh_from_db()
    assert _messages(response) == [
        "The evidence was sent: a programme manager will accept it or send it back."
    ]
    assert (conditions["overdue"].evidence, conditions["overdue"].status) == (
        "Signed on 1 March.",
        "awaiting_acceptance",
    )


def test_condition_close_without_evidence_shows_the_error(client, programme_manager, conditions):
    client.force_login(programme_manager)

    response = client.post(
        reverse("accreditation:condition-close", args=[conditions["open"].pk]), {"evidence": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"evidence": ["This field is required."]}


def test_condition_close_by_a_teammate_who_does_not_own_it_is_403(client, teammate, conditions):
    client.force_login(teammate)

    response = client.get(reverse("accreditation:condition-close", args=[conditions["overdue"].pk]))

    assert response.status_code == 403
    assert "Only the condition&#x27;s owner or a programme manager closes it." in response.content.decode()


# --- Renewal --------------------------------------------------------------------------------------


@pytest.fixture
def accreditation(hit):
    HIT.objects.filter(pk=hit.pk).update(status=HITStatus.ACTIVE)
    application = PanelApplicationFactory(hit=hit, round=RoundFactory(closed=True), accredited=True)
    PanelRevisionFactory(application=application)
    return AccreditationFactory(decision=DecisionFactory(application=application))


def test_renewal_start_opens_a_prefilled_renewal_and_goes_to_it(client, director, accreditation, panel):
    client.force_login(director)

    response = client.post(
        reverse("accreditation:renewal-start", args=[accreditation.pk]), {"round": panel.round.pk}
    )

    renewal = Application.objects.get(renewal_of=accreditation)
    assert renewal.kind == "renewal"
    assert set(renewal.sections.values_list("key", flat=True)) == {"aims", "ppi", "governance", "innovation"}
    assert response.status_code == 302
    assert response.url == reverse("accreditation:application-detail", args=[renewal.pk])


def test_renewal_start_needs_an_open_round(client, director, accreditation):
    closed = RoundFactory(closed=True)
    client.force_login(director)

    response = client.post(
        reverse("accreditation:renewal-start", args=[accreditation.pk]), {"round": closed.pk}
    )

    assert response.status_code == 302
    assert Application.objects.filter(renewal_of=accreditation).count() == 0


def test_renewal_start_refused_while_another_application_is_open(client, director, accreditation, panel):
    PanelApplicationFactory(hit=accreditation.hit, round=panel.round)
    client.force_login(director)

    response = client.post(
        reverse("accreditation:renewal-start", args=[accreditation.pk]),
        {"round": panel.round.pk},
        follow=True,
    )

    assert _messages(response)[-1] == "This HIT already has an application in progress."


def test_renewal_partial_renders_the_open_rounds(accreditation, panel):
    from django.template.loader import render_to_string

    html = render_to_string(
        "accreditation/decision_renewal_form.html",
        {"accreditation": accreditation, "renewal_rounds": [panel.round]},
    )

    assert f'action="{reverse("accreditation:renewal-start", args=[accreditation.pk])}"' in html
    assert f'<option value="{panel.round.pk}">' in html
