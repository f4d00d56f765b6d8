"""Conditions of an accreditation (docs/domain.md section 3.6): the owner is told when one is set and
reminded before it is due; evidence sent by the owner is accepted or sent back by a programme manager.

    open --submit_evidence--> awaiting_acceptance --accept--> closed
                              awaiting_acceptance --send_back--> open   (the owner is told why)
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accreditation import permissions
from accreditation.enums import ConditionStatus
from accreditation.models import Condition
from accreditation.workflow import CONDITION_WORKFLOW
from core.batch import BatchOutcome, each_row
from core.mail import send_after_commit
from core.permissions import require
from core.workflow import record_event, recorded_actor
from teams.models import User

logger = logging.getLogger(__name__)


def conditions_set_notify(conditions: Iterable[Condition]) -> None:
    """E-mail each condition's owner that it was set, after commit (the decision's effect calls it)."""
    for condition in conditions:
        send_after_commit(
            template="accreditation/condition_set",
            recipients=_owner_emails(condition),
            context={"condition": condition},
        )


def _locked(condition_id: int) -> Condition:
    return (
        Condition.objects.select_for_update(of=("self",))
        .select_related("owner", "decision__application__hit")
        .get(pk=condition_id)
    )


def _move(condition: Condition, *, actor: User, action: str, comment: str = "") -> None:
    transition = CONDITION_WORKFLOW.get(action, condition.status)
    from_status = condition.status
    condition.status = transition.target
    record_event(
        condition.events,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=transition.target,
        comment=comment,
    )


@transaction.atomic
def condition_close(*, actor: User, condition_id: int, evidence: str) -> Condition:
    """Send the evidence that a condition is met (its owner or a programme manager): the condition
    waits for a programme manager's acceptance; it is not closed yet.

    Side effects: the row (evidence, status awaiting_acceptance), a ConditionEvent "submit_evidence",
    an e-mail to the programme managers after commit.
    """
    condition = _locked(condition_id)
    require(permissions.can_close_condition(actor, condition))
    if not evidence.strip():
        raise ValidationError({"evidence": "Describe the evidence that the condition is met."})
    _move(condition, actor=actor, action="submit_evidence")
    condition.evidence = evidence.strip()
    condition.full_clean()
    condition.save(update_fields=["evidence", "status", "updated_at"])
    send_after_commit(
        template="accreditation/condition_evidence",
        recipients=_programme_manager_emails(),
        context={"condition": condition, "actor": actor},
    )
    return condition


@transaction.atomic
def condition_accept(*, actor: User, condition_id: int) -> Condition:
    """Accept a condition's evidence (a programme manager): the condition is closed.

    Side effects: the row (status closed, closed_at, closed_by), a ConditionEvent "accept", an
    e-mail to the owner after commit.
    """
    condition = _locked(condition_id)
    require(permissions.can_accept_condition(actor, condition))
    _move(condition, actor=actor, action="accept")
    condition.closed_at = timezone.now()
    condition.closed_by = recorded_actor(actor)
    condition.full_clean()
    condition.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    send_after_commit(
        template="accreditation/condition_accepted",
        recipients=_owner_emails(condition),
        context={"condition": condition},
    )
    return condition


@transaction.atomic
def condition_send_back(*, actor: User, condition_id: int, reason: str) -> Condition:
    """Send a condition's evidence back (a programme manager) with the reason: it is open again and
    keeps the evidence, for the owner to complete.

    Side effects: the row (status open), a ConditionEvent "send_back" with the reason, an e-mail with
    the reason to the owner after commit.
    """
    condition = _locked(condition_id)
    require(permissions.can_accept_condition(actor, condition))
    if not reason.strip():
        raise ValidationError({"reason": "Say what is missing from the evidence."})
    _move(condition, actor=actor, action="send_back", comment=reason.strip())
    condition.full_clean()
    condition.save(update_fields=["status", "updated_at"])
    send_after_commit(
        template="accreditation/condition_sent_back",
        recipients=_owner_emails(condition),
        context={"condition": condition, "reason": reason.strip()},
    )
    return condition


def condition_reminders_send(*, today: datetime.date | None = None) -> BatchOutcome:
    """Remind each open condition's owner once, CONDITION_REMINDER_DAYS before its due date (or
    later, if it was set closer to it or the schedule was not running; never after the due date).
    The reminder is claimed by `reminded_at` first, so a second run or a second worker sends
    nothing more. A condition that fails is logged with its id and skipped (core.batch).
    Returns the number of reminders sent (`done`) and the ids skipped."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.CONDITION_REMINDER_DAYS)
    due = Condition.objects.filter(
        status=ConditionStatus.OPEN, reminded_at__isnull=True, due_on__gte=today, due_on__lte=horizon
    ).select_related("owner", "decision__application__hit")
    return each_row(
        list(due),
        lambda condition: _condition_reminder_send(condition, today=today),
        row_id=lambda condition: condition.pk,
        what="The reminder of condition",
        logger=logger,
    )


def _condition_reminder_send(condition: Condition, *, today: datetime.date) -> int:
    claimed = Condition.objects.filter(pk=condition.pk, reminded_at__isnull=True).update(
        reminded_at=timezone.now()
    )
    if not claimed:
        return 0  # another worker sent it
    send_after_commit(
        template="accreditation/condition_reminder",
        recipients=_owner_emails(condition),
        context={"condition": condition, "days_left": (condition.due_on - today).days},
    )
    return 1


def _owner_emails(condition: Condition) -> list[str]:
    """The owner's address: their person record's, else their login's."""
    owner = condition.owner
    if owner.email:
        return [owner.email]
    return [owner.user.email] if owner.user_id is not None and owner.user is not None else []


def _programme_manager_emails() -> list[str]:
    from teams.enums import ProgrammeRole
    from teams.models import RoleAssignment

    return list(
        RoleAssignment.objects.filter(role=ProgrammeRole.PROGRAMME_MANAGER).values_list(
            "user__email", flat=True
        )
    )
