"""Writes of the panel's review: assignments and suggestions, conflicts of interest, reviews and scores, consolidated feedback and the applicant's response to it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accreditation import permissions, workflow
from accreditation.domain.criteria import criteria_for
from accreditation.domain.sections import (
    SECTIONS,
)
from accreditation.enums import (
    ApplicationStatus,
    ConflictDeclaration,
    ConflictResolution,
    FeedbackStatus,
    PanelRole,
    Recommendation,
    ReviewStatus,
)
from accreditation.models import (
    Application,
    EOIPartner,
    FeedbackDocument,
    FeedbackPoint,
    PanelMember,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from accreditation.services.drafting import lock_editable_application
from core.concurrency import check_version, latest_changed
from core.mail import send_after_commit
from core.workflow import (
    InvalidTransition,
    recorded_actor,
)
from teams.models import Affiliation, Organisation, User

# --- Reviewers and conflicts of interest -------------------------------------------------------------


def named_organisation_ids(application: Application) -> set[int]:
    """Organisations the application names: stakeholder rows, host, and its EOI's partners."""
    ids = set(
        application.stakeholder_rows.exclude(organisation__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    if application.host_organisation_id:
        ids.add(application.host_organisation_id)
    ids |= set(
        EOIPartner.objects.filter(eoi__hit=application.hit_id, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    return ids


def _related_organisations(organisation_ids: set[int]) -> tuple[dict[int, set[int]], dict[int, str]]:
    """Each organisation related to a named one (itself, its parents up the chain and everything
    under it), mapped to the named organisations it relates to; and the named ones' names.
    One query: the parent links and the named organisations."""
    parent_of: dict[int, int] = {}
    names: dict[int, str] = {}
    for pk, parent_id, name in Organisation.objects.filter(
        Q(parent__isnull=False) | Q(pk__in=organisation_ids)
    ).values_list("pk", "parent_id", "name"):
        if parent_id is not None:
            parent_of[pk] = parent_id
        if pk in organisation_ids:
            names[pk] = name
    children: dict[int, list[int]] = {}
    for child, parent in parent_of.items():
        children.setdefault(parent, []).append(child)
    related: dict[int, set[int]] = {}
    for named in organisation_ids:
        seen = {named}
        up = parent_of.get(named)
        while up is not None and up not in seen:
            seen.add(up)
            up = parent_of.get(up)
        down = [named]
        while down:
            for child in children.get(down.pop(), []):
                if child not in seen:
                    seen.add(child)
                    down.append(child)
        for pk in seen:
            related.setdefault(pk, set()).add(named)
    return related, names


def organisation_conflicts(*, user_ids: Sequence[int], organisation_ids: set[int]) -> dict[int, list[str]]:
    """For each user, the named organisations they are affiliated with now (current or undated
    posts), directly or through a parent or part of it: a medical school's reviewer conflicts with
    an application naming its university, and the other way round. A name reached through another
    organisation says which ("University of Bristol, through Bristol Medical School"). Two queries."""
    if not organisation_ids or not user_ids:
        return {}
    related, names = _related_organisations(organisation_ids)
    today = timezone.localdate()
    posts = (
        Affiliation.objects.filter(organisation__in=related, person__user__in=user_ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("person__user", "organisation_id", "organisation__name")
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for user_id, organisation_id, organisation_name in posts:
        for named in related[organisation_id]:
            label = (
                names[named] if named == organisation_id else f"{names[named]}, through {organisation_name}"
            )
            found.setdefault(user_id, set()).add(label)
    return {user_id: sorted(labels) for user_id, labels in found.items()}


def conflicting_organisations(*, user: User, organisation_ids: set[int]) -> list[str]:
    """Names of the named organisations the user is affiliated with (organisation_conflicts)."""
    return organisation_conflicts(user_ids=[user.pk], organisation_ids=organisation_ids).get(user.pk, [])


@transaction.atomic
def assignment_create(
    *, actor: User, application_id: int, reviewer: User, due_on: datetime.date | None = None
) -> ReviewAssignment:
    """Assign a panel member of the round to review the application.

    Side effects: the ReviewAssignment, flagged automatically when the reviewer is affiliated with
    an organisation the application names; an email to the reviewer after commit.
    """
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("round").get(pk=application_id)
    )
    verdict = permissions.can_assign_reviewers(actor, application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    member = PanelMember.objects.filter(panel__round=application.round_id, user=reviewer).first()
    if member is None or member.role == PanelRole.CHAIR:
        raise ValidationError({"reviewer": "Choose a reviewer or lay reviewer of this round's panel."})
    if application.assignments.filter(reviewer=reviewer).exists():
        raise ValidationError({"reviewer": f"{reviewer} is already assigned to this application."})
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past."})
    flagged = conflicting_organisations(user=reviewer, organisation_ids=named_organisation_ids(application))
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        is_lay=member.role == PanelRole.LAY_REVIEWER,
        due_on=due_on,
        assigned_by=recorded_actor(actor),
        flagged_organisations="\n".join(flagged),
    )
    send_after_commit(
        template="accreditation/review_assigned",
        recipients=[reviewer.email],
        context={"assignment": assignment, "application": application},
    )
    return assignment


def assignments_recheck_on_submit(*, application: Application) -> list[ReviewAssignment]:
    """Each submission of the application re-checks its assigned reviewers (all but the recused)
    against the organisations this revision names, parents and parts included
    (organisation_conflicts), as assignment_create does.

    Called inside application_transition's submit, under its row lock. Side effects: a reviewer
    affiliated with an organisation not flagged before gets it added to `flagged_organisations`,
    their declaration back to pending and any earlier decision of the chair reopened, so they
    declare and the chair resolves again before they read the revision; flags are never removed.
    Every such reviewer gets one email after commit: revision N needs their review (saying when
    they were newly flagged). Returns the newly flagged assignments.
    """
    assignments = list(
        application.assignments.exclude(resolution=ConflictResolution.RECUSED).select_related("reviewer")
    )
    conflicts = organisation_conflicts(
        user_ids=[a.reviewer_id for a in assignments], organisation_ids=named_organisation_ids(application)
    )
    flagged = []
    for assignment in assignments:
        known = assignment.flagged_organisations.splitlines()
        added = [name for name in conflicts.get(assignment.reviewer_id, []) if name not in known]
        if added:
            assignment.flagged_organisations = "\n".join([*known, *added])
            assignment.declaration = ConflictDeclaration.PENDING
            assignment.declared_at = None
            assignment.resolution = ConflictResolution.OPEN
            assignment.resolution_note = ""
            assignment.resolved_by = None
            assignment.resolved_at = None
            assignment.save(
                update_fields=[
                    "flagged_organisations",
                    "declaration",
                    "declared_at",
                    "resolution",
                    "resolution_note",
                    "resolved_by",
                    "resolved_at",
                    "updated_at",
                ]
            )
            flagged.append(assignment)
        send_after_commit(
            template="accreditation/revision_to_review",
            recipients=[assignment.reviewer.email],
            context={"assignment": assignment, "application": application, "newly_flagged": added},
        )
    return flagged


@dataclass(frozen=True)
class Suggestion:
    user: User
    role: str
    open_assignments: int
    conflicts: list[str]


def reviewer_suggestions(*, application: Application) -> list[Suggestion]:
    """Panel members not yet assigned, without conflicts, least loaded first (lay reviewers apart).

    Five queries, whatever the panel size.
    """
    members = list(
        PanelMember.objects.filter(panel__round=application.round_id)
        .exclude(role=PanelRole.CHAIR)
        .exclude(user__in=application.assignments.values("reviewer"))
        .select_related("user")
        .annotate(
            load=Count(
                "user__assignments",
                filter=~Q(
                    user__assignments__application__status__in=[
                        s.value for s in workflow.FINAL_APPLICATION_STATES
                    ]
                ),
                distinct=True,
            )
        )
        .order_by("user__full_name")
    )
    conflicts = organisation_conflicts(
        user_ids=[m.user_id for m in members], organisation_ids=named_organisation_ids(application)
    )
    suggestions = [Suggestion(m.user, m.role, m.load, sorted(conflicts.get(m.user_id, []))) for m in members]
    return sorted(
        suggestions, key=lambda s: (bool(s.conflicts), s.role == PanelRole.LAY_REVIEWER, s.open_assignments)
    )


@transaction.atomic
def suggestion_accept(
    *, actor: User, application_id: int, due_on: datetime.date | None = None
) -> list[ReviewAssignment]:
    """Assign conflict-free panel members, least loaded first, up to the round's number (plus
    one lay reviewer when the panel has one and none is assigned). A recused reviewer, or one who left
    the panel (accreditation/services/panels.py), no longer counts, so the gap is filled. Side effects as
    assignment_create."""
    application = Application.objects.select_related("round").get(pk=application_id)
    assigned = list(application.assignments.exclude(resolution=ConflictResolution.RECUSED))
    needed = application.round.reviewers_per_application - sum(1 for a in assigned if not a.is_lay)
    has_lay = any(a.is_lay for a in assigned)
    created = []
    for suggestion in reviewer_suggestions(application=application):
        if suggestion.conflicts:
            continue
        if suggestion.role == PanelRole.LAY_REVIEWER:
            if has_lay:
                continue
            has_lay = True
        elif needed <= 0:
            continue
        else:
            needed -= 1
        created.append(
            assignment_create(
                actor=actor, application_id=application.pk, reviewer=suggestion.user, due_on=due_on
            )
        )
    return created


@transaction.atomic
def conflict_declare(
    *, actor: User, assignment_id: int, declaration: str, note: str = ""
) -> ReviewAssignment:
    """The reviewer declares none or a conflict (with a note). Side effect: the assignment; an
    email to the chairs when a conflict is declared."""
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=assignment_id)
    )
    if assignment.reviewer_id != actor.pk:
        raise PermissionDenied("Only the assigned reviewer declares their interests.")
    if declaration not in (ConflictDeclaration.NONE, ConflictDeclaration.DECLARED):
        raise ValidationError({"declaration": "Choose whether you have a conflict of interest."})
    note = note.strip()
    if declaration == ConflictDeclaration.DECLARED and not note:
        raise ValidationError({"declaration_note": "Describe the conflict so the chair can decide."})
    if assignment.resolution == ConflictResolution.RECUSED:
        raise InvalidTransition("You were recused from this application by the chair.")
    assignment.declaration = declaration
    assignment.declaration_note = note
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["declaration", "declaration_note", "declared_at", "updated_at"])
    if declaration == ConflictDeclaration.DECLARED:
        chairs = PanelMember.objects.filter(
            panel__round=assignment.application.round_id, role=PanelRole.CHAIR
        )
        send_after_commit(
            template="accreditation/conflict_declared",
            recipients=chairs.values_list("user__email", flat=True),
            context={"assignment": assignment},
        )
    return assignment


@transaction.atomic
def conflict_resolve(*, actor: User, assignment_id: int, resolution: str, note: str = "") -> ReviewAssignment:
    """The chair dismisses, waives (with a note) or recuses. Side effect: the assignment."""
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=assignment_id)
    )
    verdict = permissions.can_manage_review(actor, assignment.application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    if resolution not in (
        ConflictResolution.DISMISSED,
        ConflictResolution.WAIVED,
        ConflictResolution.RECUSED,
    ):
        raise ValidationError({"resolution": "Choose dismiss, waive or recuse."})
    note = note.strip()
    if resolution == ConflictResolution.WAIVED and not note:
        raise ValidationError({"resolution_note": "Say why the conflict is waived."})
    if resolution != ConflictResolution.RECUSED and not assignment.has_conflict:
        raise ValidationError({"resolution": "There is no conflict to dismiss or waive."})
    assignment.resolution = resolution
    assignment.resolution_note = note
    assignment.resolved_by = recorded_actor(actor)
    assignment.resolved_at = timezone.now()
    assignment.save(
        update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at", "updated_at"]
    )
    return assignment


# --- Reviews -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    criterion: str
    score: int | None
    comment: str = ""


@transaction.atomic
def review_save(
    *,
    actor: User,
    assignment_id: int,
    scores: Sequence[ScoreInput],
    recommendation: str,
    summary: str,
    submit: bool,
    expected_version: str | None = None,
) -> Review:
    """Save (and optionally submit) a review of the current revision.

    Side effects: the Review and its ReviewScores. Submitting needs every criterion scored and a
    recommendation; a submitted review can no longer change. Refused with StaleEdit (nothing
    saved) when the review is no longer at `expected_version`, the version the reviewer's form
    started from ("" before the first save), as when it was saved from another tab meanwhile.
    """
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=assignment_id)
    )
    verdict = permissions.can_review(actor, assignment)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    application = assignment.application
    if application.status != ApplicationStatus.UNDER_REVIEW:
        raise InvalidTransition(
            f"This application is {application.get_status_display().lower()}; reviews are closed."
        )
    # The assignment's lock serialises every save of its review.
    stored = Review.objects.filter(assignment=assignment).first()
    check_version(stored or Review(assignment=assignment), expected_version)
    review, _ = Review.objects.get_or_create(
        assignment=assignment, defaults={"revision_number": application.version}
    )
    if review.status == ReviewStatus.SUBMITTED and review.revision_number == application.version:
        raise InvalidTransition("You already submitted this review; it can no longer change.")
    if review.revision_number != application.version:
        review.revision_number = application.version
        review.status = ReviewStatus.DRAFT
        review.scores.all().delete()
    allowed = {c.code for c in criteria_for(is_lay=assignment.is_lay)}
    given = {s.criterion: s for s in scores}
    errors: dict[str, str] = {}
    if set(given) - allowed:
        errors["__all__"] = "Some scores are for criteria that are not part of this review."
    for s in scores:
        if s.score is not None and not 0 <= s.score <= 3:
            errors[s.criterion] = "Scores run from 0 to 3."
    if recommendation and recommendation not in Recommendation.values:
        errors["recommendation"] = "Choose a recommendation from the list."
    if submit:
        missing = sorted(code for code in allowed if given.get(code) is None or given[code].score is None)
        if missing:
            errors["__all__"] = f"Score every criterion before submitting (missing: {', '.join(missing)})."
        if not recommendation:
            errors["recommendation"] = "Choose a recommendation before submitting."
    if errors:
        raise ValidationError(errors)
    for s in scores:
        ReviewScore.objects.update_or_create(
            review=review, criterion=s.criterion, defaults={"score": s.score, "comment": s.comment.strip()}
        )
    review.recommendation = recommendation
    review.summary = summary.strip()
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
    review.save(
        update_fields=["revision_number", "status", "recommendation", "summary", "submitted_at", "updated_at"]
    )
    return review


