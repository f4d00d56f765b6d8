"""The applicant's application pages: list, overview, sections, stakeholder table, sponsor link,
workflow moves, revisions and their comparison, and the answers to feedback."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accreditation.enums import ApplicationStatus, FeedbackStatus
from accreditation.models import (
    ApplicationSection,
    FeedbackDocument,
    FeedbackPoint,
    Revision,
    StakeholderPlanRow,
)
from accreditation.services import drafting as services
from tests import factories as f
from tests.factories.accreditation_applications import (
    VALID_SECTION_DATA,
    ApplicationEventFactory,
    ApplicationFactory,
    ApplicationSectionFactory,
    RevisionFactory,
    StakeholderPlanRowFactory,
    complete_application,
)


@pytest.fixture
def application(hit, panel):
    return ApplicationFactory(hit=hit, round=panel.round)


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _released_feedback(application, *, revision_number: int) -> FeedbackDocument:
    document = FeedbackDocument.objects.create(
        application=application,
        revision_number=revision_number,
        summary="Widen the engagement.",
        status=FeedbackStatus.RELEASED,
        released_at=timezone.now(),
    )
    FeedbackPoint.objects.create(
        document=document,
        section="stakeholders",
        text="Social care is missing.",
        quoted_comment="I could not find the council in the table.",
    )
    FeedbackPoint.objects.create(document=document, section="milestones", text="Date the pilot.")
    return document


# --- List ----------------------------------------------------------------------------------------------


def test_application_list_shows_only_own_hits(director_client, application, other_hit, panel):
    ApplicationFactory(hit=other_hit, round=panel.round)

    response = director_client.get(reverse("accreditation:application-list"))

    assert [a.pk for a in response.context["page"]] == [application.pk]


def test_application_list_filters_by_status(director_client, hit, application):
    ApplicationFactory(hit=hit, withdrawn=True)

    response = director_client.get(reverse("accreditation:application-list"), {"status": "withdrawn"})

    assert [a.status for a in response.context["page"]] == ["withdrawn"]


def test_application_list_without_a_hit_is_refused_with_reason(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("accreditation:application-list"))

    assert response.status_code == 403
    assert "you are not a member of any HIT" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 30])
def test_application_list_query_count_is_constant(director_client, hit, rows, django_assert_num_queries):
    ApplicationFactory(hit=hit)
    ApplicationFactory.create_batch(rows - 1, hit=hit, withdrawn=True)

    # session + user + 3 role lookups + count + page
    with django_assert_num_queries(7):
        response = director_client.get(reverse("accreditation:application-list"))

    assert len(response.context["page"]) == min(rows, 25)


# --- Overview ------------------------------------------------------------------------------------------


def test_application_detail_shows_the_overview(director_client, director, application):
    complete_application(application)
    ApplicationEventFactory(
        application=application,
        actor=director,
        action="withdraw",
        from_status="draft",
        to_status="withdrawn",
        comment="Test event",
    )

    response = director_client.get(reverse("accreditation:application-detail", args=[application.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [item["complete"] for item in response.context["sections"]] == [True] * 10
    assert "names <strong>2 organisations</strong>" in html
    assert "across <strong>2 stakeholder categories</strong>" in html
    assert "confirmed their sponsorship on" in html
    assert response.context["problems"] == []
    assert [a.action for a in response.context["available_actions"]] == ["submit", "withdraw"]
    assert "<td>Withdraw</td>" in html and "<td>Draft</td>" in html and "Test event" in html


def test_application_detail_lists_submission_problems_with_links(director_client, application):
    response = director_client.get(reverse("accreditation:application-detail", args=[application.pk]))

    html = response.content.decode()
    aims = reverse("accreditation:application-section", args=[application.pk, "aims"])
    table = reverse("accreditation:stakeholder-table", args=[application.pk])
    assert f'<a href="{aims}">Complete the section &#x27;Aims and problem&#x27;.</a>' in html
    assert f'<a href="{table}">Name at least two organisations' in html
    assert "Send confirmation request" not in html  # no sponsor named yet


def test_application_detail_offers_sponsor_request_to_editors(director_client, application):
    application.executive_sponsor = f.PersonFactory()
    application.save(update_fields=["executive_sponsor"])

    response = director_client.get(reverse("accreditation:application-detail", args=[application.pk]))

    assert "Send confirmation request" in response.content.decode()


def test_application_detail_for_chair_offers_start_review_only(client, chair, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, submitted=True)
    client.force_login(chair)

    response = client.get(reverse("accreditation:application-detail", args=[application.pk]))

    assert [a.action for a in response.context["available_actions"]] == ["start_review"]
    assert response.context["can_edit"].allowed is False


def test_application_detail_hides_panel_actions(client, chair, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, under_review=True)
    client.force_login(chair)

    response = client.get(reverse("accreditation:application-detail", args=[application.pk]))

    assert response.context["available_actions"] == []


@pytest.mark.parametrize("items", [1, 6])
def test_application_detail_query_count_is_constant(
    director_client, director, application, items, django_assert_num_queries
):
    complete_application(application)
    for n in range(items):
        ApplicationEventFactory(application=application, actor=director)
        RevisionFactory(application=application, number=n + 1, submitted_by=director)
        StakeholderPlanRowFactory(application=application)

    # session, user, application, assignment, 3 roles, the page's tables' versions (core.versions),
    # sections, stakeholder summary, submission problems (3 directory look-ups by the governance form
    # + stakeholder summary + rows checked for placeholder text), events, released feedback,
    # revisions, accreditation conditions to meet
    with django_assert_num_queries(19):
        response = director_client.get(reverse("accreditation:application-detail", args=[application.pk]))

    assert len(response.context["events"]) == items
    assert len(response.context["revisions"]) == items
    # Again, from the cache: session, user, application, assignment, the versions.
    with django_assert_num_queries(5):
        again = director_client.get(reverse("accreditation:application-detail", args=[application.pk]))
    assert _main(again) == _main(response) and "Application of" in _main(again)


def _main(response) -> str:
    """The page's main content with the per-request CSRF tokens taken out."""
    import re

    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def test_the_application_page_shows_each_change_at_the_next_request(director_client, director, application):
    """The body is kept per version of what it shows: a new event, revision, stakeholder row or
    section, a released decision's condition, a change to the HIT's name, each shows at once."""
    url = reverse("accreditation:application-detail", args=[application.pk])
    first = director_client.get(url).content.decode()
    assert "Renamed HIT for the test" not in first
    application.hit.name = "Renamed HIT for the test"
    application.hit.save()
    assert "Renamed HIT for the test" in director_client.get(url).content.decode()
    ApplicationEventFactory(
        application=application, actor=director, comment="A comment only the new event has"
    )
    assert "A comment only the new event has" in director_client.get(url).content.decode()
    number = application.revisions.count() + 1
    link = reverse("accreditation:revision-detail", args=[application.pk, number])
    assert link not in director_client.get(url).content.decode()
    RevisionFactory(application=application, number=number, submitted_by=director)
    assert link in director_client.get(url).content.decode()
    StakeholderPlanRowFactory(application=application)
    with_row = director_client.get(url).content.decode()
    application.stakeholder_rows.all().delete()
    assert director_client.get(url).content.decode().count("<strong>0 organisations</strong>") == 1
    assert "<strong>0 organisations</strong>" not in with_row


