"""The demo's engagement records, as tables: the Dementia HIT's manual stakeholder map rows,
standards self-assessment, maturity assessment, action plan, readiness survey respondents and
support request, the PPI logs of several HITs, and the Maternity HIT's public review. Loaded by
demo/engagement.py."""

from __future__ import annotations

from dataclasses import dataclass

# Manual rows on the Dementia HIT's stakeholder map: (organisation key, category, depth, role, evidence).
DEMENTIA_MAP_ROWS = (
    (
        "council",
        "OPS",
        1,
        "Adult social care consulted on the carers' offer",
        "Commissioning manager attended the March workshop.",
    ),
    (
        "patients_voice",
        "PUBLIC",
        2,
        "Two volunteers on the Living well at home working group",
        "Named in the working group's terms of reference.",
    ),
)


@dataclass(frozen=True)
class Activity:
    """One PPI log entry (engagement.services_ppi.activity_create)."""

    slug: str
    days_ago: int
    activity_type: str
    description: str
    patients: int
    carers: int
    public: int
    hours: str
    level: str
    decision_forum: str
    impact: str
    recognition: str
    recorded_by: str  # login key


PPI_LOG = (
    Activity(
        "dementia",
        18,
        "governance",
        "Carer representatives agreed the post-diagnostic support specification at the management group.",
        0,
        2,
        0,
        "3.0",
        "coproduce",
        "hit_leadership",
        "The specification now guarantees a named contact for every carer.",
        "payment",
        "director",
    ),
    Activity(
        "dementia",
        44,
        "workshop",
        "Memory café members tested the new diagnosis letter and support plan.",
        6,
        4,
        0,
        "2.0",
        "involve",
        "hit_group",
        "The letter was rewritten in plain English with a larger font.",
        "expenses",
        "director",
    ),
    Activity(
        "dementia",
        75,
        "governance",
        "Two carers presented the case for a carers' support worker to the ICB's ageing well board.",
        0,
        2,
        0,
        "4.0",
        "coproduce",
        "commissioning",
        "The board funded a carers' support worker for a year.",
        "payment",
        "ppi",
    ),
    Activity(
        "chronic-kidney-disease",
        28,
        "meeting",
        "The kidney patients' association reviewed the home dialysis information pack.",
        5,
        1,
        0,
        "2.5",
        "consult",
        "delivery",
        "Two sections added on training for dialysis at home.",
        "expenses",
        "ppi",
    ),
    Activity(
        "child-injury-prevention",
        52,
        "research",
        "Parents co-designed the questions of the home safety check.",
        0,
        8,
        0,
        "6.0",
        "involve",
        "hit_group",
        "Questions reordered; a section on window restrictors added.",
        "voucher",
        "ppi",
    ),
    Activity(
        "avoidable-admissions",
        12,
        "survey",
        "Online consultation on the two-hour rapid response service.",
        0,
        0,
        41,
        "0",
        "consult",
        "none",
        "",
        "none",
        "ppi",
    ),
    Activity(
        "obesity",
        16,
        "workshop",
        "Young Avon Health Forum workshop on the family healthy weight offer.",
        0,
        0,
        12,
        "2.0",
        "consult",
        "none",
        "Young people asked for the offer to run in youth centres, not clinics.",
        "voucher",
        "ppi",
    ),
    # Nothing logged since: the PPI caseload flags the HIT (no involvement for 90 days or more).
    Activity(
        "drugs-and-alcohol",
        130,
        "workshop",
        "Peer recovery champions reviewed the alcohol care team's referral pathway.",
        7,
        0,
        0,
        "3.0",
        "involve",
        "hit_group",
        "Referral is now offered at discharge, not only on admission.",
        "voucher",
        "ppi",
    ),
)

# The Dementia HIT's self-assessment against the six UK Standards for Public Involvement.
DEMENTIA_STANDARDS = {
    "inclusive_opportunities": (
        2,
        "Meetings in memory cafés and at home; few carers from minority communities yet.",
    ),
    "working_together": (3, "Carers co-chair the Living well at home working group."),
    "support_and_learning": (2, "Induction for new carer members; no training budget yet."),
    "communications": (2, "A newsletter after each management group; plain-English summaries."),
    "impact": (2, "The log records what changed after each activity."),
    "governance": (3, "Two carers sit on the management group with a vote."),
}
# The public review group reviews the PPI arrangements of HITs in set-up (docs/domain.md section 4).
MATERNITY_PUBLIC_REVIEW = (
    2,
    True,
    "Mothers who used the service sit on the continuity of carer working group and shaped its plan. The HIT "
    "should now pay them for their time and reach women from the communities that book late.",
)