# --- Feedback ----------------------------------------------------------------------------------------


@transaction.atomic
def feedback_save(
    *,
    actor: User,
    application_id: int,
    summary: str,
    points: Sequence[tuple[str, str, str]],
    expected_version: str | None = None,
) -> FeedbackDocument:
    """The chair drafts the consolidated feedback on the current revision: a summary and points
    (section key, text, quoted reviewer comment). Side effect: the document and its points,
    replaced while the document is a draft. Refused with StaleEdit (nothing saved) when the
    document is no longer at `expected_version` ("" before the first save; core.concurrency)."""
    application = Application.objects.select_for_update().get(pk=application_id)
    verdict = permissions.can_manage_review(actor, application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    if application.status != ApplicationStatus.UNDER_REVIEW:
        raise InvalidTransition("Feedback is written while the application is under review.")
    # The application's lock serialises every save of its feedback.
    stored = FeedbackDocument.objects.filter(
        application=application, revision_number=application.version
    ).first()
    check_version(stored or FeedbackDocument(application=application), expected_version)
    document, _ = FeedbackDocument.objects.get_or_create(
        application=application,
        revision_number=application.version,
        defaults={"author": recorded_actor(actor)},
    )
    if document.status == FeedbackStatus.RELEASED:
        raise InvalidTransition("This feedback was already released.")
    valid_sections = {s.key for s in SECTIONS} | {"general"}
    if any(section not in valid_sections for section, _text, _quote in points):
        raise ValidationError({"section": "Choose a section of the application."})
    document.summary = summary.strip()
    document.author = recorded_actor(actor)
    document.save(update_fields=["summary", "author", "updated_at"])
    document.points.all().delete()
    FeedbackPoint.objects.bulk_create(
        FeedbackPoint(document=document, section=section, text=text.strip(), quoted_comment=quote.strip())
        for section, text, quote in points
        if text.strip()
    )
    return document


@transaction.atomic
def feedback_respond(
    *, actor: User, application_id: int, responses: dict[int, str], expected_version: str | None = None
) -> int:
    """The applicant answers feedback points while revising. Side effect: the points' responses.
    Returns how many were saved; points of other applications are refused.

    The answers are one form: its version is that of the point answered last
    (core.concurrency.latest_changed). Refused with StaleEdit, carrying that point, when a
    teammate saved answers since the form was opened at `expected_version`.
    """
    application = lock_editable_application(actor, application_id)
    document = (
        application.feedback_documents.filter(status=FeedbackStatus.RELEASED)
        .order_by("-revision_number")
        .first()
    )
    if document is None:
        raise InvalidTransition("There is no released feedback to answer.")
    points = {p.pk: p for p in document.points.all()}
    if set(responses) - set(points):
        raise PermissionDenied("Some answers are for feedback on another application.")
    latest = latest_changed(points.values())
    if latest is not None:
        check_version(latest, expected_version)
    now = timezone.now()
    for point_id, text in responses.items():
        point = points[point_id]
        point.response = text.strip()
        point.responded_at = now if point.response else None
        point.save(update_fields=["response", "responded_at", "updated_at"])
    return len(responses)
