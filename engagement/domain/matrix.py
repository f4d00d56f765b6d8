"""The collaboration maturity matrix as plain data (docs/domain.md R6.12, after Millar et al. 2023, Table 11).

Nine elements, each with a definition and a descriptor for each of three levels named after Westrum's
typology of organisational culture: 1 pathological (little cooperation, responsibilities dodged),
2 bureaucratic (modest cooperation, narrow responsibilities), 3 generative (high cooperation, risks
shared). The wording is our own paraphrase; the matrix is a prompt for a team's discussion, not a
test with a pass mark.
"""

from __future__ import annotations

from dataclasses import dataclass

from engagement.enums import Dimension, MaturityLevel

LEVELS: tuple[int, ...] = tuple(MaturityLevel.values)

LEVEL_SUMMARIES: dict[int, str] = {
    MaturityLevel.PATHOLOGICAL: "Little cooperation; responsibilities are dodged and change is resisted.",
    MaturityLevel.BUREAUCRATIC: "Some cooperation; each partner keeps to its own narrow responsibilities.",
    MaturityLevel.GENERATIVE: "Strong cooperation; partners share risks and look for better ways of working.",
}


@dataclass(frozen=True)
class Element:
    """One row of the matrix: what the element means and what each level looks like in practice."""

    code: str
    name: str
    definition: str
    pathological: str
    bureaucratic: str
    generative: str

    @property
    def descriptors(self) -> tuple[tuple[int, str, str], ...]:
        """(level, level name, descriptor) for levels 1, 2 and 3."""
        return (
            (MaturityLevel.PATHOLOGICAL.value, MaturityLevel.PATHOLOGICAL.label, self.pathological),
            (MaturityLevel.BUREAUCRATIC.value, MaturityLevel.BUREAUCRATIC.label, self.bureaucratic),
            (MaturityLevel.GENERATIVE.value, MaturityLevel.GENERATIVE.label, self.generative),
        )

    def descriptor(self, level: int) -> str:
        return {level: text for level, _name, text in self.descriptors}[level]


