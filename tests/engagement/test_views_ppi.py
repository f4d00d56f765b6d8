"""The PPI pages: what each shows, what each POST does (and does not store), and constant query
counts for the log and the caseload."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from engagement.enums import PPIStandard, SupportStatus
from engagement.models import (
    InvolvementActivity,
    PublicReview,
    ScoreRequest,
    StandardsAssessment,
    SupportGiven,
    SupportRequest,
)
from teams.enums import HITStatus
from tests import factories as f
from tests.factories import engagement as ef


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _html(response) -> str:
    return response.content.decode()


def _summary(response) -> list[str]:
    """The error summary's lines, without their links."""
    html = _html(response)
    block = html[html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))]
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", block)]


def _activity_post(**overrides) -> dict:
    data = {
        "happened_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "activity_type": "workshop",
        "description": "Co-design workshop",
        "patients": "4",
        "carers": "2",
        "public": "0",
        "hours": "12",
        "level": "coproduce",
        "decision_forum": "hit_leadership",
        "impact": "Redesigned the discharge letter.",
        "recognition": "payment",
        "named_with_consent": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


@pytest.fixture
def facilitator_client(client, ppi_facilitator):
    client.force_login(ppi_facilitator)
    return client


def _set_up(hit):
    """The public review group sees and reviews the PPI arrangements of HITs in set-up."""
    hit.status = HITStatus.SET_UP
    hit.save(update_fields=["status"])


# --- The PPI page ------------------------------------------------------------------------------------


def test_ppi_log_shows_the_log_totals_and_stored_depth(director_client, hit, director):
    ef.InvolvementActivityFactory(
        hit=hit,
        happened_on=datetime.date(2025, 3, 4),
        activity_type="workshop",
        patients=4,
        carers=2,
        public=1,
        hours=Decimal("6.5"),
        level="coproduce",
        decision_forum="hit_leadership",
        impact="Changed the leaflet.",
        recognition="voucher",
        named_with_consent="Jo Bloggs",
    )
    ef.InvolvementActivityFactory(hit=hit, happened_on=datetime.date(2025, 3, 1), named_with_consent="")
    computed = timezone.make_aware(datetime.datetime(2025, 3, 5, 9, 30))
    ef.CoverageScoreFactory(hit=hit, ppi_depth=3, computed_at=computed)

    response = director_client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    html = _html(response)
    assert response.status_code == 200
    assert '<h1 class="mb-0">Patient and public involvement</h1>' in html
    assert '<p class="fs-4 mb-1">3 of 3</p>' in html
    assert "Public members take part in decision-making, commissioning or policy forums." in html
    assert 'As of <time datetime="2025-03-05T09:30:00+00:00">5 March 2025, 09:30</time>' in html
    assert "Recalculating" not in html
    assert '<time datetime="2025-03-04">4 Mar 2025</time>' in html
    assert "<td>Co-produce</td>" in html
    assert "<td>HIT management or steering group</td>" in html
    assert "<td>Voucher or gift</td>" in html
    assert html.count("Named with consent:") == 1
    assert "Jo Bloggs" in html
    assert response.context["totals"]["activities"] == 2
    assert response.context["totals"]["people"] == 13
    assert "<td>6.5</td>" in html
    assert reverse("engagement:ppi-activity-create", args=[hit.pk]) in html
    assert reverse("engagement:ppi-support-create", args=[hit.pk]) in html
    assert reverse("engagement:ppi-review-create", args=[hit.pk]) not in html


def test_ppi_log_says_recalculating_while_a_recompute_is_pending(director_client, hit):
    ef.CoverageScoreFactory(hit=hit, ppi_depth=1)
    ef.ScoreRequestFactory(hit=hit)

    response = director_client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    assert '<span class="badge text-bg-info">Recalculating</span>' in _html(response)


def test_ppi_log_without_a_score_or_entries(director_client, hit):
    response = director_client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    html = _html(response)
    assert "<p>Not calculated yet. The depth appears after the next change" in html
    assert "<p>No involvement has been logged yet.</p>" in html
    assert "<p>No self-assessment against the standards yet.</p>" in html
    assert "<p>The public review group has not assessed this HIT yet.</p>" in html


def test_ppi_log_shows_latest_standards_history_and_reviews(director_client, hit, director):
    older = ef.StandardsAssessmentFactory(
        hit=hit, assessed_on=datetime.date(2024, 1, 10), assessed_by=director
    )
    newer = ef.StandardsAssessmentFactory(
        hit=hit, assessed_on=datetime.date(2025, 1, 10), assessed_by=director
    )
    for assessment, rating in ((older, 1), (newer, 3)):
        for standard in PPIStandard:
            ef.StandardRatingRowFactory(
                assessment=assessment, standard=standard, rating=rating, note=f"{standard.label} note"
            )
    ef.PublicReviewFactory(
        hit=hit,
        reviewed_on=datetime.date(2025, 2, 1),
        ppi_depth=2,
        arrangements_adequate=False,
        comments="Few carers.",
    )

    response = director_client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    html = _html(response)
    assert "Latest self-assessment, 10 January 2025, by Dana Director" in html
    assert "<td>3 - Exemplary</td>" in html
    assert "<td>Governance note</td>" in html
    assert '<th scope="row">10 Jan 2024</th>' in html
    assert "<td>2 of 3</td>" in html
    assert "<td><strong>No</strong></td>" in html
    assert "<td>Few carers.</td>" in html


def test_ppi_log_lists_support_requests_to_members_but_not_to_the_public_review_group(
    client, hit, director, lay_reviewer
):
    _set_up(hit)
    support_request = ef.SupportRequestFactory(hit=hit, topic="Recruiting carers", requested_by=director)
    link = reverse("engagement:ppi-support-detail", args=[support_request.pk])

    client.force_login(director)
    member_html = _html(client.get(reverse("engagement:ppi-log", args=[hit.pk])))
    client.force_login(lay_reviewer)
    lay_html = _html(client.get(reverse("engagement:ppi-log", args=[hit.pk])))

    assert f'<a href="{link}">Recruiting carers</a>' in member_html
    assert "Requests for PPI support" not in lay_html
    assert "Recruiting carers" not in lay_html
    assert "Log an activity" not in lay_html


def test_board_member_cannot_open_the_ppi_log(client, hit, board_member):
    client.force_login(board_member)

    response = client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    assert response.status_code == 404


def test_lay_reviewer_sees_the_review_button(client, hit, lay_reviewer):
    _set_up(hit)
    client.force_login(lay_reviewer)

    response = client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    html = _html(response)
    assert reverse("engagement:ppi-review-create", args=[hit.pk]) in html
    assert reverse("engagement:ppi-activity-create", args=[hit.pk]) not in html
    assert "Requests for PPI support" not in html


@pytest.mark.parametrize("rows", [1, 30])
def test_ppi_log_query_count_is_constant(director_client, hit, director, django_assert_num_queries, rows):
    for _ in range(rows):
        ef.InvolvementActivityFactory(hit=hit, recorded_by=director)
        ef.PublicReviewFactory(hit=hit)
        ef.SupportRequestFactory(hit=hit, requested_by=director)
    for _ in range(min(rows, 3)):
        assessment = ef.StandardsAssessmentFactory(hit=hit, assessed_by=director)
        for standard in PPIStandard:
            ef.StandardRatingRowFactory(assessment=assessment, standard=standard)
    ef.CoverageScoreFactory(hit=hit)

    # session + user + 3 role lookups + HIT with coverage + log count + log page + totals
    # + standards + their ratings + reviews + support requests + pending recompute
    with django_assert_num_queries(14):
        response = director_client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    assert len(response.context["page"].object_list) == rows


def test_ppi_log_query_count_for_a_lay_reviewer(client, hit, lay_reviewer, django_assert_num_queries):
    _set_up(hit)
    ef.InvolvementActivityFactory.create_batch(3, hit=hit)
    client.force_login(lay_reviewer)

    # as for a member, less the support requests and the ratings (no assessment to prefetch them for)
    with django_assert_num_queries(12):
        response = client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    assert response.status_code == 200


# --- Logging an activity -----------------------------------------------------------------------------


def test_log_an_activity(director_client, hit, director):
    response = director_client.post(
        reverse("engagement:ppi-activity-create", args=[hit.pk]), _activity_post()
    )

    assert response.status_code == 302
    assert response.url == reverse("engagement:ppi-log", args=[hit.pk])
    activity = InvolvementActivity.objects.get()
    assert (
        activity.hit,
        activity.recorded_by,
        activity.patients,
        activity.hours,
        activity.decision_forum,
    ) == (
        hit,
        director,
        4,
        Decimal("12"),
        "hit_leadership",
    )
    assert ScoreRequest.objects.filter(hit=hit).count() == 1
    assert _messages(response) == ["The activity was added to the PPI log."]


def test_logging_an_activity_updates_the_stored_depth(
    director_client, hit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        director_client.post(reverse("engagement:ppi-activity-create", args=[hit.pk]), _activity_post())

    response = director_client.get(reverse("engagement:ppi-log", args=[hit.pk]))
    assert '<p class="fs-4 mb-1">3 of 3</p>' in _html(response)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {"happened_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "Date: The date cannot be in the future.",
        ),
        ({"patients": "-1"}, "Patients or service users: Ensure this value is greater than or equal to 0."),
        ({"public": "-5"}, "Members of the public: Ensure this value is greater than or equal to 0."),
        ({"hours": "-1"}, "Hours of involvement: Enter 0 or more."),
        (
            {"level": "tokenistic"},
            "Level of involvement: Select a valid choice. tokenistic is not one of the available choices.",
        ),
        (
            {"decision_forum": "parliament"},
            "Highest decision forum the involvement reached: Select a valid choice. "
            "parliament is not one of the available choices.",
        ),
        (
            {"named_with_consent": "Jo Bloggs"},
            "These people consented to be named: Names only with consent: confirm that these people "
            "consented to be named, or remove the names.",
        ),
    ],
)
def test_bad_activity_is_shown_next_to_its_field_and_nothing_is_stored(
    director_client, hit, overrides, problem
):
    response = director_client.post(
        reverse("engagement:ppi-activity-create", args=[hit.pk]), _activity_post(**overrides)
    )

    assert response.status_code == 200
    assert _summary(response) == [problem]
    assert 'class="invalid-feedback"' in _html(response)
    assert InvolvementActivity.objects.count() == 0
    assert ScoreRequest.objects.count() == 0


