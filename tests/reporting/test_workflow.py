"""The progress report workflow table: every (state, action) pair and the role x action matrix,
without a database."""

from __future__ import annotations

import pytest

from reporting.enums import ReportStatus
from reporting.workflow import (
    ACTIONS,
    PROGRAMME_MANAGER,
    ROLES,
    TEAM,
    TRANSITIONS,
    InvalidTransition,
    actions_for,
    get_transition,
)

EXPECTED = {
    ("draft", "submit"): "submitted",
    ("draft", "skip"): "skipped",
    ("submitted", "accept"): "accepted",
    ("submitted", "request_changes"): "changes_requested",
    ("changes_requested", "submit"): "submitted",
    ("changes_requested", "skip"): "skipped",
}

ROLE_MATRIX = {
    "submit": {TEAM},
    "accept": {PROGRAMME_MANAGER},
    "request_changes": {PROGRAMME_MANAGER},
    "skip": {PROGRAMME_MANAGER},
}


@pytest.mark.parametrize("status", ReportStatus.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_table_every_pair(status, action):
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            get_transition(action, status)
    else:
        assert get_transition(action, status).target == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_role_x_action_matrix(role, action):
    assert (role in get_transition(action, _a_source(action)).roles) == (role in ROLE_MATRIX[action])


def _a_source(action: str) -> str:
    return next(source for source, a in EXPECTED if a == action)


@pytest.mark.parametrize("status", ReportStatus.values)
def test_actions_offered_match_the_table(status):
    for role in ROLES:
        offered = {t.action for t in actions_for(status, {role})}
        assert offered == {a for (s, a) in EXPECTED if s == status and role in ROLE_MATRIX[a]}


def test_accepted_and_skipped_are_final():
    assert actions_for(ReportStatus.ACCEPTED, set(ROLES)) == []
    assert actions_for(ReportStatus.SKIPPED, set(ROLES)) == []


def test_decisions_that_send_back_or_skip_need_a_comment():
    assert {t.action for t in TRANSITIONS if t.needs_comment} == {"request_changes", "skip"}


def test_unknown_action_is_invalid():
    with pytest.raises(InvalidTransition, match="no action called 'publish'"):
        get_transition("publish", ReportStatus.DRAFT)


def test_illegal_move_names_the_state():
    with pytest.raises(InvalidTransition, match=r"'Accept' is not possible while the report is draft\."):
        get_transition("accept", ReportStatus.DRAFT)
