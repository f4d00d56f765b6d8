"""The demo's rounds, panel and three applications, as tables: each application's answers and
stakeholder rows, the reviews, feedback, decision and conditions, and applicant@'s expressions of
interest. Told through the accreditation services by demo/accreditation.py."""

from __future__ import annotations

from dataclasses import dataclass

from accreditation.enums import PanelRole

CURRENT_ROUND = "2026 accreditation round"
PAST_ROUND = "2023 accreditation round"
CURRENT_PANEL = "Accrediting panel"

# Panel of the current round: login key -> panel role.
PANEL = (
    ("chair", PanelRole.CHAIR),
    ("reviewer", PanelRole.REVIEWER),
    ("reviewer2", PanelRole.REVIEWER),
    ("lay", PanelRole.LAY_REVIEWER),
)


@dataclass(frozen=True)
class Row:
    """One line of an application's "who needs to be involved, how, and for what outcome" table."""

    org: str  # organisation key; "" for someone not in the directory (then `stakeholder` names them)
    category: str  # stakeholder category code
    role: str
    outcome: str
    depth: int
    stakeholder: str = ""


@dataclass(frozen=True)
class AppSpec:
    slug: str  # the HIT
    round: str
    director: str  # person key; the person has a login (it acts as the applicant)
    sponsor: str  # person key
    host: str  # organisation key
    host_unit: str
    sections: dict[str, dict]  # section key -> answers (governance without its model fields)
    rows: tuple[Row, ...]


def _governance(management: str, cadence: str, reporting_line: str, groups: str, themes: str) -> dict:
    return {
        "management_group": management,
        "steering_cadence": cadence,
        "reporting_line": reporting_line,
        "working_groups": groups,
        "theme_leads": themes,
    }


DEMENTIA_APPLICATION = AppSpec(
    slug="dementia",
    round=PAST_ROUND,
    director="director",
    sponsor="sponsor",
    host="mh",
    host_unit="Later Life Services",
    sections={
        "aims": {
            "aims": (
                "Shorten the wait from GP referral to a dementia diagnosis and support plan to six weeks.\n"
                "Offer everyone diagnosed, and their carers, support through memory cafés, carers' services and "
                "community nursing.\nReduce time in hospital, and delirium, for people living with dementia."
            ),
            "problem": (
                "People wait months between a GP referral and a dementia diagnosis, and support after diagnosis "
                "depends on where they live."
            ),
            "boundaries": (
                "The memory service, general practice, community nursing, hospital wards, adult social care, "
                "memory cafés and carers' services."
            ),
        },
        "governance": _governance(
            "Laura McKenzie, Severnside Mental Health Partnership\nPatricia Norris, Avon Memory Café Network\n"
            "Dawn Fletcher, Avon Carers' Centre\nDr Mohammed Iqbal, North Avon CCG",
            "bimonthly",
            "The mental health trust's research and innovation committee",
            "Timely diagnosis; Dr Wei Zhang; Laura McKenzie\nLiving well at home; Dr Sophie Turner; Patricia Norris\n"
            "Hospital care; Prof Janet Simmons; Ruth Evans",
            "Evidence synthesis; Dr Wei Zhang\nWorkforce and skills; Prof Janet Simmons",
        ),
        "ppi": {
            "ppi_plan": (
                "Carers and people living with dementia sit on the management group and every working group; "
                "memory cafés host quarterly listening events whose findings go to the management group."
            ),
            "public_members_in_structures": (
                "Two carers on the management group; a person living with dementia and a carer on each working "
                "group."
            ),
            "support": "Dementia-friendly venues and times, travel and carer-cover expenses, payment at the programme's rate.",
        },
        "coordination": {
            "related_hits": "The Avoidable Admissions HIT (crisis response) and the Frailty HIT (care home training).",
            "sphere_of_influence": "The city and North Avon: one memory service, two acute trusts, about 60 practices.",
        },
        "data_sharing": {
            "data_needs": "Referral and diagnosis dates from the memory service and practices, to measure waits.",
            "dsa_status": "drafting",
            "ig_leads": "Caldicott guardian, Severnside Mental Health Partnership\nIG lead, North Avon CCG",
        },
        "integration": {
            "integration_plans": (
                "One referral route from practices to the memory service and a shared support plan that follows "
                "the person into hospital and home again."
            )
        },
        "innovation": {
            "innovation_plans": "Pilot a nurse-led diagnosis clinic in primary care; a delirium prevention bundle on two wards.",
            "industry_partners": "Clifton MedTech Ltd: a digital cognitive assessment for the pilot clinic.",
        },
        "skills": {"skills_gaps": "Health economics: a partnership with the university's health economists."},
        "milestones": {
            "milestones": (
                "3; management group and working groups meet\n6; shared referral route agreed with practices\n"
                "9; nurse-led clinic pilot starts\n12; first report on waits and support"
            )
        },
    },
    rows=(
        Row("mh", "PROV", "Memory service leads the diagnosis pathway", "Diagnosis within six weeks", 3),
        Row(
            "ccg_north",
            "COMM",
            "Commissions memory services; sits on the management group",
            "Joint commissioning",
            3,
        ),
        Row("community", "PROV", "Community dementia nurses", "Support at home after diagnosis", 2),
        Row(
            "memory_cafe", "NONNHS", "Hosts post-diagnostic groups", "Peer support for everyone diagnosed", 2
        ),
        Row(
            "carers", "NONNHS", "Carers' representative on the management group", "Carers supported early", 3
        ),
        Row("uoa_phs", "RESEARCH", "Evaluates waits and outcomes", "Evidence for commissioners", 2),
    ),
)

