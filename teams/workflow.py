"""The HIT status lifecycle as a table (docs/domain.md section 3).

    proposed --start_application--> in_application --accredit--> set_up --activate--> active
    active --suspend--> suspended --reinstate--> active
    set_up | active | suspended --begin_closure--> closing --close--> closed
    proposed | in_application --withdraw--> closed

`teams.services.hit_transition` performs every move (core.workflow); the accreditation workflow
calls it with start_application and accredit when an application is submitted or accredited. Every
move but start_application and accredit needs a reason; begin_closure also asks why the HIT closes
(and which HIT it merges into). Other apps may refuse a move through the signal
`teams.signals.hit_transition_requested`: reporting's set-up checklist refuses "activate" until it
holds. The table has no roles: who may move a HIT is `teams.permissions.can_change_hit_status`.
"""

from __future__ import annotations

from core.workflow import Transition, Workflow
from teams.enums import HITStatus as S

CLOSURE_REASON = "closure_reason"

HIT_WORKFLOW = Workflow(
    states=S,
    transitions=(
        Transition("start_application", "Start application", frozenset({S.PROPOSED}), S.IN_APPLICATION),
        Transition("accredit", "Accredit", frozenset({S.IN_APPLICATION}), S.SET_UP),
        Transition("activate", "Move to active", frozenset({S.SET_UP}), S.ACTIVE),
        Transition("suspend", "Suspend", frozenset({S.ACTIVE}), S.SUSPENDED, needs_comment=True),
        Transition("reinstate", "Reinstate", frozenset({S.SUSPENDED}), S.ACTIVE, needs_comment=True),
        Transition(
            "begin_closure",
            "Begin closure",
            frozenset({S.SET_UP, S.ACTIVE, S.SUSPENDED}),
            S.CLOSING,
            needs_comment=True,
            inputs=frozenset({CLOSURE_REASON}),
        ),
        Transition("close", "Close", frozenset({S.CLOSING}), S.CLOSED, needs_comment=True),
        Transition(
            "withdraw", "Withdraw", frozenset({S.PROPOSED, S.IN_APPLICATION}), S.CLOSED, needs_comment=True
        ),
    ),
    illegal="A HIT that is {state} cannot be moved by '{label_lower}'.",
    stale="This HIT was already moved to {state}{who}.",
)
