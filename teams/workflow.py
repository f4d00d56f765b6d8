"""The HIT status lifecycle as a table (DOMAIN.md section 3).

    proposed --start_application--> in_application --accredit--> set_up --activate--> active
    active --suspend--> suspended --reinstate--> active
    set_up | active | suspended --begin_closure--> closing --close--> closed
    proposed | in_application --withdraw--> closed

`teams.services.hit_transition` performs every move; the accreditation workflow calls it with
start_application and accredit when an application is submitted or accredited.
"""

from __future__ import annotations

from dataclasses import dataclass

from teams.enums import HITStatus as S


@dataclass(frozen=True)
class HITTransition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    needs_closure_reason: bool = False


TRANSITIONS: tuple[HITTransition, ...] = (
    HITTransition("start_application", "Start application", frozenset({S.PROPOSED}), S.IN_APPLICATION),
    HITTransition("accredit", "Accredit", frozenset({S.IN_APPLICATION}), S.SET_UP),
    HITTransition("activate", "Move to active", frozenset({S.SET_UP}), S.ACTIVE),
    HITTransition("suspend", "Suspend", frozenset({S.ACTIVE}), S.SUSPENDED, needs_reason=True),
    HITTransition("reinstate", "Reinstate", frozenset({S.SUSPENDED}), S.ACTIVE, needs_reason=True),
    HITTransition(
        "begin_closure",
        "Begin closure",
        frozenset({S.SET_UP, S.ACTIVE, S.SUSPENDED}),
        S.CLOSING,
        needs_reason=True,
        needs_closure_reason=True,
    ),
    HITTransition("close", "Close", frozenset({S.CLOSING}), S.CLOSED, needs_reason=True),
    HITTransition(
        "withdraw",
        "Withdraw",
        frozenset({S.PROPOSED, S.IN_APPLICATION}),
        S.CLOSED,
        needs_reason=True,
    ),
)

_BY_ACTION = {t.action: t for t in TRANSITIONS}
ACTIONS: tuple[str, ...] = tuple(_BY_ACTION)


class InvalidTransition(Exception):
    """The action does not exist, or is not allowed from the HIT's current status."""


def get_transition(action: str, source: str) -> HITTransition:
    transition = _BY_ACTION.get(action)
    if transition is None:
        raise InvalidTransition(f"There is no action called {action!r}.")
    if source not in transition.sources:
        raise InvalidTransition(
            f"A HIT that is {S(source).label.lower()} cannot be moved by '{transition.label.lower()}'."
        )
    return transition


def actions_from(source: str) -> list[HITTransition]:
    return [t for t in TRANSITIONS if source in t.sources]


def label_for(action: str) -> str:
    transition = _BY_ACTION.get(action)
    return transition.label if transition else action.replace("_", " ").capitalize()
