"""The progress report workflow as a plain table (docs/domain.md section 3)::

    draft --submit--> submitted --accept--> accepted
                      submitted --request_changes--> changes_requested --submit--> submitted
    draft | changes_requested --skip--> skipped

`reporting.services.report_transition` performs every move (core.workflow): it locks the report,
looks the move up here, checks the actor's role, runs the guard and the effect REPORT_RULES lists
for the action, records a ReportEvent and sends the emails after commit. Roles are relative to the
report: `team` is any current member of the report's HIT (director, co-director or member),
`programme_manager` any programme manager. Requesting changes and skipping need a comment, which
the event keeps.
"""

from __future__ import annotations

from core.workflow import Transition, Workflow
from reporting.enums import ReportStatus

TEAM = "team"
PROGRAMME_MANAGER = "programme_manager"
ROLES = (TEAM, PROGRAMME_MANAGER)

R = ReportStatus

REPORT_WORKFLOW = Workflow(
    states=ReportStatus,
    transitions=(
        Transition(
            "submit", "Submit", frozenset({R.DRAFT, R.CHANGES_REQUESTED}), R.SUBMITTED, frozenset({TEAM})
        ),
        Transition("accept", "Accept", frozenset({R.SUBMITTED}), R.ACCEPTED, frozenset({PROGRAMME_MANAGER})),
        Transition(
            "request_changes",
            "Request changes",
            frozenset({R.SUBMITTED}),
            R.CHANGES_REQUESTED,
            frozenset({PROGRAMME_MANAGER}),
            needs_comment=True,
        ),
        Transition(
            "skip",
            "Skip this report",
            frozenset({R.DRAFT, R.CHANGES_REQUESTED}),
            R.SKIPPED,
            frozenset({PROGRAMME_MANAGER}),
            needs_comment=True,
        ),
    ),
    illegal="'{label}' is not possible while the report is {state}.",
    stale="This report was already {state}{who}; nothing was changed.",
)
