"""The demo's twenty HITs, as tables: each HIT's description, people and working groups, and the
steps of its status history in months before today (loaded by demo/hits.py, replayed by demo/history.py),
and the gaps left in them on purpose."""

from __future__ import annotations

from dataclasses import dataclass

from teams.enums import ClosureReason, LifecycleStage


@dataclass(frozen=True)
class Step:
    action: str
    months_ago: float
    reason: str = ""
    closure_reason: str = ""
    merged_into: str = ""  # slug


@dataclass(frozen=True)
class WG:
    name: str
    purpose: str
    academic: str  # person key
    service: str  # person key, "" for a deliberate gap


@dataclass(frozen=True)
class HITSpec:
    slug: str
    name: str
    focus: str
    problem: str
    aims: str
    host: str  # organisation key
    host_unit: str
    themes: tuple[str, ...]
    stage: str
    proposed_months_ago: float
    steps: tuple[Step, ...]
    director: str = ""
    #: Who directed the HIT until the step that says they stepped down (a "suspend" step), then no one.
    former_director: str = ""
    co_director: str = ""
    sponsor: str = ""
    management: tuple[str, ...] = ()
    working_groups: tuple[WG, ...] = ()
    theme_leads: tuple[tuple[str, str], ...] = ()  # (person key, theme code)
    ppi_lead: str = ""
    members: tuple[str, ...] = ()


def _active(start: float, apply: float, accredit: float, activate: float) -> tuple[float, tuple[Step, ...]]:
    return start, (
        Step("start_application", apply, "Invited after the expression of interest; application started."),
        Step("accredit", accredit, "Accredited by the panel."),
        Step("activate", activate, "Set-up checklist complete."),
    )


def _hit(slug: str, timeline: tuple[float, tuple[Step, ...]], *extra: Step, **fields: object) -> HITSpec:
    start, steps = timeline
    return HITSpec(slug=slug, proposed_months_ago=start, steps=steps + extra, **fields)  # type: ignore[arg-type]


