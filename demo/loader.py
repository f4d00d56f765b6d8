"""Illustrative demo data (DOMAIN.md section 7) and its loader, used by `manage.py seed_demo`.

Everything here is invented for demonstration: the organisations of a Bristol-like region called "Avon",
the people, and twenty HITs (``is_illustrative=True``). The six focus areas are the ones the research names
(DOMAIN-BRIEF.md 7.1); the other fourteen are plausible additions. None of it describes real teams or people.

Demo logins: every account below uses the password ``hitportal-demo`` (DEMO_PASSWORD), and finds work waiting.

    pm@example.org             programme manager (staff: admin site): an accreditation ending within six
                               months, an EOI and two applications with the panel, the PPI caseload, the
                               Dementia HIT's progress report to accept, two overdue reports
    board@example.org          board member: portfolio, engagement and readiness results (read only)
    ppi@example.org            PPI facilitator: caseload with flagged HITs, an open support request
    chair@example.org          panel chair of the 2026 and 2023 rounds: an EOI to decide, Cancer
                               survivorship v2 to start reviewing, Healthy Weight under review, a conflict
    reviewer@example.org       reviewer: declared no conflict on Healthy Weight, review saved as a draft
    reviewer2@example.org      reviewer: assigned to Healthy Weight, flagged (works at South Avon CCG,
                               which the application names), interests still to declare
    lay@example.org            lay (public review group) reviewer: interests to declare on Healthy Weight;
                               wrote the public review of the PPI of the Maternity HIT (in set-up)
    applicant@example.org      applicant (not in any HIT yet): one EOI submitted, one in draft
    director@example.org       HIT director, Dementia HIT: accreditation ends within six months (start the
                               renewal from the accredited application), an open condition, engagement,
                               three accepted progress reports and the current one submitted
    sponsor@example.org        executive sponsor, Dementia HIT: owns an action-plan item
    member@example.org         member, Dementia HIT: survey results, maturity matrix, a PPI support request
    emma.thornton@example.org  HIT director, Healthy Weight HIT: application under review
    daniel.obi@example.org     HIT director, Cancer survivorship HIT: feedback answered, v2 submitted
    norole@example.org         a login with no role at all
    admin@example.org          superuser (admin site)

Deliberate gaps, so the attention lists have something to show (DELIBERATE_GAPS): the active Stroke HIT has no
director (the post is vacant), one working group of the active Pain Management HIT has no service lead, the
Diabetes (active) and Sexual Health (set-up) HITs have no PPI lead, the Drugs and Alcohol HIT logged no PPI for
over 90 days, and the Dementia HIT's accreditation ends within six months with one condition still open.

After accreditation (demo/reports.py, demo/lifecycle.py): reporting schedules for every
running HIT, the Dementia HIT's progress reports (three accepted, the current one submitted), reports opened by the
nightly run (two overdue, two due soon); closure records of the closing and closed HITs; related HITs; the Dementia
HIT's meetings; executive sponsor contacts (green, amber and red); life-cycle stage assessments; and portfolio
snapshots for the last eight quarters, counted from the status histories.

Accreditation (load_accreditation), each step through ``accreditation.services`` as the acting login:
- Dementia HIT, 2023 round: drafted, sponsor confirmed with the signed link, submitted, reviewed by three panel
  members, accredited with two conditions (one closed with evidence since, one open and due before the end).
- Healthy Weight HIT, current round: submitted, under review; reviewers assigned, one conflict flagged.
- Cancer survivorship HIT, current round: v1 reviewed, consolidated feedback released and answered, v2
  submitted and waiting for the chair.
- applicant@'s expressions of interest: one submitted, one draft.
Engagement (load_engagement), through ``engagement.services*``: every HIT's map mirrored from its memberships,
manual map rows, PPI logs, a standards self-assessment and a public review, a readiness survey answered through
one-time links, a maturity assessment and an action plan; then the stored coverage and readiness scores.

The loader is idempotent: every row is matched by a natural key (organisation name, person email, HIT slug,
working group name, round name, an application's HIT and round, a log entry's description...) and only created
when missing; an existing row is left as it is (an existing login keeps its password). HIT statuses are reached
through ``teams.services.hit_transition`` from *proposed*, only when the HIT is created, so each HIT has a
truthful status history; the history and the membership dates are then dated back along the HIT's timeline
(relative to today). The services stamp "now", so every step of an application is dated back the same way
after the service ran; where a service refuses a past date (a condition's due date) the ORM sets it after,
as noted at that spot. Loading sends no email and queues no job (see `_notifications_dropped`).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from accreditation.criteria import criteria_for
from accreditation.enums import ConflictDeclaration, PanelRole
from accreditation.models import (
    Accreditation,
    Application,
    ApplicationEvent,
    ApplicationSection,
    Condition,
    Decision,
    EOIEvent,
    ExpressionOfInterest,
    FeedbackDocument,
    FeedbackPoint,
    Panel,
    PanelMember,
    Review,
    ReviewAssignment,
    Revision,
    Round,
    StakeholderPlanRow,
)
from accreditation.sections import SECTIONS
from accreditation.services import (
    ConditionInput,
    PartnerInput,
    ScoreInput,
    application_transition,
    assignment_create,
    condition_close,
    conflict_declare,
    eoi_save,
    eoi_transition,
    feedback_respond,
    feedback_save,
    review_save,
    section_save,
    sponsor_confirm,
    sponsor_request,
    sponsor_token,
    stakeholder_row_save,
)
from demo.lifecycle import CLOSURES, closure_recorded_at, load_lifecycle
from demo.reports import load_reports
from engagement.enums import StakeholderSource
from engagement.models import (
    ActionPlanItem,
    ActionStatement,
    CoverageScore,
    CoverageSnapshot,
    Instrument,
    Invitation,
    InvolvementActivity,
    Item,
    MaturityAssessment,
    PublicReview,
    ReadinessResult,
    Response,
    Stakeholder,
    StandardsAssessment,
    SupportRequest,
    Wave,
)
from engagement.services import (
    coverage_compute,
    readiness_release,
    stakeholder_save,
    stakeholders_sync_memberships,
)
from engagement.services_maturity import action_item_create, maturity_assessment_create
from engagement.services_ppi import (
    activity_create,
    public_review_create,
    standards_assessment_create,
    support_request_create,
)
from engagement.services_surveys import (
    AboutYou,
    new_token,
    response_save,
    response_submit,
    token_digest,
    wave_create,
    wave_invite,
)
from hitportal.roles import forget_roles
from reporting.models import ProgressReport, ReportSchedule, StageAssessment
from teams.enums import (
    Appointment,
    ClosureReason,
    LeadSide,
    LifecycleStage,
    MembershipRole,
    ProgrammeRole,
    Role,
)
from teams.models import (
    HIT,
    Affiliation,
    ClosureRecord,
    HITLink,
    HITStatusChange,
    Meeting,
    Membership,
    Organisation,
    OrganisationType,
    Person,
    PortfolioSnapshot,
    RoleAssignment,
    SponsorInteraction,
    StakeholderCategory,
    Theme,
    User,
    WorkingGroup,
)
from teams.services import hit_transition, role_grant
from teams.services_lifecycle import hit_close, hit_closure_begin

DEMO_PASSWORD = "hitportal-demo"  # noqa: S105 - documented demo password, printed by seed_demo

CURRENT_ROUND = "2026 accreditation round"
PAST_ROUND = "2023 accreditation round"
CURRENT_PANEL = "Accrediting panel"

A, S, D, OTHER = Appointment.ACADEMIC, Appointment.SERVICE, Appointment.DUAL, Appointment.OTHER

# --- Logins --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    key: str  # also the key of the login's Person, when it has one
    email: str
    full_name: str
    role: str  # the role this login demonstrates ("" for none)
    shows: str
    has_person: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    programme_role: str = ""  # granted with teams.services.role_grant


LOGINS: tuple[Login, ...] = (
    Login(
        "pm",
        "pm@example.org",
        "Priya Mistry",
        Role.PROGRAMME_MANAGER,
        "Programme manager (staff, admin site): an accreditation ending within six months, an EOI, two "
        "applications with the panel, the PPI caseload, a progress report to accept, two overdue",
        is_staff=True,
        programme_role=ProgrammeRole.PROGRAMME_MANAGER,
    ),
    Login(
        "board",
        "board@example.org",
        "Richard Ellison",
        Role.BOARD_MEMBER,
        "Board member: read-only portfolio, engagement and readiness results",
        programme_role=ProgrammeRole.BOARD_MEMBER,
    ),
    Login(
        "ppi",
        "ppi@example.org",
        "Grace Nwosu",
        Role.PPI_FACILITATOR,
        "PPI facilitator: caseload with flagged HITs, a support request from the Dementia HIT",
        programme_role=ProgrammeRole.PPI_FACILITATOR,
    ),
    Login(
        "chair",
        "chair@example.org",
        "Martin Hale",
        Role.PANEL_CHAIR,
        "Panel chair: an EOI to decide, an application to start reviewing, one under review, a conflict",
    ),
    Login(
        "reviewer",
        "reviewer@example.org",
        "Aisha Rahman",
        Role.REVIEWER,
        "Reviewer: a draft review of the Healthy Weight application",
    ),
    Login(
        "reviewer2",
        "reviewer2@example.org",
        "Tom Whitfield",
        Role.REVIEWER,
        "Reviewer: assigned to Healthy Weight, conflict flagged (South Avon CCG)",
    ),
    Login(
        "lay",
        "lay@example.org",
        "Margaret Osei",
        Role.LAY_REVIEWER,
        "Lay (public review group) reviewer: interests to declare on Healthy Weight",
    ),
    Login(
        "applicant",
        "applicant@example.org",
        "Sam Kowalski",
        Role.APPLICANT,
        "Applicant (not in any HIT yet): one EOI submitted, one in draft",
        programme_role=ProgrammeRole.APPLICANT,
    ),
    Login(
        "director",
        "director@example.org",
        "Helen Carter",
        Role.HIT_DIRECTOR,
        "HIT director, Dementia HIT: renewal due, an open condition, engagement records, progress reports",
    ),
    Login(
        "sponsor",
        "sponsor@example.org",
        "Jonathan Price",
        Role.EXECUTIVE_SPONSOR,
        "Executive sponsor, Dementia HIT: owns an action-plan item",
    ),
    Login(
        "member",
        "member@example.org",
        "Lucy Bennett",
        Role.HIT_MEMBER,
        "HIT member, Dementia HIT: readiness survey results, maturity matrix",
    ),
    Login(
        "thornton",
        "emma.thornton@example.org",
        "Emma Thornton",
        Role.HIT_DIRECTOR,
        "HIT director, Healthy Weight HIT: application under review",
    ),
    Login(
        "obi",
        "daniel.obi@example.org",
        "Daniel Obi",
        Role.HIT_DIRECTOR,
        "HIT director, Cancer survivorship HIT: revision 2 submitted after feedback",
    ),
    Login("norole", "norole@example.org", "Rowan Blake", "", "No role at all", has_person=False),
    Login(
        "admin",
        "admin@example.org",
        "Portal Administrator",
        "",
        "Superuser (admin site)",
        has_person=False,
        is_staff=True,
        is_superuser=True,
    ),
)

# Panel of the current round: login key -> panel role.
PANEL = (
    ("chair", PanelRole.CHAIR),
    ("reviewer", PanelRole.REVIEWER),
    ("reviewer2", PanelRole.REVIEWER),
    ("lay", PanelRole.LAY_REVIEWER),
)

# --- Organisations ---------------------------------------------------------------------------------------

# (key, name, short name, organisation type code, programme partner, parent key)
ORGANISATIONS: tuple[tuple[str, str, str, str, bool, str], ...] = (
    # The nine programme partners: 3 NHS trusts, 3 commissioners, 2 universities, 1 city council.
    ("acute", "Avon Acute Hospitals NHS Foundation Trust (illustrative)", "AAH", "nhs-acute", True, ""),
    ("north", "North Avon Hospitals NHS Trust (illustrative)", "NAH", "nhs-acute", True, ""),
    (
        "mh",
        "Severnside Mental Health Partnership NHS Trust (illustrative)",
        "SMHP",
        "nhs-mental-health",
        True,
        "",
    ),
    (
        "ccg_city",
        "Avon City Clinical Commissioning Group (illustrative)",
        "City CCG",
        "commissioner-icb",
        True,
        "",
    ),
    (
        "ccg_north",
        "North Avon Clinical Commissioning Group (illustrative)",
        "North CCG",
        "commissioner-icb",
        True,
        "",
    ),
    (
        "ccg_south",
        "South Avon Clinical Commissioning Group (illustrative)",
        "South CCG",
        "commissioner-icb",
        True,
        "",
    ),
    ("uoa", "University of Avon (illustrative)", "UoA", "university", True, ""),
    ("svu", "Severn Valley University (illustrative)", "SVU", "university", True, ""),
    ("council", "Avon City Council (illustrative)", "ACC", "local-authority", True, ""),
    # Units of partners.
    ("uoa_med", "Avon Medical School, University of Avon (illustrative)", "AMS", "university", False, "uoa"),
    (
        "uoa_phs",
        "Population Health Sciences, University of Avon (illustrative)",
        "PHS",
        "university",
        False,
        "uoa",
    ),
    (
        "svu_hls",
        "Faculty of Health and Life Sciences, Severn Valley University (illustrative)",
        "HLS",
        "university",
        False,
        "svu",
    ),
    ("children", "Avon Children's Hospital (illustrative)", "ACH", "nhs-specialist", False, "acute"),
    ("renal", "Western Regional Renal Centre (illustrative)", "WRRC", "nhs-specialist", False, "north"),
    (
        "public_health",
        "Public Health Avon, Avon City Council (illustrative)",
        "PHA",
        "local-authority",
        False,
        "council",
    ),
    # Other NHS and public bodies.
    ("community", "Severn Vale Community Health (illustrative)", "SVCH", "nhs-community", False, ""),
    ("gp", "Harbourside Medical Practice (illustrative)", "", "nhs-primary-care", False, ""),
    ("pcn", "Eastside Primary Care Network (illustrative)", "Eastside PCN", "nhs-primary-care", False, ""),
    ("icb", "Avon and Severn Integrated Care Board (illustrative)", "ICB", "commissioner-icb", False, ""),
    ("nhse", "NHS England South West (illustrative)", "NHSE SW", "commissioner-nhse", False, ""),
    ("north_council", "North Avon District Council (illustrative)", "NADC", "local-authority", False, ""),
    ("hwb", "Avon City Health and Wellbeing Board (illustrative)", "HWB", "hwb-public-body", False, ""),
    ("fire", "Severnside Fire and Rescue Service (illustrative)", "SFRS", "hwb-public-body", False, ""),
    ("police", "Severnside Police (illustrative)", "", "hwb-public-body", False, ""),
    (
        "institute",
        "West Country Applied Health Research Institute (illustrative)",
        "WCAHRI",
        "university",
        False,
        "",
    ),
    # Third sector, industry, patient and public groups.
    ("memory_cafe", "Avon Memory Café Network (illustrative)", "", "vcse", False, ""),
    ("recovery", "Harbour Recovery Trust (illustrative)", "", "vcse", False, ""),
    ("carers", "Avon Carers' Centre (illustrative)", "", "vcse", False, ""),
    ("safe_play", "Safe Play Avon (illustrative)", "", "vcse", False, ""),
    ("medtech", "Clifton MedTech Ltd (illustrative)", "", "industry", False, ""),
    ("digital", "Severn Digital Health Ltd (illustrative)", "", "industry", False, ""),
    ("patients_voice", "Avon Patients' Voice (illustrative)", "", "patient-public-group", False, ""),
    (
        "kidney_patients",
        "Avon Kidney Patients' Association (illustrative)",
        "",
        "patient-public-group",
        False,
        "",
    ),
    ("youth_forum", "Young Avon Health Forum (illustrative)", "", "patient-public-group", False, ""),
)

# --- People ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class P:
    key: str
    full_name: str
    posts: tuple[tuple[str, str, str], ...]  # (organisation key, job title, appointment); first is primary
    public: bool = False
    email: str = ""

    @property
    def address(self) -> str:
        if self.email:
            return self.email
        local = ".".join(self.full_name.lower().replace("'", "").split())
        return f"{local}@example.org"


PEOPLE: tuple[P, ...] = (
    # People behind the demo logins.
    P(
        "pm",
        "Priya Mistry",
        (("uoa", "Programme manager, Avon Health Partners (hosted by the university)", OTHER),),
        email="pm@example.org",
    ),
    P("board", "Richard Ellison", (("north", "Chief executive", S),), email="board@example.org"),
    P(
        "ppi",
        "Grace Nwosu",
        (("uoa", "PPI facilitator, Avon Health Partners (hosted by the university)", OTHER),),
        email="ppi@example.org",
    ),
    P(
        "chair",
        "Martin Hale",
        (("svu_hls", "Professor of health services research", A),),
        email="chair@example.org",
    ),
    P(
        "reviewer",
        "Aisha Rahman",
        (("acute", "Consultant geriatrician", S), ("uoa_med", "Honorary senior lecturer", A)),
        email="reviewer@example.org",
    ),
    P(
        "reviewer2",
        "Tom Whitfield",
        (("ccg_south", "Head of strategy and planning", S),),
        email="reviewer2@example.org",
    ),
    P(
        "lay",
        "Margaret Osei",
        (("patients_voice", "Volunteer, public review group", OTHER),),
        public=True,
        email="lay@example.org",
    ),
    P("applicant", "Sam Kowalski", (("gp", "GP partner", S),), email="applicant@example.org"),
    P(
        "director",
        "Helen Carter",
        (
            ("mh", "Consultant old age psychiatrist", D),
            ("uoa_med", "Senior clinical lecturer in dementia", D),
        ),
        email="director@example.org",
    ),
    P("sponsor", "Jonathan Price", (("mh", "Medical director", S),), email="sponsor@example.org"),
    P("member", "Lucy Bennett", (("community", "Dementia nurse specialist", S),), email="member@example.org"),
    # HIT directors (most hold dual academic and service appointments).
    P(
        "osborne",
        "David Osborne",
        (
            ("acute", "Consultant in acute medicine", D),
            ("uoa_phs", "Honorary reader in health services research", D),
        ),
    ),
    P(
        "mackay",
        "Fiona Mackay",
        (("uoa_phs", "Professor of child health", D), ("children", "Honorary consultant paediatrician", D)),
    ),
    P(
        "patel",
        "Rajesh Patel",
        (("renal", "Consultant nephrologist", D), ("uoa_med", "Reader in renal medicine", D)),
    ),
    P(
        "kelly",
        "Siobhan Kelly",
        (("mh", "Consultant addiction psychiatrist", D), ("svu_hls", "Visiting professor of addiction", D)),
    ),
    P(
        "lambert",
        "Christopher Lambert",
        (("north", "Consultant in pain medicine", D), ("uoa_med", "Senior lecturer in anaesthesia", D)),
    ),
    P(
        "whitaker",
        "Eleanor Whitaker",
        (("north", "Consultant stroke physician", D), ("uoa_med", "Clinical senior lecturer", D)),
    ),
    P(
        "hussain",
        "Nadia Hussain",
        (("acute", "Consultant diabetologist", D), ("svu_hls", "Associate professor of diabetes care", D)),
    ),
    P(
        "griffiths",
        "Owen Griffiths",
        (("uoa_phs", "Professor of child and adolescent mental health", D), ("mh", "Honorary consultant", D)),
    ),
    P(
        "simmons",
        "Janet Simmons",
        (("north", "Consultant geriatrician", D), ("svu_hls", "Professor of ageing", D)),
    ),
    P(
        "andrews",
        "Peter Andrews",
        (
            ("acute", "Consultant respiratory physician", D),
            ("uoa_med", "Senior lecturer in respiratory medicine", D),
        ),
    ),
    P(
        "mensah",
        "Kwame Mensah",
        (
            ("svu_hls", "Professor of musculoskeletal health", D),
            ("community", "Consultant physiotherapist", D),
        ),
    ),
    P("foster", "Gillian Foster", (("community", "Falls service lead", S),)),
    P(
        "baxter",
        "Caroline Baxter",
        (("acute", "Consultant in palliative medicine", D), ("uoa_med", "Honorary senior lecturer", D)),
    ),
    P(
        "lindqvist",
        "Sarah Lindqvist",
        (("acute", "Consultant obstetrician", D), ("uoa_med", "Reader in maternal health", D)),
    ),
    P("reid", "Marcus Reid", (("community", "Consultant in sexual and reproductive health", S),)),
    P("thornton", "Emma Thornton", (("uoa_phs", "Senior lecturer in nutrition and public health", A),)),
    P(
        "obi",
        "Daniel Obi",
        (("acute", "Consultant clinical oncologist", D), ("uoa_med", "Senior lecturer in oncology", D)),
    ),
    P(
        "clarke",
        "Imogen Clarke",
        (("mh", "Consultant psychiatrist, eating disorders", D), ("uoa_med", "Honorary senior lecturer", D)),
    ),
    P("harrington", "Ben Harrington", (("gp", "GP with a special interest in homeless health", S),)),
    # Senior executives (executive sponsors).
    P("doyle", "Catherine Doyle", (("acute", "Medical director", S),)),
    P("fenwick", "Andrew Fenwick", (("north", "Director of research and innovation", S),)),
    P("summers", "Rachel Summers", (("council", "Director of public health", S),)),
    P("ashworth", "Michael Ashworth", (("uoa", "Pro vice-chancellor for research", A),)),
    P("webb", "Hannah Webb", (("svu", "Dean of health and life sciences", A),)),
    P("hayes", "Lorraine Hayes", (("community", "Chief executive", S),)),
    # Commissioners.
    P("cartwright", "Simon Cartwright", (("ccg_city", "Chief clinical officer", S),)),
    P("fairbairn", "Julia Fairbairn", (("ccg_city", "Head of urgent care commissioning", S),)),
    P(
        "iqbal",
        "Mohammed Iqbal",
        (("ccg_north", "Clinical lead for long-term conditions", S), ("pcn", "GP", S)),
    ),
    P("oneill", "Karen O'Neill", (("ccg_south", "Mental health commissioning manager", S),)),
    P("jennings", "Paul Jennings", (("icb", "Director of population health", S),)),
    P("grant", "Alison Grant", (("nhse", "Specialised commissioning lead, renal", S),)),
    # Local government and other public bodies.
    P("moore", "Stephen Moore", (("council", "Head of adult social care commissioning", S),)),
    P("crawford", "Lisa Crawford", (("public_health", "Consultant in public health", S),)),
    P("parsons", "Neil Parsons", (("north_council", "Community safety manager", S),)),
    P("dawson", "Craig Dawson", (("fire", "Prevention and community safety manager", S),)),
    P("bishop", "Mark Bishop", (("police", "Drug and alcohol liaison officer", S),)),
    P("lane", "Victoria Lane", (("hwb", "Health and wellbeing board manager", S),)),
    # Service leads and managers.
    P("evans", "Ruth Evans", (("acute", "Divisional manager, medicine", S),)),
    P("crossley", "Ian Crossley", (("north", "Head of therapies", S),)),
    P("sharma", "Anita Sharma", (("renal", "Lead renal nurse", S),)),
    P("lloyd", "Gareth Lloyd", (("gp", "GP partner", S),)),
    P("ali", "Yasmin Ali", (("pcn", "Clinical director", S),)),
    P("pritchard", "Joanne Pritchard", (("community", "Head of nursing", S),)),
    P("mckenzie", "Laura McKenzie", (("mh", "Service manager, later life", S),)),
    P("rhodes", "Megan Rhodes", (("children", "Consultant in paediatric emergency medicine", S),)),
    P("osullivan", "Niamh O'Sullivan", (("acute", "Consultant midwife", S),)),
    # Academics.
    P("zhang", "Wei Zhang", (("uoa_phs", "Senior research fellow in evidence synthesis", A),)),
    P("turner", "Sophie Turner", (("svu_hls", "Senior lecturer in nursing", A),)),
    P("okoro", "James Okoro", (("institute", "Health economist", A),)),
    P("hudson", "Claire Hudson", (("uoa_med", "Lecturer in health data science", A),)),
    P(
        "moss",
        "Rebecca Moss",
        (
            ("uoa_phs", "Research fellow in health inequalities", D),
            ("public_health", "Specialty registrar in public health", D),
        ),
    ),
    # Third sector and industry.
    P("norris", "Patricia Norris", (("memory_cafe", "Network coordinator", OTHER),)),
    P("connolly", "Liam Connolly", (("recovery", "Chief officer", OTHER),)),
    P("fletcher", "Dawn Fletcher", (("carers", "Centre manager", OTHER),)),
    P("haddad", "Amira Haddad", (("safe_play", "Project lead", OTHER),)),
    P("stanton", "Oliver Stanton", (("medtech", "Head of clinical partnerships", OTHER),)),
    P("desai", "Priyanka Desai", (("digital", "Product lead", OTHER),)),
    # Patients, carers and members of the public.
    P("fowler", "Brian Fowler", (("patients_voice", "Volunteer member", OTHER),), public=True),
    P("murphy", "Elaine Murphy", (("kidney_patients", "Chair", OTHER),), public=True),
    P("adeyemi", "Josh Adeyemi", (("youth_forum", "Youth representative", OTHER),), public=True),
    P("jackson", "Sheila Jackson", (("carers", "Carer representative", OTHER),), public=True),
    P("walsh", "Dennis Walsh", (("patients_voice", "Volunteer member", OTHER),), public=True),
    P("qureshi", "Farah Qureshi", (("patients_voice", "Parent representative", OTHER),), public=True),
    P(
        "hammond",
        "George Hammond",
        (("patients_voice", "Stroke survivor and volunteer", OTHER),),
        public=True,
    ),
)

# --- HITs ----------------------------------------------------------------------------------------------------


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
        # Deliberate gap: the director post is vacant ("HITs without a director").
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

# --- Accreditation: three applications told through the real services ----------------------------------
#
# Each story below calls accreditation.services step by step (sections, stakeholder rows, the sponsor's
# signed link, submit, reviewers, declarations, reviews, feedback, decision, conditions), then moves
# each step's timestamps back to when it happened (the services stamp "now"). Where a service's date
# rule forbids a date in the past (a condition's due date), the row is given its real date with the
# ORM afterwards, with a comment at that spot.


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

# --- Engagement -------------------------------------------------------------------------------------------

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
# The public review group reviews the PPI arrangements of HITs in set-up (DOMAIN.md section 4).
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

# --- The loader ---------------------------------------------------------------------------------------------

# Models whose row counts load_demo reports (label -> model). The last two are computed scores.
COUNTED = {
    "organisations": Organisation,
    "people": Person,
    "affiliations": Affiliation,
    "users": User,
    "role_assignments": RoleAssignment,
    "hits": HIT,
    "status_changes": HITStatusChange,
    "working_groups": WorkingGroup,
    "memberships": Membership,
    "rounds": Round,
    "panels": Panel,
    "panel_members": PanelMember,
    "expressions_of_interest": ExpressionOfInterest,
    "applications": Application,
    "revisions": Revision,
    "review_assignments": ReviewAssignment,
    "reviews": Review,
    "feedback_points": FeedbackPoint,
    "decisions": Decision,
    "accreditations": Accreditation,
    "conditions": Condition,
    "stakeholders": Stakeholder,
    "ppi_log_entries": InvolvementActivity,
    "standards_assessments": StandardsAssessment,
    "public_reviews": PublicReview,
    "support_requests": SupportRequest,
    "survey_waves": Wave,
    "survey_invitations": Invitation,
    "survey_responses": Response,
    "maturity_assessments": MaturityAssessment,
    "action_plan_items": ActionPlanItem,
    "coverage_scores": CoverageScore,
    "readiness_results": ReadinessResult,
    "report_schedules": ReportSchedule,
    "progress_reports": ProgressReport,
    "closure_records": ClosureRecord,
    "hit_links": HITLink,
    "meetings": Meeting,
    "sponsor_interactions": SponsorInteraction,
    "stage_assessments": StageAssessment,
    "portfolio_snapshots": PortfolioSnapshot,
}
SCORES = ("coverage_scores", "readiness_results")


@dataclass
class _Loader:
    today: datetime.date
    out: TextIO | None
    orgs: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    hits: dict[str, HIT] = field(default_factory=dict)
    categories: dict[str, StakeholderCategory] = field(default_factory=dict)
    new_hits: set[str] = field(default_factory=set)
    _password_hash: str = ""

    def say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line + "\n")

    def day(self, months_ago: float) -> datetime.date:
        return self.today - datetime.timedelta(days=round(months_ago * 30.44))

    def moment(self, months_ago: float) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.day(months_ago), datetime.time(10, 0)))

    # Organisations --------------------------------------------------------------------------------

    def load_organisations(self) -> None:
        self.categories = {c.code: c for c in StakeholderCategory.objects.all()}
        types = {t.code: t for t in OrganisationType.objects.all()}
        missing = {code for *_, code, _, _ in ORGANISATIONS} - set(types)
        if missing:
            raise RuntimeError(
                f"Organisation types missing (run migrate first): {', '.join(sorted(missing))}"
            )
        for key, name, short, type_code, partner, parent in ORGANISATIONS:
            self.orgs[key], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "short_name": short,
                    "org_type": types[type_code],
                    "is_programme_partner": partner,
                    "parent": self.orgs[parent] if parent else None,
                },
            )

    # Logins and people ----------------------------------------------------------------------------

    def password_hash(self) -> str:
        # Hash once: the same password for every demo login, and hashing is deliberately slow.
        if not self._password_hash:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def load_users(self) -> None:
        existing = {u.email: u for u in User.objects.filter(email__in=[login.email for login in LOGINS])}
        for login in LOGINS:
            user = existing.get(login.email)
            if user is None:
                user = User.objects.create(
                    email=login.email,
                    full_name=login.full_name,
                    password=self.password_hash(),
                    is_staff=login.is_staff,
                    is_superuser=login.is_superuser,
                )
            self.users[login.key] = user
        pm = self.users["pm"]
        for login in LOGINS:
            if login.programme_role:
                role_grant(actor=pm, user=self.users[login.key], role=login.programme_role)

    def load_people(self) -> None:
        login_keys = {login.key for login in LOGINS if login.has_person}
        existing = {p.email: p for p in Person.objects.filter(email__in=[spec.address for spec in PEOPLE])}
        for spec in PEOPLE:
            person = existing.get(spec.address)
            user = self.users.get(spec.key) if spec.key in login_keys else None
            if person is None:
                person = Person.objects.create(
                    full_name=spec.full_name,
                    email=spec.address,
                    is_public_member=spec.public,
                    user=user if user is not None and not Person.objects.filter(user=user).exists() else None,
                )
            elif (
                user is not None and person.user_id is None and not Person.objects.filter(user=user).exists()
            ):
                person.user = user
                person.save(update_fields=["user", "updated_at"])
            self.people[spec.key] = person
            for position, (org_key, title, appointment) in enumerate(spec.posts):
                Affiliation.objects.get_or_create(
                    person=person,
                    organisation=self.orgs[org_key],
                    job_title=title,
                    defaults={"appointment": appointment, "is_primary": position == 0},
                )

    # HITs ------------------------------------------------------------------------------------------

    def primary_org(self, person_key: str) -> Organisation:
        spec = _PEOPLE_BY_KEY[person_key]
        return self.orgs[spec.posts[0][0]]

    def load_hits(self) -> None:
        themes = {t.code: t for t in Theme.objects.all()}
        for spec in HITS:
            hit = HIT.objects.filter(slug=spec.slug).first()
            if hit is None:
                hit = HIT.objects.create(
                    slug=spec.slug,
                    name=spec.name,
                    focus=spec.focus,
                    problem=spec.problem,
                    aims=spec.aims,
                    stage=spec.stage,
                    host_organisation=self.orgs[spec.host],
                    host_unit=spec.host_unit,
                    is_illustrative=True,
                )
                hit.themes.set([themes[code] for code in spec.themes if code in themes])
                proposed_at = self.moment(spec.proposed_months_ago)
                HIT.objects.filter(pk=hit.pk).update(created_at=proposed_at, status_changed_at=proposed_at)
                self.new_hits.add(spec.slug)
            self.hits[spec.slug] = hit

    def load_structures(self) -> None:
        themes = {t.code: t for t in Theme.objects.all()}
        for spec in HITS:
            hit = self.hits[spec.slug]
            moments = {step.action: step.months_ago for step in spec.steps}
            founded = self.day(spec.proposed_months_ago)
            joined = self.day(moments.get("start_application", spec.proposed_months_ago))
            leads_from = self.day(moments.get("accredit", spec.proposed_months_ago))
            ended = self.day(moments["close"]) if "close" in moments else None

            member = functools.partial(self.membership, hit, ended)
            if spec.director:
                member(spec.director, MembershipRole.DIRECTOR, founded)
            if spec.co_director:
                member(spec.co_director, MembershipRole.CO_DIRECTOR, founded)
            if spec.sponsor:
                member(spec.sponsor, MembershipRole.EXECUTIVE_SPONSOR, joined)
            for key in spec.management:
                member(key, MembershipRole.MANAGEMENT_GROUP, joined)
            for wg in spec.working_groups:
                group, _ = WorkingGroup.objects.get_or_create(
                    hit=hit, name=wg.name, defaults={"purpose": wg.purpose}
                )
                for key, side in ((wg.academic, LeadSide.ACADEMIC), (wg.service, LeadSide.SERVICE)):
                    if key:
                        member(
                            key,
                            MembershipRole.WORKING_GROUP_LEAD,
                            leads_from,
                            working_group=group,
                            lead_side=side,
                        )
            for key, theme_code in spec.theme_leads:
                member(key, MembershipRole.THEME_LEAD, leads_from, theme=themes[theme_code])
            if spec.ppi_lead:
                member(spec.ppi_lead, MembershipRole.PPI_LEAD, joined)
            for key in spec.members:
                member(key, MembershipRole.MEMBER, joined)

    def membership(
        self,
        hit: HIT,
        ended: datetime.date | None,
        person_key: str,
        role: str,
        start: datetime.date,
        *,
        working_group: WorkingGroup | None = None,
        theme: Theme | None = None,
        lead_side: str = "",
    ) -> None:
        Membership.objects.get_or_create(
            hit=hit,
            person=self.people[person_key],
            role=role,
            working_group=working_group,
            theme=theme,
            lead_side=lead_side,
            defaults={"organisation": self.primary_org(person_key), "start_date": start, "end_date": ended},
        )

    def walk_statuses(self) -> None:
        """Move each new HIT from proposed along its steps, then date the history back."""
        pm = self.users["pm"]
        for spec in HITS:
            if spec.slug not in self.new_hits or not spec.steps:
                continue
            hit = self.hits[spec.slug]
            for step in spec.steps:
                if step.action in ("begin_closure", "close"):
                    # Through the closure services, which also record what the HIT leaves behind.
                    what_continues, partners_leaving = CLOSURES[spec.slug]
                    if step.action == "begin_closure":
                        hit_closure_begin(
                            actor=pm,
                            hit_id=hit.pk,
                            closure_reason=step.closure_reason,
                            reason=step.reason,
                            what_continues=what_continues,
                            partners_leaving=partners_leaving,
                            merged_into=self.hits[step.merged_into] if step.merged_into else None,
                        )
                    else:
                        hit_close(
                            actor=pm,
                            hit_id=hit.pk,
                            reason=step.reason,
                            what_continues=what_continues,
                            partners_leaving=partners_leaving,
                        )
                    closure_recorded_at(hit, self.moment(step.months_ago))
                    hit = HIT.objects.get(pk=hit.pk)
                    continue
                hit = hit_transition(
                    actor=pm,
                    hit_id=hit.pk,
                    action=step.action,
                    reason=step.reason,
                    closure_reason=step.closure_reason,
                    merged_into=self.hits[step.merged_into] if step.merged_into else None,
                    check_permission=False,
                    # Dated back years, before the portal held the records a guard such as the
                    # set-up checklist before "activate" reads.
                    check_guards=False,
                )
            changes = list(hit.status_changes.order_by("pk"))
            for change, step in zip(changes[-len(spec.steps) :], spec.steps, strict=True):
                change.created_at = self.moment(step.months_ago)
            HITStatusChange.objects.bulk_update(changes, ["created_at"])
            HIT.objects.filter(pk=hit.pk).update(status_changed_at=self.moment(spec.steps[-1].months_ago))
            self.hits[spec.slug] = HIT.objects.get(pk=hit.pk)

    # Rounds and panels ------------------------------------------------------------------------------

    def load_rounds(self) -> None:
        guidance = (
            "Teams send a short expression of interest first; invited teams then submit a structured application, "
            "which may go round more than once with written feedback before the panel decides. An application "
            "needs a named director and executive sponsor and at least two organisations."
        )
        current, _ = Round.objects.get_or_create(
            name=CURRENT_ROUND,
            defaults={
                # Open for four months: the Cancer survivorship application has been round the loop once.
                "opens_on": self.today - datetime.timedelta(days=122),
                "eoi_deadline": self.today + datetime.timedelta(days=30),
                "application_deadline": self.today + datetime.timedelta(days=90),
                "guidance": guidance,
                "reviewers_per_application": 2,
                "accreditation_term_years": 3,
            },
        )
        three_years = datetime.timedelta(days=3 * 365)
        past, _ = Round.objects.get_or_create(
            name=PAST_ROUND,
            defaults={
                "opens_on": self.today - three_years - datetime.timedelta(days=30),
                "eoi_deadline": self.today - three_years + datetime.timedelta(days=30),
                "application_deadline": self.today - three_years + datetime.timedelta(days=90),
                "guidance": guidance,
                "reviewers_per_application": 2,
                "accreditation_term_years": 3,
            },
        )
        # The same people sat on the 2023 panel that accredited the Dementia HIT.
        for round_ in (current, past):
            panel, _ = Panel.objects.get_or_create(round=round_, name=CURRENT_PANEL)
            for key, role in PANEL:
                PanelMember.objects.get_or_create(panel=panel, user=self.users[key], defaults={"role": role})

    # Accreditation stories ---------------------------------------------------------------------------

    def load_accreditation(self) -> None:
        """The Dementia HIT's accredited 2023 application, the two applications of the current round and
        applicant@'s expressions of interest. Each story runs once: it is skipped when its row exists."""
        rounds = {r.name: r for r in Round.objects.filter(name__in=[CURRENT_ROUND, PAST_ROUND])}
        for spec, story in (
            (DEMENTIA_APPLICATION, self.dementia_story),
            (HEALTHY_WEIGHT_APPLICATION, self.healthy_weight_story),
            (CANCER_APPLICATION, self.cancer_story),
        ):
            hit, round_ = self.hits[spec.slug], rounds[spec.round]
            if Application.objects.filter(hit=hit, round=round_).exists():
                continue
            story(spec, round_)
        self.load_eois(rounds[CURRENT_ROUND])

    def back(self, when: datetime.datetime, model: type[models.Model], **lookup: object) -> None:
        """Move the created_at of rows a service just wrote to when it happened."""
        model._default_manager.filter(**lookup).update(created_at=when)

    def last_event_at(self, application: Application, when: datetime.datetime) -> None:
        event = ApplicationEvent.objects.filter(application=application).order_by("-pk").first()
        ApplicationEvent.objects.filter(pk=event.pk).update(created_at=when)  # type: ignore[union-attr]

    def draft(self, spec: AppSpec, round_: Round, when: datetime.datetime) -> Application:
        """The draft application and its answers, written by the director through the services.

        A HIT invited from an expression of interest gets its draft from eoi_transition("invite");
        the demo HITs were created directly, so the draft row is created here as that invitation would.
        """
        director = self.people[spec.director]
        application = Application.objects.create(
            hit=self.hits[spec.slug], round=round_, director=director, status_changed_at=when
        )
        actor = self.users[spec.director]
        for key, answers in spec.sections.items():
            data = dict(answers)
            if key == "governance":
                data |= {
                    "director": director.pk,
                    "executive_sponsor": self.people[spec.sponsor].pk,
                    "host_organisation": self.orgs[spec.host].pk,
                    "host_unit": spec.host_unit,
                }
            section_save(actor=actor, application_id=application.pk, key=key, data=data)
        for row in spec.rows:
            self.stakeholder_row(actor, application, row)
        Application.objects.filter(pk=application.pk).update(created_at=when)
        ApplicationSection.objects.filter(application=application).update(created_at=when, updated_at=when)
        self.back(when, StakeholderPlanRow, application=application)
        return application

    def stakeholder_row(self, actor: User, application: Application, row: Row) -> StakeholderPlanRow:
        return stakeholder_row_save(
            actor=actor,
            application_id=application.pk,
            row=StakeholderPlanRow(
                organisation=self.orgs[row.org] if row.org else None,
                stakeholder=row.stakeholder,
                category=self.categories[row.category],
                role=row.role,
                outcome=row.outcome,
                depth=row.depth,
            ),
        )

    def confirm_sponsor(self, spec: AppSpec, application: Application, when: datetime.datetime) -> None:
        """The director asks the sponsor to confirm; the sponsor follows the signed link in that email
        (the email itself is dropped, so the demo signs the same token the link carries)."""
        sponsor_request(actor=self.users[spec.director], application_id=application.pk)
        application.refresh_from_db()
        sponsor_confirm(token=sponsor_token(application))
        Application.objects.filter(pk=application.pk).update(sponsor_confirmed_at=when)
        self.last_event_at(application, when)

    def move(
        self, actor_key: str, application: Application, action: str, when: datetime.datetime, **extra: object
    ) -> Application:
        """One application_transition, with the timestamps it wrote moved to `when`."""
        application = application_transition(
            actor=self.users[actor_key], application_id=application.pk, action=action, **extra
        )
        fields: dict[str, object] = {"status_changed_at": when}
        if action == "submit":
            fields["submitted_at"] = when
            Revision.objects.filter(application=application, number=application.version).update(
                submitted_at=when
            )
            # The coverage the revision plans is snapshotted "today"; it belongs to the submission day.
            CoverageSnapshot.objects.filter(
                hit=application.hit_id, label=f"application v{application.version}", taken_on=self.today
            ).update(taken_on=when.date(), created_at=when)
        elif action == "issue_feedback":
            FeedbackDocument.objects.filter(
                application=application, revision_number=application.version
            ).update(released_at=when)
        Application.objects.filter(pk=application.pk).update(**fields)
        self.last_event_at(application, when)
        return application

    def assign(
        self,
        application: Application,
        reviewer_key: str,
        when: datetime.datetime,
        *,
        due_on: datetime.date | None = None,
    ) -> ReviewAssignment:
        assignment = assignment_create(
            actor=self.users["chair"],
            application_id=application.pk,
            reviewer=self.users[reviewer_key],
            due_on=due_on,
        )
        self.back(when, ReviewAssignment, pk=assignment.pk)
        return assignment

    def declare_none(self, assignment: ReviewAssignment, when: datetime.datetime) -> None:
        conflict_declare(
            actor=assignment.reviewer, assignment_id=assignment.pk, declaration=ConflictDeclaration.NONE
        )
        ReviewAssignment.objects.filter(pk=assignment.pk).update(declared_at=when)

    def review(
        self, assignment: ReviewAssignment, spec: ReviewSpec, when: datetime.datetime, *, submit: bool = True
    ) -> Review:
        """A submitted review scores every criterion (`spec.default` where not given); a draft only
        the criteria scored so far."""
        given = {code: (score, comment) for code, score, comment in spec.scores}
        if submit:
            criteria = [c.code for c in criteria_for(is_lay=assignment.is_lay)]
            scores = [ScoreInput(code, *given.get(code, (spec.default, ""))) for code in criteria]
        else:
            scores = [ScoreInput(code, score, comment) for code, (score, comment) in given.items()]
        review = review_save(
            actor=assignment.reviewer,
            assignment_id=assignment.pk,
            scores=scores,
            recommendation=spec.recommendation,
            summary=spec.summary,
            submit=submit,
        )
        Review.objects.filter(pk=review.pk).update(created_at=when, submitted_at=when if submit else None)
        return review

    def dementia_story(self, spec: AppSpec, round_: Round) -> None:
        """2023: drafted, sponsor confirmed, submitted, reviewed by three panel members, accredited with
        two conditions; one condition closed with evidence since, the other still open. The HIT was
        already active, so no HIT status moves (its history is walked in walk_statuses)."""
        at = self.moment
        hit_steps = {step.action: step.months_ago for step in _HITS_BY_SLUG[spec.slug].steps}
        submitted, decided = hit_steps["start_application"], hit_steps["accredit"]
        application = self.draft(spec, round_, at(submitted + 1.5))
        self.confirm_sponsor(spec, application, at(submitted + 0.5))
        application = self.move(spec.director, application, "submit", at(submitted))
        application = self.move("chair", application, "start_review", at(submitted - 0.2))
        for number, review_spec in enumerate(DEMENTIA_REVIEWS):
            assignment = self.assign(application, review_spec.reviewer, at(submitted - 0.2))
            self.declare_none(assignment, at(submitted - 0.3))
            self.review(assignment, review_spec, at(decided + 0.6 - 0.1 * number))

        valid_from = self.day(decided)
        valid_until = _add_years(valid_from, round_.accreditation_term_years) - datetime.timedelta(days=1)
        closed_text, closed_evidence = DEMENTIA_CONDITIONS[0]
        open_text, _ = DEMENTIA_CONDITIONS[1]
        open_due = valid_until - datetime.timedelta(days=60)
        application = self.move(
            "chair",
            application,
            "accredit_with_conditions",
            at(decided),
            comment=DEMENTIA_DECISION,
            conditions=[
                # The service refuses a due date in the past (correctly, for a decision taken today);
                # the first condition's real due date, six months after the decision, is set below.
                ConditionInput(closed_text, self.people["director"].pk, self.today),
                ConditionInput(open_text, self.people["director"].pk, open_due),
            ],
        )
        decision = Decision.objects.get(application=application)
        Decision.objects.filter(pk=decision.pk).update(decided_at=at(decided), created_at=at(decided))
        # The accreditation runs from the decision day (the service dates it today).
        Accreditation.objects.filter(application=application).update(
            valid_from=valid_from, valid_until=valid_until, created_at=at(decided)
        )
        Stakeholder.objects.filter(hit=application.hit_id, source=StakeholderSource.APPLICATION).update(
            start_date=valid_from
        )
        closed = Condition.objects.get(decision=decision, text=closed_text)
        Condition.objects.filter(pk=closed.pk).update(due_on=self.day(decided - 6), created_at=at(decided))
        Condition.objects.filter(decision=decision, text=open_text).update(created_at=at(decided))
        condition_close(actor=self.users[spec.director], condition_id=closed.pk, evidence=closed_evidence)
        Condition.objects.filter(pk=closed.pk).update(closed_at=at(decided - 4.5))

    def healthy_weight_story(self, spec: AppSpec, round_: Round) -> None:
        """Submitted, review started, three reviewers assigned: reviewer@ declared no conflict and saved
        a draft review; lay@ has not declared yet; reviewer2@ is flagged (South Avon CCG is named in
        the application), a conflict waiting for the chair."""
        at = self.moment
        submitted = {step.action: step.months_ago for step in _HITS_BY_SLUG[spec.slug].steps}[
            "start_application"
        ]
        application = self.draft(spec, round_, at(submitted + 1.0))
        self.confirm_sponsor(spec, application, at(submitted + 0.2))
        application = self.move(spec.director, application, "submit", at(submitted))
        application = self.move("chair", application, "start_review", at(submitted - 0.3))
        due = self.today + datetime.timedelta(days=14)
        reviewer = self.assign(application, "reviewer", at(submitted - 0.3), due_on=due)
        self.assign(application, "lay", at(submitted - 0.3), due_on=due)
        self.assign(application, "reviewer2", at(submitted - 0.3), due_on=due)
        self.declare_none(reviewer, at(submitted - 0.5))
        self.review(
            reviewer,
            ReviewSpec(
                "reviewer",
                "",
                "Strong framing across the council and NHS boundary; data sharing and innovation still to read.",
                0,
                HEALTHY_WEIGHT_DRAFT_REVIEW,
            ),
            at(0.2),
            submit=False,
        )

    def cancer_story(self, spec: AppSpec, round_: Round) -> None:
        """Version 1 submitted and reviewed (reviewer2@ and lay@ recommend a revision); the chair's
        consolidated feedback released; the team answered each point, changed two sections and the
        stakeholder table, and submitted version 2, now waiting for the chair to start the review."""
        at = self.moment
        submitted = {step.action: step.months_ago for step in _HITS_BY_SLUG[spec.slug].steps}[
            "start_application"
        ]
        application = self.draft(spec, round_, at(submitted + 0.4))
        self.confirm_sponsor(spec, application, at(submitted + 0.1))
        application = self.move(spec.director, application, "submit", at(submitted))
        application = self.move("chair", application, "start_review", at(submitted - 0.2))
        for number, review_spec in enumerate(CANCER_REVIEWS):
            assignment = self.assign(application, review_spec.reviewer, at(submitted - 0.2))
            self.declare_none(assignment, at(submitted - 0.3))
            self.review(assignment, review_spec, at(submitted - 0.7 - 0.1 * number))
        document = feedback_save(
            actor=self.users["chair"],
            application_id=application.pk,
            summary="The panel supports the aims and asks for a revision before it decides.",
            points=[(section, text, quote) for section, text, quote, _answer in CANCER_FEEDBACK],
        )
        self.back(at(submitted - 1.0), FeedbackDocument, pk=document.pk)
        application = self.move("chair", application, "issue_feedback", at(submitted - 1.1))
        application = self.move(spec.director, application, "revise", at(submitted - 1.3))

        actor = self.users[spec.director]
        answers = {section: answer for section, _text, _quote, answer in CANCER_FEEDBACK}
        feedback_respond(
            actor=actor,
            application_id=application.pk,
            responses={point.pk: answers[point.section] for point in document.points.all()},
        )
        FeedbackPoint.objects.filter(document=document).update(responded_at=at(1.0))
        for key, answers_v2 in CANCER_REVISION_2.items():
            section_save(actor=actor, application_id=application.pk, key=key, data=dict(answers_v2))
        public = StakeholderPlanRow.objects.get(
            application=application, stakeholder=CANCER_REVISION_2_PUBLIC_ROW.stakeholder
        )
        for field_name in ("role", "outcome", "depth"):
            setattr(public, field_name, getattr(CANCER_REVISION_2_PUBLIC_ROW, field_name))
        stakeholder_row_save(actor=actor, application_id=application.pk, row=public)
        self.stakeholder_row(actor, application, CANCER_REVISION_2_NEW_ROW)
        self.move(spec.director, application, "submit", at(0.4))

    def load_eois(self, round_: Round) -> None:
        applicant = self.users["applicant"]
        for number, (title, submit, fields, partners) in enumerate(EOIS):
            if ExpressionOfInterest.objects.filter(author=applicant, working_title=title).exists():
                continue
            eoi = eoi_save(
                actor=applicant,
                eoi=ExpressionOfInterest(round=round_, working_title=title, **fields),
                partners=[
                    PartnerInput(category_id=self.categories[code].pk, organisation_id=self.orgs[org].pk)
                    for org, code in partners
                ],
            )
            when = self.moment(0.6 - 0.3 * number)
            self.back(when, ExpressionOfInterest, pk=eoi.pk)
            if submit:
                eoi_transition(actor=applicant, eoi_id=eoi.pk, action="submit")
                submitted = self.moment(0.3)
                ExpressionOfInterest.objects.filter(pk=eoi.pk).update(submitted_at=submitted)
                EOIEvent.objects.filter(eoi=eoi).update(created_at=submitted)

    # Engagement --------------------------------------------------------------------------------------

    def load_engagement(self) -> None:
        """Stakeholder maps mirrored from memberships for every HIT, then the Dementia HIT's records
        (manual map rows, standards, public review, survey, maturity, action plan) and PPI logs."""
        for hit in self.hits.values():
            stakeholders_sync_memberships(hit_id=hit.pk)
        self.load_ppi_log()
        dementia = self.hits["dementia"]
        self.load_dementia_map(dementia)
        self.load_dementia_ppi(dementia)
        self.load_public_review(self.hits["maternity"])
        self.load_survey(dementia)
        self.load_maturity(dementia)

    def load_dementia_map(self, hit: HIT) -> None:
        for org, code, depth, role, evidence in DEMENTIA_MAP_ROWS:
            organisation = self.orgs[org]
            if Stakeholder.objects.filter(
                hit=hit, source=StakeholderSource.MANUAL, organisation=organisation
            ).exists():
                continue
            stakeholder_save(
                actor=self.users["director"],
                stakeholder=Stakeholder(
                    hit=hit,
                    organisation=organisation,
                    category=self.categories[code],
                    depth=depth,
                    role=role,
                    evidence=evidence,
                    start_date=self.day(4),
                ),
            )

    def load_ppi_log(self) -> None:
        for entry in PPI_LOG:
            hit = self.hits[entry.slug]
            if InvolvementActivity.objects.filter(hit=hit, description=entry.description).exists():
                continue
            activity_create(
                actor=self.users[entry.recorded_by],
                hit_id=hit.pk,
                values={
                    "happened_on": self.today - datetime.timedelta(days=entry.days_ago),
                    "activity_type": entry.activity_type,
                    "description": entry.description,
                    "patients": entry.patients,
                    "carers": entry.carers,
                    "public": entry.public,
                    "hours": Decimal(entry.hours),
                    "level": entry.level,
                    "decision_forum": entry.decision_forum,
                    "impact": entry.impact,
                    "recognition": entry.recognition,
                },
            )

    def load_dementia_ppi(self, hit: HIT) -> None:
        """Standards self-assessment and a member's request for PPI support."""
        if not StandardsAssessment.objects.filter(hit=hit).exists():
            standards_assessment_create(
                actor=self.users["director"],
                hit_id=hit.pk,
                ratings=DEMENTIA_STANDARDS,
                assessed_on=self.today - datetime.timedelta(days=25),
            )
        topic, details = DEMENTIA_SUPPORT_REQUEST
        if not SupportRequest.objects.filter(hit=hit, topic=topic).exists():
            request = support_request_create(
                actor=self.users["member"], hit_id=hit.pk, topic=topic, details=details
            )
            self.back(self.moment(0.2), SupportRequest, pk=request.pk)

    def load_public_review(self, hit: HIT) -> None:
        """The public review group's review of a HIT in set-up, by lay@ (a lay reviewer sees the PPI
        arrangements of HITs in set-up)."""
        if not PublicReview.objects.filter(hit=hit).exists():
            depth, adequate, comments = MATERNITY_PUBLIC_REVIEW
            public_review_create(
                actor=self.users["lay"],
                hit_id=hit.pk,
                ppi_depth=depth,
                arrangements_adequate=adequate,
                comments=comments,
                reviewed_on=self.today - datetime.timedelta(days=9),
            )

    def load_survey(self, hit: HIT) -> None:
        """Two readiness waves answered through one-time links, as the respondent's pages do: wave 1
        closed six weeks ago (its results are released when the scores are computed), wave 2 open
        now, collecting answers (only its counts show)."""
        instrument = (
            Instrument.objects.filter(name=SURVEY_INSTRUMENT, is_published=True).order_by("-version").first()
        )
        if instrument is None:
            self.say(f"No published '{SURVEY_INSTRUMENT}' item bank: the readiness survey was left out.")
            return
        if not Wave.objects.filter(hit=hit, title=SURVEY_TITLE).exists():
            wave = self._answered_wave(
                hit,
                instrument,
                title=SURVEY_TITLE,
                respondents=SURVEY_RESPONDENTS,
                opens_on=self.today - datetime.timedelta(days=75),
                weeks_open=4,
                unanswered=SURVEY_NOT_ANSWERED,
            )
            Wave.objects.filter(pk=wave.pk).update(created_at=self.moment(0.7))
        if not Wave.objects.filter(hit=hit, title=SURVEY_OPEN_TITLE).exists():
            wave = self._answered_wave(
                hit,
                instrument,
                title=SURVEY_OPEN_TITLE,
                respondents=SURVEY_OPEN_RESPONDENTS,
                opens_on=self.today - datetime.timedelta(days=6),
                weeks_open=4,
                unanswered=SURVEY_OPEN_NOT_ANSWERED,
            )
            Wave.objects.filter(pk=wave.pk).update(created_at=self.moment(0.97))

    def _answered_wave(
        self,
        hit: HIT,
        instrument: Instrument,
        *,
        title: str,
        respondents: tuple[tuple[str, str], ...],
        opens_on: datetime.date,
        weeks_open: int,
        unanswered: tuple[str, ...],
    ) -> Wave:
        """A wave whose links were answered while it was open; a wave that has closed since gets its
        real dates afterwards (answers to a closed wave are refused, as they should be)."""
        director = self.users["director"]
        closes_on = opens_on + datetime.timedelta(weeks=weeks_open)
        wave = wave_create(
            actor=director,
            hit_id=hit.pk,
            title=title,
            opens_on=min(opens_on, self.today),
            closes_on=max(closes_on, self.today),
            instrument_id=instrument.pk,
        )
        sent = timezone.make_aware(datetime.datetime.combine(opens_on, datetime.time(9, 0)))
        # wave_invite emails each link and keeps only a digest of its token (services_surveys explains
        # why); the demo answers with the tokens, so it issues the answered links the same way itself.
        tokens = [new_token() for _ in range(len(respondents) + 1)]
        Invitation.objects.bulk_create(
            Invitation(
                wave=wave,
                email=f"respondent{number:02d}.w{wave.pk}@example.org",
                token_digest=token_digest(token),
                sent_at=sent,
            )
            for number, token in enumerate(tokens, start=1)
        )
        wave_invite(actor=director, wave_id=wave.pk, addresses=unanswered)
        Invitation.objects.filter(wave=wave).update(sent_at=sent)
        items = list(Item.objects.filter(instrument=instrument).order_by("position", "pk"))
        for number, ((org, role), token) in enumerate(zip(respondents, tokens, strict=False)):
            answers = _survey_answers(items, SURVEY_PROFILES[org], number)
            about = AboutYou(organisation_id=self.orgs[org].pk if org else None, role_group=role)
            response_save(token=token, answers=dict(list(answers.items())[:12]))
            response_submit(token=token, about=about, answers=answers)
        # The last link was opened and half answered, then saved for later: not counted.
        half = _survey_answers(items, SURVEY_PROFILES["mh"], len(respondents))
        response_save(token=tokens[-1], answers=dict(list(half.items())[:15]))
        # Responses keep the day they were sent (never the time); spread them over the days it was open.
        days_open = (min(closes_on, self.today) - opens_on).days
        for offset, response in enumerate(
            Response.objects.filter(wave=wave, is_submitted=True).order_by("pk")
        ):
            day = opens_on + datetime.timedelta(days=offset * days_open // max(len(respondents), 1))
            Response.objects.filter(pk=response.pk).update(submitted_on=day)
        Wave.objects.filter(pk=wave.pk).update(opens_on=opens_on, closes_on=closes_on)
        wave.refresh_from_db()
        return wave

    def load_maturity(self, hit: HIT) -> None:
        director = self.users["director"]
        if not MaturityAssessment.objects.filter(hit=hit).exists():
            maturity_assessment_create(
                actor=director,
                hit=hit,
                ratings=DEMENTIA_MATURITY,
                participants=DEMENTIA_MATURITY_PARTICIPANTS,
                assessed_on=self.today - datetime.timedelta(days=33),
            )
        statements = {s.code: s for s in ActionStatement.objects.all()}
        for title, owner, due_in, status, statement, element in DEMENTIA_ACTIONS:
            if ActionPlanItem.objects.filter(hit=hit, title=title).exists():
                continue
            action_item_create(
                actor=director,
                hit=hit,
                title=title,
                owner=self.people[owner],
                due_on=self.today + datetime.timedelta(days=due_in),
                status=status,
                statement=statements.get(statement),
                element=element,
            )

    # Scores ---------------------------------------------------------------------------------------------

    def compute_scores(self) -> None:
        """What the worker would compute after these changes, computed here: coverage of every HIT and
        the results of every wave that has closed (released once; an open wave has none)."""
        coverage_compute()
        readiness_release()


_PEOPLE_BY_KEY = {spec.key: spec for spec in PEOPLE}

_HITS_BY_SLUG = {spec.slug: spec for spec in HITS}
SURVEY_INSTRUMENT = "Readiness for collaboration"  # the item bank engagement's data migration publishes


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _survey_answers(items: list[Item], profile: dict[str, float], respondent: int) -> dict[int, int | None]:
    """One respondent's answers: near their organisation's level per dimension, varied from item to
    item and person to person without randomness (the demo is the same on every machine); the
    reverse-worded items answered the other way round; now and then "don't know" (None)."""
    answers: dict[int, int | None] = {}
    for position, item in enumerate(items):
        if (respondent + position) % 13 == 0:
            answers[item.pk] = None
            continue
        nudge = ((respondent * 7 + position * 3) % 5 - 2) * 0.5
        agreement = min(5, max(1, round(profile[item.dimension] + nudge)))
        answers[item.pk] = 6 - agreement if item.reverse_worded else agreement
    return answers


@contextlib.contextmanager
def _notifications_dropped() -> Iterator[None]:
    """Drop what the services queue for after commit (emails, score jobs) while the demo loads.

    Must run inside a transaction. The emails would tell invented addresses about events that the
    demo dates months back; the score jobs are replaced by `_Loader.compute_scores`.
    """
    connection = transaction.get_connection()
    queued = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[queued:]


def row_counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in COUNTED.items()}


