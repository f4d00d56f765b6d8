"""The progress report workflow as a plain table (DOMAIN.md section 3)::

    draft --submit--> submitted --accept--> accepted
                      submitted --request_changes--> changes_requested --submit--> submitted
    draft | changes_requested --skip--> skipped

`reporting.services.report_transition` performs every move: it locks the report, looks the move
up here, checks the actor's role, runs the guard, records a ReportEvent and sends the emails after
commit. Roles are relative to the report: `team` is any current member of the report's HIT
(director, co-director or member), `programme_manager` any programme manager. Requesting changes
and skipping need a comment, which the event keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporting.enums import ReportStatus

TEAM = "team"
PROGRAMME_MANAGER = "programme_manager"
ROLES = (TEAM, PROGRAMME_MANAGER)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_comment: bool = False


R = ReportStatus

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", "Submit", frozenset({R.DRAFT, R.CHANGES_REQUESTED}), R.SUBMITTED, frozenset({TEAM})),
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
)

_BY_ACTION = {t.action: t for t in TRANSITIONS}
ACTIONS: tuple[str, ...] = tuple(_BY_ACTION)


class InvalidTransition(Exception):
    """The action does not exist, or is not allowed from the report's current state."""


def get_transition(action: str, source: str) -> Transition:
    transition = _BY_ACTION.get(action)
    if transition is None:
        raise InvalidTransition(f"There is no action called {action!r}.")
    if source not in transition.sources:
        raise InvalidTransition(
            f"'{transition.label}' is not possible while the report is {R(source).label.lower()}."
        )
    return transition


def actions_for(source: str, roles: frozenset[str] | set[str]) -> list[Transition]:
    """The moves these roles may make from `source` (the page offers exactly these)."""
    return [t for t in TRANSITIONS if source in t.sources and t.roles & roles]


def label_for(action: str) -> str:
    transition = _BY_ACTION.get(action)
    return transition.label if transition else action.replace("_", " ").capitalize()