def test_names_with_the_consent_box_ticked_are_stored(director_client, hit):
    director_client.post(
        reverse("engagement:ppi-activity-create", args=[hit.pk]),
        _activity_post(named_with_consent="Jo Bloggs", names_consented="on"),
    )

    assert InvolvementActivity.objects.get().named_with_consent == "Jo Bloggs"


def test_edit_an_activity(director_client, hit):
    activity = ef.InvolvementActivityFactory(hit=hit, patients=1, named_with_consent="Jo Bloggs")

    form_page = director_client.get(reverse("engagement:ppi-activity-edit", args=[hit.pk, activity.pk]))
    response = director_client.post(
        reverse("engagement:ppi-activity-edit", args=[hit.pk, activity.pk]),
        _activity_post(patients="7", named_with_consent="Jo Bloggs", names_consented="on"),
    )

    assert (
        '<input type="checkbox" name="names_consented" class="checkboxinput form-check-input" '
        'aria-describedby="id_names_consented_helptext" id="id_names_consented" checked>'
    ) in _html(form_page)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.patients == 7
    assert _messages(response) == ["The activity was updated."]


# --- Standards self-assessment -----------------------------------------------------------------------


def _standards_post(**overrides) -> dict:
    data = {"assessed_on": timezone.localdate().isoformat()}
    for standard in PPIStandard:
        data[f"rating_{standard.value}"] = "2"
        data[f"note_{standard.value}"] = f"About {standard.label}"
    data.update(overrides)
    return data


