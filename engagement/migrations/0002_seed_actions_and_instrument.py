"""Seed the research's action statements (docs/domain.md R6.13, mapped to elements by F17) and a
first readiness item bank, written in our own words (the source instrument is not public).

Idempotent: rows are matched by code / name and version.
"""

from django.db import migrations

TASKS = {
    "A1": "Leadership behaviours and attributes",
    "A2": "Enhancing trust and interpersonal ties",
    "A3": "Risk tolerance",
    "A4": "Faith and initial faith",
    "A5": "Managing mandated collaborations",
    "A6": "Confidence and formalisation",
    "A7": "Managing and resolving conflict",
    "A8": "Ensuring capacity for implementation",
    "A9": "Cultural integration",
}

STATEMENTS = [
    (
        "A1.1",
        "If leaders show empathy, visibility, commitment and generosity and champion local benefit, then partners behave more collaboratively, because trust and faith grow.",
    ),
    (
        "A1.2",
        "If leaders are absent, unaccountable or resist change, then faith and willingness to collaborate fall markedly.",
    ),
    (
        "A1.3",
        "If partners build a culture of improvement through cultural due diligence, then engagement rises, because faith improves.",
    ),
    (
        "A1.4",
        "If partners share improvement programmes and strategies, then performance improves, because behaviour becomes more collaborative.",
    ),
    (
        "A2.1",
        "If partners understand the legacy of earlier collaborations that went badly, then initial trust is better and conflict less.",
    ),
    (
        "A2.2",
        "If a shared vision builds mutual understanding, then conflict falls, because the atmosphere is cooperative.",
    ),
    ("A2.3", "If quick wins are delivered early, then trust and faith grow, because momentum is kept."),
    (
        "A2.4",
        "If partners understand and mitigate the regulatory environment, then faith grows, because the work seems less complex.",
    ),
    (
        "A2.5",
        "If partners put interpersonal, ideally face-to-face, communication first, then trust grows, because relationships form.",
    ),
    (
        "A2.6",
        "If partners are far apart, then trust is harder to build, because informal contact is rarer; plan for it.",
    ),
    (
        "A2.7",
        "If partners allow flexibility and some autonomy, then trust grows, because conflict over lost autonomy is avoided.",
    ),
    (
        "A3.1",
        "If formalisation is set at the right degree, then collaborative behaviour can happen, because trust or confidence is enough.",
    ),
    (
        "A4.1",
        "If service users and front-line staff help design the work, then faith grows, because the vision stays on key outcomes.",
    ),
    (
        "A4.2",
        "If the vision, outcomes and path are clear from the start, then trust grows, because conflict is avoided.",
    ),
    (
        "A4.3",
        "If ambition is kept at an appropriate level, then faith holds, because missed grand goals do not feel like failure.",
    ),
    (
        "A4.4",
        "If the partners are very large or many, then faith is lower, because the work seems complex; plan for it.",
    ),
    ("A4.5", "If progress is visible through evaluation and milestones, then faith is sustained."),
    ("A4.6", "If champions carry the vision into the workforce, then faith spreads."),
    (
        "A4.7",
        "If staff turnover is kept low, then faith is not lost, because newcomers need not relearn the vision.",
    ),
    (
        "A4.8",
        "If partners understand how the chosen form is seen publicly, then faith holds, because the impact on staff is anticipated.",
    ),
    (
        "A5.1",
        "If partners acknowledge that mandated collaborations tend to have unequal power, then trust suffers less, because extra conflicts are foreseen.",
    ),
    (
        "A5.2",
        "If partners accept that real cooperation cannot be forced, then contracts can reduce perceived risk and enable collaboration.",
    ),
    (
        "A5.3",
        "If partners build working relationships even when collaboration is mandated, then trust and collaborative behaviour follow.",
    ),
    (
        "A6.1",
        "If contract formalisation matches the need, then behaviour is more collaborative, because inter-partner risk falls.",
    ),
    (
        "A6.2",
        "If likely disagreements are explored and accountability is written down, then trust grows, because later disputes settle more easily.",
    ),
    (
        "A7.1",
        "If accountability is shared and clear, then conflict is avoided, because resolution works better.",
    ),
    (
        "A7.2",
        "If there is a clear dispute process with an impartial adjudicator, then trust grows, because conflicts resolve more easily.",
    ),
    ("A7.3", "If the shared vision is clear, then trust grows, because conflict is less likely."),
    (
        "A8.1",
        "If partners recognise the time, effort and money needed, then faith holds, because progress does not seem to stall.",
    ),
    (
        "A8.2",
        "If partners expect an early dip in performance while resources are diverted, then collaboration continues without loss of faith.",
    ),
    (
        "A8.3",
        "If the work starts without enough capacity, then faith and trust are undermined, because progress suffers.",
    ),
    (
        "A8.4",
        "If external funding relied upon fails to arrive, then faith and trust are badly damaged, because capacity vanishes.",
    ),
    ("A9.1", "If partners foster a shared culture, then trust grows, because cultural clashes are fewer."),
    (
        "A9.2",
        "If the collaboration crosses sectors or services, then the cultural divide is wider and integration harder; plan for it.",
    ),
    (
        "A9.3",
        "If cultural due diligence and an integration plan come before implementation, then trust grows, because late surprises are avoided.",
    ),
]


