"""The accreditation tables (accreditation.workflow): every (state, action) pair of the application
and the EOI workflows, the role x action matrix and the messages, without a database; and that the
services' rules list a guard and an effect place for every action of the tables."""

from __future__ import annotations

import pytest

from accreditation import services
from accreditation.workflow import (
    APPLICANT,
    APPLICATION_WORKFLOW,
    CHAIR,
    DECISION_ACTIONS,
    EOI_WORKFLOW,
    PROGRAMME_MANAGER,
    ApplicationStatus,
    EOIStatus,
)
from core.workflow import InvalidTransition

ROLES = (APPLICANT, CHAIR, PROGRAMME_MANAGER)
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
    **dict.fromkeys(DECISION_ACTIONS, frozenset({CHAIR})),
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


@pytest.mark.parametrize("status", ApplicationStatus.values)
@pytest.mark.parametrize("action", APPLICATION_WORKFLOW.action_names)
def test_application_table_every_pair(status, action):
    expected = APPLICATION_MOVES.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            APPLICATION_WORKFLOW.get(action, status)
    else:
        assert APPLICATION_WORKFLOW.get(action, status).target == expected


@pytest.mark.parametrize("status", EOIStatus.values)
@pytest.mark.parametrize("action", EOI_WORKFLOW.action_names)
def test_eoi_table_every_pair(status, action):
    expected = EOI_MOVES.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            EOI_WORKFLOW.get(action, status)
    else:
        assert EOI_WORKFLOW.get(action, status).target == expected


@pytest.mark.parametrize(
    ("workflow", "moves", "roles"),
    [(APPLICATION_WORKFLOW, APPLICATION_MOVES, APPLICATION_ROLES), (EOI_WORKFLOW, EOI_MOVES, EOI_ROLES)],
    ids=["application", "eoi"],
)
def test_role_x_action_matrix(workflow, moves, roles):
    for status in workflow.states.values:
        for role in ROLES:
            offered = {t.action for t in workflow.actions(status, {role})}
            assert offered == {a for (s, a) in moves if s == status and role in roles[a]}


def test_decisions_and_withdrawing_need_a_comment():
    assert {t.action for t in APPLICATION_WORKFLOW.transitions if t.needs_comment} == {
        *DECISION_ACTIONS,
        "withdraw",
    }
    assert {t.action for t in EOI_WORKFLOW.transitions if t.needs_comment} == {"decline"}


def test_illegal_application_move_names_the_state():
    with pytest.raises(InvalidTransition) as raised:
        APPLICATION_WORKFLOW.get("accredit", ApplicationStatus.DRAFT)

    assert str(raised.value) == "'Accredit' is not possible while it is draft."


def test_illegal_eoi_move_names_the_state():
    with pytest.raises(InvalidTransition) as raised:
        EOI_WORKFLOW.get("invite", EOIStatus.DECLINED)

    assert str(raised.value) == "'Invite to apply' is not possible while it is declined."


def test_final_application_states_offer_no_move():
    for status in ("accredited", "accredited_with_conditions", "not_accredited", "withdrawn"):
        assert APPLICATION_WORKFLOW.actions(status) == []


def test_every_action_has_its_rule():
    assert set(services.APPLICATION_RULES) == set(APPLICATION_WORKFLOW.action_names)
    assert set(services.EOI_RULES) == set(EOI_WORKFLOW.action_names)