def test_standards_self_assessment(director_client, hit, director):
    response = director_client.post(
        reverse("engagement:ppi-standards-create", args=[hit.pk]), _standards_post(rating_governance="0")
    )

    assert response.status_code == 302
    assessment = StandardsAssessment.objects.get()
    assert assessment.assessed_by == director
    assert list(assessment.ratings.values_list("rating", flat=True)) == [2, 2, 2, 2, 2, 0]
    assert assessment.ratings.get(standard="impact").note == "About Impact"
    assert _messages(response) == ["The standards self-assessment was saved."]


def test_standards_form_shows_the_six_standards(director_client, hit):
    response = director_client.get(reverse("engagement:ppi-standards-create", args=[hit.pk]))

    html = _html(response)
    assert re.findall(r'<legend class="h5">(.*?)</legend>', html) == [
        f"{n}. {standard.label}" for n, standard in enumerate(PPIStandard, start=1)
    ]
    assert html.count('type="radio"') == 24


def test_standards_missing_rating_is_shown_and_nothing_is_stored(director_client, hit):
    data = _standards_post()
    del data["rating_communications"]

    response = director_client.post(reverse("engagement:ppi-standards-create", args=[hit.pk]), data)

    assert response.status_code == 200
    assert _summary(response) == ["Communications: rating: This field is required."]
    assert '<a class="alert-link" href="#id_rating_communications">' in _html(response)
    assert 'id="id_rating_communications" tabindex="-1"' in _html(response)
    assert StandardsAssessment.objects.count() == 0