# --- Sections ------------------------------------------------------------------------------------------


def test_section_get_prefills_governance_from_the_application(director_client, application):
    complete_application(application)

    response = director_client.get(
        reverse("accreditation:application-section", args=[application.pk, "governance"])
    )

    form = response.context["form"]
    assert form.initial["executive_sponsor"] == application.executive_sponsor_id
    assert form.initial["steering_cadence"] == "quarterly"
    assert '<span class="badge text-bg-success">Complete</span>' in response.content.decode()


def test_section_post_saves_a_partial_draft(director_client, application):
    url = reverse("accreditation:application-section", args=[application.pk, "aims"])

    response = director_client.post(
        url, {"aims": "Fewer admissions.", "problem": "", "boundaries": ""}, follow=True
    )

    row = ApplicationSection.objects.get(application=application, key="aims")
    html = response.content.decode()
    assert (row.data, row.is_complete) == (
        {"aims": "Fewer admissions.", "problem": "", "boundaries": ""},
        False,
    )
    assert _messages(response) == [
        "'Aims and problem' was saved. Some answers are still needed to complete it."
    ]
    assert "Still needed: The problem, Boundaries it crosses." in html
    next_url = reverse("accreditation:stakeholder-table", args=[application.pk])
    assert f'<a class="btn btn-link" href="{next_url}">Next section: Who needs to be involved' in html


def test_section_post_complete_shows_complete_mark(director_client, application):
    url = reverse("accreditation:application-section", args=[application.pk, "aims"])

    response = director_client.post(url, VALID_SECTION_DATA["aims"], follow=True)

    assert _messages(response) == ["'Aims and problem' was saved. This section is complete."]
    assert ApplicationSection.objects.get(application=application, key="aims").is_complete is True