def load_demo(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Load the demo data (idempotent). Returns the number of rows created per kind (see COUNTED).

    Side effects beyond the rows: none. The notifications the services queue for after commit are
    dropped (they would describe back-dated events to invented addresses), and the scores the worker
    would compute are computed here instead, only when something was loaded or a score is missing.
    """
    before = row_counts()
    loader = _Loader(today=timezone.localdate(), out=stdout)
    with transaction.atomic(), _notifications_dropped():
        loader.load_organisations()
        loader.load_users()
        loader.load_people()
        loader.load_hits()
        loader.load_structures()
        loader.walk_statuses()
        loader.load_rounds()
        for user in loader.users.values():
            forget_roles(user)  # panels and memberships were added since the roles were looked up
        loader.load_accreditation()
        loader.load_engagement()
        loaded = row_counts()
        scores_missing = CoverageScore.objects.count() < HIT.objects.count() or (
            Wave.objects.filter(released_at__isnull=True, closes_on__lt=loader.today).exists()
        )
        if scores_missing or any(loaded[label] != before[label] for label in COUNTED if label not in SCORES):
            loader.compute_scores()
        # After the scores: the current report attaches the readiness results the worker computed.
        load_reports(hits=loader.hits, users=loader.users, today=loader.today, say=loader.say)
        load_lifecycle(
            hits=loader.hits,
            users=loader.users,
            stages={spec.slug: spec.stage for spec in HITS},
            today=loader.today,
            say=loader.say,
        )
    after = row_counts()
    created = {label: after[label] - before[label] for label in COUNTED}
    if loader.new_hits:
        loader.say(f"Created {len(loader.new_hits)} HITs and walked them through their status history.")
    return created


def logins_table() -> list[str]:
    """The demo logins as aligned text lines (the command prints them)."""
    width = max(len(login.email) for login in LOGINS)
    lines = [f"{'Login'.ljust(width)}  Role", f"{'-' * width}  {'-' * 40}"]
    lines += [f"{login.email.ljust(width)}  {login.shows}" for login in LOGINS]
    lines.append(f"Password for every demo login: {DEMO_PASSWORD}")
    return lines


def _check_spec() -> None:
    """Catch mistakes in the tables above at import time (unknown keys, a history that does not move on)."""
    org_keys = {row[0] for row in ORGANISATIONS}
    slugs = {spec.slug for spec in HITS}
    problems: list[str] = []
    for spec in HITS:
        months = [spec.proposed_months_ago, *(step.months_ago for step in spec.steps)]
        if months != sorted(months, reverse=True) or len(set(months)) != len(months):
            problems.append(f"{spec.slug}: steps are not in time order")
        if spec.host not in org_keys:
            problems.append(f"{spec.slug}: unknown host {spec.host!r}")
        keys = [spec.director, spec.co_director, spec.sponsor, spec.ppi_lead, *spec.management, *spec.members]
        keys += [k for wg in spec.working_groups for k in (wg.academic, wg.service)]
        keys += [k for k, _ in spec.theme_leads]
        problems += [f"{spec.slug}: unknown person {k!r}" for k in keys if k and k not in _PEOPLE_BY_KEY]
        problems += [
            f"{spec.slug}: unknown HIT {step.merged_into!r}"
            for step in spec.steps
            if step.merged_into and step.merged_into not in slugs
        ]
    for person in PEOPLE:
        problems += [
            f"{person.key}: unknown organisation {org!r}" for org, _, _ in person.posts if org not in org_keys
        ]
    logins = {login.key for login in LOGINS if login.has_person}
    for app in (DEMENTIA_APPLICATION, HEALTHY_WEIGHT_APPLICATION, CANCER_APPLICATION):
        if app.director not in logins:
            problems.append(f"{app.slug} application: its director {app.director!r} has no login to act with")
        if app.sponsor not in _PEOPLE_BY_KEY:
            problems.append(f"{app.slug} application: unknown sponsor {app.sponsor!r}")
        if set(app.sections) != {s.key for s in SECTIONS if s.form_class is not None}:
            problems.append(f"{app.slug} application: sections do not match accreditation.sections")
    rows = [
        *(
            row.org
            for app in (DEMENTIA_APPLICATION, HEALTHY_WEIGHT_APPLICATION, CANCER_APPLICATION)
            for row in app.rows
        ),
        CANCER_REVISION_2_NEW_ROW.org,
        *(org for *_, partners in EOIS for org, _ in partners),
        *(org for org, *_ in DEMENTIA_MAP_ROWS),
        *(org for org, _ in SURVEY_RESPONDENTS),
    ]
    problems += [f"unknown organisation {org!r}" for org in rows if org and org not in org_keys]
    problems += [f"PPI log: unknown HIT {entry.slug!r}" for entry in PPI_LOG if entry.slug not in slugs]
    problems += [
        f"PPI log: {entry.recorded_by!r} has no login" for entry in PPI_LOG if entry.recorded_by not in logins
    ]
    problems += [
        f"action plan: unknown owner {o!r}" for _, o, *_ in DEMENTIA_ACTIONS if o not in _PEOPLE_BY_KEY
    ]
    if problems:
        raise ValueError("Demo data is inconsistent: " + "; ".join(problems))


_check_spec()