def test_standards_rating_out_of_range_is_refused(director_client, hit):
    response = director_client.post(
        reverse("engagement:ppi-standards-create", args=[hit.pk]), _standards_post(rating_impact="4")
    )

    assert _summary(response) == [
        "Impact: rating: Select a valid choice. 4 is not one of the available choices."
    ]
    assert StandardsAssessment.objects.count() == 0


# --- The public review group -------------------------------------------------------------------------


def test_public_review(client, hit, lay_reviewer):
    _set_up(hit)
    client.force_login(lay_reviewer)

    form_page = client.get(reverse("engagement:ppi-review-create", args=[hit.pk]))
    response = client.post(
        reverse("engagement:ppi-review-create", args=[hit.pk]),
        {"ppi_depth": "1", "arrangements_adequate": "no", "comments": "Only satisfaction surveys so far."},
    )

    assert "1 - Involvement limited to service logistics or satisfaction" in _html(form_page)
    assert response.status_code == 302
    review = PublicReview.objects.get()
    assert (review.reviewer, review.ppi_depth, review.arrangements_adequate, review.comments) == (
        lay_reviewer,
        1,
        False,
        "Only satisfaction surveys so far.",
    )


def test_public_review_bad_input_is_shown_and_nothing_is_stored(client, hit, lay_reviewer):
    _set_up(hit)
    client.force_login(lay_reviewer)

    response = client.post(
        reverse("engagement:ppi-review-create", args=[hit.pk]),
        {"ppi_depth": "5", "arrangements_adequate": "", "comments": "   "},
    )

    assert _summary(response) == [
        "PPI depth: Select a valid choice. 5 is not one of the available choices.",
        "Are the HIT&#x27;s PPI arrangements genuine and adequate?: This field is required.",
        "Comments: This field is required.",
    ]
    assert PublicReview.objects.count() == 0


# --- Support requests --------------------------------------------------------------------------------


def test_ask_for_support_emails_the_facilitators(
    client, hit, teammate, ppi_facilitator, django_capture_on_commit_callbacks
):
    client.force_login(teammate)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("engagement:ppi-support-create", args=[hit.pk]),
            {"topic": "Paying carers", "details": "What rates do we use?"},
        )

    support_request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("engagement:ppi-support-detail", args=[support_request.pk])
    assert _messages(response) == ["Your request was sent to the PPI facilitators."]
    [message] = mail.outbox
    assert message.to == [ppi_facilitator.email]
    assert message.subject == "PPI support requested by Dementia HIT: Paying carers"


