"""A helper for the tests of each app's workflow tables (tests/<app>/test_workflow.py)."""

from __future__ import annotations

from core.workflow import InvalidTransition, Workflow


def legal_moves(workflow: Workflow) -> dict[tuple[str, str], str]:
    """Every (status, action) pair the table allows and the status it leads to, found by asking
    `workflow.get` about every pair of its states and actions (the others raise InvalidTransition)."""
    found: dict[tuple[str, str], str] = {}
    for status in workflow.states.values:
        for action in workflow.action_names:
            try:
                found[(status, action)] = workflow.get(action, status).target
            except InvalidTransition:
                continue
    return found
