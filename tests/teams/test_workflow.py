"""Every (status, action) pair of the HIT lifecycle, without a database."""

import pytest

from teams.enums import HITStatus
from teams.workflow import ACTIONS, TRANSITIONS, InvalidTransition, actions_from, get_transition

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


@pytest.mark.parametrize("status", HITStatus.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_table_every_pair(status, action):
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            get_transition(action, status)
    else:
        assert get_transition(action, status).target == expected


def test_unknown_action_is_invalid():
    with pytest.raises(InvalidTransition, match="no action called 'explode'"):
        get_transition("explode", HITStatus.ACTIVE)


def test_closed_is_final():
    assert actions_from(HITStatus.CLOSED) == []


def test_every_status_is_reachable_from_proposed():
    reached, frontier = {HITStatus.PROPOSED.value}, [HITStatus.PROPOSED.value]
    while frontier:
        source = frontier.pop()
        for transition in actions_from(source):
            if transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(HITStatus.values)


def test_table_has_no_duplicate_actions():
    assert len({t.action for t in TRANSITIONS}) == len(TRANSITIONS)