def test_section_post_with_bad_working_groups_keeps_text_and_saves_nothing(director_client, application):
    url = reverse("accreditation:application-section", args=[application.pk, "governance"])
    data = {**VALID_SECTION_DATA["governance"], "working_groups": "Crisis care; Prof D Lee\nCarers; A; B"}

    response = director_client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert ApplicationSection.objects.filter(application=application).count() == 0
    assert (
        '<a class="alert-link" href="#id_working_groups">Working groups: Write each working group as '
        "&#x27;name; academic lead; service lead&#x27; (check line 1).</a>"
    ) in html
    assert "Crisis care; Prof D Lee\nCarers; A; B</textarea>" in html
    assert "The trust-wide steering group" in html


def test_section_post_with_2_mb_in_a_field_shows_the_limit_next_to_it_and_saves_nothing(
    director_client, application
):
    url = reverse("accreditation:application-section", args=[application.pk, "aims"])

    response = director_client.post(
        url, {"aims": "x" * 2_097_152, "problem": "Avoidable admissions.", "boundaries": ""}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "aims": ["Ensure this value has at most 10000 characters (it has 2097152)."]
    }
    assert "Avoidable admissions.</textarea>" in html
    assert 'maxlength="10000"' in html
    assert ApplicationSection.objects.filter(application=application).count() == 0


def test_section_of_submitted_application_is_refused_and_unchanged(director_client, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, submitted=True)
    ApplicationSectionFactory(application=application, key="aims")
    url = reverse("accreditation:application-section", args=[application.pk, "aims"])

    response = director_client.post(url, {"aims": "Changed", "problem": "", "boundaries": ""})

    assert response.status_code == 403
    assert "This application is submitted; it can be edited again only" in response.content.decode()
    assert (
        ApplicationSection.objects.get(application=application, key="aims").data == VALID_SECTION_DATA["aims"]
    )


def test_section_unknown_key_is_404(director_client, application):
    response = director_client.get(
        reverse("accreditation:application-section", args=[application.pk, "budget"])
    )

    assert response.status_code == 404


def test_section_stakeholders_redirects_to_the_table(director_client, application):
    response = director_client.get(
        reverse("accreditation:application-section", args=[application.pk, "stakeholders"])
    )

    assert response.url == reverse("accreditation:stakeholder-table", args=[application.pk])


# --- Stakeholder table ---------------------------------------------------------------------------------


def _row_data(**overrides) -> dict:
    category = f.StakeholderCategoryFactory(code="PROV")
    return {
        "organisation": "",
        "stakeholder": "",
        "category": category.pk,
        "role": "Sits on the management group",
        "outcome": "A joined-up pathway",
        "depth": "2",
        **overrides,
    }


def test_stakeholder_table_adds_a_directory_row(director_client, application):
    organisation = f.OrganisationFactory(name="City Council")

    response = director_client.post(
        reverse("accreditation:stakeholder-table", args=[application.pk]),
        _row_data(organisation=organisation.pk),
        follow=True,
    )

    row = StakeholderPlanRow.objects.get()
    assert (row.application, row.organisation, row.depth) == (application, organisation, 2)
    assert _messages(response) == ["City Council was added to the table."]


def test_stakeholder_table_adds_a_free_text_row(director_client, application):
    director_client.post(
        reverse("accreditation:stakeholder-table", args=[application.pk]),
        _row_data(stakeholder="Carers' forum"),
    )

    assert StakeholderPlanRow.objects.get().stakeholder == "Carers' forum"


def test_stakeholder_table_row_naming_nobody_shows_one_error(director_client, application):
    response = director_client.post(
        reverse("accreditation:stakeholder-table", args=[application.pk]), _row_data()
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "organisation": ["Choose an organisation from the directory, or name the stakeholder."]
    }
    assert StakeholderPlanRow.objects.count() == 0


def test_stakeholder_edit_changes_the_row(director_client, application):
    row = StakeholderPlanRowFactory(application=application)

    director_client.post(
        reverse("accreditation:stakeholder-edit", args=[application.pk, row.pk]),
        _row_data(organisation=row.organisation_id, depth="3"),
    )

    row.refresh_from_db()
    assert (row.depth, row.role) == (3, "Sits on the management group")


