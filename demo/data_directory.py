"""The demo's directory, as tables: one login per role (with what each finds waiting), the
organisations of the invented "Avon" region, and the people with their posts. Loaded by demo/directory.py."""

from __future__ import annotations

from dataclasses import dataclass

from teams.enums import Appointment, ProgrammeRole, Role

DEMO_PASSWORD = "hitportal-demo"  # noqa: S105 - documented demo password, printed by seed_demo

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
        "Programme manager (through the portal's pages): an accreditation ending within six months, an EOI, "
        "two applications with the panel, the PPI caseload, a progress report to accept, two overdue",
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


#: How a job title reads as a professional group: the first rule with a word in the title wins, so the
#: executive and academic posts are read before the clinical words their titles may hold.
GROUP_BY_TITLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("academic", ("professor", "lecturer", "research fellow", "economist", "dean", "vice-chancellor")),
    (
        "management",
        ("chief", "director of", "medical director", "head of", "commissioning", "manager", "board"),
    ),
    ("clinical", ("consultant", "gp", "physician", "psychiatrist", "clinical director", "clinical lead")),
    ("nursing_ahp", ("nurse", "midwife", "therap", "health visitor", "paramedic")),
    ("social_care", ("social worker", "support worker", "liaison officer", "outreach")),
)


@dataclass(frozen=True)
class P:
    key: str
    full_name: str
    posts: tuple[tuple[str, str, str], ...]  # (organisation key, job title, appointment); first is primary
    public: bool = False
    email: str = ""
    group: str = ""  # professional group; "" reads it from the primary post's title (professional_group)

    @property
    def professional_group(self) -> str:
        """The person's professional group (teams.enums.ProfessionalGroup): as given, or read from the job
        title of their first post by GROUP_BY_TITLE's first matching rule."""
        if self.group:
            return self.group
        if self.public:
            return "public"
        title = self.posts[0][1].lower()
        for group, words in GROUP_BY_TITLE:
            if any(word in title for word in words):
                return group
        return "other"

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
    P("osullivan", "Niamh O'Sullivan", (("acute", "Consultant midwife", S),), group="nursing_ahp"),
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

PEOPLE_BY_KEY = {spec.key: spec for spec in PEOPLE}