HEALTHY_WEIGHT_APPLICATION = AppSpec(
    slug="obesity",
    round=CURRENT_ROUND,
    director="thornton",
    sponsor="summers",
    host="public_health",
    host_unit="Healthy Weight Team",
    sections={
        "aims": {
            "aims": (
                "One healthy weight pathway across council-funded and NHS services, for children and adults.\n"
                "A single assessment shared between services, so no family is assessed twice.\n"
                "Halve drop-out between tier 2 and tier 3 weight management within three years."
            ),
            "problem": (
                "Weight management services stop at the boundary between council-funded and NHS tiers: people "
                "are assessed again at each step and many drop out between them."
            ),
            "boundaries": (
                "Public health, primary care, the specialist weight management service, schools, youth services "
                "and a digital health company."
            ),
        },
        "governance": _governance(
            "Lisa Crawford, Public Health Avon\nDr Gareth Lloyd, Harbourside Medical Practice\n"
            "Dr Emma Thornton, University of Avon",
            "quarterly",
            "Avon City Health and Wellbeing Board",
            "Family healthy weight; Dr Emma Thornton; Lisa Crawford\nAdult pathway; Dr Rebecca Moss; Dr Gareth Lloyd",
            "Health inequalities; Dr Rebecca Moss",
        ),
        "ppi": {
            "ppi_plan": "Young people and parents co-design the family offer with the Young Avon Health Forum.",
            "public_members_in_structures": "Two parents on the management group; the youth forum on the family working group.",
            "support": "Sessions after school hours, vouchers for young people, expenses and payment for parents.",
        },
        "coordination": {
            "related_hits": "The Diabetes HIT: a shared adult pathway and prevention programme.",
            "sphere_of_influence": "Avon city and South Avon.",
        },
        "data_sharing": {
            "data_needs": "Referrals and outcomes across council and NHS tiers, to follow people between them.",
            "dsa_status": "planned",
            "ig_leads": "Information governance lead, Avon City Council\nData protection officer, South Avon CCG",
        },
        "integration": {
            "integration_plans": "A single assessment and referral hub, jointly commissioned by the council and the NHS."
        },
        "innovation": {
            "innovation_plans": "Pilot a self-referral app with follow-up between sessions.",
            "industry_partners": "Severn Digital Health Ltd: the self-referral app, at cost for the pilot.",
        },
        "skills": {
            "skills_gaps": "Behavioural science: training for staff from the university's public health team."
        },
        "milestones": {
            "milestones": "3; referral hub designed\n6; app pilot in two practices\n12; joint commissioning case to the board"
        },
    },
    rows=(
        Row("public_health", "OPS", "Hosts the HIT; commissions tier 2 weight management", "One pathway", 3),
        # South Avon CCG is where reviewer2@ works: their assignment is flagged as a conflict.
        Row(
            "ccg_south",
            "COMM",
            "Commissions the specialist weight management service",
            "Joint commissioning",
            2,
        ),
        Row("pcn", "PROV", "Practices refer and offer brief interventions", "No one referred twice", 2),
        Row("uoa_phs", "RESEARCH", "Leads the evaluation", "Evidence of what works", 3),
        Row("digital", "NONNHS", "Builds the self-referral app", "Easier self-referral", 1),
        Row("youth_forum", "PUBLIC", "Young people co-design the family offer", "An offer families use", 2),
    ),
)