def test_stakeholder_edit_of_another_applications_row_is_404(director_client, application, other_hit):
    foreign = StakeholderPlanRowFactory(application=ApplicationFactory(hit=other_hit))

    response = director_client.post(
        reverse("accreditation:stakeholder-edit", args=[application.pk, foreign.pk]),
        _row_data(stakeholder="Hijacked"),
    )

    foreign.refresh_from_db()
    assert response.status_code == 404
    assert (foreign.stakeholder, foreign.application.hit) == ("", other_hit)


def test_stakeholder_delete_of_another_applications_row_is_refused(director_client, application, other_hit):
    foreign = StakeholderPlanRowFactory(application=ApplicationFactory(hit=other_hit))

    response = director_client.post(
        reverse("accreditation:stakeholder-delete", args=[application.pk, foreign.pk])
    )

    assert response.status_code == 403
    assert StakeholderPlanRow.objects.filter(pk=foreign.pk).exists()


def test_stakeholder_delete_removes_own_row(director_client, application):
    row = StakeholderPlanRowFactory(application=application)

    response = director_client.post(
        reverse("accreditation:stakeholder-delete", args=[application.pk, row.pk])
    )

    assert response.status_code == 302
    assert StakeholderPlanRow.objects.count() == 0


# --- Sponsor -------------------------------------------------------------------------------------------


def _with_unconfirmed_sponsor(application):
    complete_application(application)
    application.sponsor_confirmed_at = None
    application.sponsor_confirmed_for = None
    application.save(update_fields=["sponsor_confirmed_at", "sponsor_confirmed_for"])
    return application


def test_sponsor_request_emails_the_sponsor(director_client, application, django_capture_on_commit_callbacks):
    _with_unconfirmed_sponsor(application)

    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(
            reverse("accreditation:sponsor-request", args=[application.pk]), follow=True
        )

    assert [m.to for m in mail.outbox] == [[application.executive_sponsor.email]]
    assert _messages(response) == [
        f"We emailed {application.executive_sponsor} a link to confirm their sponsorship. The link works for 30 days."
    ]


def test_sponsor_request_without_sponsor_shows_the_reason(director_client, application):
    response = director_client.post(
        reverse("accreditation:sponsor-request", args=[application.pk]), follow=True
    )

    assert _messages(response) == ["Name the executive sponsor in the governance section first."]


def test_sponsor_confirm_page_is_public_and_shows_the_application(client, application):
    _with_unconfirmed_sponsor(application)

    response = client.get(
        reverse("accreditation:sponsor-confirm", args=[services.sponsor_token(application)])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<dd class="col-sm-9">Dementia HIT</dd>' in html
    assert f'<dd class="col-sm-9">{application.round.name}</dd>' in html
    assert f'<dd class="col-sm-9">{application.director.full_name}</dd>' in html
    assert "I confirm my sponsorship" in html


def test_sponsor_confirm_post_confirms(client, application):
    _with_unconfirmed_sponsor(application)
    url = reverse("accreditation:sponsor-confirm", args=[services.sponsor_token(application)])

    response = client.post(url, follow=True)

    application.refresh_from_db()
    assert application.sponsor_confirmed is True
    assert _messages(response) == ["Thank you: your sponsorship is confirmed. The director has been told."]


def test_sponsor_confirm_used_link_says_so(client, application):
    _with_unconfirmed_sponsor(application)
    url = reverse("accreditation:sponsor-confirm", args=[services.sponsor_token(application)])
    client.post(url)

    response = client.post(url)

    assert response.status_code == 200
    assert "This link has been used and there is nothing more to do." in response.content.decode()


def test_sponsor_confirm_forged_token_is_not_valid(client, application):
    _with_unconfirmed_sponsor(application)
    forged = signing.dumps({"a": application.pk, "s": application.executive_sponsor_id}, salt="wrong")

    response = client.post(reverse("accreditation:sponsor-confirm", args=[forged]))

    application.refresh_from_db()
    assert response.status_code == 400
    assert "<h1>This link is not valid</h1>" in response.content.decode()
    assert application.sponsor_confirmed is False


def test_sponsor_confirm_expired_token_is_not_valid(client, application):
    _with_unconfirmed_sponsor(application)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=31)):
        token = services.sponsor_token(application)

    response = client.post(reverse("accreditation:sponsor-confirm", args=[token]))

    application.refresh_from_db()
    assert response.status_code == 400
    assert "The link has expired." in response.content.decode()
    assert application.sponsor_confirmed is False


def test_sponsor_confirm_for_replaced_sponsor_is_not_valid(client, application):
    _with_unconfirmed_sponsor(application)
    token = services.sponsor_token(application)
    application.executive_sponsor = f.PersonFactory()
    application.save(update_fields=["executive_sponsor"])

    response = client.post(reverse("accreditation:sponsor-confirm", args=[token]))

    assert response.status_code == 400
    assert "no longer named on the application" in response.content.decode()


