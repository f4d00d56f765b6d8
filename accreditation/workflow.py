"""The accreditation workflows as plain tables (docs/domain.md section 3).

Application::

    draft --submit--> submitted --start_review--> under_review
    under_review --issue_feedback--> feedback --revise--> draft        (the loop may turn many times;
                                                                         each submit freezes revision N)
    under_review --accredit-->                    accredited
    under_review --accredit_with_conditions-->    accredited_with_conditions
    under_review --defer-->                       deferred --revise--> draft
    under_review --not_accredit-->                not_accredited
    draft | submitted | under_review | feedback | deferred --withdraw--> withdrawn

Expression of interest::

    draft --submit--> submitted --invite--> invited      (creates the HIT and an application draft)
                                --decline--> declined

Condition of an accreditation::

    open --submit_evidence--> awaiting_acceptance --accept--> closed
                              awaiting_acceptance --send_back--> open   (with the reason)

`accreditation.services.application_transition` and `eoi_transition` perform every move
(core.workflow): they lock the row, look the move up here, check the actor's role, run the guard
and the effect their rules list for the action (APPLICATION_RULES, EOI_RULES), record an event and
send notifications after commit. Roles are relative to the object: `applicant` is a current
director or co-director of the application's HIT (or the EOI's author), `chair` the chair of a
panel of the round, `programme_manager` any programme manager.
"""

from __future__ import annotations

from accreditation.enums import ApplicationStatus, ConditionStatus, EOIStatus
from core.workflow import Transition, Workflow

FINAL_APPLICATION_STATES = frozenset(
    {
        ApplicationStatus.ACCREDITED,
        ApplicationStatus.ACCREDITED_WITH_CONDITIONS,
        ApplicationStatus.NOT_ACCREDITED,
        ApplicationStatus.WITHDRAWN,
    }
)
DECISION_ACTIONS = ("accredit", "accredit_with_conditions", "defer", "not_accredit")

APPLICANT = "applicant"
CHAIR = "chair"
PROGRAMME_MANAGER = "programme_manager"


A = ApplicationStatus
_NON_FINAL = frozenset({A.DRAFT, A.SUBMITTED, A.UNDER_REVIEW, A.FEEDBACK, A.DEFERRED})
_PANEL = frozenset({CHAIR, PROGRAMME_MANAGER})

APPLICATION_WORKFLOW = Workflow(
    states=ApplicationStatus,
    transitions=(
        Transition("submit", "Submit", frozenset({A.DRAFT}), A.SUBMITTED, frozenset({APPLICANT})),
        Transition("start_review", "Start review", frozenset({A.SUBMITTED}), A.UNDER_REVIEW, _PANEL),
        Transition(
            "issue_feedback", "Release feedback", frozenset({A.UNDER_REVIEW}), A.FEEDBACK, frozenset({CHAIR})
        ),
        Transition("revise", "Revise", frozenset({A.FEEDBACK, A.DEFERRED}), A.DRAFT, frozenset({APPLICANT})),
        Transition(
            "accredit",
            "Accredit",
            frozenset({A.UNDER_REVIEW}),
            A.ACCREDITED,
            frozenset({CHAIR}),
            needs_comment=True,
        ),
        Transition(
            "accredit_with_conditions",
            "Accredit with conditions",
            frozenset({A.UNDER_REVIEW}),
            A.ACCREDITED_WITH_CONDITIONS,
            frozenset({CHAIR}),
            needs_comment=True,
            inputs=frozenset({"conditions"}),
        ),
        Transition(
            "defer", "Defer", frozenset({A.UNDER_REVIEW}), A.DEFERRED, frozenset({CHAIR}), needs_comment=True
        ),
        Transition(
            "not_accredit",
            "Do not accredit",
            frozenset({A.UNDER_REVIEW}),
            A.NOT_ACCREDITED,
            frozenset({CHAIR}),
            needs_comment=True,
        ),
        Transition(
            "withdraw", "Withdraw", _NON_FINAL, A.WITHDRAWN, frozenset({APPLICANT}), needs_comment=True
        ),
    ),
    illegal="'{label}' is not possible while it is {state}.",
    stale="This application was already {state}{who}; nothing was changed.",
)

E = EOIStatus
EOI_WORKFLOW = Workflow(
    states=EOIStatus,
    transitions=(
        Transition("submit", "Submit", frozenset({E.DRAFT}), E.SUBMITTED, frozenset({APPLICANT})),
        Transition("invite", "Invite to apply", frozenset({E.SUBMITTED}), E.INVITED, _PANEL),
        Transition("decline", "Decline", frozenset({E.SUBMITTED}), E.DECLINED, _PANEL, needs_comment=True),
    ),
    illegal="'{label}' is not possible while it is {state}.",
    stale="This expression of interest was already {state}{who}.",
)

C = ConditionStatus
CONDITION_WORKFLOW = Workflow(
    states=ConditionStatus,
    transitions=(
        Transition("submit_evidence", "Evidence sent", frozenset({C.OPEN}), C.AWAITING_ACCEPTANCE),
        Transition("accept", "Evidence accepted", frozenset({C.AWAITING_ACCEPTANCE}), C.CLOSED),
        Transition("send_back", "Sent back", frozenset({C.AWAITING_ACCEPTANCE}), C.OPEN, needs_comment=True),
    ),
    illegal="'{label}' is not possible while the condition is {state}.",
    stale="This condition is already {state}{who}.",
)