def test_empty_support_request_is_refused(client, hit, teammate, ppi_facilitator):
    client.force_login(teammate)

    response = client.post(
        reverse("engagement:ppi-support-create", args=[hit.pk]), {"topic": "  ", "details": ""}
    )

    assert _summary(response) == ["What do you need help with?: This field is required."]
    assert SupportRequest.objects.count() == 0
    assert mail.outbox == []


def test_member_reads_the_request_without_the_facilitators_forms(client, hit, director, ppi_facilitator):
    support_request = ef.SupportRequestFactory(hit=hit, topic="Paying carers", requested_by=director)
    ef.SupportGivenFactory(
        request=support_request,
        given_by=ppi_facilitator,
        hours=Decimal("1.5"),
        note="Sent the payment policy.",
    )
    client.force_login(director)

    response = client.get(reverse("engagement:ppi-support-detail", args=[support_request.pk]))

    html = _html(response)
    assert "<h1>Paying carers</h1>" in html
    assert "<td>Sent the payment policy.</td>" in html
    assert "1.5 hours in all" in html
    assert "Record support given" not in html
    assert "Change the status" not in html


def test_facilitator_records_support_given(facilitator_client, hit, ppi_facilitator):
    support_request = ef.SupportRequestFactory(hit=hit)
    url = reverse("engagement:ppi-support-detail", args=[support_request.pk])

    response = facilitator_client.post(
        url,
        {
            "form": "support",
            "given_on": timezone.localdate().isoformat(),
            "hours": "2",
            "note": "Called them.",
        },
    )

    assert response.status_code == 302
    given = SupportGiven.objects.get()
    assert (given.given_by, given.hours, given.note) == (ppi_facilitator, Decimal("2"), "Called them.")
    support_request.refresh_from_db()
    assert support_request.status == SupportStatus.IN_PROGRESS
    assert _messages(response) == ["The support given was recorded."]


def test_support_given_bad_input_is_shown_and_nothing_is_stored(facilitator_client, hit):
    support_request = ef.SupportRequestFactory(hit=hit)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = facilitator_client.post(
        reverse("engagement:ppi-support-detail", args=[support_request.pk]),
        {"form": "support", "given_on": tomorrow, "hours": "-1", "note": ""},
    )

    assert response.status_code == 200
    assert _summary(response) == [
        "Date: The date cannot be in the future.",
        "Hours: Ensure this value is greater than or equal to 0.",
        "Support given: This field is required.",
    ]
    assert SupportGiven.objects.count() == 0


def test_facilitator_closes_a_request(facilitator_client, hit):
    support_request = ef.SupportRequestFactory(hit=hit, status=SupportStatus.IN_PROGRESS)
    url = reverse("engagement:ppi-support-detail", args=[support_request.pk])

    page = facilitator_client.get(url)
    response = facilitator_client.post(
        url, {"form": "status", "status": "closed", "expected_status": "in_progress"}
    )

    assert [value for value, _label in page.context["status_form"].fields["status"].choices] == [
        "open",
        "closed",
    ]
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == SupportStatus.CLOSED
    assert _messages(response) == ["The status was changed."]


def test_status_change_from_a_stale_page_says_someone_else_did_it(facilitator_client, hit):
    support_request = ef.SupportRequestFactory(hit=hit, status=SupportStatus.CLOSED)

    response = facilitator_client.post(
        reverse("engagement:ppi-support-detail", args=[support_request.pk]),
        {"form": "status", "status": "in_progress", "expected_status": "open"},
    )

    assert response.status_code == 200
    assert _summary(response) == [
        "Someone else already changed this request: it is now closed. Check it and try again."
    ]
    support_request.refresh_from_db()
    assert support_request.status == SupportStatus.CLOSED


# --- The caseload ------------------------------------------------------------------------------------