# --- Transitions ---------------------------------------------------------------------------------------


def _transition(client, application, action: str, expected: str = "draft", comment: str = "", follow=True):
    return client.post(
        reverse("accreditation:application-transition", args=[application.pk]),
        {"action": action, "expected_status": expected, "comment": comment},
        follow=follow,
    )


def test_submit_incomplete_shows_error_summary_linking_each_problem(director_client, application):
    response = _transition(director_client, application, "submit")

    html = response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert response.redirect_chain[-1][0].endswith("?submit=problems#submission-problems")
    # Regression: a banner said so above the summary; the summary alone says it now.
    assert _messages(response) == []
    assert html.count('id="error-summary"') == 1
    assert "The application was not submitted. Put right these problems first:" in html
    milestones = reverse("accreditation:application-section", args=[application.pk, "milestones"])
    assert (
        f'<a class="alert-link" href="{milestones}">Complete the section &#x27;First-year milestones&#x27;.</a>'
    ) in html
    assert len(re.findall(r'<a class="alert-link"', html)) == 12


def test_submit_complete_application(director_client, application):
    complete_application(application)

    response = _transition(director_client, application, "submit")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert _messages(response) == ["The application was submitted. The panel chair has been told."]
    assert Revision.objects.filter(application=application).count() == 1


def test_double_submit_gives_clear_message_and_one_revision(director_client, application):
    complete_application(application)
    _transition(director_client, application, "submit")

    response = _transition(director_client, application, "submit")

    [message] = _messages(response)
    assert message.startswith("This application was already submitted by Dana Director on ")
    assert message.endswith("; nothing was changed.")
    assert Revision.objects.filter(application=application).count() == 1


def test_illegal_transition_shows_message(director_client, application):
    response = _transition(director_client, application, "revise")

    assert _messages(response) == ["'Revise' is not possible while it is draft."]


def test_teammate_cannot_submit(client, teammate, application):
    complete_application(application)
    client.force_login(teammate)

    response = _transition(client, application, "submit", follow=False)

    application.refresh_from_db()
    assert response.status_code == 403
    assert application.status == ApplicationStatus.DRAFT


def test_decision_cannot_be_posted_from_the_application_page(client, chair, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, under_review=True)
    client.force_login(chair)

    response = _transition(client, application, "accredit", expected="under_review", comment="Yes")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert _messages(response) == ["That change could not be made: the form was incomplete."]


def test_withdraw_without_reason_shows_message(director_client, application):
    response = _transition(director_client, application, "withdraw")

    application.refresh_from_db()
    html = response.content.decode()
    assert application.status == ApplicationStatus.DRAFT
    assert _messages(response) == []
    assert html.count('id="error-summary"') == 1
    assert '<a class="alert-link" href="#id_withdraw_comment">Comment: Write a reason.</a>' in html


def test_chair_starts_review(client, chair, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, submitted=True)
    client.force_login(chair)

    response = _transition(client, application, "start_review", expected="submitted")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert _messages(response) == ["The review has started."]


# --- Revisions -----------------------------------------------------------------------------------------


def _two_revisions(application, director):
    sections_1 = {k: dict(v) for k, v in VALID_SECTION_DATA.items()}
    sections_2 = {k: dict(v) for k, v in VALID_SECTION_DATA.items()}
    sections_2["aims"]["aims"] = "Fewer emergency admissions.\nBetter crisis support for carers."
    sections_2["data_sharing"]["dsa_status"] = "signed"
    row = {
        "organisation": "Acute trust",
        "stakeholder": "",
        "category": "PROV",
        "role": "R",
        "outcome": "O",
        "depth": 2,
    }
    council = {**row, "organisation": "City Council", "category": "OPS"}
    dropped = {**row, "organisation": "", "stakeholder": "Old forum", "category": "PUBLIC"}
    first = RevisionFactory(
        application=application,
        number=1,
        sections=sections_1,
        stakeholders=[row, dropped],
        governance={"director": "Dana Director", "executive_sponsor": "Sam Sponsor"},
        organisation_count=5,
        category_count=3,
        submitted_by=director,
    )
    second = RevisionFactory(
        application=application,
        number=2,
        sections=sections_2,
        stakeholders=[row, council],
        governance={"director": "Dana Director", "executive_sponsor": "Sam Sponsor"},
        organisation_count=8,
        category_count=4,
        feedback_responses=[
            {"section": "stakeholders", "point": "Social care is missing.", "response": "Added."}
        ],
        submitted_by=director,
    )
    return first, second


