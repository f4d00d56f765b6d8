"""Writes for a HIT's life after accreditation: related HITs, documents, meetings, the executive
sponsor log, and closure with its record.

Each service takes the acting user, checks the permission (PermissionDenied with the reason),
validates (ValidationError keyed by field, nothing stored) and runs in a transaction. The HIT's
status itself only ever moves through `teams.services.hit_transition`.

Files: a document's bytes are written to disk inside the transaction; if anything after that
fails, the public services delete the file again before re-raising, so a refused or rolled-back
upload leaves nothing on disk. (A caller that wraps these services in its own transaction and rolls
it back later must do the same.)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.permissions import require as _require
from core.workflow import recorded_actor
from teams import permissions
from teams import permissions as sel
from teams.domain import uploads
from teams.enums import HITLinkKind, MembershipRole, SponsorInteractionKind
from teams.models import (
    HIT,
    ClosureRecord,
    Document,
    DocumentType,
    HITLink,
    Meeting,
    Membership,
    SponsorInteraction,
    User,
    WorkingGroup,
)
from teams.services import hits as services

CLOSURE_REPORT_TYPE = "closure-report"
CLOSURE_REPORT_TITLE = "Closure report"


def _get_hit(hit_id: int, *, lock: bool = False) -> HIT:
    queryset = HIT.objects.select_for_update() if lock else HIT.objects
    return queryset.get(pk=hit_id)


def _not_in_future(day: datetime.date | None, field: str, errors: dict[str, str], what: str) -> None:
    if day is None:
        errors[field] = f"Give the date of the {what}."
    elif day > timezone.localdate():
        errors[field] = f"The date of the {what} cannot be in the future."


@contextmanager
def _files_removed_on_failure() -> Iterator[list[Document]]:
    """Collects the documents whose files were written; deletes those files if the block fails."""
    written: list[Document] = []
    try:
        yield written
    except BaseException:
        for document in written:
            document.file.storage.delete(document.file.name)
        raise


# --- Related HITs --------------------------------------------------------------------------------------


@transaction.atomic
def hit_link_create(*, actor: User, hit_id: int, to_hit_id: int, kind: str, note: str = "") -> HITLink:
    """Record that two HITs coordinate, overlap or run a joint activity.

    Side effects: one HITLink row. A link of the same kind between the two HITs, recorded from
    either side, is refused.
    """
    hit = _get_hit(hit_id)
    _require(sel.can_manage_links(actor, hit))
    errors: dict[str, str] = {}
    if kind not in HITLinkKind.values:
        errors["kind"] = "Choose how the two HITs are related."
    if to_hit_id == hit.pk:
        errors["to_hit"] = "A HIT cannot be related to itself."
    elif not HIT.objects.filter(pk=to_hit_id).exists():
        errors["to_hit"] = "Choose the related HIT."
    elif (
        kind in HITLinkKind.values
        and HITLink.objects.filter(kind=kind)
        .filter(Q(from_hit=hit, to_hit_id=to_hit_id) | Q(from_hit_id=to_hit_id, to_hit=hit))
        .exists()
    ):
        errors["to_hit"] = "These two HITs are already linked in this way."
    if errors:
        raise ValidationError(errors)
    link = HITLink(
        from_hit=hit, to_hit_id=to_hit_id, kind=kind, note=note.strip(), created_by=recorded_actor(actor)
    )
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def hit_link_delete(*, actor: User, link_id: int) -> None:
    """Remove a link between two HITs. Side effect: the HITLink row is deleted."""
    link = HITLink.objects.select_for_update().get(pk=link_id)
    _require(sel.can_delete_link(actor, link))
    link.delete()


# --- Documents -----------------------------------------------------------------------------------------


def document_upload(
    *, actor: User, hit_id: int, document_type: DocumentType, title: str, upload: UploadedFile | None
) -> Document:
    """Store a checked upload as the next version of the HIT's document called `title`.

    Side effects, in order: locks the HIT row (so two uploads of one title get versions N and
    N+1); writes the file under MEDIA_ROOT/documents/<hit id>/ with a random name; inserts a
    Document row with the detected content type and size. A refused upload stores nothing and
    leaves no file.
    """
    with _files_removed_on_failure() as written:
        return _document_store(
            actor=actor,
            hit_id=hit_id,
            document_type=document_type,
            title=title,
            upload=upload,
            written=written,
        )


@transaction.atomic
def _document_store(
    *,
    actor: User,
    hit_id: int,
    document_type: DocumentType | None,
    title: str,
    upload: UploadedFile | None,
    written: list[Document],
    check_permission: bool = True,
) -> Document:
    hit = _get_hit(hit_id, lock=True)
    if check_permission:
        _require(sel.can_upload_document(actor, hit))
    errors: dict[str, list[str]] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = ["Give the document a title."]
    if document_type is None:
        errors["document_type"] = ["Choose the type of document."]
    try:
        checked = uploads.check_upload(upload)
    except ValidationError as exc:
        errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    # Same title (whatever its case or spacing) -> the next version, keeping the first spelling.
    latest = Document.objects.filter(hit=hit, title__iexact=title).order_by("-version").first()
    document = Document(
        hit=hit,
        document_type=document_type,
        title=latest.title if latest else title,
        version=latest.version + 1 if latest else 1,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=recorded_actor(actor),
    )
    document.full_clean(exclude=["file"])
    checked.file.seek(0)
    document.file.save(f"upload{checked.extension}", checked.file, save=False)
    written.append(document)
    document.save()
    return document


# --- Meetings ------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    hit_id: int,
    held_on: datetime.date | None,
    notes: str = "",
    working_group: WorkingGroup | None = None,
    group_name: str = "",
) -> Meeting:
    """Record a meeting of one of the HIT's groups (a working group, or a named group such as the
    management or steering group) that has taken place. Side effect: one Meeting row."""
    hit = _get_hit(hit_id)
    _require(sel.can_record_meeting(actor, hit))
    group_name = " ".join(group_name.split())
    errors: dict[str, str] = {}
    if working_group is not None and working_group.hit_id != hit.pk:
        errors["working_group"] = "Choose one of this HIT's working groups."
    elif working_group is not None and group_name:
        errors["group_name"] = "Choose a working group or name another group, not both."
    elif working_group is None and not group_name:
        errors["group_name"] = "Say which group met: choose a working group or name the group."
    _not_in_future(held_on, "held_on", errors, "meeting")
    if errors or held_on is None:  # a missing date is among the errors
        raise ValidationError(errors)
    meeting = Meeting(
        hit=hit,
        working_group=working_group,
        group_name=group_name,
        held_on=held_on,
        notes=notes.strip(),
        recorded_by=recorded_actor(actor),
    )
    meeting.full_clean()
    meeting.save()
    return meeting


# --- The executive sponsor log -------------------------------------------------------------------------


@transaction.atomic
def sponsor_interaction_create(
    *,
    actor: User,
    hit_id: int,
    sponsor_id: int | None,
    happened_on: datetime.date | None,
    kind: str,
    note: str = "",
) -> SponsorInteraction:
    """Log a contact with the HIT's executive sponsor on a past or present day.

    Side effect: one SponsorInteraction row (the HIT's sponsor liveness follows from its date).
    """
    hit = _get_hit(hit_id)
    _require(sel.can_log_sponsor_interaction(actor, hit))
    errors: dict[str, str] = {}
    is_sponsor = (
        sponsor_id is not None
        and Membership.objects.filter(
            hit=hit, person_id=sponsor_id, role=MembershipRole.EXECUTIVE_SPONSOR
        ).exists()
    )
    if not is_sponsor:
        errors["sponsor"] = "Choose the HIT's executive sponsor."
    if kind not in SponsorInteractionKind.values:
        errors["kind"] = "Choose what kind of contact it was."
    _not_in_future(happened_on, "happened_on", errors, "contact")
    if errors or sponsor_id is None or happened_on is None:  # a missing one is among the errors
        raise ValidationError(errors)
    interaction = SponsorInteraction(
        hit=hit,
        sponsor_id=sponsor_id,
        happened_on=happened_on,
        kind=kind,
        note=note.strip(),
        recorded_by=recorded_actor(actor),
    )
    interaction.full_clean()
    interaction.save()
    return interaction


# --- Closure -------------------------------------------------------------------------------------------


def _closure_checks(*, actor: User, hit_id: int, what_continues: str, report: UploadedFile | None) -> None:
    """Permission first (an outsider learns nothing from validation), then this service's own fields;
    hit_transition checks the reason, closure reason and merged-into HIT itself."""
    _require(permissions.can_change_hit_status(actor, _get_hit(hit_id)))
    errors: dict[str, list[str]] = {}
    if not what_continues.strip():
        errors["what_continues"] = [
            "Say what continues after the HIT closes; write “Nothing” if nothing does."
        ]
    if report is not None:
        try:
            uploads.check_upload(report)
        except ValidationError as exc:
            errors["closure_report"] = exc.messages
        if not DocumentType.objects.filter(code=CLOSURE_REPORT_TYPE).exists():
            errors.setdefault("closure_report", []).append(
                "There is no “closure report” document type; ask the programme team to add it."
            )
    if errors:
        raise ValidationError(errors)


def _store_report(*, actor: User, hit: HIT, report: UploadedFile, written: list[Document]) -> Document:
    try:
        return _document_store(
            actor=actor,
            hit_id=hit.pk,
            document_type=DocumentType.objects.get(code=CLOSURE_REPORT_TYPE),
            title=CLOSURE_REPORT_TITLE,
            upload=report,
            written=written,
            check_permission=False,  # the programme manager's status permission covers it
        )
    except ValidationError as exc:
        raise ValidationError({"closure_report": exc.messages}) from exc


def _record_closure(
    *,
    actor: User,
    hit: HIT,
    what_continues: str,
    partners_leaving: str,
    report: Document | None,
) -> ClosureRecord:
    record = ClosureRecord.objects.select_for_update().filter(hit=hit).first()
    values: dict[str, object] = {
        "what_continues": what_continues.strip(),
        "partners_leaving": partners_leaving.strip(),
        "recorded_by": recorded_actor(actor),
        "recorded_at": timezone.now(),
    }
    if report is not None:
        values["closure_report"] = report
    if record is None:
        record = ClosureRecord(hit=hit, **values)
        record.full_clean()
        record.save()
        return record
    for field, value in values.items():
        setattr(record, field, value)
    record.full_clean()
    record.save(update_fields=[*values, "updated_at"])
    return record


def hit_closure_begin(
    *,
    actor: User,
    hit_id: int,
    closure_reason: str,
    reason: str,
    what_continues: str,
    partners_leaving: str = "",
    merged_into: HIT | None = None,
    report: UploadedFile | None = None,
    expected_status: str | None = None,
) -> ClosureRecord:
    """Move a set-up, active or suspended HIT to closing and record what it leaves behind.

    Side effects, in one transaction, in order: hit_transition("begin_closure") (locks the HIT,
    sets status, closure reason and merged-into HIT, appends a HITStatusChange); stores the
    optional closure report as the next version of the HIT's "Closure report" document; creates
    (or updates) the HIT's ClosureRecord. Any error changes nothing and leaves no file.
    """
    _closure_checks(actor=actor, hit_id=hit_id, what_continues=what_continues, report=report)
    with _files_removed_on_failure() as written, transaction.atomic():
        hit = services.hit_transition(
            actor=actor,
            hit_id=hit_id,
            action="begin_closure",
            reason=reason,
            closure_reason=closure_reason,
            merged_into=merged_into,
            expected_status=expected_status,
        )
        document = _store_report(actor=actor, hit=hit, report=report, written=written) if report else None
        return _record_closure(
            actor=actor,
            hit=hit,
            what_continues=what_continues,
            partners_leaving=partners_leaving,
            report=document,
        )


def hit_close(
    *,
    actor: User,
    hit_id: int,
    reason: str,
    what_continues: str,
    partners_leaving: str = "",
    report: UploadedFile | None = None,
    expected_status: str | None = None,
) -> ClosureRecord:
    """Close a closing HIT for good, completing its closure record.

    Side effects, in one transaction, in order: hit_transition("close") (locks the HIT, sets the
    status, appends a HITStatusChange); stores the optional closure report as the next version of
    its "Closure report" document; creates or updates the ClosureRecord (a HIT moved to closing
    from the status form on its page has none yet). Any error changes nothing and leaves no file.
    """
    _closure_checks(actor=actor, hit_id=hit_id, what_continues=what_continues, report=report)
    with _files_removed_on_failure() as written, transaction.atomic():
        hit = services.hit_transition(
            actor=actor, hit_id=hit_id, action="close", reason=reason, expected_status=expected_status
        )
        document = _store_report(actor=actor, hit=hit, report=report, written=written) if report else None
        return _record_closure(
            actor=actor,
            hit=hit,
            what_continues=what_continues,
            partners_leaving=partners_leaving,
            report=document,
        )
