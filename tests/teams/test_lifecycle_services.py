"""Writes of a HIT's life after accreditation (teams/services/lifecycle.py): one test per rule and
per side effect."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.workflow import StaleState
from teams.enums import ClosureReason, HITLinkKind, HITStatus, MembershipRole, SponsorInteractionKind
from teams.models import ClosureRecord, Document, HITLink, HITStatusChange, Meeting, SponsorInteraction
from teams.services import lifecycle as svc
from tests import factories as f
from tests.factories import teams_lifecycle as lf
from tests.factories.teams_lifecycle import docx_bytes, pdf_bytes, upload

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    """Every test, and its fixtures, on TODAY (memberships start 30 days before "today")."""
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Related HITs --------------------------------------------------------------------------------------


def test_hit_link_create_records_the_link(director, hit, other_hit):
    link = svc.hit_link_create(
        actor=director,
        hit_id=hit.pk,
        to_hit_id=other_hit.pk,
        kind=HITLinkKind.OVERLAP,
        note=" Both run clinics. ",
    )

    assert (link.from_hit, link.to_hit, link.kind, link.note, link.created_by) == (
        hit,
        other_hit,
        "overlap",
        "Both run clinics.",
        director,
    )


def test_hit_link_to_itself_is_refused(director, hit):
    with pytest.raises(ValidationError) as caught:
        svc.hit_link_create(actor=director, hit_id=hit.pk, to_hit_id=hit.pk, kind=HITLinkKind.COORDINATION)

    assert caught.value.message_dict == {"to_hit": ["A HIT cannot be related to itself."]}
    assert HITLink.objects.count() == 0


def test_hit_link_of_the_same_kind_recorded_from_the_other_side_is_refused(director, hit, other_hit):
    lf.HITLinkFactory(from_hit=other_hit, to_hit=hit, kind=HITLinkKind.COORDINATION)

    with pytest.raises(ValidationError) as caught:
        svc.hit_link_create(
            actor=director, hit_id=hit.pk, to_hit_id=other_hit.pk, kind=HITLinkKind.COORDINATION
        )

    assert caught.value.message_dict == {"to_hit": ["These two HITs are already linked in this way."]}


def test_hit_link_of_another_kind_between_the_same_hits_is_allowed(director, hit, other_hit):
    lf.HITLinkFactory(from_hit=hit, to_hit=other_hit, kind=HITLinkKind.COORDINATION)

    svc.hit_link_create(
        actor=director, hit_id=hit.pk, to_hit_id=other_hit.pk, kind=HITLinkKind.JOINT_ACTIVITY
    )

    assert HITLink.objects.count() == 2


@pytest.mark.parametrize("reverse", [False, True])
def test_database_keeps_one_link_per_pair_and_kind_whichever_way(hit, other_hit, reverse):
    lf.HITLinkFactory(from_hit=hit, to_hit=other_hit, kind=HITLinkKind.OVERLAP)
    pair = (other_hit, hit) if reverse else (hit, other_hit)

    with pytest.raises(IntegrityError), transaction.atomic():
        HITLink.objects.create(from_hit=pair[0], to_hit=pair[1], kind=HITLinkKind.OVERLAP)


def test_database_refuses_a_self_link(hit):
    with pytest.raises(IntegrityError), transaction.atomic():
        HITLink.objects.create(from_hit=hit, to_hit=hit, kind=HITLinkKind.OVERLAP)


@pytest.mark.parametrize("persona", ["teammate", "sponsor", "board_member", "outsider"])
def test_hit_link_create_needs_the_director_or_a_programme_manager(request, hit, other_hit, persona):
    with pytest.raises(PermissionDenied):
        svc.hit_link_create(
            actor=request.getfixturevalue(persona),
            hit_id=hit.pk,
            to_hit_id=other_hit.pk,
            kind=HITLinkKind.COORDINATION,
        )


def test_hit_link_delete_by_the_other_hits_director(outsider, hit, other_hit):
    link = lf.HITLinkFactory(from_hit=hit, to_hit=other_hit)

    svc.hit_link_delete(actor=outsider, link_id=link.pk)

    assert HITLink.objects.count() == 0


def test_hit_link_delete_by_a_teammate_is_refused(teammate, hit, other_hit):
    link = lf.HITLinkFactory(from_hit=hit, to_hit=other_hit)

    with pytest.raises(PermissionDenied):
        svc.hit_link_delete(actor=teammate, link_id=link.pk)

    assert HITLink.objects.count() == 1


# --- Documents -----------------------------------------------------------------------------------------


def test_document_upload_stores_type_size_and_detected_content_type(media_root, teammate, hit):
    doc_type = f.DocumentTypeFactory(name="Meeting minutes")

    document = svc.document_upload(
        actor=teammate,
        hit_id=hit.pk,
        document_type=doc_type,
        title="  Management   group minutes ",
        upload=upload("minutes.docx", docx_bytes(), "application/pdf"),
    )

    assert (document.title, document.version, document.document_type, document.uploaded_by) == (
        "Management group minutes",
        1,
        doc_type,
        teammate,
    )
    assert document.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert document.size == len(docx_bytes())
    assert document.file.name.startswith(f"documents/{hit.pk}/")


def test_same_title_gives_the_next_version_keeping_the_first_spelling(media_root, director, hit):
    doc_type = f.DocumentTypeFactory()
    for _ in range(2):
        svc.document_upload(
            actor=director,
            hit_id=hit.pk,
            document_type=doc_type,
            title="Terms of reference",
            upload=upload("a.pdf", pdf_bytes()),
        )

    third = svc.document_upload(
        actor=director,
        hit_id=hit.pk,
        document_type=doc_type,
        title="terms OF reference",
        upload=upload("b.pdf", pdf_bytes()),
    )

    assert (third.title, third.version) == ("Terms of reference", 3)
    assert list(Document.objects.order_by("version").values_list("version", flat=True)) == [1, 2, 3]
    assert len(_files_under(media_root)) == 3


def test_versions_are_counted_per_hit(media_root, director, hit, other_hit):
    lf.DocumentFactory(hit=other_hit, title="Terms of reference", version=4)

    document = svc.document_upload(
        actor=director,
        hit_id=hit.pk,
        document_type=f.DocumentTypeFactory(),
        title="Terms of reference",
        upload=upload("a.pdf", pdf_bytes()),
    )

    assert document.version == 1


def test_document_upload_without_title_or_type_stores_nothing(media_root, director, hit):
    with pytest.raises(ValidationError) as caught:
        svc.document_upload(
            actor=director,
            hit_id=hit.pk,
            document_type=None,
            title="   ",
            upload=upload("a.pdf", pdf_bytes()),
        )

    assert caught.value.message_dict == {
        "title": ["Give the document a title."],
        "document_type": ["Choose the type of document."],
    }
    assert _files_under(media_root) == []


# --- Meetings ------------------------------------------------------------------------------------------


def test_meeting_create_of_a_named_group(teammate, hit):
    meeting = svc.meeting_create(
        actor=teammate,
        hit_id=hit.pk,
        held_on=TODAY,
        group_name=" Steering  group ",
        notes="Agreed priorities.",
    )

    assert (meeting.group_name, meeting.working_group, meeting.held_on, meeting.recorded_by) == (
        "Steering group",
        None,
        TODAY,
        teammate,
    )


def test_meeting_create_of_a_working_group(teammate, hit):
    group = f.WorkingGroupFactory(hit=hit)

    meeting = svc.meeting_create(actor=teammate, hit_id=hit.pk, held_on=TODAY, working_group=group)

    assert meeting.working_group == group


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({}, {"group_name": ["Say which group met: choose a working group or name the group."]}),
        (
            {"group_name": "Board", "held_on": TODAY + datetime.timedelta(days=1)},
            {"held_on": ["The date of the meeting cannot be in the future."]},
        ),
        ({"group_name": "Board", "held_on": None}, {"held_on": ["Give the date of the meeting."]}),
    ],
)
def test_meeting_create_refuses_bad_input(teammate, hit, values, errors):
    arguments = {"held_on": TODAY, **values}

    with pytest.raises(ValidationError) as caught:
        svc.meeting_create(actor=teammate, hit_id=hit.pk, **arguments)

    assert caught.value.message_dict == errors
    assert Meeting.objects.count() == 0


def test_meeting_of_another_hits_working_group_is_refused(teammate, hit, other_hit):
    with pytest.raises(ValidationError) as caught:
        svc.meeting_create(
            actor=teammate,
            hit_id=hit.pk,
            held_on=datetime.date(2025, 1, 1),
            working_group=f.WorkingGroupFactory(hit=other_hit),
        )

    assert caught.value.message_dict == {"working_group": ["Choose one of this HIT's working groups."]}


def test_meeting_create_by_a_board_member_is_refused(board_member, hit):
    with pytest.raises(PermissionDenied):
        svc.meeting_create(
            actor=board_member, hit_id=hit.pk, held_on=datetime.date(2025, 1, 1), group_name="Board"
        )


# --- The executive sponsor log -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["director", "sponsor", "programme_manager"])
def test_sponsor_interaction_create_by_the_director_the_sponsor_or_a_pm(request, hit, sponsor, persona):
    actor = request.getfixturevalue(persona)

    interaction = svc.sponsor_interaction_create(
        actor=actor,
        hit_id=hit.pk,
        sponsor_id=sponsor.person.pk,
        happened_on=TODAY,
        kind="call",
        note="Budget.",
    )

    assert (interaction.sponsor, interaction.happened_on, interaction.kind, interaction.recorded_by) == (
        sponsor.person,
        TODAY,
        SponsorInteractionKind.CALL,
        actor,
    )


def test_sponsor_interaction_in_the_future_is_refused(director, hit, sponsor):
    with pytest.raises(ValidationError) as caught:
        svc.sponsor_interaction_create(
            actor=director,
            hit_id=hit.pk,
            sponsor_id=sponsor.person.pk,
            happened_on=TODAY + datetime.timedelta(days=1),
            kind="meeting",
        )

    assert caught.value.message_dict == {"happened_on": ["The date of the contact cannot be in the future."]}
    assert SponsorInteraction.objects.count() == 0


def test_sponsor_interaction_must_name_the_hits_sponsor(director, hit, teammate):
    with pytest.raises(ValidationError) as caught:
        svc.sponsor_interaction_create(
            actor=director, hit_id=hit.pk, sponsor_id=teammate.person.pk, happened_on=TODAY, kind="meeting"
        )

    assert caught.value.message_dict == {"sponsor": ["Choose the HIT's executive sponsor."]}


@pytest.mark.parametrize("persona", ["teammate", "board_member", "outsider"])
def test_sponsor_interaction_by_others_is_refused(request, hit, sponsor, persona):
    with pytest.raises(PermissionDenied):
        svc.sponsor_interaction_create(
            actor=request.getfixturevalue(persona),
            hit_id=hit.pk,
            sponsor_id=sponsor.person.pk,
            happened_on=TODAY,
            kind="meeting",
        )


# --- Closure -------------------------------------------------------------------------------------------


def _begin(actor, hit, **overrides):
    arguments = {
        "actor": actor,
        "hit_id": hit.pk,
        "closure_reason": ClosureReason.AIMS_ACHIEVED,
        "reason": "The pathway is now commissioned.",
        "what_continues": "The memory clinic pathway, run by the trust.",
        "partners_leaving": "The university steps back.",
        "expected_status": hit.status,
        **overrides,
    }
    return svc.hit_closure_begin(**arguments)


def test_closure_begin_moves_to_closing_and_records_what_continues(programme_manager, hit):
    record = _begin(programme_manager, hit)

    hit.refresh_from_db()
    assert (hit.status, hit.closure_reason) == (HITStatus.CLOSING, ClosureReason.AIMS_ACHIEVED)
    assert (
        record.hit,
        record.what_continues,
        record.partners_leaving,
        record.recorded_by,
        record.closure_report,
    ) == (
        hit,
        "The memory clinic pathway, run by the trust.",
        "The university steps back.",
        programme_manager,
        None,
    )
    change = HITStatusChange.objects.get()
    assert (change.action, change.from_status, change.to_status, change.comment) == (
        "begin_closure",
        "active",
        "closing",
        "The pathway is now commissioned.",
    )


def test_closure_begin_with_a_report_stores_it_as_a_closure_report(media_root, programme_manager, hit):
    record = _begin(programme_manager, hit, report=upload("closure.pdf", pdf_bytes()))

    document = record.closure_report
    assert (document.hit, document.title, document.version, document.document_type.code) == (
        hit,
        "Closure report",
        1,
        "closure-report",
    )
    assert len(_files_under(media_root)) == 1


def test_closure_begin_merged_records_the_other_hit(programme_manager, hit, other_hit):
    _begin(programme_manager, hit, closure_reason=ClosureReason.MERGED, merged_into=other_hit)

    hit.refresh_from_db()
    assert hit.merged_into == other_hit


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"closure_reason": ""}, {"closure_reason": ["Choose why the HIT is closing."]}),
        ({"closure_reason": ClosureReason.MERGED}, {"merged_into": ["Name the HIT this one merges into."]}),
        ({"reason": "  "}, {"reason": ["Give a reason for this change."]}),
        (
            {"what_continues": " "},
            {"what_continues": ["Say what continues after the HIT closes; write “Nothing” if nothing does."]},
        ),
    ],
)
def test_closure_begin_with_missing_information_changes_nothing(programme_manager, hit, overrides, errors):
    with pytest.raises(ValidationError) as caught:
        _begin(programme_manager, hit, **overrides)

    assert caught.value.message_dict == errors
    hit.refresh_from_db()
    assert (hit.status, hit.closure_reason) == (HITStatus.ACTIVE, "")
    assert ClosureRecord.objects.count() == 0
    assert HITStatusChange.objects.count() == 0


def test_closure_begin_with_a_bad_report_changes_nothing_and_leaves_no_file(
    media_root, programme_manager, hit
):
    with pytest.raises(ValidationError) as caught:
        _begin(programme_manager, hit, report=upload("closure.pdf", b"only text"))

    assert list(caught.value.message_dict) == ["closure_report"]
    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE
    assert (ClosureRecord.objects.count(), Document.objects.count()) == (0, 0)
    assert _files_under(media_root) == []


def test_closure_begin_failing_after_storing_the_report_rolls_back_and_removes_the_file(
    media_root, programme_manager, hit, monkeypatch
):
    def broken_save(self, *args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(ClosureRecord, "save", broken_save)

    with pytest.raises(IntegrityError):
        _begin(programme_manager, hit, report=upload("closure.pdf", pdf_bytes()))

    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE
    assert (Document.objects.count(), HITStatusChange.objects.count()) == (0, 0)
    assert _files_under(media_root) == []


@pytest.mark.parametrize("persona", ["director", "board_member", "sponsor"])
def test_closure_begin_needs_a_programme_manager(request, hit, persona):
    with pytest.raises(PermissionDenied):
        _begin(request.getfixturevalue(persona), hit, what_continues="")

    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE


def test_closure_begin_on_a_stale_page_is_refused(programme_manager, hit):
    with pytest.raises(StaleState):
        _begin(programme_manager, hit, expected_status=HITStatus.SUSPENDED)

    assert ClosureRecord.objects.count() == 0


def test_hit_close_completes_the_record(media_root, programme_manager, hit):
    _begin(programme_manager, hit)

    record = svc.hit_close(
        actor=programme_manager,
        hit_id=hit.pk,
        reason="Handover done.",
        what_continues="The pathway and the carers' group.",
        partners_leaving="",
        report=upload("final.pdf", pdf_bytes()),
        expected_status=HITStatus.CLOSING,
    )

    hit.refresh_from_db()
    assert hit.status == HITStatus.CLOSED
    assert ClosureRecord.objects.get() == record
    assert (record.what_continues, record.partners_leaving, record.closure_report.version) == (
        "The pathway and the carers' group.",
        "",
        1,
    )
    assert list(HITStatusChange.objects.values_list("action", flat=True)) == ["close", "begin_closure"]


def test_hit_close_creates_the_record_when_closing_began_elsewhere(programme_manager):
    closing = f.HITFactory(closing=True)

    record = svc.hit_close(
        actor=programme_manager, hit_id=closing.pk, reason="Done.", what_continues="Nothing."
    )

    assert (record.hit, record.what_continues) == (closing, "Nothing.")


def test_hit_close_without_a_reason_changes_nothing(programme_manager):
    closing = f.HITFactory(closing=True)

    with pytest.raises(ValidationError) as caught:
        svc.hit_close(actor=programme_manager, hit_id=closing.pk, reason="", what_continues="Nothing.")

    assert caught.value.message_dict == {"reason": ["Give a reason for this change."]}
    closing.refresh_from_db()
    assert closing.status == HITStatus.CLOSING
    assert ClosureRecord.objects.count() == 0


def test_sponsor_membership_fixture_is_an_executive_sponsor(sponsor, hit):
    assert sponsor.person.memberships.get().role == MembershipRole.EXECUTIVE_SPONSOR
