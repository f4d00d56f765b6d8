"""The accreditation tables (accreditation.workflow): every (state, action) pair of the application
and the EOI workflows, the role x action matrix and the messages, without a database; and that the
services list a rule for every action of the tables."""

from __future__ import annotations

import pytest

from accreditation.enums import ApplicationStatus, EOIStatus
from accreditation.services.applications import APPLICATION_RULES
from accreditation.services.eois import EOI_RULES
from accreditation.workflow import (
    APPLICANT,
    APPLICATION_WORKFLOW,
    CHAIR,
    DECISION_ACTIONS,
    EOI_WORKFLOW,
    PROGRAMME_MANAGER,
)
from core.workflow import InvalidTransition
from tests.workflow_tables import legal_moves

APPLICATION_MOVES = {
    ("draft", "submit"): "submitted",
    ("submitted", "start_review"): "under_review",
    ("under_review", "issue_feedback"): "feedback",
    ("feedback", "revise"): "draft",
    ("deferred", "revise"): "draft",
    ("under_review", "accredit"): "accredited",
    ("under_review", "accredit_with_conditions"): "accredited_with_conditions",
    ("under_review", "defer"): "deferred",
    ("under_review", "not_accredit"): "not_accredited",
    **{
        (status, "withdraw"): "withdrawn"
        for status in ("draft", "submitted", "under_review", "feedback", "deferred")
    },
}
APPLICATION_ROLES = {
    "submit": {APPLICANT},
    "start_review": {CHAIR, PROGRAMME_MANAGER},
    "issue_feedback": {CHAIR},
    "revise": {APPLICANT},
    **{action: {CHAIR} for action in DECISION_ACTIONS},
    "withdraw": {APPLICANT},
}
EOI_MOVES = {
    ("draft", "submit"): "submitted",
    ("submitted", "invite"): "invited",
    ("submitted", "decline"): "declined",
}
EOI_ROLES = {
    "submit": {APPLICANT},
    "invite": {CHAIR, PROGRAMME_MANAGER},
    "decline": {CHAIR, PROGRAMME_MANAGER},
}


def test_application_table_every_pair():
    assert legal_moves(APPLICATION_WORKFLOW) == APPLICATION_MOVES


def test_eoi_table_every_pair():
    assert legal_moves(EOI_WORKFLOW) == EOI_MOVES


def test_role_x_action_matrix():
    assert {t.action: set(t.roles) for t in APPLICATION_WORKFLOW.transitions} == APPLICATION_ROLES
    assert {t.action: set(t.roles) for t in EOI_WORKFLOW.transitions} == EOI_ROLES


def test_decisions_and_withdrawing_need_a_comment():
    assert {t.action for t in APPLICATION_WORKFLOW.transitions if t.needs_comment} == {
        *DECISION_ACTIONS,
        "withdraw",
    }
    assert {t.action for t in EOI_WORKFLOW.transitions if t.needs_comment} == {"decline"}


@pytest.mark.parametrize(
    ("workflow", "action", "status", "message"),
    [
        (
            APPLICATION_WORKFLOW,
            "accredit",
            ApplicationStatus.DRAFT,
            "'Accredit' is not possible while it is draft.",
        ),
        (
            EOI_WORKFLOW,
            "invite",
            EOIStatus.DECLINED,
            "'Invite to apply' is not possible while it is declined.",
        ),
    ],
    ids=["application", "eoi"],
)
def test_illegal_move_names_the_state(workflow, action, status, message):
    with pytest.raises(InvalidTransition) as raised:
        workflow.get(action, status)

    assert str(raised.value) == message


def test_final_application_states_offer_no_move():
    for status in ("accredited", "accredited_with_conditions", "not_accredited", "withdrawn"):
        assert APPLICATION_WORKFLOW.actions(status) == []


def test_every_action_has_its_rule():
    assert set(APPLICATION_RULES) == set(APPLICATION_WORKFLOW.action_names)
    assert set(EOI_RULES) == set(EOI_WORKFLOW.action_names)
