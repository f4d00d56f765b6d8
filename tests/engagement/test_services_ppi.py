"""PPI services and selectors: validation, the recompute they request, the support flow and its
email, and the caseload's 90-day flag."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.versions import PendingBumps
from engagement.enums import PPIStandard, SupportStatus
from engagement.models import (
    CoverageScore,
    InvolvementActivity,
    PublicReview,
    ScoreRequest,
    StandardRatingRow,
    StandardsAssessment,
    SupportGiven,
    SupportRequest,
)
from engagement.selectors import ppi as selectors_ppi
from engagement.services import ppi as services_ppi
from teams.enums import HITStatus, ProgrammeRole
from tests import factories as f
from tests.factories import engagement as ef


def _values(**overrides) -> dict:
    values = {
        "happened_on": timezone.localdate() - datetime.timedelta(days=3),
        "activity_type": "meeting",
        "description": "Steering group with public members",
        "patients": 2,
        "carers": 1,
        "public": 3,
        "hours": Decimal("7.5"),
        "level": "coproduce",
        "decision_forum": "hit_group",
        "impact": "Changed the referral leaflet.",
        "recognition": "payment",
        "named_with_consent": "",
    }
    values.update(overrides)
    return values


def _all_ratings(rating: int = 2) -> dict[str, tuple[int, str]]:
    return {standard.value: (rating, f"Note on {standard.label}") for standard in PPIStandard}


# --- The involvement log -----------------------------------------------------------------------------


def test_activity_create_stores_the_entry_and_requests_a_recompute(hit, director):
    activity = services_ppi.activity_create(actor=director, hit_id=hit.pk, values=_values())

    stored = InvolvementActivity.objects.get()
    assert stored == activity
    assert (stored.hit, stored.recorded_by, stored.patients, stored.carers, stored.public) == (
        hit,
        director,
        2,
        1,
        3,
    )
    assert stored.hours == Decimal("7.5")
    assert stored.people_involved == 6
    assert list(ScoreRequest.objects.values_list("hit_id", "kind")) == [(hit.pk, "coverage")]


def test_activity_create_recomputes_ppi_depth_after_commit(hit, director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services_ppi.activity_create(
            actor=director, hit_id=hit.pk, values=_values(decision_forum="commissioning")
        )

    assert CoverageScore.objects.get(hit=hit).ppi_depth == 3
    assert ScoreRequest.objects.count() == 0


def test_activity_create_queues_nothing_until_commit(hit, director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services_ppi.activity_create(actor=director, hit_id=hit.pk, values=_values())

    # The one job; the list versions' own callback (core.versions) is no job.
    assert len([c for c in callbacks if not isinstance(c, PendingBumps)]) == 1
    assert CoverageScore.objects.filter(hit=hit).count() == 0


def test_ppi_facilitator_and_programme_manager_may_log(hit, ppi_facilitator, programme_manager):
    services_ppi.activity_create(actor=ppi_facilitator, hit_id=hit.pk, values=_values())
    services_ppi.activity_create(actor=programme_manager, hit_id=hit.pk, values=_values())

    assert InvolvementActivity.objects.filter(hit=hit).count() == 2


@pytest.mark.parametrize(
    "persona", ["outsider", "board_member", "lay_reviewer", "no_role_user"], indirect=True
)
def test_activity_create_refuses_those_who_do_not_keep_the_log(hit, persona):
    with pytest.raises(PermissionDenied) as raised:
        services_ppi.activity_create(actor=persona, hit_id=hit.pk, values=_values())

    assert str(raised.value) == "Only the HIT's members and PPI facilitators keep its PPI log."
    assert InvolvementActivity.objects.count() == 0
    assert ScoreRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"happened_on": "tomorrow"}, "happened_on", "The date cannot be in the future."),
        ({"patients": -1}, "patients", "Enter 0 or more."),
        ({"carers": -2}, "carers", "Enter 0 or more."),
        ({"public": -3}, "public", "Enter 0 or more."),
        ({"hours": Decimal("-0.5")}, "hours", "Enter 0 or more."),
        ({"level": "tokenistic"}, "level", "Value 'tokenistic' is not a valid choice."),
        ({"decision_forum": "parliament"}, "decision_forum", "Value 'parliament' is not a valid choice."),
        ({"activity_type": ""}, "activity_type", "This field cannot be blank."),
    ],
)
def test_activity_create_refuses_bad_input_and_stores_nothing(hit, director, overrides, field, message):
    if overrides.get("happened_on") == "tomorrow":
        overrides["happened_on"] = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as raised:
        services_ppi.activity_create(actor=director, hit_id=hit.pk, values=_values(**overrides))

    assert raised.value.message_dict[field] == [message]
    assert InvolvementActivity.objects.count() == 0
    assert ScoreRequest.objects.count() == 0


def test_activity_today_is_accepted(hit, director):
    services_ppi.activity_create(
        actor=director, hit_id=hit.pk, values=_values(happened_on=timezone.localdate())
    )

    assert InvolvementActivity.objects.get().happened_on == timezone.localdate()


def test_names_without_consent_are_refused(hit, director):
    with pytest.raises(ValidationError) as raised:
        services_ppi.activity_create(
            actor=director, hit_id=hit.pk, values=_values(named_with_consent="Jo Bloggs")
        )

    assert raised.value.message_dict == {"names_consented": [services_ppi.CONSENT_MESSAGE]}
    assert InvolvementActivity.objects.count() == 0


def test_names_with_consent_are_stored(hit, director):
    services_ppi.activity_create(
        actor=director,
        hit_id=hit.pk,
        values=_values(named_with_consent="  Jo Bloggs  "),
        names_consented=True,
    )

    assert InvolvementActivity.objects.get().named_with_consent == "Jo Bloggs"


def test_activity_values_must_be_log_fields(hit, director):
    with pytest.raises(TypeError):
        services_ppi.activity_create(actor=director, hit_id=hit.pk, values=_values(hit_id=99))


def test_activity_update_saves_changes_and_requests_a_recompute(hit, director):
    activity = ef.InvolvementActivityFactory(hit=hit, patients=1, recorded_by=director)

    services_ppi.activity_update(
        actor=director, activity_id=activity.pk, values=_values(patients=5, decision_forum="hit_leadership")
    )

    activity.refresh_from_db()
    assert (activity.patients, activity.decision_forum) == (5, "hit_leadership")
    assert ScoreRequest.objects.filter(hit=hit).count() == 1


def test_activity_update_without_changes_requests_nothing(hit, director):
    activity = services_ppi.activity_create(actor=director, hit_id=hit.pk, values=_values())
    ScoreRequest.objects.all().delete()

    services_ppi.activity_update(actor=director, activity_id=activity.pk, values=_values())

    assert ScoreRequest.objects.count() == 0


def test_activity_update_refuses_bad_input_and_keeps_the_row(hit, director):
    activity = ef.InvolvementActivityFactory(hit=hit, patients=1)

    with pytest.raises(ValidationError):
        services_ppi.activity_update(actor=director, activity_id=activity.pk, values=_values(patients=-4))

    activity.refresh_from_db()
    assert activity.patients == 1
    assert ScoreRequest.objects.count() == 0


def test_activity_update_refuses_another_hits_member(hit, outsider):
    activity = ef.InvolvementActivityFactory(hit=hit)

    with pytest.raises(PermissionDenied):
        services_ppi.activity_update(actor=outsider, activity_id=activity.pk, values=_values(patients=9))


# --- Standards self-assessment -----------------------------------------------------------------------


def test_standards_assessment_stores_six_ratings_in_the_standards_order(hit, director):
    ratings = _all_ratings()
    ratings["governance"] = (0, "")

    assessment = services_ppi.standards_assessment_create(actor=director, hit_id=hit.pk, ratings=ratings)

    assert (assessment.hit, assessment.assessed_by, assessment.assessed_on) == (
        hit,
        director,
        timezone.localdate(),
    )
    assert list(assessment.ratings.values_list("standard", "rating")) == [
        ("inclusive_opportunities", 2),
        ("working_together", 2),
        ("support_and_learning", 2),
        ("communications", 2),
        ("impact", 2),
        ("governance", 0),
    ]
    assert ScoreRequest.objects.count() == 0


def test_standards_assessment_needs_every_standard(hit, director):
    ratings = _all_ratings()
    del ratings["impact"]

    with pytest.raises(ValidationError) as raised:
        services_ppi.standards_assessment_create(actor=director, hit_id=hit.pk, ratings=ratings)

    assert raised.value.messages == ["Rate each of the six standards once; missing: Impact."]
    assert StandardsAssessment.objects.count() == 0


def test_standards_assessment_refuses_a_rating_above_3(hit, director):
    ratings = _all_ratings()
    ratings["communications"] = (4, "")

    with pytest.raises(ValidationError) as raised:
        services_ppi.standards_assessment_create(actor=director, hit_id=hit.pk, ratings=ratings)

    assert raised.value.message_dict == {
        "communications": ["Choose a rating from 0 to 3 for Communications."]
    }
    assert (StandardsAssessment.objects.count(), StandardRatingRow.objects.count()) == (0, 0)


def test_standards_assessment_refuses_a_future_date(hit, director):
    with pytest.raises(ValidationError):
        services_ppi.standards_assessment_create(
            actor=director,
            hit_id=hit.pk,
            ratings=_all_ratings(),
            assessed_on=timezone.localdate() + datetime.timedelta(days=1),
        )

    assert StandardsAssessment.objects.count() == 0


def test_standards_assessment_refuses_a_board_member(hit, board_member):
    with pytest.raises(PermissionDenied):
        services_ppi.standards_assessment_create(actor=board_member, hit_id=hit.pk, ratings=_all_ratings())


def test_latest_standards_is_the_newest_with_its_ratings(hit, director, django_assert_num_queries):
    services_ppi.standards_assessment_create(
        actor=director,
        hit_id=hit.pk,
        ratings=_all_ratings(1),
        assessed_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    newest = services_ppi.standards_assessment_create(actor=director, hit_id=hit.pk, ratings=_all_ratings(3))

    with django_assert_num_queries(2):
        latest = selectors_ppi.latest_standards(hit)
        ratings = [row.rating for row in latest.ratings.all()]

    assert latest == newest
    assert ratings == [3] * 6


def test_latest_standards_is_none_without_an_assessment(hit):
    assert selectors_ppi.latest_standards(hit) is None


# --- The public review group -------------------------------------------------------------------------


@pytest.fixture
def set_up_hit(hit):
    """The public review group reviews the PPI arrangements of HITs in set-up (docs/domain.md section 4)."""
    hit.status = HITStatus.SET_UP
    hit.save(update_fields=["status"])
    return hit


def test_public_review_by_a_lay_reviewer_of_a_hit_in_set_up(set_up_hit, lay_reviewer):
    review = services_ppi.public_review_create(
        actor=lay_reviewer,
        hit_id=set_up_hit.pk,
        ppi_depth=2,
        arrangements_adequate=False,
        comments=" Few carers. ",
    )

    stored = PublicReview.objects.get()
    assert stored == review
    assert (stored.reviewer, stored.ppi_depth, stored.arrangements_adequate, stored.comments) == (
        lay_reviewer,
        2,
        False,
        "Few carers.",
    )
    assert ScoreRequest.objects.count() == 0


def test_public_review_refuses_a_hit_past_set_up_even_to_its_lay_reviewer(hit, hit_lay_reviewer):
    with pytest.raises(PermissionDenied) as raised:
        services_ppi.public_review_create(
            actor=hit_lay_reviewer, hit_id=hit.pk, ppi_depth=2, arrangements_adequate=True, comments="Fine."
        )

    assert str(raised.value) == "You cannot see this HIT's patient and public involvement."
    assert PublicReview.objects.count() == 0


def test_public_review_refuses_a_programme_manager(set_up_hit, programme_manager):
    with pytest.raises(PermissionDenied) as raised:
        services_ppi.public_review_create(
            actor=programme_manager,
            hit_id=set_up_hit.pk,
            ppi_depth=2,
            arrangements_adequate=True,
            comments="Fine.",
        )

    assert str(raised.value) == "Only members of the public review group assess PPI arrangements."


def test_public_review_refuses_a_full_reviewer_of_the_hits_application(set_up_hit, hit_reviewer):
    with pytest.raises(PermissionDenied) as raised:
        services_ppi.public_review_create(
            actor=hit_reviewer,
            hit_id=set_up_hit.pk,
            ppi_depth=2,
            arrangements_adequate=True,
            comments="Fine.",
        )

    assert str(raised.value) == "You cannot see this HIT's patient and public involvement."


@pytest.mark.parametrize(("depth", "comments", "field"), [(4, "Deep.", "ppi_depth"), (2, "  ", "comments")])
def test_public_review_refuses_bad_input(set_up_hit, lay_reviewer, depth, comments, field):
    with pytest.raises(ValidationError) as raised:
        services_ppi.public_review_create(
            actor=lay_reviewer,
            hit_id=set_up_hit.pk,
            ppi_depth=depth,
            arrangements_adequate=True,
            comments=comments,
        )

    assert list(raised.value.message_dict) == [field]
    assert PublicReview.objects.count() == 0


# --- Support from the PPI facilitators ---------------------------------------------------------------


def _html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_support_request_emails_every_active_facilitator(
    hit, teammate, ppi_facilitator, programme_manager, django_capture_on_commit_callbacks
):
    second = f.UserFactory(full_name="Fay Second")
    f.RoleAssignmentFactory(user=second, role=ProgrammeRole.PPI_FACILITATOR)
    gone = f.UserFactory(is_active=False)
    f.RoleAssignmentFactory(user=gone, role=ProgrammeRole.PPI_FACILITATOR)

    with django_capture_on_commit_callbacks(execute=True):
        support_request = services_ppi.support_request_create(
            actor=teammate, hit_id=hit.pk, topic=" Recruiting carers ", details="We need two carers.\nBy May."
        )

    stored = SupportRequest.objects.get()
    assert (stored.hit, stored.requested_by, stored.topic, stored.status) == (
        hit,
        teammate,
        "Recruiting carers",
        SupportStatus.OPEN,
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ppi_facilitator.email, second.email])
    message = mail.outbox[0]
    link = f"http://127.0.0.1:8000/engagement/ppi/support/{support_request.pk}/"
    assert message.subject == "PPI support requested by Dementia HIT: Recruiting carers"
    assert "Terry Teammate of Dementia HIT has asked the PPI facilitators for support." in message.body
    assert f"From: Terry Teammate <{teammate.email}>" in message.body
    assert "Details:\nWe need two carers.\nBy May." in message.body
    assert link in message.body
    html = _html(message)
    assert "<p>We need two carers.<br>By May.</p>" in html
    assert f'<a href="{link}">Read the request and record the support you give</a>' in html


def test_support_request_sends_nothing_when_rolled_back(
    hit, teammate, ppi_facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        services_ppi.support_request_create(actor=teammate, hit_id=hit.pk, topic="   ")

    assert callbacks == []
    assert mail.outbox == []
    assert SupportRequest.objects.count() == 0


@pytest.mark.parametrize("persona", ["outsider", "ppi_facilitator", "board_member"], indirect=True)
def test_support_request_is_for_the_hits_members(hit, persona):
    with pytest.raises(PermissionDenied) as raised:
        services_ppi.support_request_create(actor=persona, hit_id=hit.pk, topic="Help")

    assert str(raised.value) == "Only the HIT's members ask the PPI facilitators for support."


def test_support_given_moves_an_open_request_in_progress(hit, ppi_facilitator):
    support_request = ef.SupportRequestFactory(hit=hit)

    given = services_ppi.support_give(
        actor=ppi_facilitator, request_id=support_request.pk, note="Shared the guide.", hours=Decimal("1.5")
    )

    support_request.refresh_from_db()
    assert (given.given_by, given.given_on, given.hours) == (
        ppi_facilitator,
        timezone.localdate(),
        Decimal("1.5"),
    )
    assert support_request.status == SupportStatus.IN_PROGRESS


def test_support_given_on_a_closed_request_keeps_it_closed(hit, ppi_facilitator):
    support_request = ef.SupportRequestFactory(hit=hit, status=SupportStatus.CLOSED, closed_at=timezone.now())

    services_ppi.support_give(actor=ppi_facilitator, request_id=support_request.pk, note="Follow-up call.")

    support_request.refresh_from_db()
    assert support_request.status == SupportStatus.CLOSED


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"note": ""}, "note"),
        ({"note": "x", "hours": Decimal("-1")}, "hours"),
        ({"note": "x", "given_on": "tomorrow"}, "given_on"),
    ],
)
def test_support_given_refuses_bad_input(hit, ppi_facilitator, kwargs, field):
    support_request = ef.SupportRequestFactory(hit=hit)
    if kwargs.get("given_on") == "tomorrow":
        kwargs["given_on"] = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as raised:
        services_ppi.support_give(actor=ppi_facilitator, request_id=support_request.pk, **kwargs)

    assert list(raised.value.message_dict) == [field]
    support_request.refresh_from_db()
    assert (SupportGiven.objects.count(), support_request.status) == (0, SupportStatus.OPEN)


@pytest.mark.parametrize("persona", ["director", "board_member"], indirect=True)
def test_support_given_is_for_facilitators(hit, persona):
    support_request = ef.SupportRequestFactory(hit=hit)

    with pytest.raises(PermissionDenied):
        services_ppi.support_give(actor=persona, request_id=support_request.pk, note="I helped myself.")


def test_closing_and_reopening_a_request(hit, ppi_facilitator):
    support_request = ef.SupportRequestFactory(hit=hit, status=SupportStatus.IN_PROGRESS)

    services_ppi.support_request_set_status(
        actor=ppi_facilitator, request_id=support_request.pk, status="closed", expected_status="in_progress"
    )
    support_request.refresh_from_db()
    assert support_request.status == SupportStatus.CLOSED
    assert support_request.closed_at is not None

    services_ppi.support_request_set_status(
        actor=ppi_facilitator, request_id=support_request.pk, status="open", expected_status="closed"
    )
    support_request.refresh_from_db()
    assert (support_request.status, support_request.closed_at) == (SupportStatus.OPEN, None)


def test_status_change_on_a_stale_page_is_refused(hit, ppi_facilitator):
    support_request = ef.SupportRequestFactory(hit=hit, status=SupportStatus.CLOSED)

    with pytest.raises(ValidationError) as raised:
        services_ppi.support_request_set_status(
            actor=ppi_facilitator, request_id=support_request.pk, status="in_progress", expected_status="open"
        )

    assert raised.value.messages == [
        "Someone else already changed this request: it is now closed. Check it and try again."
    ]


def test_status_change_to_the_same_status_is_refused(hit, ppi_facilitator):
    support_request = ef.SupportRequestFactory(hit=hit)

    with pytest.raises(ValidationError) as raised:
        services_ppi.support_request_set_status(
            actor=ppi_facilitator, request_id=support_request.pk, status="open", expected_status="open"
        )

    assert raised.value.message_dict == {"status": ["The request is already open."]}


def test_status_change_is_for_facilitators(hit, director):
    support_request = ef.SupportRequestFactory(hit=hit)

    with pytest.raises(PermissionDenied):
        services_ppi.support_request_set_status(
            actor=director, request_id=support_request.pk, status="closed", expected_status="open"
        )


# --- The caseload and its 90-day flag ----------------------------------------------------------------


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2025, 6, 15)


@pytest.mark.parametrize(("days_ago", "flagged"), [(0, False), (89, False), (90, True), (400, True)])
def test_caseload_flags_hits_without_activity_for_90_days(db, frozen_today, days_ago, flagged):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    ef.InvolvementActivityFactory(hit=hit, happened_on=frozen_today - datetime.timedelta(days=days_ago))

    [row] = selectors_ppi.caseload()

    assert row.last_activity_on == frozen_today - datetime.timedelta(days=days_ago)
    assert row.flagged is flagged


def test_caseload_flags_a_hit_that_never_logged_activity(db, frozen_today):
    f.HITFactory(status=HITStatus.ACTIVE)

    [row] = selectors_ppi.caseload()

    assert (row.last_activity_on, row.activities_12m, row.flagged) == (None, 0, True)


def test_caseload_lists_flagged_hits_first_and_leaves_out_closed_ones(db, frozen_today):
    recent = f.HITFactory(name="A recent", status=HITStatus.ACTIVE)
    stale = f.HITFactory(name="B stale", status=HITStatus.SET_UP)
    never = f.HITFactory(name="C never", status=HITStatus.PROPOSED)
    closed = f.HITFactory(name="D closed", status=HITStatus.CLOSED)
    ef.InvolvementActivityFactory(hit=recent, happened_on=frozen_today - datetime.timedelta(days=5))
    ef.InvolvementActivityFactory(hit=stale, happened_on=frozen_today - datetime.timedelta(days=120))
    ef.InvolvementActivityFactory(hit=closed, happened_on=frozen_today - datetime.timedelta(days=500))

    rows = list(selectors_ppi.caseload())

    assert [r.name for r in rows] == [never.name, stale.name, recent.name]
    assert selectors_ppi.caseload_counts(queryset=selectors_ppi.caseload()) == {"hits": 3, "flagged": 2}


def test_caseload_figures_per_hit(db, frozen_today, lay_reviewer):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    for days in (10, 100, 364, 365, 700):
        ef.InvolvementActivityFactory(hit=hit, happened_on=frozen_today - datetime.timedelta(days=days))
    ef.SupportRequestFactory(hit=hit)
    ef.SupportRequestFactory(hit=hit, status=SupportStatus.IN_PROGRESS)
    ef.SupportRequestFactory(hit=hit, status=SupportStatus.CLOSED)
    ef.PublicReviewFactory(hit=hit, reviewed_on=frozen_today - datetime.timedelta(days=300), ppi_depth=1)
    ef.PublicReviewFactory(
        hit=hit,
        reviewed_on=frozen_today - datetime.timedelta(days=20),
        ppi_depth=3,
        arrangements_adequate=False,
    )
    ef.CoverageScoreFactory(hit=hit, ppi_depth=2)

    [row] = selectors_ppi.caseload()

    assert (row.last_activity_on, row.activities_12m, row.open_support) == (
        frozen_today - datetime.timedelta(days=10),
        3,
        2,
    )
    assert (row.review_depth, row.review_adequate, row.review_on) == (
        3,
        False,
        frozen_today - datetime.timedelta(days=20),
    )
    assert row.coverage.ppi_depth == 2


def test_ppi_totals_count_all_time_and_the_last_12_months(hit, frozen_today):
    ef.InvolvementActivityFactory(
        hit=hit, happened_on=frozen_today, patients=1, carers=2, public=3, hours=Decimal("2.5")
    )
    ef.InvolvementActivityFactory(
        hit=hit,
        happened_on=frozen_today - datetime.timedelta(days=400),
        patients=10,
        carers=0,
        public=0,
        hours=Decimal("4"),
    )

    totals = selectors_ppi.ppi_totals(hit=hit)

    assert totals == {
        "activities": 2,
        "people": 16,
        "total_hours": Decimal("6.5"),
        "activities_12m": 1,
        "people_12m": 6,
        "hours_12m": Decimal("2.5"),
        "last_on": frozen_today,
    }


def test_ppi_totals_of_an_empty_log(hit):
    assert selectors_ppi.ppi_totals(hit=hit) == {
        "activities": 0,
        "people": 0,
        "total_hours": Decimal("0"),
        "activities_12m": 0,
        "people_12m": 0,
        "hours_12m": Decimal("0"),
        "last_on": None,
    }
