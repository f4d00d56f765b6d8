"""Writes of a HIT's status: the one transition service of the HIT workflow (teams.workflow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.permissions import require
from core.workflow import Move, Rule, perform
from teams import permissions
from teams.enums import ClosureReason
from teams.models import HIT, User
from teams.signals import hit_transition_requested
from teams.workflow import CLOSURE_REASON, HIT_WORKFLOW


# HIT meets Move's bound (core.workflow._Row: a str `status` and a save taking update_fields), but
# mypy checks a base class's type arguments before the django plugin has worked out what a model's
# fields hold, so `status` is not a str yet at that point (django-stubs issue 651).
@dataclass
class HITMove(Move[HIT]):  # type: ignore[type-var]  # the plugin types HIT.status too late
    """A move of a HIT, with what closing asks for and whether other apps are asked."""

    closure_reason: str = ""
    merged_into: HIT | None = None
    check_guards: bool = True


@transaction.atomic
def hit_transition(
    *,
    actor: User,
    hit_id: int,
    action: str,
    reason: str = "",
    closure_reason: str = "",
    merged_into: HIT | None = None,
    expected_status: str | None = None,
    check_permission: bool = True,
    check_guards: bool = True,
) -> HIT:
    """Move a HIT along its lifecycle (teams.workflow.HIT_WORKFLOW, performed by core.workflow).

    Side effects, in order: locks the HIT row; runs HIT_RULE's guard and effect; updates status
    (and closure reason / merged-into when closing); appends a HITStatusChange (actor, action,
    from, to, reason as its comment, time).

    Raises InvalidTransition (illegal move), StaleState (the HIT moved since `expected_status` was
    read), PermissionDenied (actor may not) or ValidationError (a receiver of
    teams.signals.hit_transition_requested found problems, e.g. the set-up checklist before
    "activate"; or a reason is missing).
    `check_permission=False` is for other services that already checked their own rule (e.g. the
    accreditation decision that accredits the HIT). `check_guards=False` is for replaying a history
    that happened before the portal held its records (the demo data): a guard reads today's rows.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    HIT_WORKFLOW.check_unchanged(
        hit.status, expected_status, hit.status_changes.select_related("actor").first
    )
    transition = HIT_WORKFLOW.get(action, hit.status)
    if check_permission:
        require(permissions.can_change_hit_status(actor, hit))
    move = HITMove(
        hit,
        transition,
        actor=actor,
        comment=reason.strip(),
        closure_reason=closure_reason,
        merged_into=merged_into,
        check_guards=check_guards,
    )
    perform(move, HIT_RULE, events=hit.status_changes)
    return hit


def _guard_hit_move(move: HITMove) -> None:
    """Other apps' objections first (teams.signals.hit_transition_requested), then every missing
    input of the move at once."""
    hit, transition = move.obj, move.transition
    if move.check_guards:
        answers = hit_transition_requested.send(sender=HIT, hit=hit, transition=transition)
        # Each receiver answers with a list of problems (teams.signals); django-stubs types every
        # signal answer as `str | None`.
        problems = [problem for _receiver, found in answers for problem in cast(list[str], found)]
        if problems:
            raise ValidationError({"__all__": problems})
    errors: dict[str, str] = {}
    if transition.needs_comment and not move.comment:
        errors["reason"] = "Give a reason for this change."
    if CLOSURE_REASON in transition.inputs:
        if move.closure_reason not in ClosureReason.values:
            errors["closure_reason"] = "Choose why the HIT is closing."
        elif move.closure_reason == ClosureReason.MERGED and move.merged_into is None:
            errors["merged_into"] = "Name the HIT this one merges into."
        elif move.merged_into is not None and move.merged_into.pk == hit.pk:
            errors["merged_into"] = "A HIT cannot merge into itself."
    if errors:
        raise ValidationError(errors)


def _effect_hit_move(move: HITMove) -> None:
    """The time of the move and what closing records; the HIT is checked whole before it is saved."""
    move.set(status_changed_at=timezone.now())
    if CLOSURE_REASON in move.transition.inputs:
        merged = move.closure_reason == ClosureReason.MERGED
        move.set(closure_reason=move.closure_reason, merged_into=move.merged_into if merged else None)
    move.obj.full_clean(exclude=["themes"])


# Every move of the HIT lifecycle is guarded and carried out alike; what differs (the reason, the
# closure inputs) the table row says.
HIT_RULE: Rule[HITMove] = Rule(guard=_guard_hit_move, effect=_effect_hit_move)