# Maturity matrix consensus of the Dementia HIT: element -> (level 1-3, rationale).
DEMENTIA_MATURITY = {
    "trust": (3, "Partners share problems early and openly at the management group."),
    "faith": (3, "Waits have fallen for two years; everyone sees the collaboration paying off."),
    "confidence": (2, "Agreements work, but the data-sharing agreement took a year to sign."),
    "cultural_integration": (2, "Clinicians and the voluntary sector still work to different rhythms."),
    "legitimacy": (2, "Carers shape decisions; front-line staff in practices know little of the HIT."),
    "communication": (3, "Named contacts in every partner; problems sorted by phone, not by letter."),
    "clarity": (3, "Everyone can state the six-week aim."),
    "sharedness": (2, "Partners agree the aims but not yet who funds the carers' support worker."),
    "risk_tolerance": (1, "Partners still hold back budgets for joint posts."),
}
DEMENTIA_MATURITY_PARTICIPANTS = (
    "Management group away day: Helen Carter, Laura McKenzie, Patricia Norris, Dawn Fletcher, Dr Mohammed Iqbal, "
    "Sheila Jackson (carer)"
)
# (title, owner person key, due in days, status, statement code, element)
DEMENTIA_ACTIONS = (
    (
        "Pool a joint budget for the carers' support worker beyond its first year",
        "sponsor",
        90,
        "planned",
        "A3.1",
        "risk_tolerance",
    ),
    (
        "Deliver a quick win: one information pack for carers from every partner",
        "fletcher",
        45,
        "in_progress",
        "A2.3",
        "trust",
    ),
)

SURVEY_INSTRUMENT = "Readiness for collaboration"  # the item bank engagement's data migration publishes

# The Dementia HIT's readiness survey: respondents (organisation key or "" for prefer not to say, role
# group), each answering in line with their organisation's profile. Community Health has three
# respondents, fewer than five, so its group is suppressed on every page.
SURVEY_TITLE = "Partner readiness survey, wave 1"
SURVEY_RESPONDENTS = (
    *(
        ("mh", role)
        for role in ("clinical", "clinical", "management", "leadership", "clinical", "management")
    ),
    *(("carers", role) for role in ("public", "public", "other", "public", "other")),
    *(("community", role) for role in ("clinical", "clinical", "management")),
    ("", ""),
)
# Wave 2, open now: six answers so far. Its results appear only when it closes.
SURVEY_OPEN_TITLE = "Partner readiness survey, wave 2"
SURVEY_OPEN_RESPONDENTS = (
    ("mh", "clinical"),
    ("mh", "management"),
    ("carers", "public"),
    ("carers", "public"),
    ("community", "clinical"),
    ("", ""),
)
SURVEY_OPEN_NOT_ANSWERED = (
    "mh.colleague7@example.org",
    "carers.volunteer6@example.org",
    "community.nurse4@example.org",
    "community.nurse5@example.org",
)
SURVEY_NOT_ANSWERED = (
    "mh.colleague7@example.org",
    "carers.volunteer6@example.org",
    "community.nurse4@example.org",
)
# Agreement (1-5, after reverse-coding) each organisation tends to give, per dimension.
_DIMENSIONS = (
    "trust",
    "faith",
    "confidence",
    "cultural_integration",
    "legitimacy",
    "communication",
    "clarity",
    "sharedness",
    "risk_tolerance",
    "capacity",
)
SURVEY_PROFILES = {
    "mh": dict(zip(_DIMENSIONS, (4.3, 4.2, 3.6, 3.3, 4.0, 4.0, 4.3, 3.7, 3.0, 2.3), strict=True)),
    "carers": dict(zip(_DIMENSIONS, (3.2, 3.9, 3.0, 2.8, 2.3, 3.1, 3.6, 3.0, 2.7, 2.0), strict=True)),
    "community": dict(zip(_DIMENSIONS, (3.9, 4.0, 3.4, 3.0, 3.6, 3.6, 4.0, 3.4, 2.8, 1.8), strict=True)),
}
SURVEY_PROFILES[""] = SURVEY_PROFILES["community"]

DEMENTIA_SUPPORT_REQUEST = (
    "Reaching carers from South Asian communities",
    "Most carers involved so far are white British. Can the PPI team introduce us to community groups and advise "
    "on interpreters?",
)
