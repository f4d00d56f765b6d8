"""The HIT lifecycle table (teams.workflow.HIT_WORKFLOW): every (status, action) pair, without a database."""

import pytest

from core.workflow import InvalidTransition
from teams.enums import HITStatus
from teams.workflow import CLOSURE_REASON, HIT_WORKFLOW
from tests.workflow_tables import legal_moves

EXPECTED = {
    ("proposed", "start_application"): "in_application",
    ("proposed", "withdraw"): "closed",
    ("in_application", "accredit"): "set_up",
    ("in_application", "withdraw"): "closed",
    ("set_up", "activate"): "active",
    ("set_up", "begin_closure"): "closing",
    ("active", "suspend"): "suspended",
    ("active", "begin_closure"): "closing",
    ("suspended", "reinstate"): "active",
    ("suspended", "begin_closure"): "closing",
    ("closing", "close"): "closed",
}


def test_transition_table_every_pair():
    assert legal_moves(HIT_WORKFLOW) == EXPECTED


def test_illegal_move_names_the_status_and_the_action():
    with pytest.raises(InvalidTransition) as raised:
        HIT_WORKFLOW.get("suspend", HITStatus.SET_UP)

    assert str(raised.value) == "A HIT that is set-up cannot be moved by 'suspend'."


def test_closed_is_final():
    assert HIT_WORKFLOW.actions(HITStatus.CLOSED) == []


def test_every_status_is_reachable_from_proposed():
    reached, frontier = {HITStatus.PROPOSED.value}, [HITStatus.PROPOSED.value]
    while frontier:
        source = frontier.pop()
        for transition in HIT_WORKFLOW.actions(source):
            if transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(HITStatus.values)


def test_every_move_a_person_makes_needs_a_reason():
    assert {t.action for t in HIT_WORKFLOW.transitions if not t.needs_comment} == {
        "start_application",
        "accredit",
        "activate",
    }


def test_only_beginning_closure_asks_why():
    assert [t.action for t in HIT_WORKFLOW.transitions if CLOSURE_REASON in t.inputs] == ["begin_closure"]