def test_revision_list_links_each_revision(director_client, director, application):
    _two_revisions(application, director)

    response = director_client.get(reverse("accreditation:revision-list", args=[application.pk]))

    html = response.content.decode()
    assert [r.number for r in response.context["revisions"]] == [2, 1]
    assert reverse("accreditation:revision-detail", args=[application.pk, 1]) in html
    assert "What changed since revision 1" in html


def test_revision_detail_shows_frozen_content_and_answers(director_client, director, application):
    _two_revisions(application, director)
    ApplicationSection.objects.create(application=application, key="aims", data={"aims": "Working copy"})

    response = director_client.get(reverse("accreditation:revision-detail", args=[application.pk, 2]))

    html = response.content.decode()
    assert "Fewer emergency admissions.<br>Better crisis support for carers." in html
    assert "Working copy" not in html
    assert "<dd>Signed</dd>" in html
    assert "<dd>Sam Sponsor</dd>" in html
    assert "<td>City Council</td>" in html
    assert "<strong>The team's answer:</strong> Added." in html


def test_revision_detail_unknown_number_is_404(director_client, application):
    response = director_client.get(reverse("accreditation:revision-detail", args=[application.pk, 9]))

    assert response.status_code == 404


def test_revision_compare_shows_changes_by_section(director_client, director, application):
    _two_revisions(application, director)

    response = director_client.get(
        reverse("accreditation:revision-compare", args=[application.pk]), {"a": 1, "b": 2}
    )

    html = response.content.decode()
    comparison = response.context["comparison"]
    changed = {s.section.key: s.changes for s in comparison["sections"] if s.changes}
    assert set(changed) == {"aims", "data_sharing"}
    assert changed["aims"][0].label == "Aims"
    assert changed["aims"][0].lines == [
        ("removed", "Fewer emergency admissions of people living with dementia within three years."),
        ("added", "Fewer emergency admissions."),
        ("added", "Better crisis support for carers."),
    ]
    assert changed["data_sharing"][0].lines == [
        ("removed", "Being drafted with information-governance leads"),
        ("added", "Signed"),
    ]
    assert "5 → 8 organisations (+3)" in html
    assert "3 → 4 stakeholder categories (+1)" in html
    assert comparison["rows_added"] == [("City Council", "Other public sector", "R", "O", 2)]
    assert comparison["rows_removed"] == [
        ("Old forum", "Patients, service users, carers and the public", "R", "O", 2)
    ]
    assert html.count("Unchanged</span>") == 7


def test_revision_compare_defaults_to_the_last_two(director_client, director, application):
    _two_revisions(application, director)

    response = director_client.get(reverse("accreditation:revision-compare", args=[application.pk]))

    assert (response.context["older"].number, response.context["newer"].number) == (1, 2)


def test_revision_compare_same_revision_is_an_error(director_client, director, application):
    _two_revisions(application, director)

    response = director_client.get(
        reverse("accreditation:revision-compare", args=[application.pk]), {"a": 2, "b": 2}
    )

    assert response.context["form"].errors == {"b": ["Choose two different revisions."]}
    assert "comparison" not in response.context


def test_revision_compare_with_one_revision_says_nothing_to_compare(director_client, director, application):
    RevisionFactory(application=application, number=1, submitted_by=director)

    response = director_client.get(reverse("accreditation:revision-compare", args=[application.pk]))

    assert "There is only one revision, so there is nothing to compare." in response.content.decode()


def test_assigned_reviewer_reads_revisions(client, reviewer, director, application):
    from accreditation.enums import ConflictDeclaration
    from accreditation.models import ReviewAssignment

    _two_revisions(application, director)
    ReviewAssignment.objects.create(
        application=application, reviewer=reviewer, declaration=ConflictDeclaration.NONE
    )
    client.force_login(reviewer)

    response = client.get(reverse("accreditation:revision-compare", args=[application.pk]))

    assert response.status_code == 200


# --- Feedback ------------------------------------------------------------------------------------------


def test_feedback_respond_shows_points_without_reviewer_names(director_client, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, version=2)
    _released_feedback(application, revision_number=1)

    response = director_client.get(reverse("accreditation:feedback-respond", args=[application.pk]))

    html = response.content.decode()
    assert "Point 1: Who needs to be involved, how, and for what outcome" in html
    assert "Point 2: First-year milestones" in html
    assert "I could not find the council in the table." in html
    assert "A reviewer's comment" in html
    assert 'name="point_' in html