def test_caseload_lists_flagged_hits_first(facilitator_client, db):
    today = timezone.localdate()
    recent = f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE)
    stale = f.HITFactory(name="Beta HIT", status=HITStatus.ACTIVE)
    f.HITFactory(name="Gamma HIT", status=HITStatus.SET_UP)
    f.HITFactory(name="Omega HIT", status=HITStatus.CLOSED)
    ef.InvolvementActivityFactory(hit=recent, happened_on=today - datetime.timedelta(days=10))
    ef.InvolvementActivityFactory(hit=stale, happened_on=today - datetime.timedelta(days=90))
    ef.SupportRequestFactory(hit=stale, topic="Finding young carers")
    ef.CoverageScoreFactory(hit=recent, ppi_depth=2)

    response = facilitator_client.get(reverse("engagement:ppi-caseload"))

    html = _html(response)
    assert [row.name for row in response.context["rows"]] == ["Gamma HIT", "Beta HIT", "Alpha HIT"]
    assert "<p>3 HITs, 2 flagged.</p>" in html
    assert '<span class="badge text-bg-warning">No activity logged</span>' in html
    assert '<span class="badge text-bg-warning">No activity for 90+ days</span>' in html
    assert "Omega HIT" not in html
    assert "Finding young carers" in html
    assert "2 of 3" in html


def test_caseload_gives_each_hits_current_ppi_lead_name_and_email(facilitator_client, db):
    """docs/domain.md section 4: the PPI facilitator sees the PPI lead's name and email address."""
    today = timezone.localdate()
    led = f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE)
    f.HITFactory(name="Beta HIT", status=HITStatus.ACTIVE)
    lead = f.PersonFactory(full_name="Lena Lead", email="lena.lead@example.org")
    f.MembershipFactory(hit=led, person=lead, role="ppi_lead", start_date=today - datetime.timedelta(days=60))
    former = f.PersonFactory(full_name="Fred Former", email="fred@example.org")
    f.MembershipFactory(
        hit=led,
        person=former,
        role="ppi_lead",
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=61),
    )

    response = facilitator_client.get(reverse("engagement:ppi-caseload"))

    rows = {row.name: row for row in response.context["rows"]}
    assert (rows["Alpha HIT"].ppi_lead_name, rows["Alpha HIT"].ppi_lead_email) == (
        "Lena Lead",
        "lena.lead@example.org",
    )
    assert (rows["Beta HIT"].ppi_lead_name, rows["Beta HIT"].ppi_lead_email) == (None, None)
    html = _html(response)
    assert '<a href="mailto:lena.lead@example.org">lena.lead@example.org</a>' in html
    assert "Fred Former" not in html
    assert "None named" in html


def test_caseload_filter_flagged_only(facilitator_client, db):
    recent = f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE)
    f.HITFactory(name="Gamma HIT", status=HITStatus.ACTIVE)
    ef.InvolvementActivityFactory(hit=recent, happened_on=timezone.localdate())

    response = facilitator_client.get(reverse("engagement:ppi-caseload"), {"flagged": "on"})

    assert [row.name for row in response.context["rows"]] == ["Gamma HIT"]
    assert 'name="flagged" class="checkboxinput form-check-input" id="id_flagged" checked' in _html(response)


@pytest.mark.parametrize("hits", [1, 30])
def test_caseload_query_count_is_constant(facilitator_client, django_assert_num_queries, hits):
    for hit in f.HITFactory.create_batch(hits, status=HITStatus.ACTIVE):
        ef.InvolvementActivityFactory.create_batch(2, hit=hit)
        ef.SupportRequestFactory(hit=hit)
        ef.PublicReviewFactory(hit=hit)
        ef.CoverageScoreFactory(hit=hit)
        f.MembershipFactory(hit=hit, role="ppi_lead")

    # session + user + 3 role lookups + the tables' versions (core.versions) + paginator count + the page
    # of HITs + flagged counts + open support requests
    with django_assert_num_queries(10):
        response = facilitator_client.get(reverse("engagement:ppi-caseload"))

    assert len(response.context["rows"]) == hits