HITS: tuple[HITSpec, ...] = (
    # --- The six focus areas the research names -----------------------------------------------------------
    _hit(
        "avoidable-admissions",
        _active(50, 48, 44, 40),
        name="Reducing Avoidable Admissions HIT",
        focus="Reducing avoidable hospital admissions",
        problem=(
            "Frail and multimorbid people are admitted to hospital with conditions that could have been managed at "
            "home. Urgent care, general practice, community nursing and social care each hold part of the picture "
            "and no single organisation owns the pathway."
        ),
        aims=(
            "Find the people most at risk of an avoidable admission from linked primary, community and acute "
            "records.\nOffer a two-hour community response as an alternative to admission.\nReduce emergency "
            "admissions for ambulatory-care-sensitive conditions by 10% in three years."
        ),
        host="acute",
        host_unit="Division of Medicine",
        themes=("data-and-informatics", "inequalities", "evidence-synthesis"),
        stage=LifecycleStage.MAINTENANCE,
        director="osborne",
        co_director="cartwright",
        sponsor="doyle",
        management=("fairbairn", "pritchard", "moore", "evans"),
        working_groups=(
            WG(
                "Risk stratification and shared data",
                "Link records across partners to find people at risk.",
                "hudson",
                "ali",
            ),
            WG(
                "Rapid response at home",
                "Design and evaluate a two-hour community response.",
                "turner",
                "pritchard",
            ),
            WG("Care homes", "Help care home staff manage deterioration safely on site.", "simmons", "moore"),
        ),
        theme_leads=(("moss", "inequalities"), ("hudson", "data-and-informatics")),
        ppi_lead="fowler",
        members=("lloyd", "okoro", "walsh", "lane"),
    ),
    _hit(
        "child-injury-prevention",
        _active(52, 50, 46, 42),
        name="Child Injury Prevention HIT",
        focus="Preventing unintentional injuries in young children",
        problem=(
            "Falls, burns, scalds and poisonings at home are a leading cause of emergency attendance for children "
            "under five, concentrated in the most deprived neighbourhoods. Prevention advice is scattered across "
            "health visiting, children's centres, the fire service and the council."
        ),
        aims=(
            "Run a surveillance scheme linking emergency attendances to neighbourhood data to find where services "
            "fall short.\nOne referral route for home safety checks and equipment.\nCut home-injury attendances "
            "of under-fives by 15% in the target wards."
        ),
        host="children",
        host_unit="Paediatric Emergency Department",
        themes=("prevention", "inequalities", "data-and-informatics"),
        stage=LifecycleStage.MAINTENANCE,
        director="mackay",
        sponsor="summers",
        management=("crawford", "dawson", "haddad", "rhodes"),
        working_groups=(
            WG("Injury surveillance", "Link attendances to neighbourhood data.", "hudson", "rhodes"),
            WG("Home safety scheme", "Home safety checks and equipment for families.", "moss", "dawson"),
        ),
        theme_leads=(("moss", "prevention"),),
        ppi_lead="qureshi",
        members=("parsons", "turner", "jackson"),
    ),
    _hit(
        "chronic-kidney-disease",
        _active(30, 28, 22, 16),
        name="Chronic Kidney Disease HIT",
        focus="Chronic kidney disease",
        problem=(
            "Many people with early chronic kidney disease are undiagnosed in primary care, and those who reach "
            "dialysis rarely get the choice of treatment at home. Care is split between practices, the regional "
            "renal centre and specialised commissioning."
        ),
        aims=(
            "Find undiagnosed chronic kidney disease through practice searches and decision support for GPs.\n"
            "Double the share of people on dialysis at home.\nAgree one pathway with primary care and specialised "
            "commissioners."
        ),
        host="renal",
        host_unit="Renal Services",
        themes=("evidence-synthesis", "data-and-informatics", "ppi"),
        stage=LifecycleStage.IMPLEMENTATION,
        director="patel",
        sponsor="fenwick",
        management=("grant", "iqbal", "ali", "sharma"),
        working_groups=(
            WG(
                "Early detection in primary care",
                "Practice searches and GP decision support.",
                "zhang",
                "lloyd",
            ),
            WG("Home dialysis", "Help more people choose and keep up dialysis at home.", "turner", "sharma"),
        ),
        theme_leads=(("zhang", "evidence-synthesis"),),
        ppi_lead="murphy",
        members=("stanton", "desai", "okoro"),
    ),
    _hit(
        "drugs-and-alcohol",
        _active(49, 47, 43, 39),
        name="Drugs and Alcohol HIT",
        focus="Drug and alcohol addiction",
        problem=(
            "People with drug and alcohol problems move between emergency departments, mental health services, the "
            "police and third-sector recovery services, each seeing one episode. Treatment and recovery support "
            "are commissioned separately by the NHS and the council."
        ),
        aims=(
            "An alcohol care team in the acute trust that links patients to community treatment.\nPeer-led "
            "recovery communities with the third sector.\nFewer repeat attendances for alcohol-related harm."
        ),
        host="mh",
        host_unit="Specialist Drug and Alcohol Service",
        themes=("inequalities", "prevention", "workforce"),
        stage=LifecycleStage.MAINTENANCE,
        director="kelly",
        sponsor="summers",
        management=("connolly", "bishop", "oneill", "crawford"),
        working_groups=(
            WG("Hospital alcohol care", "Link hospital patients to community treatment.", "okoro", "evans"),
            WG(
                "Recovery communities",
                "Peer-led recovery support with the third sector.",
                "turner",
                "connolly",
            ),
        ),
        theme_leads=(("moss", "inequalities"),),
        ppi_lead="walsh",
        members=("mckenzie", "ali", "adeyemi"),
    ),
    _hit(
        "dementia",
        # Accredited in the 2023 round, so the accreditation ends within six months (DEMENTIA_* below).
        _active(35.5, 33.5, 32, 27),
        name="Dementia HIT",
        focus="Dementia",
        problem=(
            "People wait months between a GP referral and a dementia diagnosis, and support after diagnosis "
            "depends on where they live. Memory services, general practice, community nursing, memory cafés and "
            "carers' services rarely plan together."
        ),
        aims=(
            "Shorten the wait from referral to diagnosis and support plan to six weeks.\nPost-diagnostic support "
            "with memory cafés, carers' services and community nursing.\nLess time in hospital, and less delirium, "
            "for people with dementia."
        ),
        host="mh",
        host_unit="Later Life Services",
        themes=("ppi", "evidence-synthesis", "workforce"),
        stage=LifecycleStage.IMPLEMENTATION,
        director="director",
        sponsor="sponsor",
        management=("mckenzie", "norris", "fletcher", "iqbal"),
        working_groups=(
            WG("Timely diagnosis", "Shorten the wait from referral to diagnosis.", "zhang", "mckenzie"),
            WG("Living well at home", "Post-diagnostic support in the community.", "turner", "norris"),
            WG("Hospital care", "Reduce time in hospital and delirium.", "simmons", "evans"),
        ),
        theme_leads=(("zhang", "evidence-synthesis"), ("simmons", "workforce")),
        ppi_lead="jackson",
        members=("member", "hammond", "stanton"),
    ),
    _hit(
        "pain-management",
        _active(28, 26, 21, 15),
        name="Pain Management HIT",
        focus="Chronic pain management",
        problem=(
            "Long-term opioid prescribing for chronic non-cancer pain keeps rising while community self-management "
            "support is patchy. Pain clinics, general practice and therapies work to different pathways."
        ),
        aims=(
            "Reduce long-term opioid prescribing for chronic non-cancer pain.\nGroup self-management courses in "
            "community settings.\nA shared pain pathway across the acute trust and primary care."
        ),
        host="north",
        host_unit="Pain Management Service",
        themes=("evidence-synthesis", "workforce"),
        stage=LifecycleStage.IMPLEMENTATION,
        director="lambert",
        sponsor="fenwick",
        management=("crossley", "iqbal", "ali"),
        working_groups=(
            WG("Opioid stewardship", "Reduce long-term opioid prescribing.", "okoro", "lloyd"),
            # Deliberate gap: no service lead yet ("working groups missing leads").
            WG(
                "Community pain self-management",
                "Group self-management courses in the community.",
                "turner",
                "",
            ),
        ),
        theme_leads=(("zhang", "evidence-synthesis"),),
        ppi_lead="fowler",
        members=("desai", "hammond", "pritchard"),
    ),
    # --- Fourteen plausible others ------------------------------------------------------------------------
    _hit(
        "stroke",
        _active(54, 52, 47, 43),
        Step(
            "suspend",
            8,
            "The director stepped down and no interim lead was agreed; the management group paused the HIT.",
        ),
        Step(
            "reinstate",
            5,
            "The management group runs the working groups while a new director is recruited.",
        ),
        name="Stroke HIT",
        focus="Stroke care and life after stroke",
        problem=(
            "Access to thrombolysis and thrombectomy differs between the two acute trusts, and community "
            "rehabilitation ends abruptly after six weeks."
        ),
        aims=(
            "Faster hyperacute treatment across both acute trusts.\nCommunity rehabilitation and support to return "
            "to work.\nA regional stroke dataset shared by providers and commissioners."
        ),
        host="north",
        host_unit="Stroke Unit, Neurosciences Division",
        themes=("workforce", "data-and-informatics"),
        stage=LifecycleStage.MAINTENANCE,
        # Deliberate gap: the director post is vacant ("HITs without a director"); its first director
        # applied for and renewed the accreditation, and stepped down eight months ago.
        former_director="whitaker",
        sponsor="fenwick",
        management=("crossley", "jennings", "fairbairn"),
        working_groups=(
            WG("Hyperacute pathway", "Faster thrombolysis and thrombectomy.", "whitaker", "evans"),
            WG("Life after stroke", "Community rehabilitation and return to work.", "mensah", "crossley"),
        ),
        theme_leads=(("hudson", "data-and-informatics"),),
        ppi_lead="hammond",
        members=("pritchard", "walsh", "stanton"),
    ),
    _hit(
        "diabetes",
        _active(24, 22, 17, 12),
        name="Diabetes HIT",
        focus="Type 1 and type 2 diabetes",
        problem=(
            "Type 2 diabetes is twice as common in the most deprived neighbourhoods, and young adults with type 1 "
            "diabetes drop out of care when they leave children's services."
        ),
        aims=(
            "Reach people at high risk of type 2 diabetes in the most deprived neighbourhoods.\nA transition service "
            "for young adults with type 1 diabetes."
        ),
        host="acute",
        host_unit="Diabetes and Endocrinology",
        themes=("inequalities", "prevention", "data-and-informatics"),
        stage=LifecycleStage.IMPLEMENTATION,
        director="hussain",
        sponsor="doyle",
        management=("iqbal", "jennings", "ali"),
        working_groups=(
            WG("Type 2 diabetes prevention", "Reach people at high risk.", "moss", "crawford"),
            WG(
                "Young adults with type 1 diabetes",
                "Transition from children's to adult care.",
                "zhang",
                "rhodes",
            ),
        ),
        theme_leads=(("moss", "inequalities"),),
        # Deliberate gap: no PPI lead.
        members=("lloyd", "desai", "fletcher"),
    ),
    _hit(
        "young-peoples-mental-health",
        _active(22, 20, 15, 10),
        name="Young People's Mental Health HIT",
        focus="Mental health of children and young people",
        problem=(
            "Young people in crisis end up in emergency departments because early help in schools and the "
            "community is thin and split between the NHS, schools and the council."
        ),
        aims=(
            "Mental health support in schools, with the council's early help service.\nAlternatives to emergency "
            "department attendance for under-18s in crisis."
        ),
        host="mh",
        host_unit="Child and Adolescent Mental Health Services",
        themes=("ppi", "inequalities", "prevention"),
        stage=LifecycleStage.IMPLEMENTATION,
        director="griffiths",
        sponsor="ashworth",
        management=("oneill", "crawford", "mckenzie"),
        working_groups=(
            WG("Schools and early help", "Mental health support teams in schools.", "turner", "mckenzie"),
            WG("Crisis care for under-18s", "Alternatives to emergency attendance.", "okoro", "rhodes"),
        ),
        theme_leads=(("moss", "inequalities"),),
        ppi_lead="adeyemi",
        members=("qureshi", "clarke", "parsons"),
    ),
    _hit(
        "frailty",
        _active(46, 44, 40, 36),
        name="Frailty HIT",
        focus="Frailty in older people",
        problem=(
            "Frail older people are assessed many times by different services and still fall through the gaps "
            "between hospital, community teams, general practice and social care."
        ),
        aims=(
            "Comprehensive geriatric assessment in community teams.\nOne care plan shared by all partners.\nFalls "
            "and bone health (taken over from the Falls Prevention HIT)."
        ),
        host="community",
        host_unit="Integrated Community Teams",
        themes=("workforce", "evidence-synthesis", "ppi"),
        stage=LifecycleStage.MAINTENANCE,
        director="simmons",
        sponsor="hayes",
        management=("pritchard", "moore", "fairbairn", "crossley"),
        working_groups=(
            WG(
                "Community geriatric assessment",
                "Comprehensive geriatric assessment at home.",
                "zhang",
                "pritchard",
            ),
            WG(
                "Falls and bone health", "Took over the work of the Falls Prevention HIT.", "mensah", "foster"
            ),
        ),
        theme_leads=(("mensah", "workforce"),),
        ppi_lead="jackson",
        members=("dawson", "walsh", "lloyd"),
    ),
    _hit(
        "copd",
        _active(36, 34, 29, 24),
        Step(
            "suspend",
            3,
            "The director is on long-term leave and the management group has not met for two quarters; suspended "
            "until an interim director is agreed.",
        ),
        name="Respiratory Health (COPD) HIT",
        focus="Chronic obstructive pulmonary disease",
        problem="Few people with COPD are offered pulmonary rehabilitation, and uptake is lowest where need is highest.",
        aims="Double the number of people completing pulmonary rehabilitation.\nEarlier diagnosis in primary care.",
        host="acute",
        host_unit="Respiratory Medicine",
        themes=("prevention", "inequalities"),
        stage=LifecycleStage.IMPLEMENTATION,
        director="andrews",
        sponsor="doyle",
        management=("iqbal", "pritchard"),
        working_groups=(
            WG("Pulmonary rehabilitation", "More people complete rehabilitation.", "turner", "crossley"),
        ),
        ppi_lead="walsh",
        members=("okoro", "desai"),
    ),
    _hit(
        "musculoskeletal",
        _active(60, 58, 54, 50),
        Step(
            "begin_closure",
            2,
            "The community MSK triage pathway is now commissioned as a standard service by the ICB; the HIT is "
            "winding down its working groups.",
            closure_reason=ClosureReason.MAINSTREAMED,
        ),
        name="Musculoskeletal Health HIT",
        focus="Musculoskeletal conditions",
        problem="People with back and joint pain wait months for orthopaedic clinics they often do not need.",
        aims="Community MSK triage led by physiotherapists.\nFewer unnecessary orthopaedic referrals.",
        host="community",
        host_unit="Musculoskeletal Physiotherapy",
        themes=("evidence-synthesis", "workforce"),
        stage=LifecycleStage.DISSOLUTION,
        director="mensah",
        sponsor="webb",
        management=("crossley", "jennings"),
        working_groups=(WG("MSK triage", "Physiotherapist-led community triage.", "zhang", "crossley"),),
        ppi_lead="fowler",
        members=("lloyd", "stanton"),
    ),
    _hit(
        "falls-prevention",
        _active(58, 56, 52, 48),
        Step(
            "begin_closure",
            10,
            "Falls work overlaps with the Frailty HIT; both management groups agreed to merge.",
            closure_reason=ClosureReason.MERGED,
            merged_into="frailty",
        ),
        Step("close", 8, "Merger completed; the strength and balance work moved to the Frailty HIT."),
        name="Falls Prevention HIT",
        focus="Falls prevention in older people",
        problem="Falls are the commonest reason older people call an ambulance, and prevention classes reach few.",
        aims="Strength and balance classes in every neighbourhood.\nFalls risk checks by the fire service.",
        host="community",
        host_unit="Falls Service",
        themes=("prevention",),
        stage=LifecycleStage.DISSOLUTION,
        director="foster",
        sponsor="hayes",
        management=("dawson", "moore"),
        working_groups=(
            WG("Strength and balance", "Classes in every neighbourhood.", "mensah", "pritchard"),
        ),
        ppi_lead="hammond",
        members=("walsh",),
    ),
    _hit(
        "end-of-life-care",
        _active(64, 62, 58, 54),
        Step(
            "begin_closure",
            14,
            "A shared advance care plan is in use across all partners; the HIT's aims are achieved.",
            closure_reason=ClosureReason.AIMS_ACHIEVED,
        ),
        Step("close", 12, "Closure report accepted by the programme board."),
        name="End of Life Care HIT",
        focus="End of life care",
        problem="People's wishes about where to die were recorded in systems that other services could not see.",
        aims="One advance care plan shared by hospitals, GPs, community nurses and hospices.",
        host="acute",
        host_unit="Palliative Care Team",
        themes=("ppi", "workforce"),
        stage=LifecycleStage.DISSOLUTION,
        director="baxter",
        sponsor="doyle",
        management=("fletcher", "pritchard", "fairbairn"),
        working_groups=(WG("Advance care planning", "A plan every service can see.", "turner", "pritchard"),),
        ppi_lead="jackson",
        members=("norris",),
    ),
    _hit(
        "maternity",
        (
            9,
            (
                Step("start_application", 8.5, "Application started."),
                Step("accredit", 7, "Accredited by the panel."),
            ),
        ),
        name="Maternity HIT",
        focus="Maternity and the first year of life",
        problem="Women from some communities book late, see many different midwives and have worse outcomes.",
        aims="Continuity of carer for women from the most deprived neighbourhoods.\nEarlier booking.",
        host="acute",
        host_unit="Women's and Children's Division",
        themes=("inequalities", "ppi"),
        stage=LifecycleStage.PLANNING,
        director="lindqvist",
        sponsor="doyle",
        management=("jennings", "crawford"),
        working_groups=(
            WG("Continuity of carer", "The same midwife through pregnancy.", "moss", "osullivan"),
        ),
        ppi_lead="qureshi",
        members=("turner",),
    ),
    _hit(
        "sexual-health",
        (
            8,
            (
                Step("start_application", 6, "Application started."),
                Step("accredit", 1, "Accredited by the panel."),
            ),
        ),
        name="Sexual Health HIT",
        focus="Sexual and reproductive health",
        problem="Young people find clinic opening hours hard to use and testing rates are falling.",
        aims="Online testing with clinic follow-up.\nSexual health advice in colleges.",
        host="community",
        host_unit="Sexual Health Services",
        themes=("prevention", "inequalities"),
        stage=LifecycleStage.PLANNING,
        director="reid",
        sponsor="hayes",
        management=("crawford", "oneill"),
        working_groups=(
            WG("Online testing", "Order a test online, results by text.", "hudson", "pritchard"),
        ),
        # Deliberate gap: no PPI lead yet.
        members=("adeyemi",),
    ),
    _hit(
        "obesity",
        # Invited in the current round; its application is now under review (APPLICATIONS below).
        (
            3.0,
            (
                Step(
                    "start_application", 1.5, "Invited after the expression of interest; application started."
                ),
            ),
        ),
        name="Healthy Weight HIT",
        focus="Obesity and healthy weight",
        problem="Weight management services stop at the boundary between council-funded and NHS tiers.",
        aims="A single healthy weight pathway across council and NHS services.",
        host="public_health",
        host_unit="Healthy Weight Team",
        themes=("prevention", "inequalities"),
        stage=LifecycleStage.CONNECTING,
        director="thornton",
        sponsor="summers",
        management=("crawford", "lloyd"),
        members=("desai", "qureshi"),
    ),
    _hit(
        "cancer-survivorship",
        # Invited in the current round; its application went round the feedback loop once.
        (
            3.8,
            (
                Step(
                    "start_application", 3.3, "Invited after the expression of interest; application started."
                ),
            ),
        ),
        name="Living With and Beyond Cancer HIT",
        focus="Cancer survivorship",
        problem="After treatment ends, people with cancer lose touch with services just when late effects begin.",
        aims="Personalised follow-up shared between oncology, general practice and the third sector.",
        host="acute",
        host_unit="Oncology Centre",
        themes=("ppi", "evidence-synthesis"),
        stage=LifecycleStage.CONNECTING,
        director="obi",
        sponsor="ashworth",
        management=("iqbal", "fletcher"),
        members=("fowler",),
    ),
    _hit(
        "eating-disorders",
        (1, ()),
        name="Eating Disorders HIT",
        focus="Eating disorders",
        problem="Waits for eating disorder treatment are long and early signs are missed in schools and practices.",
        aims="Early intervention for eating disorders in young people.",
        host="mh",
        host_unit="Eating Disorders Service",
        themes=("inequalities",),
        stage=LifecycleStage.CONTEMPLATING,
        director="clarke",
        members=("oneill", "adeyemi"),
    ),
    _hit(
        "homelessness-and-health",
        (0.5, ()),
        name="Homelessness and Health HIT",
        focus="Health of people who are homeless",
        problem="People sleeping rough die decades younger and use emergency care because other care is out of reach.",
        aims="Integrated primary care, housing and substance misuse support for people who are homeless.",
        host="gp",
        host_unit="Homeless Health Service",
        themes=("inequalities",),
        stage=LifecycleStage.CONTEMPLATING,
        director="harrington",
        members=("moore", "connolly"),
    ),
)

# HITs that deliberately lack something, so the attention lists are not empty (slugs).
DELIBERATE_GAPS = {
    "no_director": ("stroke",),
    "working_group_without_service_lead": ("pain-management",),
    "no_ppi_lead": ("diabetes", "sexual-health"),
    # The last PPI log entry is 130 days old: the PPI caseload flags it (90 days or more).
    "ppi_log_quiet_90_days": ("drugs-and-alcohol",),
    # Accredited in the 2023 round: ends within six months, one condition still open.
    "accreditation_ending_within_six_months": ("dementia",),
    "open_condition": ("dementia",),
}

HITS_BY_SLUG = {spec.slug: spec for spec in HITS}