CANCER_APPLICATION = AppSpec(
    slug="cancer-survivorship",
    round=CURRENT_ROUND,
    director="obi",
    sponsor="ashworth",
    host="acute",
    host_unit="Oncology Centre",
    sections={
        "aims": {
            "aims": (
                "Personalised, stratified follow-up after cancer treatment, shared between the oncology centre, "
                "general practice and the third sector.\nA recovery package and a named contact for everyone "
                "finishing treatment.\nFind the late effects of treatment early."
            ),
            "problem": "After treatment ends, people with cancer lose touch with services just when late effects begin.",
            "boundaries": "The oncology centre, general practice, commissioners, the carers' centre and peer support groups.",
        },
        "governance": _governance(
            "Dr Daniel Obi, Avon Acute Hospitals\nDr Mohammed Iqbal, North Avon CCG\nDawn Fletcher, Avon Carers' Centre",
            "quarterly",
            "The acute trust's cancer board",
            "Stratified follow-up; Dr Claire Hudson; Dr Yasmin Ali\nLate effects; Dr Daniel Obi; Dawn Fletcher",
            "Evidence synthesis; Dr Wei Zhang",
        ),
        "ppi": {
            "ppi_plan": "We will consult people who have finished treatment through a survey each year.",
            "public_members_in_structures": "One patient representative on the management group.",
            "support": "Expenses for meetings.",
        },
        "coordination": {
            "related_hits": "The Avoidable Admissions HIT: rapid response for people with late effects.",
            "sphere_of_influence": "The acute trust's catchment: the city and North Avon.",
        },
        "data_sharing": {
            "data_needs": "Treatment summaries from the oncology centre shared with general practice.",
            "dsa_status": "none",
            "ig_leads": "Caldicott guardian, Avon Acute Hospitals",
        },
        "integration": {
            "integration_plans": "GPs take on routine follow-up, with remote monitoring and a fast way back to the centre."
        },
        "innovation": {
            "innovation_plans": "Pilot patient-initiated follow-up with a remote symptom check.",
            "industry_partners": "None yet; we are talking to local digital health firms.",
        },
        "skills": {
            "skills_gaps": "Late effects training for GPs and practice nurses, from the oncology centre."
        },
        "milestones": {
            "milestones": "3; stratification rules agreed\n6; patient-initiated follow-up for breast cancer\n"
            "12; extended to colorectal and prostate cancer"
        },
    },
    rows=(
        Row("acute", "PROV", "The oncology centre leads the follow-up redesign", "Stratified follow-up", 3),
        Row("ccg_north", "COMM", "Commissions the follow-up pathway", "A jointly commissioned pathway", 2),
        Row("pcn", "PROV", "Practices take on routine follow-up", "Follow-up closer to home", 2),
        Row("carers", "NONNHS", "Supports carers after treatment ends", "Carers supported", 2),
        Row(
            "",
            "PUBLIC",
            "Consulted through an annual survey",
            "Services shaped by patients' views",
            1,
            stakeholder="People living with and beyond cancer",
        ),
    ),
)

# What the Cancer survivorship team changed in revision 2, answering the panel's feedback.
CANCER_REVISION_2 = {
    "ppi": {
        "ppi_plan": (
            "People living with and beyond cancer co-design the follow-up pathway: two join the management group, "
            "and a peer support group reviews each change before it goes to the cancer board."
        ),
        "public_members_in_structures": (
            "Two people living with and beyond cancer on the management group; peer support members on both "
            "working groups."
        ),
        "support": "Training, expenses and payment at the programme's rate; meetings online or in the evening.",
    },
    "data_sharing": {
        "data_needs": "Treatment summaries and follow-up results shared between the oncology centre and practices.",
        "dsa_status": "drafting",
        "ig_leads": "Caldicott guardian, Avon Acute Hospitals\nInformation governance lead, Eastside Primary Care Network",
    },
}
CANCER_REVISION_2_PUBLIC_ROW = Row(
    "",
    "PUBLIC",
    "Two members on the management group; a peer support group reviews each change",
    "A pathway designed with the people who use it",
    3,
    stakeholder="People living with and beyond cancer",
)
CANCER_REVISION_2_NEW_ROW = Row(
    "institute", "RESEARCH", "Health economic evaluation of the pilot", "Evidence for commissioners", 2
)

