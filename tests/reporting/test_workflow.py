"""The progress report workflow table (reporting.workflow.REPORT_WORKFLOW): every (state, action) pair
and the role x action matrix, without a database; and that the service's rules cover every action."""

from __future__ import annotations

import pytest

from core.workflow import InvalidTransition
from reporting.enums import ReportStatus
from reporting.services import reports as services
from reporting.workflow import PROGRAMME_MANAGER, REPORT_WORKFLOW, TEAM
from tests.workflow_tables import legal_moves

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


def test_transition_table_every_pair():
    assert legal_moves(REPORT_WORKFLOW) == EXPECTED


def test_role_x_action_matrix():
    assert {t.action: set(t.roles) for t in REPORT_WORKFLOW.transitions} == ROLE_MATRIX


def test_accepted_and_skipped_are_final():
    assert REPORT_WORKFLOW.actions(ReportStatus.ACCEPTED) == []
    assert REPORT_WORKFLOW.actions(ReportStatus.SKIPPED) == []


def test_decisions_that_send_back_or_skip_need_a_comment():
    assert {t.action for t in REPORT_WORKFLOW.transitions if t.needs_comment} == {"request_changes", "skip"}


def test_illegal_move_names_the_state():
    with pytest.raises(InvalidTransition) as raised:
        REPORT_WORKFLOW.get("accept", ReportStatus.DRAFT)

    assert str(raised.value) == "'Accept' is not possible while the report is draft."


def test_every_action_has_its_rule():
    assert set(services.REPORT_RULES) == set(REPORT_WORKFLOW.action_names)