def test_feedback_answers_are_saved_then_frozen_and_shown_to_the_panel(
    director_client, client, chair, director, hit, panel
):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round, version=2))
    document = _released_feedback(application, revision_number=1)
    first, second = document.points.order_by("pk")
    url = reverse("accreditation:feedback-respond", args=[application.pk])

    response = director_client.post(
        url, {f"point_{first.pk}": "We added the council.", f"point_{second.pk}": ""}, follow=True
    )
    _transition(director_client, application, "submit")

    first.refresh_from_db()
    assert first.response == "We added the council."
    assert _messages(response) == [
        "Your answers were saved. They are sent to the panel with your next submission."
    ]
    client.force_login(chair)
    page = client.get(reverse("accreditation:revision-detail", args=[application.pk, 2])).content.decode()
    assert "Social care is missing." in page
    assert "<strong>The team's answer:</strong> We added the council." in page


def test_feedback_in_feedback_state_is_read_only(director_client, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, feedback=True)
    document = _released_feedback(application, revision_number=1)

    get = director_client.get(reverse("accreditation:feedback-respond", args=[application.pk]))
    post = director_client.post(
        reverse("accreditation:feedback-respond", args=[application.pk]),
        {f"point_{document.points.first().pk}": "Too early"},
    )

    assert "choose <strong>Revise</strong>" in get.content.decode()
    assert 'name="point_' not in get.content.decode()
    assert post.status_code == 403
    assert not FeedbackPoint.objects.exclude(response="").exists()


def test_feedback_respond_is_the_teams_page(client, chair, hit, panel):
    application = ApplicationFactory(hit=hit, round=panel.round, version=2)
    _released_feedback(application, revision_number=1)
    client.force_login(chair)

    response = client.get(reverse("accreditation:feedback-respond", args=[application.pk]))

    assert response.status_code == 403


def test_feedback_respond_without_feedback_says_so(director_client, application):
    response = director_client.get(reverse("accreditation:feedback-respond", args=[application.pk]))

    assert "The panel has not released any feedback on this application yet." in response.content.decode()


def test_stakeholder_table_ignores_a_forged_application_field(director_client, application, other_hit):
    other = ApplicationFactory(hit=other_hit)

    director_client.post(
        reverse("accreditation:stakeholder-table", args=[application.pk]),
        _row_data(stakeholder="Carers' forum", application=other.pk),
    )

    assert StakeholderPlanRow.objects.get().application == application
    assert other.stakeholder_rows.count() == 0


def test_governance_page_offers_the_sponsor_request(director_client, application):
    _with_unconfirmed_sponsor(application)

    response = director_client.get(
        reverse("accreditation:application-section", args=[application.pk, "governance"])
    )

    html = response.content.decode()
    assert f'action="{reverse("accreditation:sponsor-request", args=[application.pk])}"' in html
    assert "has not confirmed yet; the application cannot be submitted until they do." in html


