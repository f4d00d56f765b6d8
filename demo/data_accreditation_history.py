"""What the demo's past applications said: the accreditation round of each year, and each accredited HIT's
application written from its own description (demo/data_hits.py), so that every HIT that was accredited has
the application, reviews, decision and accreditation that made it so (replayed by demo/accreditation_history.py).

Only the Dementia HIT's accredited application is told in full by hand (demo/data_accreditation.py); the
others say what their HIT's table says: its problem, aims, host, director, sponsor, management group,
working groups, theme leads and partners.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo.data_directory import ORGANISATIONS, PEOPLE_BY_KEY
from demo.data_hits import HITSpec

#: Past rounds opened once a year, on the anniversary of the 2023 round (demo/accreditation.py), for this
#: many years back; each took applications until the next one opened.
PAST_ROUND_YEARS = 6
#: A renewal is drafted, submitted and decided this many months before the accreditation it renews ends.
RENEWAL_DRAFTED, RENEWAL_SUBMITTED, RENEWAL_DECIDED = 5.0, 4.0, 2.0
#: A new application is drafted this many months before it is submitted (at the HIT's "start_application").
DRAFTED_BEFORE = 1.0

_ORG_NAMES = {key: name for key, name, *_ in ORGANISATIONS}
_ORG_TYPES = {key: type_code for key, _name, _short, type_code, *_ in ORGANISATIONS}


def person_name(key: str) -> str:
    return PEOPLE_BY_KEY[key].full_name


def person_org(key: str) -> str:
    """The organisation key of a person's first post."""
    return PEOPLE_BY_KEY[key].posts[0][0]


def _named(key: str) -> str:
    return f"{person_name(key)}, {_ORG_NAMES[person_org(key)]}"


@dataclass(frozen=True)
class PastRow:
    """One line of the table of who needs to be involved: an organisation key and what it does."""

    org: str
    role: str
    outcome: str
    depth: int


def partner_rows(spec: HITSpec) -> tuple[PastRow, ...]:
    """The organisations of the HIT's people, each once, in the order the HIT's table names them: the host
    and its leaders first (leadership, depth 3), the working-group leads' organisations next (depth 2),
    then everyone else's (depth 1)."""
    rows: dict[str, PastRow] = {}

    def add(org: str, role: str, depth: int) -> None:
        if org not in rows:
            rows[org] = PastRow(org, role, f"The aims of the {spec.name}", depth)

    add(spec.host, "Hosts the HIT and its director", 3)
    for key in (spec.director, spec.former_director, spec.co_director, spec.sponsor, *spec.management):
        if key:
            add(person_org(key), "On the management group", 3)
    for wg in spec.working_groups:
        for key in (wg.academic, wg.service):
            if key:
                add(person_org(key), f"Leads the working group '{wg.name}'", 2)
    for key, _theme in spec.theme_leads:
        add(person_org(key), "Leads a theme", 2)
    for key in (spec.ppi_lead, *spec.members):
        if key:
            add(person_org(key), "Members take part in the HIT's work", 1)
    return tuple(rows.values())


def applicant_of(spec: HITSpec) -> str:
    """The person key of who applied: the director (or, where the post is vacant now, the one who was)."""
    return spec.director or spec.former_director


def application_sections(spec: HITSpec) -> dict[str, dict[str, str]]:
    """The application's answers, section by section (governance without its model fields, which the
    replay adds: director, sponsor, host)."""
    partners = ", ".join(_ORG_NAMES[row.org] for row in partner_rows(spec))
    management = "\n".join(_named(key) for key in spec.management)
    groups = "\n".join(
        f"{wg.name}; {person_name(wg.academic)}; "
        + (person_name(wg.service) if wg.service else "Service lead to be appointed")
        for wg in spec.working_groups
    )
    # Where no theme has its own lead yet, the applicant leads the HIT's first theme.
    leads = spec.theme_leads or ((applicant_of(spec), spec.themes[0]),)
    themes = "\n".join(f"{theme.replace('-', ' ').capitalize()}; {person_name(key)}" for key, theme in leads)
    public = (
        f"{person_name(spec.ppi_lead)} leads patient and public involvement; public members sit on the "
        "management group and every working group."
        if spec.ppi_lead
        else "Public members will be recruited to the management group in the first six months."
    )
    return {
        "aims": {
            "aims": spec.aims,
            "problem": spec.problem,
            "boundaries": f"Care and support across {partners}.",
        },
        "governance": {
            "management_group": management or _named(applicant_of(spec)),
            "steering_cadence": "bimonthly",
            "reporting_line": f"The research and innovation committee of {_ORG_NAMES[spec.host]}",
            "working_groups": groups,
            "theme_leads": themes,
        },
        "ppi": {
            "ppi_plan": (
                f"Patients, carers and the public help set the priorities of the {spec.name} and review each "
                "working group's plans before they are agreed."
            ),
            "public_members_in_structures": public,
            "support": "Accessible venues and times, travel expenses and payment at the programme's rate.",
        },
        "coordination": {
            "related_hits": "None yet: the team will look for overlaps with the programme's other HITs.",
            "sphere_of_influence": f"The partners' services across Avon: {partners}.",
        },
        "data_sharing": {
            "data_needs": f"Activity and outcome data from the partners, to measure progress on: {spec.focus.lower()}.",
            "dsa_status": "planned",
            "ig_leads": f"Caldicott guardian, {_ORG_NAMES[spec.host]}",
        },
        "integration": {
            "integration_plans": f"One shared pathway for {spec.focus.lower()}, agreed by every partner.",
        },
        "innovation": {
            "innovation_plans": "Test each change on a small scale first and spread what works.",
            "industry_partners": "None at the start.",
        },
        "skills": {"skills_gaps": "Evaluation and health economics: a partnership with the university."},
        "milestones": {
            "milestones": (
                "3; management group and working groups meet\n6; shared plan agreed with every partner\n"
                "12; first report to the programme board"
            )
        },
    }


#: The two reviews each past application received: (recommendation, summary).
PAST_REVIEWS = (
    ("accredit", "A clear problem that crosses organisational boundaries, and the partners to tackle it."),
    ("accredit", "Credible leadership and plans; patients and the public involved from the start."),
)
PAST_DECISION = "Accredited by the panel: the partners, leadership and plans meet the programme's criteria."
RENEWAL_REVIEWS = (
    ("accredit", "The team delivered on its first accreditation; its renewed plans build on it."),
    ("accredit", "Partners still committed and the public still involved; renew."),
)
RENEWAL_DECISION = "Re-accredited: the team's record and renewed plans meet the programme's criteria."
