"""Writes of a round's panels, by programme managers: make a panel; seat, remove and replace its chair,
reviewers and lay reviewers (docs/domain.md section 3.8).

Every seat change appends a PanelSeatEvent (the audit log lists them); a removed seat's PanelMember
row goes, its event stays. A reviewer who leaves hands over the reviews they still owe: to their
successor when replaced, otherwise the applications are left for the chair to reassign, and the
outcome says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accreditation import permissions
from accreditation.enums import ConflictResolution, PanelRole, PanelSeatChange, ReviewStatus, RoundChangeKind
from accreditation.models import Application, Panel, PanelMember, PanelSeatEvent, ReviewAssignment, Round
from accreditation.services.reviews import conflicting_organisations, named_organisation_ids
from accreditation.services.rounds import round_change_record
from accreditation.workflow import FINAL_APPLICATION_STATES
from core.mail import send_after_commit
from core.permissions import require
from core.workflow import InvalidTransition, recorded_actor
from teams.models import Person, User
from teams.roles import forget_roles

NO_ACCOUNT = (
    "{person} has no account on the portal yet, so they cannot sit on a panel. An account must be "
    "created for them first; then seat them here."
)
SEAT_GONE = "This seat was already changed by someone else: {user} no longer sits on the panel."


@dataclass
class SeatOutcome:
    """What a seat change did to the reviews the leaving member owed (application names)."""

    member: PanelMember | None = None
    moved: list[str] = field(default_factory=list)  # now assigned to the successor
    left: list[str] = field(default_factory=list)  # short of a reviewer: the chair assigns another
    kept: list[str] = field(default_factory=list)  # the leaver's submitted review still counts


# --- Panels ------------------------------------------------------------------------------------------


@transaction.atomic
def panel_create(*, actor: User, round_id: int, name: str) -> Panel:
    """Make a panel for the round (programme managers); a name the round already uses (in any case) is
    refused next to the field. Side effects: the Panel row, with no seats; a RoundChange "panel
    created" (the audit log)."""
    require(permissions.can_manage_panels(actor))
    round = Round.objects.get(pk=round_id)
    panel = Panel(round=round, name=name.strip())
    if Panel.objects.filter(round=round, name__iexact=panel.name).exists():
        raise ValidationError(
            {"name": f"{round} already has a panel called {panel.name}: choose another name."}
        )
    panel.full_clean()
    panel.save()
    round_change_record(
        actor=actor, round=round, change=RoundChangeKind.PANEL_CREATED, detail=panel.name, panel=panel
    )
    return panel


# --- Seats -------------------------------------------------------------------------------------------


def _seat_user(person: Person, *, field_name: str = "person") -> User:
    """The login a directory entry sits on a panel with, or a clear refusal."""
    user = person.user if person.user_id is not None else None
    if user is None:
        raise ValidationError({field_name: NO_ACCOUNT.format(person=person)})
    return user


def _check_free(
    *, panel: Panel, user: User, role: str, field_name: str, leaving: PanelMember | None = None
) -> None:
    """One seat per person per round (assignments are by round) and one chair per panel."""
    others = PanelMember.objects.all() if leaving is None else PanelMember.objects.exclude(pk=leaving.pk)
    seat = others.filter(panel__round=panel.round_id, user=user).select_related("panel").first()
    if seat is not None:
        where = "this panel" if seat.panel_id == panel.pk else f"the panel {seat.panel.name} of this round"
        raise ValidationError(
            {field_name: f"{user.full_name} already sits on {where} as {seat.get_role_display().lower()}."}
        )
    if role == PanelRole.CHAIR:
        chair = others.filter(panel=panel, role=PanelRole.CHAIR).select_related("user").first()
        if chair is not None:
            raise ValidationError(
                {"role": f"This panel already has a chair, {chair.user.full_name}: replace them instead."}
            )