# The panel's consolidated feedback on Cancer survivorship v1: (section, point, quoted comment, answer).
CANCER_FEEDBACK = (
    (
        "ppi",
        "Involve people living with and beyond cancer in decisions, not only through an annual survey: say which "
        "groups they will join.",
        "An annual survey is consultation, not involvement.",
        "Two people living with and beyond cancer now sit on the management group, and the peer support group "
        "reviews each change (section 'Patient and public involvement' rewritten).",
    ),
    (
        "data_sharing",
        "Name information-governance leads in every partner and a route to a data-sharing agreement with general "
        "practice.",
        "Sharing treatment summaries with practices needs an agreement.",
        "The acute trust's Caldicott guardian and the primary care network's IG lead are drafting the agreement.",
    ),
    (
        "stakeholders",
        "Say who will evaluate the pilot and its costs.",
        "",
        "The West Country Applied Health Research Institute will run the health economic evaluation (new row).",
    ),
)

# (criterion code, score 0-3, comment): one reviewer's scores; criteria not listed score `default`.
ReviewScores = tuple[tuple[str, int, str], ...]


@dataclass(frozen=True)
class ReviewSpec:
    reviewer: str  # login key
    recommendation: str
    summary: str
    default: int
    scores: ReviewScores = ()


DEMENTIA_REVIEWS = (
    ReviewSpec(
        "reviewer",
        "accredit_with_conditions",
        "A well-led team with commissioners at the table. The data-sharing agreement is still being drafted: "
        "make signing it a condition.",
        2,
        (
            ("W3", 3, "Commissioners sit on the management group."),
            ("C8", 1, "The agreement is not signed yet."),
        ),
    ),
    ReviewSpec(
        "reviewer2",
        "accredit_with_conditions",
        "Clear aims and a credible pilot. Ask for an independent evaluation of the diagnosis pathway.",
        2,
        (("N3", 1, "The pilot needs an independent evaluation."), ("C1", 3, "")),
    ),
    ReviewSpec(
        "lay",
        "accredit",
        "Carers are at the centre of this plan, with payment and support to take part.",
        3,
    ),
)
DEMENTIA_DECISION = (
    "A strong application with commissioners in leadership and carers on every group. Two conditions: sign the "
    "data-sharing agreement within six months, and report an independent evaluation of the six-week diagnosis "
    "pathway before the accreditation ends."
)
# (text, evidence when closed; "" = still open)
DEMENTIA_CONDITIONS = (
    (
        "Sign the data-sharing agreement between the memory service and general practice.",
        "Agreement signed by both Caldicott guardians on behalf of the trust and the practices; copy filed with "
        "the programme office.",
    ),
    (
        "Report an independent evaluation of the six-week diagnosis pathway to the board before the accreditation "
        "ends.",
        "",
    ),
)
CANCER_REVIEWS = (
    ReviewSpec(
        "reviewer2",
        "revise",
        "A promising clinical redesign, but patients are only consulted and there is no route to a data-sharing "
        "agreement.",
        2,
        (
            ("W4", 1, ""),
            ("C10", 1, ""),
            ("C8", 1, "Sharing treatment summaries with practices needs an agreement."),
        ),
    ),
    ReviewSpec(
        "lay",
        "revise",
        "An annual survey is consultation, not involvement. Bring people who have had cancer into the groups.",
        1,
    ),
)
# reviewer@'s review of Healthy Weight, saved as a draft half-way through.
HEALTHY_WEIGHT_DRAFT_REVIEW = (
    ("W1", 3, "Each partner's role is tied to an outcome."),
    ("W3", 2, "The CCG commissions tier 3 but is not in the leadership yet."),
    ("W6", 3, ""),
    ("C1", 3, "The director of public health sponsors it."),
)

# Expressions of interest by applicant@ in the current round: (title, submit?, fields, partners).
EOIS = (
    (
        "Hearing and Healthy Ageing",
        True,
        {
            "problem": (
                "Hearing loss in older people goes undiagnosed for years and raises the risk of isolation, falls "
                "and dementia; audiology, general practice and social care rarely connect."
            ),
            "boundaries": "General practice, hospital audiology, community services, adult social care, voluntary groups.",
            "proposed_director": "Dr Sam Kowalski, Harbourside Medical Practice",
            "known_risks": "Audiology waiting lists are long; the service may see the HIT as extra demand.",
        },
        (("gp", "PROV"), ("ccg_city", "COMM"), ("community", "PROV")),
    ),
    (
        "Loneliness in Later Life",
        False,
        {"problem": "Loneliness among older people living alone is rising; no service owns it."},
        (("council", "OPS"),),
    ),
)
