"""The network round's lifecycle table (engagement/workflow.py)."""

from __future__ import annotations

from engagement.enums import NetworkRoundStatus as S
from engagement.workflow import NETWORK_ROUND_WORKFLOW
from tests.workflow_tables import legal_moves


def test_the_table_allows_exactly_these_moves():
    assert legal_moves(NETWORK_ROUND_WORKFLOW) == {
        (S.PLANNED, "open"): S.OPEN,
        (S.PLANNED, "cancel"): S.CANCELLED,
        (S.OPEN, "remind"): S.OPEN,
        (S.OPEN, "close"): S.CLOSED,
        (S.OPEN, "cancel"): S.CANCELLED,
    }


def test_only_cancelling_needs_a_reason():
    assert {t.action for t in NETWORK_ROUND_WORKFLOW.transitions if t.needs_comment} == {"cancel"}
