"""The one workflow kernel: a status lifecycle is a table, and every move is made the same way.

Each app's `workflow.py` holds its lifecycles as tables only: rows of `Transition`, wrapped in a
`Workflow` (the state diagram in its docstring). The service that moves an object (e.g.
`teams.services.hit_transition`) does, in order:

1. lock the row (`select_for_update`) and refuse a page that showed another status:
   `workflow.check_unchanged(...)` raises `StaleState` ("someone else already did this");
2. look the move up: `workflow.get(action, status)` raises `InvalidTransition` for an unknown
   action or one the status does not allow;
3. check the actor's role (`PermissionDenied` with the reason, worded by the app);
4. `perform(move, rule, events=...)`: the rule's guard (raises `ValidationError`, nothing changes),
   the new status, the rule's effect, one save of exactly the fields that changed
   (`update_fields`), and the event row (a `core.models.StatusEvent`);
5. send its notifications after commit.

Steps 1 to 3 and 5 stay in the app's service because their wording and recipients are the app's;
what a move checks and does beyond its table row is the app's `Rule` for that action, listed next
to the service.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from core.models import StatusEvent


class InvalidTransition(Exception):
    """The action does not exist, or is not allowed from the object's current status."""


class StaleState(InvalidTransition):
    """Someone else moved the object since the user loaded the page."""


@dataclass(frozen=True)
class Transition:
    """One row of a lifecycle table: `action` moves an object from any of `sources` to `target`.

    `roles` are the roles (relative to the object, worked out by the app's permissions) that may
    make the move; empty when the app checks permission another way. `needs_comment`: the move is
    refused without a comment (a reason, a rationale), which the event keeps. `inputs`: what else the
    move asks for, named like its service's keyword arguments (the HIT lifecycle's begin_closure
    asks for `closure_reason`).
    """

    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str] = frozenset()
    needs_comment: bool = False
    inputs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Workflow:
    """A lifecycle table: its states, its transitions and the messages that refuse a move.

    `illegal` words a move the status does not allow; it is formatted with `label` (the action's
    label), `label_lower` and `state` (the current status, lower case). `stale` words a page that
    showed another status, with `state` and `who` (" by <actor> on <date>" of the last event).
    """

    states: type[models.TextChoices]
    transitions: tuple[Transition, ...]
    illegal: str
    stale: str
    _by_action: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_action = {t.action: t for t in self.transitions}
        if len(by_action) != len(self.transitions):
            raise ValueError("Each action appears once in a workflow table.")
        unknown = {s for t in self.transitions for s in (*t.sources, t.target)} - set(self.states.values)
        if unknown:
            raise ValueError(f"States missing from {self.states.__name__}: {sorted(unknown)}.")
        object.__setattr__(self, "_by_action", by_action)

    @property
    def action_names(self) -> tuple[str, ...]:
        return tuple(self._by_action)

    def get(self, action: str, source: str) -> Transition:
        """The transition `action` makes from `source`, or InvalidTransition saying why there is none."""
        transition = self._by_action.get(action)
        if transition is None:
            raise InvalidTransition(f"There is no action called {action!r}.")
        if source not in transition.sources:
            raise InvalidTransition(
                self.illegal.format(
                    label=transition.label,
                    label_lower=transition.label.lower(),
                    state=self.state_label(source).lower(),
                )
            )
        return transition

    def actions(self, source: str, roles: Collection[str] | None = None) -> list[Transition]:
        """The moves from `source`, in table order; with `roles`, only those these roles may make."""
        return [
            t for t in self.transitions if source in t.sources and (roles is None or t.roles & set(roles))
        ]

    def label_for(self, action: str) -> str:
        """The action's label; an action no longer in the table (an old event) reads as its name."""
        transition = self._by_action.get(action)
        return transition.label if transition else action.replace("_", " ").capitalize()

    def state_label(self, status: str) -> str:
        try:
            return str(self.states(status).label)
        except ValueError:
            return status or "—"

    def check_unchanged(
        self, status: str, expected_status: str | None, last_event: Callable[[], StatusEvent | None]
    ) -> None:
        """Raise StaleState when the page showed `expected_status` and the object has moved on since.

        `last_event` is only called then, so a fresh page costs no query for it.
        """
        if expected_status is not None and status != expected_status:
            raise StaleState(
                self.stale.format(state=self.state_label(status).lower(), who=moved_by(last_event()))
            )


