"""core.workflow: the table type, the lookups and their messages, the stale check and `perform`,
on a small table of their own and without a database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import models

from core.workflow import InvalidTransition, Move, Rule, StaleState, Transition, Workflow, perform


class Door(models.TextChoices):
    SHUT = "shut", "Shut"
    OPEN = "open", "Wide open"
    LOCKED = "locked", "Locked"


KEEPER = "keeper"
GUEST = "guest"

DOOR = Workflow(
    states=Door,
    transitions=(
        Transition("open", "Open", frozenset({Door.SHUT}), Door.OPEN, frozenset({KEEPER, GUEST})),
        Transition("shut", "Shut", frozenset({Door.OPEN}), Door.SHUT, frozenset({GUEST})),
        Transition(
            "lock", "Lock up", frozenset({Door.SHUT}), Door.LOCKED, frozenset({KEEPER}), needs_comment=True
        ),
    ),
    illegal="A door that is {state} cannot be moved by '{label_lower}' ({label}).",
    stale="The door was already {state}{who}.",
)
EXPECTED = {("shut", "open"): "open", ("open", "shut"): "shut", ("shut", "lock"): "locked"}


@pytest.mark.parametrize("status", Door.values)
@pytest.mark.parametrize("action", DOOR.action_names)
def test_get_every_pair(status, action):
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            DOOR.get(action, status)
    else:
        assert DOOR.get(action, status).target == expected


def test_get_unknown_action_names_it():
    with pytest.raises(InvalidTransition) as raised:
        DOOR.get("explode", Door.SHUT)

    assert str(raised.value) == "There is no action called 'explode'."


def test_get_illegal_move_uses_the_table_wording():
    with pytest.raises(InvalidTransition) as raised:
        DOOR.get("lock", Door.OPEN)

    assert str(raised.value) == "A door that is wide open cannot be moved by 'lock up' (Lock up)."


def test_actions_without_roles_are_every_legal_move():
    assert [t.action for t in DOOR.actions(Door.SHUT)] == ["open", "lock"]


def test_actions_with_roles_are_the_moves_those_roles_may_make():
    assert [t.action for t in DOOR.actions(Door.SHUT, {GUEST})] == ["open"]
    assert [t.action for t in DOOR.actions(Door.SHUT, frozenset())] == []


def test_label_for_an_action_gone_from_the_table_reads_as_its_name():
    assert (DOOR.label_for("lock"), DOOR.label_for("paint_red")) == ("Lock up", "Paint red")


def test_state_label_of_an_unknown_state_is_its_code():
    assert (DOOR.state_label("open"), DOOR.state_label("ajar"), DOOR.state_label("")) == (
        "Wide open",
        "ajar",
        "—",
    )


def test_a_table_with_an_action_twice_is_refused():
    twice = Transition("open", "Open", frozenset({Door.SHUT}), Door.OPEN)

    with pytest.raises(ValueError, match="once"):
        Workflow(states=Door, transitions=(twice, twice), illegal="", stale="")


def test_a_table_with_a_state_not_in_its_states_is_refused():
    ajar = Transition("nudge", "Nudge", frozenset({Door.SHUT}), "ajar")

    with pytest.raises(ValueError, match=r"\['ajar'\]"):
        Workflow(states=Door, transitions=(ajar,), illegal="", stale="")


def test_stale_state_is_an_invalid_transition():
    assert issubclass(StaleState, InvalidTransition)


def test_check_unchanged_passes_without_reading_the_last_event():
    def never() -> None:
        raise AssertionError("read the last event")

    DOOR.check_unchanged(Door.OPEN, None, never)
    DOOR.check_unchanged(Door.OPEN, Door.OPEN, never)


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), tick=False)
def test_check_unchanged_names_who_moved_it_and_when():
    event = SimpleNamespace(actor="Ann Keeper", created_at=datetime.datetime.now(tz=datetime.UTC))

    with pytest.raises(StaleState) as raised:
        DOOR.check_unchanged(Door.LOCKED, Door.SHUT, lambda: event)

    assert str(raised.value) == "The door was already locked by Ann Keeper on 02 Mar 2026 at 09:30."


def test_check_unchanged_without_an_event_says_only_the_state():
    with pytest.raises(StaleState) as raised:
        DOOR.check_unchanged(Door.LOCKED, Door.SHUT, lambda: None)

    assert str(raised.value) == "The door was already locked."


# --- perform -----------------------------------------------------------------------------------------


@dataclass
class FakeDoor:
    status: str = Door.SHUT
    colour: str = "green"
    saved: list[list[str]] = field(default_factory=list)

    def save(self, *, update_fields):
        self.saved.append(list(update_fields))


class FakeEvents:
    def __init__(self) -> None:
        self.created: list[dict] = []

    def create(self, **fields):
        self.created.append(fields)
        return fields


@dataclass
class DoorMove(Move[FakeDoor]):
    colour: str = ""


def _move(action: str, *, actor: object = None, comment: str = "", colour: str = "") -> DoorMove:
    door = FakeDoor()
    return DoorMove(door, DOOR.get(action, door.status), actor=actor, comment=comment, colour=colour)


def test_perform_saves_status_and_effect_fields_only_then_records_the_event():
    keeper = SimpleNamespace(pk=7)
    move = _move("open", actor=keeper, comment="Visitors", colour="red")
    events = FakeEvents()

    event = perform(move, Rule(effect=lambda m: m.set(colour=m.colour)), events=events)

    assert (move.obj.status, move.obj.colour, move.obj.saved) == ("open", "red", [["status", "colour"]])
    assert events.created == [event]
    assert event == {
        "actor": keeper,
        "action": "open",
        "from_status": "shut",
        "to_status": "open",
        "comment": "Visitors",
    }


def test_perform_guard_refusing_changes_nothing():
    move = _move("lock")
    events = FakeEvents()

    def guard(m: DoorMove) -> None:
        raise ValidationError({"comment": "Say why."})

    with pytest.raises(ValidationError):
        perform(move, Rule(guard=guard), events=events)

    assert (move.obj.status, move.obj.saved, events.created) == ("shut", [], [])


def test_perform_runs_the_guard_before_the_status_and_the_effect_after():
    seen: list[tuple[str, str]] = []
    move = _move("open")

    perform(
        move,
        Rule(
            guard=lambda m: seen.append(("guard", m.obj.status)),
            effect=lambda m: seen.append(("effect", m.obj.status)),
        ),
        events=FakeEvents(),
    )

    assert seen == [("guard", "shut"), ("effect", "open")]


@pytest.mark.parametrize("actor", [None, SimpleNamespace(pk=None)], ids=["none", "anonymous"])
def test_perform_records_no_actor_for_the_system(actor):
    events = FakeEvents()

    perform(_move("open", actor=actor), Rule(), events=events)

    assert events.created[0]["actor"] is None