ELEMENTS: tuple[Element, ...] = (
    Element(
        code=Dimension.TRUST,
        name=Dimension.TRUST.label,
        definition="How ready partners are to make themselves vulnerable to each other, expecting "
        "good faith and fair behaviour in return.",
        pathological="There is little trust between partners, perhaps because of past rivalry, a poor "
        "record of working together or open conflict. Power feels lopsided, with one side expected to "
        "gain more than the other.",
        bureaucratic="Trust is moderate. There may be a history of rivalry, but partners have good "
        "reputations and the few conflicts are settled amicably. Power may be unequal, but nobody "
        "expects it to be exploited.",
        generative="Trust is high. Conflicts are rare and settled amicably, old rivalries have been set "
        "aside, and relying on a partner to act generously feels safe. Differences in power neither "
        "block the work nor look likely to be exploited.",
    ),
    Element(
        code=Dimension.FAITH,
        name=Dimension.FAITH.label,
        definition="The motivation and energy people bring to the collaboration: whether they believe "
        "it is worth doing and can succeed.",
        pathological="Staff think the collaboration is not worthwhile or close to impossible: too "
        "ambitious or too complicated. Resources feel inadequate, progress is hard to see and leaders "
        "give it too little support.",
        bureaucratic="The collaboration is seen as probably worthwhile. Progress is slow and the work is "
        "hard but not impossible; resources are adequate but it feels uphill. Leaders are supportive "
        "but not focused on delivery.",
        generative="People are keen and morale is high, with a strong sense of progress towards the "
        "collaboration's aims.",
    ),
    Element(
        code=Dimension.CONFIDENCE,
        name=Dimension.CONFIDENCE.label,
        definition="The belief that partners will collaborate because formal arrangements (contracts, "
        "agreements, legal frameworks) oblige them to.",
        pathological="The formal arrangements do not fit: a mandated or deeply integrated collaboration "
        "(such as a merger) lacks the legal framework it needs, or a voluntary, loosely joined one is "
        "weighed down by frameworks that stifle trust. Either way, acting generously feels too risky.",
        bureaucratic="Partners have agreed formal arrangements that let them act generously without "
        "fear, but the contractual obligations make it hard to build trust beyond what the contract "
        "requires.",
        generative="The formal arrangements fit the kind of collaboration exactly. Nobody sees a risk "
        "in collaborating, and the arrangements leave room for the generosity that builds trust.",
    ),
    Element(
        code=Dimension.CULTURAL_INTEGRATION,
        name=Dimension.CULTURAL_INTEGRATION.label,
        definition="How readily the partners' organisational and professional cultures can be "
        "blended, or at least understood across the boundary.",
        pathological="People see little chance of the cultures coming together, and there is no visible "
        "movement towards a blended culture or towards partners understanding each other.",
        bureaucratic="Some integration seems possible, but it is hard going.",
        generative="The cultures are already alike, or are clearly moving towards a blended culture, or "
        "towards partners understanding each other and working well across their differences.",
    ),
    Element(
        code=Dimension.LEGITIMACY,
        name=Dimension.LEGITIMACY.label,
        definition="Whether people see the collaboration as a genuine way of reaching its stated aims.",
        pathological="The collaboration is not seen as legitimate, undermined because it was imposed or "
        "because stakeholders and staff were left out.",
        bureaucratic="The collaboration is seen as fairly legitimate: it may have been mandated, but "
        "stakeholders and staff help to plan and deliver it.",
        generative="The collaboration is widely seen as legitimate. Staff feel strong ownership and "
        "patients and the public are involved.",
    ),
    Element(
        code=Dimension.COMMUNICATION,
        name=Dimension.COMMUNICATION.label,
        definition="How freely people talk and share information with each other across the partner "
        "organisations.",
        pathological="There is little communication, it is awkward when it happens, and organisations "
        "are reluctant to share information with each other.",
        bureaucratic="There is some communication, sometimes awkward, and organisations are warming to "
        "sharing information.",
        generative="Communication and information sharing are open, frequent and natural. Both sides are "
        "receptive, relationships are growing, and information about patients' care flows smoothly "
        "where it is needed.",
    ),
    Element(
        code=Dimension.CLARITY,
        name=Dimension.CLARITY.label,
        definition="How clear the collaboration's aims and objectives are, and the route to reaching them.",
        pathological="The aims are unclear and everyone has a different idea of them; the route is just "
        "as unclear, and even senior managers disagree.",
        bureaucratic="Senior managers and the people who designed the collaboration broadly agree on its "
        "aims, but the picture is patchier further down. It is partly clear how the improvements will "
        "come about.",
        generative="Most people in every partner agree on the aims. The logic linking the collaboration "
        "to the improvements it seeks is clear, and so is the timeline of milestones.",
    ),
    Element(
        code=Dimension.SHAREDNESS,
        name=Dimension.SHAREDNESS.label,
        definition="How far the aims, objectives and plan are held in common across the partners.",
        pathological="There is no agreement within or between partners; they actively disagree, even "
        "about the goals.",
        bureaucratic="Partners agree on the outcomes they want but not on how to get there. "
        "Disagreements happen now and then and are mostly settled amicably.",
        generative="Partners fully agree on the aims and the route and have formally signed off a plan. "
        "The agreement extends to how they work together, with little or no conflict even over "
        "details.",
    ),
    Element(
        code=Dimension.RISK_TOLERANCE,
        name=Dimension.RISK_TOLERANCE.label,
        definition="How willing partners are to act in ways that another partner could take advantage of.",
        pathological="Partners will not act generously, fearing that others will not return the favour "
        "or will exploit them competitively.",
        bureaucratic="Partners act generously in some areas but not others: trust or confidence is not "
        "yet strong enough, and competitive behaviour is feared in certain areas.",
        generative="Nothing holds partners back: the fear of being exploited has gone, there is enough "
        "trust and confidence to pursue joint aims, and generosity is experienced in both directions.",
    ),
)

BY_CODE: dict[str, Element] = {element.code: element for element in ELEMENTS}


def element_name(code: str) -> str:
    element = BY_CODE.get(code)
    return element.name if element else str(code)


def level_name(level: float | None) -> str:
    """The name of a level; "" for anything else (None, or a median that falls between two levels)."""
    return MaturityLevel(level).label if level in LEVELS else ""
