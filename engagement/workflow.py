"""The partnership network round's lifecycle as a table (docs/domain.md section 8).

    planned --open--> open --close--> closed
    planned | open --cancel--> cancelled
    open --remind--> open   (recorded, the status does not change)

`engagement.services.network` performs every move (core.workflow) and records it as a
NetworkRoundEvent, which the audit log lists. A round also closes when its closing date has passed:
the worker makes that move without an actor (engagement.services.network.network_close_due).
Who may make which move is engagement.permissions (can_edit_engagement, can_close_network_round).
"""

from __future__ import annotations

from core.workflow import Transition, Workflow
from engagement.enums import NetworkRoundStatus as S

NETWORK_ROUND_WORKFLOW = Workflow(
    states=S,
    transitions=(
        Transition("open", "Open and send the links", frozenset({S.PLANNED}), S.OPEN),
        Transition("remind", "Send reminders", frozenset({S.OPEN}), S.OPEN),
        Transition("close", "Close", frozenset({S.OPEN}), S.CLOSED),
        Transition("cancel", "Cancel", frozenset({S.PLANNED, S.OPEN}), S.CANCELLED, needs_comment=True),
    ),
    illegal="A network round that is {state} cannot be moved by '{label_lower}'.",
    stale="This network round was already moved to {state}{who}.",
)
