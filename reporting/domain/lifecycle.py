"""Collaboration life-cycle stages and the behaviours that evidence each (docs/domain.md R6.6, in our
own words), and the F15 stage suggestion. Pure functions: no database access.

F15: the suggested stage is the highest stage whose share of ticked behaviours is at least 0.6,
provided every earlier stage also reaches 0.6. A person always confirms the stage; the suggestion
only helps. Dissolution is the alternative ending of the research's life cycle; the rule treats it
as the last stage, so it is suggested only when the earlier stages are evidenced too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from teams.enums import LifecycleStage as Stage

THRESHOLD = Fraction(3, 5)  # exact, so 3 of 5 behaviours counts


@dataclass(frozen=True)
class Behaviour:
    code: str
    stage: str
    text: str


_BEHAVIOURS: dict[str, tuple[str, ...]] = {
    Stage.CONTEMPLATING: (
        "Partners see that they need to work together on the problem before any joint work starts",
        "There is an agreed, legitimate reason for working together",
        "The problem has been defined in words the partners share",
        "The people, skills and money the work would need have been identified",
        "The organisations and people with a stake have been identified",
        "Options have been weighed, including which form of collaboration suits the problem",
    ),
    Stage.CONNECTING: (
        "Partners have begun to build working relationships, often informally",
        "Partners show willingness to cooperate and to trust one another",
        "Partners have got to know each other and talked about future joint work",
        "Each partner has taken a realistic look at what it and the others can offer",
    ),
    Stage.PLANNING: (
        "Targets for the joint work have been set",
        "A management group or team has been established",
        "Shared values and partners' engagement are being actively fostered",
        "The partners have reached a basic agreement on how they will work together",
    ),
    Stage.IMPLEMENTATION: (
        "Joint work is being delivered",
        "Conflicts that arise are being managed",
        "The difficulties of a new working relationship are being worked through",
        "The action plan is evaluated and refined as delivery goes on",
        "Problems are solved jointly as they come up",
    ),
    Stage.MAINTENANCE: (
        "Mechanisms exist to get past barriers when they arise",
        "Trust between partners is being sustained over time",
        "Attention has moved from how the partnership runs to achieving its goals",
        "Long-term outcomes are being achieved",
    ),
    Stage.DISSOLUTION: (
        "The partnership, or parts of it, are being wound down or handed over",
        "One or more partners are ending their involvement",
        "The ending is driven by aims achieved or by conflict that cannot be resolved",
    ),
}

STAGES: tuple[str, ...] = tuple(Stage.values)
BEHAVIOURS: tuple[Behaviour, ...] = tuple(
    Behaviour(code=f"{stage}.{n}", stage=stage, text=text)
    for stage in STAGES
    for n, text in enumerate(_BEHAVIOURS[stage], start=1)
)
BY_CODE: dict[str, Behaviour] = {b.code: b for b in BEHAVIOURS}


def behaviours_of(stage: str) -> tuple[Behaviour, ...]:
    return tuple(b for b in BEHAVIOURS if b.stage == stage)


def shares(ticked: Iterable[str]) -> dict[str, Fraction]:
    """Per stage, the share of its behaviours ticked (unknown codes are ignored)."""
    chosen = {code for code in ticked if code in BY_CODE}
    result: dict[str, Fraction] = {}
    for stage in STAGES:
        own = behaviours_of(stage)
        result[stage] = Fraction(sum(1 for b in own if b.code in chosen), len(own))
    return result


def suggest_stage(ticked: Iterable[str]) -> str | None:
    """F15: the highest stage with share >= 0.6 whose earlier stages all reach 0.6; None if even the
    first stage does not."""
    per_stage = shares(ticked)
    suggested: str | None = None
    for stage in STAGES:
        if per_stage[stage] >= THRESHOLD:
            suggested = stage
        else:
            break
    return suggested
