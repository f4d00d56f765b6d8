"""A HIT's life after accreditation in the demo, as tables: what closing HITs leave behind, related
HITs, the Dementia HIT's meetings, executive sponsor contacts and life-cycle stage assessments. Loaded
by demo/lifecycle.py (and the closures by demo/history.py)."""

from __future__ import annotations

from teams.enums import HITLinkKind, SponsorInteractionKind

# What a closing or closed HIT leaves behind: (what continues, partners leaving). Used by the status
# walk (demo/history.py) for the "begin_closure" and "close" steps.
CLOSURES: dict[str, tuple[str, str]] = {
    "musculoskeletal": (
        "The community MSK triage pathway, now commissioned by the ICB as a standard service; the "
        "physiotherapy service keeps the triage audit going.",
        "",
    ),
    "falls-prevention": (
        "Strength and balance classes and the fire service's falls risk checks, now run by the "
        "Frailty HIT's prevention working group.",
        "The fire service leaves the HIT's management group and joins the Frailty HIT's.",
    ),
    "end-of-life-care": (
        "The shared advance care plan, owned by the hospice and maintained in the shared care record.",
        "The hospice and the community trust end their HIT roles; both keep the plan in use.",
    ),
}

LINKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "dementia",
        "frailty",
        HITLinkKind.COORDINATION,
        "Delirium in hospital: the two hospital care groups share one audit and meet twice a year.",
    ),
    (
        "avoidable-admissions",
        "frailty",
        HITLinkKind.OVERLAP,
        "Both run a rapid response at home for frail older people; one joint steering meeting a quarter.",
    ),
    (
        "pain-management",
        "musculoskeletal",
        HITLinkKind.JOINT_ACTIVITY,
        "Joint community triage for back pain, handed to the MSK pathway as that HIT closes.",
    ),
    (
        "young-peoples-mental-health",
        "eating-disorders",
        HITLinkKind.COORDINATION,
        "Early help for young people with eating difficulties: shared referral routes.",
    ),
)

# The Dementia HIT's meetings: (group: a working group's name or another group, days ago, notes).
DEMENTIA_MEETINGS: tuple[tuple[str, int, str], ...] = (
    ("Management group", 340, "Agreed the priorities for the year and the pilot's evaluation plan."),
    ("Management group", 250, "Reviewed the first pilot figures; asked for a roll-out business case."),
    ("Management group", 160, "Signed off the data-sharing agreement; carers' co-ordinator post agreed."),
    ("Management group", 70, "Roll-out business case drafted with the commissioner; renewal planning."),
    ("Timely diagnosis", 300, "Referral criteria re-sent to practices outside the pilot localities."),
    ("Timely diagnosis", 120, "Waits back under seven weeks; agreed to publish the evaluation."),
    ("Living well at home", 210, "Carers and nurses drafted the support plan template together."),
    ("Hospital care", 180, "4AT delirium screening results from the two pilot wards."),
    ("Steering group", 45, "The executive sponsor chaired; the trust board will see the roll-out case."),
)

# Executive sponsor contacts: HIT -> (days ago, kind, note). The latest contact sets the HIT's sponsor
# liveness: green up to 90 days, amber to 180, red beyond.
SPONSOR_CONTACTS: dict[str, tuple[tuple[int, str, str], ...]] = {
    "dementia": (
        (230, SponsorInteractionKind.MEETING, "Briefed on the pilot's first results."),
        (120, SponsorInteractionKind.CALL, "Agreed to broker joint funding for the support worker."),
        (
            45,
            SponsorInteractionKind.MEETING,
            "Chaired the steering group; will take the roll-out to the board.",
        ),
    ),
    "avoidable-admissions": ((30, SponsorInteractionKind.MEETING, "Quarterly review of admissions data."),),
    "pain-management": ((130, SponsorInteractionKind.EMAIL, "Update on opioid prescribing figures."),),
    "stroke": ((250, SponsorInteractionKind.EVENT, "Spoke at the launch of the six-month review clinic."),),
    "child-injury-prevention": (
        (60, SponsorInteractionKind.CALL, "Discussed the council's play-safety grant."),
    ),
}

# Life-cycle stage assessments: HIT -> (days ago, behaviours ticked per stage (counts), note). The
# stage confirmed is the HIT's own (demo/data_hits.py HITS), whatever the suggestion.
STAGE_ASSESSMENTS: dict[str, tuple[int, dict[str, int], str]] = {
    "dementia": (
        60,
        {"contemplating": 6, "connecting": 4, "planning": 4, "implementation": 4, "maintenance": 1},
        "Assessed at the management group; delivery is well under way, long-term outcomes not yet.",
    ),
    "avoidable-admissions": (
        90,
        {"contemplating": 6, "connecting": 4, "planning": 4, "implementation": 5, "maintenance": 3},
        "Attention has moved to sustaining the rapid response service.",
    ),
    "maternity": (
        20,
        {"contemplating": 5, "connecting": 3, "planning": 2},
        "Management group just formed; targets not yet agreed.",
    ),
}

SNAPSHOT_QUARTERS = 8  # past quarter ends with a portfolio snapshot, for the board's trend charts
