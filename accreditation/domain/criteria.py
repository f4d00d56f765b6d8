"""Review criteria: the four concepts' indicators (docs/domain.md R5.1-5.4), rated 0-3.

Lay (public review group) reviewers rate the PPI criteria only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    code: str
    concept: str
    text: str
    section: str  # the application section it mostly draws on


CONCEPTS = ("Whole-system engagement", "Collaboration", "Integration", "Innovation")

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "W1", CONCEPTS[0], "Names who must be involved and how, linked to specific outcomes", "stakeholders"
    ),
    Criterion("W2", CONCEPTS[0], "Every stakeholder category is represented", "stakeholders"),
    Criterion("W3", CONCEPTS[0], "Commissioners are involved, ideally in leadership", "stakeholders"),
    Criterion(
        "W4", CONCEPTS[0], "Public involvement reaches decisions, beyond logistics and satisfaction", "ppi"
    ),
    Criterion("W5", CONCEPTS[0], "The application process has created new connections", "stakeholders"),
    Criterion("W6", CONCEPTS[0], "The problem is framed across organisational and sector boundaries", "aims"),
    Criterion(
        "C1", CONCEPTS[1], "An executive sponsor at the most senior level is named and active", "governance"
    ),
    Criterion("C2", CONCEPTS[1], "Working groups are led by one academic and one service lead", "governance"),
    Criterion("C3", CONCEPTS[1], "Theme leads hold dual NHS and academic appointments", "governance"),
    Criterion(
        "C4", CONCEPTS[1], "The HIT is embedded in host structures with clear reporting lines", "governance"
    ),
    Criterion("C7", CONCEPTS[1], "Coordination with related HITs is planned", "coordination"),
    Criterion(
        "C8",
        CONCEPTS[1],
        "Data sharing has information-governance leads and a route to agreement",
        "data_sharing",
    ),
    Criterion("C9", CONCEPTS[1], "Skills gaps are identified with a plan to fill them", "skills"),
    Criterion("C10", CONCEPTS[1], "Patient and public involvement is built into the structures", "ppi"),
    Criterion("I1", CONCEPTS[2], "Plans for patient-centred, joined-up services", "integration"),
    Criterion("I3", CONCEPTS[2], "Work with commissioners towards integrated care", "integration"),
    Criterion("I7", CONCEPTS[2], "Coverage along the pathway from prevention to end of life", "integration"),
    Criterion(
        "N1", CONCEPTS[3], "Industry and third-sector collaborations and what they bring", "innovation"
    ),
    Criterion("N3", CONCEPTS[3], "Pilots of new interventions or services, with evaluation", "innovation"),
    Criterion("N6", CONCEPTS[3], "Education and training innovations", "innovation"),
)
LAY_CRITERIA = ("W4", "C10")
_BY_CODE = {c.code: c for c in CRITERIA}


def criteria_for(*, is_lay: bool) -> tuple[Criterion, ...]:
    if is_lay:
        return tuple(_BY_CODE[code] for code in LAY_CRITERIA)
    return CRITERIA


def get_criterion(code: str) -> Criterion:
    return _BY_CODE[code]