def _lock_seat(member_id: int) -> PanelMember:
    member = (
        PanelMember.objects.select_for_update(of=("self",))
        .select_related("panel", "user")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise InvalidTransition("This seat was already changed by someone else.")
    return member


def _record(
    *, actor: User, member: PanelMember, change: str, successor: User | None = None, comment: str = ""
) -> PanelSeatEvent:
    event = PanelSeatEvent(
        panel=member.panel,
        user=member.user,
        successor=successor,
        role=member.role,
        change=change,
        actor=recorded_actor(actor),
        comment=comment.strip(),
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def panel_seat_add(
    *, actor: User, panel_id: int, person: Person, role: str, comment: str = ""
) -> PanelMember:
    """Seat a person from the directory on the panel (programme managers).

    Refused next to the field: a person without an account, a person already seated on a panel of the
    round, a second chair. Side effects: the PanelMember row; a PanelSeatEvent "added".
    """
    require(permissions.can_manage_panels(actor))
    panel = Panel.objects.select_for_update().get(pk=panel_id)
    if role not in PanelRole.values:
        raise ValidationError({"role": "Choose chair, reviewer or lay reviewer."})
    user = _seat_user(person)
    _check_free(panel=panel, user=user, role=role, field_name="person")
    member = PanelMember(panel=panel, user=user, role=role)
    member.full_clean()
    member.save()
    _record(actor=actor, member=member, change=PanelSeatChange.ADDED, comment=comment)
    forget_roles(user)
    return member


def _open_assignments(*, user: User, round_id: int) -> list[ReviewAssignment]:
    """The user's assignments on the round's undecided applications, locked, oldest first."""
    return list(
        ReviewAssignment.objects.select_for_update(of=("self",))
        .filter(reviewer=user, application__round=round_id)
        .exclude(application__status__in=sorted(FINAL_APPLICATION_STATES))
        .select_related("application__hit", "application__round", "review")
        .order_by("pk")
    )


def _review_done(assignment: ReviewAssignment) -> bool:
    review = getattr(assignment, "review", None)
    return (
        review is not None
        and review.status == ReviewStatus.SUBMITTED
        and review.revision_number == assignment.application.version
    )


def _short(application: Application, *, is_lay: bool) -> bool:
    """Whether the application has fewer active (not recused) reviewers of this kind than it needs."""
    active = (
        application.assignments.filter(is_lay=is_lay).exclude(resolution=ConflictResolution.RECUSED).count()
    )
    return active < (1 if is_lay else application.round.reviewers_per_application)


def _withdraw(assignment: ReviewAssignment, *, actor: User, note: str) -> None:
    """The leaver stops reviewing: recorded as a recusal by the programme manager, with the reason."""
    assignment.resolution = ConflictResolution.RECUSED
    assignment.resolution_note = note
    assignment.resolved_by = recorded_actor(actor)
    assignment.resolved_at = timezone.now()
    assignment.save(
        update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at", "updated_at"]
    )


def _assign_successor(assignment: ReviewAssignment, *, actor: User, successor: User) -> ReviewAssignment:
    """The successor's own assignment, conflict-checked as any assignment, due when the leaver's was."""
    application = assignment.application
    flagged = conflicting_organisations(user=successor, organisation_ids=named_organisation_ids(application))
    today = timezone.localdate()
    moved = ReviewAssignment(
        application=application,
        reviewer=successor,
        is_lay=assignment.is_lay,
        due_on=assignment.due_on if assignment.due_on and assignment.due_on >= today else None,
        assigned_by=recorded_actor(actor),
        flagged_organisations="\n".join(flagged),
    )
    moved.full_clean()
    moved.save()
    send_after_commit(
        template="accreditation/review_assigned",
        recipients=[successor.email],
        context={"assignment": moved, "application": application},
    )
    return moved


def _hand_over(*, actor: User, leaver: PanelMember, successor: User | None) -> SeatOutcome:
    """What happens to the reviews a leaving reviewer owes (docs/domain.md section 3.8)."""
    outcome = SeatOutcome()
    if leaver.role == PanelRole.CHAIR:
        return outcome
    who = f"replaced by {successor.full_name}" if successor else "removed"
    note = f"Left the panel ({who})."
    for assignment in _open_assignments(user=leaver.user, round_id=leaver.panel.round_id):
        application = assignment.application
        name = str(application.hit)
        if _review_done(assignment):
            outcome.kept.append(name)
            continue
        if assignment.resolution == ConflictResolution.RECUSED:
            # Recused earlier: only a gap the chair has not filled yet is handed over.
            if successor is None or not _short(application, is_lay=assignment.is_lay):
                continue
        else:
            _withdraw(assignment, actor=actor, note=note)
        if successor is None or application.assignments.filter(reviewer=successor).exists():
            outcome.left.append(name)
            continue
        _assign_successor(assignment, actor=actor, successor=successor)
        outcome.moved.append(name)
    return outcome


@transaction.atomic
def panel_seat_remove(*, actor: User, member_id: int, reason: str = "") -> SeatOutcome:
    """Take a member off the panel (programme managers).

    Side effects, in order: the reviews they still owe on the round's undecided applications are
    withdrawn (recorded as a recusal with the reason "Left the panel") and left for the chair to
    reassign, listed in the outcome; a submitted review of the current revision stays and counts;
    the PanelMember row is deleted; a PanelSeatEvent "removed" keeps the record.
    """
    require(permissions.can_manage_panels(actor))
    member = _lock_seat(member_id)
    outcome = _hand_over(actor=actor, leaver=member, successor=None)
    _record(actor=actor, member=member, change=PanelSeatChange.REMOVED, comment=reason)
    member.delete()
    forget_roles(member.user)
    return outcome


@transaction.atomic
def panel_seat_replace(*, actor: User, member_id: int, person: Person, reason: str = "") -> SeatOutcome:
    """Give a member's seat, in the same role, to another person (programme managers).

    Refused next to the field as panel_seat_add refuses. Side effects, in order: each review the
    leaver still owes on the round's undecided applications moves to the successor (the leaver's
    assignment recorded as a recusal "Left the panel", a new assignment for the successor,
    conflict-checked, with the same due date unless it has passed; the successor is emailed about
    each); a gap left by an earlier recusal that no one has filled moves too; an application the
    successor already reviews is left for the chair to reassign; a submitted review of the current
    revision stays and counts. Then the seat changes hands (PanelMember rows) and a PanelSeatEvent
    "replaced" names both.
    """
    require(permissions.can_manage_panels(actor))
    member = _lock_seat(member_id)
    successor = _seat_user(person)
    if successor.pk == member.user_id:
        raise ValidationError({"person": f"{successor.full_name} already holds this seat."})
    _check_free(panel=member.panel, user=successor, role=member.role, field_name="person", leaving=member)
    outcome = _hand_over(actor=actor, leaver=member, successor=successor)
    _record(actor=actor, member=member, change=PanelSeatChange.REPLACED, successor=successor, comment=reason)
    member.delete()
    seat = PanelMember(panel=member.panel, user=successor, role=member.role)
    seat.full_clean()
    seat.save()
    outcome.member = seat
    forget_roles(member.user)
    forget_roles(successor)
    return outcome