def _codes(prefix: str, first: int, last: int) -> list[str]:
    return [f"{prefix}.{n}" for n in range(first, last + 1)]


# F17: which statements help which element.
ELEMENT_STATEMENTS = {
    "trust": [*_codes("A2", 1, 7), *_codes("A7", 1, 3), "A1.1"],
    "faith": [*_codes("A4", 1, 8), *_codes("A8", 1, 4), *_codes("A1", 1, 3)],
    "confidence": ["A3.1", *_codes("A5", 1, 3), *_codes("A6", 1, 2)],
    "cultural_integration": [*_codes("A9", 1, 3), "A1.3"],
    "legitimacy": ["A4.1", "A4.8", "A5.3"],
    "communication": ["A2.5", "A2.6"],
    "clarity": ["A4.2", "A4.5", "A4.6"],
    "sharedness": ["A2.2", "A7.3"],
    "risk_tolerance": ["A3.1", "A6.1", "A2.7"],
    "capacity": _codes("A8", 1, 4),
}

# (code, dimension, text, reverse-worded)
ITEMS = [
    ("TR1", "trust", "I trust our partner organisations to act in the collaboration's interest.", False),
    ("TR2", "trust", "Past rivalry between the partners still gets in the way.", True),
    ("TR3", "trust", "Disagreements between partners are settled amicably.", False),
    ("FA1", "faith", "This collaboration is worth the effort it takes.", False),
    ("FA2", "faith", "We are making visible progress towards our aims.", False),
    ("FA3", "faith", "The aims feel too ambitious to achieve.", True),
    ("CO1", "confidence", "Our agreements make it safe to act generously towards partners.", False),
    ("CO2", "confidence", "Contracts and rules make it harder to build trust beyond them.", True),
    ("CO3", "confidence", "The formal arrangements suit the kind of collaboration we are.", False),
    ("CU1", "cultural_integration", "We understand how our partners' organisations work.", False),
    ("CU2", "cultural_integration", "Differences in professional culture keep causing friction.", True),
    ("CU3", "cultural_integration", "We are moving towards a shared way of working.", False),
    ("LE1", "legitimacy", "Staff and stakeholders helped shape this collaboration.", False),
    ("LE2", "legitimacy", "Patients and the public have a real say in the collaboration.", False),
    ("LE3", "legitimacy", "The collaboration feels imposed on us.", True),
    ("CM1", "communication", "Information is shared openly across the partner organisations.", False),
    ("CM2", "communication", "Conversations with partners are often awkward.", True),
    ("CM3", "communication", "I can easily reach the right person in a partner organisation.", False),
    ("CL1", "clarity", "I know what this collaboration is trying to achieve.", False),
    ("CL2", "clarity", "There is a clear plan with milestones.", False),
    ("CL3", "clarity", "Even senior people describe the aims differently.", True),
    ("SH1", "sharedness", "All partners agree on the aims.", False),
    ("SH2", "sharedness", "All partners agree on how to get there.", False),
    ("SH3", "sharedness", "Partners openly disagree about the goals.", True),
    ("RT1", "risk_tolerance", "We are willing to act in ways a partner could take advantage of.", False),
    ("RT2", "risk_tolerance", "We hold back for fear partners will not reciprocate.", True),
    ("RT3", "risk_tolerance", "Partners share risks fairly.", False),
    ("CA1", "capacity", "We have enough time to deliver the collaboration's work.", False),
    ("CA2", "capacity", "We have the money and resources the work needs.", False),
    ("CA3", "capacity", "Collaboration work is squeezed out by day-to-day pressures.", True),
]


def seed(apps, schema_editor):
    ActionStatement = apps.get_model("engagement", "ActionStatement")
    Instrument = apps.get_model("engagement", "Instrument")
    Item = apps.get_model("engagement", "Item")
    elements_of: dict[str, list[str]] = {}
    for element, codes in ELEMENT_STATEMENTS.items():
        for code in codes:
            elements_of.setdefault(code, []).append(element)
    for code, text in STATEMENTS:
        ActionStatement.objects.get_or_create(
            code=code,
            defaults={"task": TASKS[code.split(".")[0]], "text": text, "elements": elements_of.get(code, [])},
        )
    instrument, created = Instrument.objects.get_or_create(
        name="Readiness for collaboration",
        version=1,
        defaults={"is_published": True, "notes": "First item bank, written for the portal."},
    )
    if created:
        for position, (code, dimension, text, reverse) in enumerate(ITEMS, start=1):
            Item.objects.create(
                instrument=instrument,
                code=code,
                dimension=dimension,
                text=text,
                reverse_worded=reverse,
                position=position,
            )


class Migration(migrations.Migration):
    dependencies = [("engagement", "0001_stakeholders_ppi_surveys_maturity_scores")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