def moved_by(event: StatusEvent | None) -> str:
    """ " by Ann Smith on 02 Mar 2026 at 09:00" for an event (without " by ..." when it has no actor)."""
    if event is None:
        return ""
    by = f" by {event.actor}" if event.actor else ""
    return f"{by} on {timezone.localtime(event.created_at):%d %b %Y at %H:%M}"


U = TypeVar("U", bound="AbstractBaseUser")


def recorded_actor(actor: U | AnonymousUser | None) -> U | None:
    """The user to record as the actor: None for the system (no user, or an anonymous one)."""
    if actor is None or isinstance(actor, AnonymousUser) or not actor.pk:
        return None
    return actor


class _Row(Protocol):
    status: str

    def save(self, *, update_fields: Iterable[str]) -> None: ...


Obj = TypeVar("Obj", bound=_Row)


@dataclass
class Move(Generic[Obj]):
    """One move under way, as its rule's guard and effect see it.

    An app whose moves take more inputs (the application's conditions, the HIT's closure reason)
    subclasses it with those as fields, so a guard or an effect reads them from the move, never
    from attributes set on the model instance.
    """

    obj: Obj
    transition: Transition
    actor: AbstractBaseUser | None
    comment: str = ""
    from_status: str = field(init=False, default="")
    changed: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.from_status = self.obj.status

    @property
    def action(self) -> str:
        return self.transition.action

    def set(self, **values: object) -> None:
        """Change fields of the object; `perform` saves exactly the fields changed this way."""
        for name, value in values.items():
            setattr(self.obj, name, value)
            if name not in self.changed:
                self.changed.append(name)


M = TypeVar("M", bound=Move[Any])


@dataclass(frozen=True)
class Rule(Generic[M]):
    """What one action checks and does beyond its table row.

    `guard` raises ValidationError (or another refusal) before anything changes; `effect` runs once
    the status is set, changes the object through `move.set` and writes whatever else the move
    brings about (revisions, decisions, other services' moves).
    """

    guard: Callable[[M], None] | None = None
    effect: Callable[[M], None] | None = None


class _Events(Protocol):
    def create(self, **fields: Any) -> Any: ...


def perform(move: M, rule: Rule[M], *, events: _Events) -> StatusEvent:
    """Make a looked-up, permitted move: guard, status, effect, one save, the event row.

    Side effects, in order: the rule's guard (raising changes nothing); the object's status set to
    the transition's target; the rule's effect; the object saved with `update_fields` = the fields
    changed through `move.set`; an event row created through `events` (the object's related manager
    of its StatusEvent table) with the actor, action, from and to status and comment. Returns it.
    """
    if rule.guard is not None:
        rule.guard(move)
    move.set(status=move.transition.target)
    if rule.effect is not None:
        rule.effect(move)
    move.obj.save(update_fields=move.changed)
    return record_event(
        events,
        actor=move.actor,
        action=move.action,
        from_status=move.from_status,
        to_status=move.obj.status,
        comment=move.comment,
    )


def record_event(
    events: _Events,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    to_status: str,
    from_status: str | None = None,
    comment: str = "",
) -> StatusEvent:
    """Append an event row through `events` (an object's related manager of its StatusEvent table).

    `perform` records every move with it; a service records with it what happens to an object
    without moving it (a sponsor's confirmation, a moved due date: `from_status` defaults to
    `to_status`) or its creation (from ""). The actor is recorded as None for the system.
    """
    event: StatusEvent = events.create(
        actor=recorded_actor(actor),
        action=action,
        from_status=to_status if from_status is None else from_status,
        to_status=to_status,
        comment=comment,
    )
    return event
