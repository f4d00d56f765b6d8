"""Pages of a HIT's life after accreditation (teams/views/lifecycle.py) and what the HIT page shows
of it: the public register, documents and their download, meetings, the sponsor log, related
HITs, suspension, reinstatement and closure."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from teams.enums import ClosureReason, HITStatus, MembershipRole
from teams.models import ClosureRecord, Document, HITLink, HITStatusChange, Meeting, SponsorInteraction
from tests import factories as f
from tests.factories import teams_lifecycle as lf
from tests.factories.accreditation_panel import AccreditationFactory
from tests.factories.teams_lifecycle import docx_bytes, pdf_bytes, upload, xlsx_bytes

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    """Every test, and its fixtures, on TODAY."""
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _accredit(hit, valid_from=datetime.date(2025, 1, 6)):
    return AccreditationFactory(
        decision__application__hit=hit,
        valid_from=valid_from,
        valid_until=valid_from.replace(year=valid_from.year + 3) - datetime.timedelta(days=1),
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- The public register -------------------------------------------------------------------------------


def test_register_is_public_and_shows_no_personal_data(client, hit, director, sponsor):
    hit.aims = "Fewer crisis admissions."
    hit.save(update_fields=["aims"])
    _accredit(hit)

    response = client.get(reverse("teams:register"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Dementia HIT" in html
    assert "Fewer crisis admissions." in html
    assert "6 January 2025" in html
    assert "5 January 2028" in html
    for person in (director, sponsor):
        assert person.full_name not in html
        assert person.email not in html


@pytest.mark.parametrize("rows", [1, 30])
def test_register_query_count_is_constant(db, client, django_assert_num_queries, rows):
    for _ in range(rows):
        _accredit(f.HITFactory(active=True))

    # count + page: an anonymous visitor has no session or roles to load
    with django_assert_num_queries(2):
        response = client.get(reverse("teams:register"))

    assert len(response.context["entries"]) == rows


# --- Documents -----------------------------------------------------------------------------------------


def test_document_upload_page_adds_versions(client, media_root, teammate, hit):
    client.force_login(teammate)
    doc_type = f.DocumentTypeFactory(name="Terms of reference")
    url = reverse("teams:document-upload", args=[hit.pk])

    first = client.post(
        url,
        {"document_type": doc_type.pk, "title": "Terms of reference", "file": upload("tor.pdf", pdf_bytes())},
    )
    client.get(first.url)  # shows, and so consumes, the first message
    second = client.post(
        url,
        {
            "document_type": doc_type.pk,
            "title": "Terms of reference",
            "file": upload("tor.docx", docx_bytes()),
        },
        follow=True,
    )

    assert first.status_code == 302
    assert first.url == reverse("teams:document-list", args=[hit.pk])
    assert _messages(second) == ["“Terms of reference” was uploaded as version 2."]
    assert list(Document.objects.order_by("version").values_list("version", "content_type")) == [
        (1, "application/pdf"),
        (2, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]


def test_document_upload_without_a_file_says_so(client, media_root, teammate, hit):
    client.force_login(teammate)

    response = client.post(
        reverse("teams:document-upload", args=[hit.pk]),
        {"document_type": f.DocumentTypeFactory().pk, "title": "Budget"},
    )

    assert response.context["form"].errors == {"file": ["This field is required."]}
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("programme_manager", 200),
        ("board_member", 404),
        ("ppi_facilitator", 404),
        ("director", 200),
        ("sponsor", 200),
        ("teammate", 200),
        ("outsider", 404),
        ("applicant", 404),
        ("chair", 404),
        ("reviewer", 404),
        ("lay_reviewer", 404),
        ("no_role_user", 404),
    ],
)
def test_document_download_is_permission_checked(request, client, media_root, hit, persona, status):
    document = lf.DocumentFactory(hit=hit, title="Budget 2026", version=3, xlsx=True)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("teams:document-download", args=[document.pk]))

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == xlsx_bytes()
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response["Content-Disposition"] == 'attachment; filename="budget-2026-v3.xlsx"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    response.close()


def test_document_download_of_a_missing_file_is_not_found(client, media_root, director, hit):
    document = lf.DocumentFactory(hit=hit)
    document.file.storage.delete(document.file.name)
    client.force_login(director)

    response = client.get(reverse("teams:document-download", args=[document.pk]))

    assert response.status_code == 404


def test_document_download_anonymous_goes_to_login(client, media_root, hit):
    document = lf.DocumentFactory(hit=hit)

    response = client.get(reverse("teams:document-download", args=[document.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("rows", [1, 12])
def test_document_list_query_count_is_constant(
    client, media_root, django_assert_num_queries, director, hit, rows
):
    for number in range(rows):
        lf.DocumentFactory(hit=hit, title=f"Document {number % 4}", version=number // 4 + 1)
    client.force_login(director)

    # session + user + 3 role lookups + HIT + count + page
    with django_assert_num_queries(8):
        response = client.get(reverse("teams:document-list", args=[hit.pk]))

    assert len(response.context["page"]) == rows


# --- Meetings ------------------------------------------------------------------------------------------


def test_meeting_create_page_records_a_working_group_meeting(client, teammate, hit):
    group = f.WorkingGroupFactory(hit=hit, name="Crisis care")
    client.force_login(teammate)

    response = client.post(
        reverse("teams:meeting-create", args=[hit.pk]),
        {"working_group": group.pk, "group_name": "", "held_on": "2026-06-10", "notes": "Pathway agreed."},
        follow=True,
    )

    assert _messages(response) == ["The meeting was recorded."]
    meeting = Meeting.objects.get()
    assert (meeting.working_group, meeting.held_on, meeting.recorded_by) == (
        group,
        datetime.date(2026, 6, 10),
        teammate,
    )
    assert "Crisis care" in response.content.decode()


def test_meeting_create_page_refuses_a_future_date_and_a_missing_group(client, teammate, hit):
    client.force_login(teammate)

    response = client.post(
        reverse("teams:meeting-create", args=[hit.pk]),
        {"group_name": "", "held_on": "2026-06-16", "notes": ""},
    )

    assert response.context["form"].errors == {
        "group_name": ["Say which group met: choose a working group or name the group."],
        "held_on": ["The date of the meeting cannot be in the future."],
    }
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 12])
def test_meeting_list_query_count_is_constant(client, django_assert_num_queries, teammate, hit, rows):
    for number in range(rows):
        lf.MeetingFactory(hit=hit, of_working_group=number % 2 == 0)
    client.force_login(teammate)

    # session + user + 3 role lookups + HIT + count + page
    with django_assert_num_queries(8):
        response = client.get(reverse("teams:meeting-list", args=[hit.pk]))

    assert len(response.context["page"]) == rows


# --- The executive sponsor log -------------------------------------------------------------------------


def test_sponsor_interaction_page_logs_a_contact(client, sponsor, hit):
    client.force_login(sponsor)

    form_page = client.get(reverse("teams:sponsor-interaction-create", args=[hit.pk]))
    response = client.post(
        reverse("teams:sponsor-interaction-create", args=[hit.pk]),
        {
            "sponsor": sponsor.person.pk,
            "happened_on": "2026-06-15",
            "kind": "email",
            "note": "Sent the plan.",
        },
        follow=True,
    )

    assert form_page.context["form"].initial["sponsor"] == sponsor.person.pk
    assert _messages(response) == ["The contact with the executive sponsor was logged."]
    assert SponsorInteraction.objects.get().kind == "email"
    assert response.context["liveness"].state == "green"


def test_sponsor_interaction_page_refuses_a_future_date(client, director, sponsor, hit):
    client.force_login(director)

    response = client.post(
        reverse("teams:sponsor-interaction-create", args=[hit.pk]),
        {"sponsor": sponsor.person.pk, "happened_on": "2026-06-16", "kind": "call"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "happened_on": ["The date of the contact cannot be in the future."]
    }
    assert "The date of the contact cannot be in the future." in response.content.decode()
    assert SponsorInteraction.objects.count() == 0


def test_sponsor_log_shows_the_amber_state(client, director, sponsor, hit):
    _accredit(hit)
    lf.SponsorInteractionFactory(
        hit=hit, sponsor=sponsor.person, happened_on=TODAY - datetime.timedelta(days=91)
    )
    client.force_login(director)

    response = client.get(reverse("teams:sponsor-log", args=[hit.pk]))

    assert response.context["liveness"].state == "amber"
    assert "No contact for more than 90 days" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_sponsor_log_query_count_is_constant(client, django_assert_num_queries, director, sponsor, hit, rows):
    lf.SponsorInteractionFactory.create_batch(rows, hit=hit, sponsor=sponsor.person)
    client.force_login(director)

    # session + user + 3 role lookups + HIT + count + page + liveness
    with django_assert_num_queries(9):
        response = client.get(reverse("teams:sponsor-log", args=[hit.pk]))

    assert len(response.context["page"]) == rows


# --- Related HITs --------------------------------------------------------------------------------------


def test_link_create_and_remove_from_the_hit_page(client, director, hit, other_hit):
    client.force_login(director)

    created = client.post(
        reverse("teams:hit-link-create", args=[hit.pk]),
        {"to_hit": other_hit.pk, "kind": "joint_activity", "note": "A shared carers' event."},
        follow=True,
    )
    link = HITLink.objects.get()
    removed = client.post(reverse("teams:hit-link-delete", args=[link.pk]), {"back": hit.pk}, follow=True)

    assert _messages(created) == ["Dementia HIT is now linked to Pain HIT."]
    assert "A shared carers&#x27; event." in created.content.decode()
    assert _messages(removed) == ["The link between Dementia HIT and Pain HIT was removed."]
    assert removed.redirect_chain == [(reverse("teams:hit-detail", args=[hit.pk]), 302)]
    assert HITLink.objects.count() == 0


def test_link_create_to_itself_is_not_offered(client, director, hit):
    client.force_login(director)

    response = client.post(
        reverse("teams:hit-link-create", args=[hit.pk]), {"to_hit": hit.pk, "kind": "overlap"}
    )

    assert list(response.context["form"].errors) == ["to_hit"]
    assert HITLink.objects.count() == 0


# --- Suspension, reinstatement, closure ----------------------------------------------------------------


def test_suspend_and_reinstate_pages(client, programme_manager, hit):
    client.force_login(programme_manager)

    suspended = client.post(
        reverse("teams:hit-suspend", args=[hit.pk]),
        {"expected_status": "active", "reason": "Director on leave."},
    )
    client.get(suspended.url)  # shows, and so consumes, the first message
    hit.refresh_from_db()
    status_after_suspend = hit.status
    reinstated = client.post(
        reverse("teams:hit-reinstate", args=[hit.pk]),
        {"expected_status": "suspended", "reason": "Director back."},
        follow=True,
    )

    assert suspended.status_code == 302
    assert status_after_suspend == HITStatus.SUSPENDED
    assert _messages(reinstated) == ["The HIT was reinstated."]
    assert list(HITStatusChange.objects.values_list("action", "comment")) == [
        ("reinstate", "Director back."),
        ("suspend", "Director on leave."),
    ]


def test_suspend_without_a_reason_changes_nothing(client, programme_manager, hit):
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:hit-suspend", args=[hit.pk]), {"expected_status": "active", "reason": ""}
    )

    assert response.context["form"].errors == {"reason": ["This field is required."]}
    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE


def test_reinstate_an_active_hit_explains_it_cannot(client, programme_manager, hit):
    client.force_login(programme_manager)

    page = client.get(reverse("teams:hit-reinstate", args=[hit.pk]))
    response = client.post(
        reverse("teams:hit-reinstate", args=[hit.pk]), {"expected_status": "active", "reason": "Back."}
    )

    assert "Only a HIT that is suspended can be moved this way." in page.content.decode()
    assert response.context["form"].non_field_errors() == [
        "A HIT that is active cannot be moved by 'reinstate'."
    ]
    assert HITStatusChange.objects.count() == 0


def test_close_page_without_a_closure_reason_changes_nothing(client, media_root, programme_manager, hit):
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:hit-close", args=[hit.pk]),
        {
            "expected_status": "active",
            "closure_reason": "",
            "reason": "Done.",
            "what_continues": "Nothing.",
            "closure_report": upload("report.pdf", pdf_bytes()),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"closure_reason": ["This field is required."]}
    assert "There is a problem" in response.content.decode()
    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE
    assert (ClosureRecord.objects.count(), Document.objects.count()) == (0, 0)
    assert _files_under(media_root) == []


def test_close_page_merged_without_the_other_hit_says_so(client, programme_manager, hit):
    client.force_login(programme_manager)

    response = client.post(
        reverse("teams:hit-close", args=[hit.pk]),
        {
            "expected_status": "active",
            "closure_reason": "merged",
            "reason": "Merged.",
            "what_continues": "All.",
        },
    )

    assert response.context["form"].errors == {"merged_into": ["Name the HIT this one merges into."]}
    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE


def test_close_in_two_steps_with_the_report(client, media_root, programme_manager, hit, other_hit):
    client.force_login(programme_manager)
    url = reverse("teams:hit-close", args=[hit.pk])

    begun = client.post(
        url,
        {
            "expected_status": "active",
            "closure_reason": ClosureReason.MERGED,
            "merged_into": other_hit.pk,
            "reason": "Joining the pain HIT.",
            "what_continues": "The clinic.",
            "partners_leaving": "The council.",
            "closure_report": upload("closure.pdf", pdf_bytes()),
        },
        follow=True,
    )
    final_page = client.get(url)
    closed = client.post(
        url,
        {
            "expected_status": "closing",
            "reason": "Handover complete.",
            "what_continues": "The clinic, run by the pain HIT.",
            "partners_leaving": "The council.",
        },
        follow=True,
    )

    assert _messages(begun) == ["The HIT is now closing."]
    assert final_page.context["final"] is True
    assert final_page.context["form"].initial["what_continues"] == "The clinic."
    assert _messages(closed) == ["The HIT was closed."]
    hit.refresh_from_db()
    assert (hit.status, hit.closure_reason, hit.merged_into) == (HITStatus.CLOSED, "merged", other_hit)
    record = ClosureRecord.objects.get()
    assert (record.what_continues, record.partners_leaving, record.closure_report.title) == (
        "The clinic, run by the pain HIT.",
        "The council.",
        "Closure report",
    )
    assert "The clinic, run by the pain HIT." in closed.content.decode()


def test_close_page_of_a_closed_hit_explains_it_cannot(client, programme_manager):
    closed = f.HITFactory(closed=True)
    client.force_login(programme_manager)

    response = client.get(reverse("teams:hit-close", args=[closed.pk]))

    assert response.context["possible"] is False
    assert "A HIT that is closed cannot be closed here." in response.content.decode()


# --- The HIT page --------------------------------------------------------------------------------------


def test_hit_page_shows_structure_related_hits_documents_meetings_and_sponsor_state(
    client, media_root, director, sponsor, hit, other_hit
):
    trust = f.OrganisationFactory(name="North Trust")
    f.MembershipFactory(hit=hit, role=MembershipRole.MANAGEMENT_GROUP, organisation=trust)
    _accredit(hit)
    lf.HITLinkFactory(from_hit=other_hit, to_hit=hit, kind="overlap")
    lf.DocumentFactory(hit=hit, title="Terms of reference")
    lf.MeetingFactory(hit=hit, group_name="Steering group")
    lf.SponsorInteractionFactory(
        hit=hit, sponsor=sponsor.person, happened_on=TODAY - datetime.timedelta(days=200)
    )
    client.force_login(director)

    response = client.get(reverse("teams:hit-detail", args=[hit.pk]))

    html = response.content.decode()
    assert response.context["sponsor_liveness"].state == "red"
    for text in [
        "Dana Director",
        "Sam Sponsor",
        "North Trust",
        "Overlapping work:",
        "Pain HIT",
        "Terms of reference",
        "Steering group",
        "No contact for more than 180 days",
        "This HIT's records",
        reverse("teams:document-list", args=[hit.pk]),
        reverse("teams:hit-link-create", args=[hit.pk]),
    ]:
        assert text in html
    assert reverse("teams:hit-suspend", args=[hit.pk]) not in html


def test_hit_page_offers_the_lifecycle_pages_to_programme_managers(client, programme_manager, hit):
    client.force_login(programme_manager)

    response = client.get(reverse("teams:hit-detail", args=[hit.pk]))

    html = response.content.decode()
    assert reverse("teams:hit-suspend", args=[hit.pk]) in html
    assert reverse("teams:hit-close", args=[hit.pk]) in html
    assert reverse("teams:hit-reinstate", args=[hit.pk]) not in html


@pytest.mark.parametrize("rows", [1, 8])
def test_hit_page_query_count_is_constant(
    client, media_root, django_assert_num_queries, director, sponsor, hit, rows
):
    for number in range(rows):
        lf.HITLinkFactory(from_hit=hit, to_hit=f.HITFactory())
        lf.DocumentFactory(hit=hit, title=f"Document {number}")
        lf.MeetingFactory(hit=hit)
        lf.SponsorInteractionFactory(hit=hit, sponsor=sponsor.person)
        f.MembershipFactory(
            hit=hit, role=MembershipRole.MANAGEMENT_GROUP, organisation=f.OrganisationFactory()
        )
    client.force_login(director)

    # the page's own queries, plus structure (2), related HITs, documents, meetings, liveness,
    # closure, the proposed memberships waiting (for the director), reporting's panels (the stored
    # flags, checklist, reports, stage), accreditation's conditions to meet (1) and the version of
    # what the page shows (1, core.versions); the roles come from the roles cache (teams.roles)
    with django_assert_num_queries(25):
        response = client.get(reverse("teams:hit-detail", args=[hit.pk]))

    assert len(response.context["related_hits"]) == rows
    # Then the body comes from the cache: the session, the user, the HIT and the version (1).
    with django_assert_num_queries(4):
        again = client.get(reverse("teams:hit-detail", args=[hit.pk]))
    assert _main(again) == _main(response)


def _main(response) -> str:
    """The page's main content (the head around it carries the per-request nonce), its forms' CSRF
    tokens left out (each response masks the token anew)."""
    html = response.content.decode()
    main = html[html.index('<main id="main">') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