def test_revision_compare_with_unknown_revision_shows_the_error(director_client, director, application):
    _two_revisions(application, director)

    response = director_client.get(
        reverse("accreditation:revision-compare", args=[application.pk]), {"a": 1, "b": 7}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["b"]
    assert 'id="error-summary"' in response.content.decode()


def test_stakeholder_delete_twice_says_already_removed(director_client, application):
    row = StakeholderPlanRowFactory(application=application)
    url = reverse("accreditation:stakeholder-delete", args=[application.pk, row.pk])
    director_client.post(url, follow=True)

    response = director_client.post(url, follow=True)

    assert response.status_code == 200
    assert _messages(response) == ["That row was already removed from the table."]


# --- First-year milestones: the expected format, next to the field ---------------------------------------


def test_a_milestone_line_without_its_month_is_refused_with_the_format_next_to_it(
    director_client, application
):
    url = reverse("accreditation:application-section", args=[application.pk, "milestones"])

    response = director_client.post(url, {"milestones": "3; hub designed\nPilot in two practices\n12; case"})

    html = response.content.decode()
    assert response.status_code == 200
    assert ApplicationSection.objects.filter(application=application).count() == 0
    assert response.context["form"].errors == {
        "milestones": [
            "Write each milestone as 'month; milestone', for example '6; pilot starts in two practices' "
            "(check line 2)."
        ]
    }
    assert '<a class="alert-link" href="#id_milestones">First-year milestones: Write each milestone' in html
    assert "3; hub designed\nPilot in two practices\n12; case</textarea>" in html


def test_too_few_milestones_say_how_many_and_in_what_format_next_to_the_field(director_client, application):
    """Regression: the section was only "still needed", with no word of the format expected."""
    url = reverse("accreditation:application-section", args=[application.pk, "milestones"])

    response = director_client.post(url, {"milestones": "3; hub designed\n6; pilot starts"}, follow=True)

    html = response.content.decode()
    message = (
        "List at least three milestones, one per line, each as 'month; milestone' "
        "(for example '6; pilot starts in two practices')."
    )
    assert ApplicationSection.objects.get(application=application, key="milestones").is_complete is False
    assert response.context["form"].errors == {"milestones": [message]}
    next_to_the_field = re.compile(
        r'<div id="id_milestones_error" class="invalid-feedback">\s*<p id="error_1_id_milestones"><strong>'
        + re.escape(escape(message))
        + "</strong></p>"
    )
    assert next_to_the_field.search(html)
    assert "3; hub designed\n6; pilot starts</textarea>" in html


# --- Resubmitting with feedback unanswered: warned, not blocked (docs/domain.md 3.3) ----------------


def test_overview_warns_of_each_unanswered_feedback_point_before_resubmitting(director_client, hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round, version=2))
    document = _released_feedback(application, revision_number=1)
    answered = document.points.get(section="stakeholders")
    FeedbackPoint.objects.filter(pk=answered.pk).update(response="We added the council.")

    html = director_client.get(
        reverse("accreditation:application-detail", args=[application.pk])
    ).content.decode()

    assert '<div class="alert alert-warning" role="alert" id="unanswered-feedback">' in html
    assert "1 point of the feedback has no answer yet" in html
    assert "<li><strong>First-year milestones:</strong> Date the pilot.</li>" in html
    assert "Social care is missing." not in html
    assert '<a href="#unanswered-feedback">1 feedback point unanswered</a>' in html


def test_overview_without_unanswered_points_shows_no_warning(director_client, hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round, version=2))
    document = _released_feedback(application, revision_number=1)
    document.points.update(response="Done.")

    html = director_client.get(
        reverse("accreditation:application-detail", args=[application.pk])
    ).content.decode()

    assert 'id="unanswered-feedback"' not in html
    assert "feedback point unanswered" not in html


def test_resubmitting_with_unanswered_points_submits_and_says_how_many(director_client, hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round, version=2))
    _released_feedback(application, revision_number=1)

    response = _transition(director_client, application, "submit")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert _messages(response) == [
        "The application was submitted. The panel chair has been told.",
        "2 point(s) of the panel's feedback went without an answer; the panel sees which with this revision.",
    ]
    assert 'id="unanswered-feedback"' not in response.content.decode()


def test_stakeholder_table_says_next_to_a_placeholder_row_why_it_is_incomplete(director_client, application):
    complete_application(application)
    row = StakeholderPlanRowFactory(application=application, role="To be agreed")

    html = director_client.get(
        reverse("accreditation:stakeholder-table", args=[application.pk])
    ).content.decode()

    assert f'<tr class="table-warning" id="row-{row.pk}-problem">' in html
    assert (
        f'<td colspan="6">Row 3 ({row.organisation.name}) is not complete: \u201cHow they are involved\u201d '
        "says only \u201cTo be agreed\u201d. Write what is agreed, or remove the row.</td>"
    ) in html
    assert "1 row still holds placeholder text and does not count as complete." in html
    assert '<span class="badge text-bg-warning">Incomplete</span>' in html


def test_overview_marks_the_table_incomplete_and_lists_the_placeholder_row(director_client, application):
    complete_application(application)
    StakeholderPlanRowFactory(application=application, outcome="TBC")

    response = director_client.get(reverse("accreditation:application-detail", args=[application.pk]))

    marks = {m["section"].key: m["complete"] for m in response.context["sections"]}
    assert marks["stakeholders"] is False
    assert [p["message"] for p in response.context["problems"]] == [
        f"Row 3 ({StakeholderPlanRow.objects.last()}) is not complete: \u201cFor what outcome\u201d says only "
        "\u201cTBC\u201d. Write what is agreed, or remove the row."
    ]


@pytest.mark.parametrize(("persona", "warned"), [("director", True), ("teammate", True), ("chair", False)])
def test_unanswered_feedback_warning_is_for_the_team_only(client, request, hit, panel, persona, warned):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round, version=2))
    _released_feedback(application, revision_number=1)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("accreditation:application-detail", args=[application.pk]))

    assert response.status_code == 200
    assert ('id="unanswered-feedback"' in response.content.decode()) is warned
