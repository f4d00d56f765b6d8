"""The sections of the structured application, each with its own page, form and completeness mark.

A section's answers live in ApplicationSection.data (JSON) while the applicant drafts; governance
also fills the Application's own director / sponsor / host fields, and the stakeholder table has
its own rows. A draft saves whatever is valid so far; a section is complete when its strict form
validates. Submitting freezes every section into a Revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms

from core.concurrency import VERSION_FIELD, VersionedFormMixin
from core.validators import LONG_TEXT
from teams.forms.lookup import OrganisationChoiceField, PersonChoiceField
from teams.models import Organisation, Person

CADENCES = [
    ("", "---------"),
    ("monthly", "Monthly"),
    ("bimonthly", "Every two months"),
    ("quarterly", "Quarterly"),
    ("other", "Other"),
]
DSA_STATUS = [
    ("", "---------"),
    ("none", "No data sharing needed"),
    ("planned", "Planned"),
    ("drafting", "Being drafted with information-governance leads"),
    ("signed", "Signed"),
]


def _text(label: str, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        max_length=LONG_TEXT, label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


class SectionForm(VersionedFormMixin, forms.Form):
    """A section form. Non-strict (draft) mode makes every field optional so partial work saves.

    It carries the version of the section row its answers came from (`version=`; "" for a section
    never saved), so a save over a teammate's newer answers is refused (core.concurrency).
    """

    def __init__(self, *args, strict: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strict = strict
        if not strict:
            for field in self.fields.values():
                field.required = False

    def to_data(self) -> dict:
        """JSON-safe answers from cleaned_data (model choices stored by primary key)."""
        data = {}
        for name, value in self.cleaned_data.items():
            if name == VERSION_FIELD:
                continue
            data[name] = value.pk if hasattr(value, "pk") else value
        return data


class AimsForm(SectionForm):
    aims = _text("Aims", "What the HIT will achieve, for whom, in the next three years.")
    problem = _text("The problem", "The local health problem the team forms around.")
    boundaries = _text(
        "Boundaries it crosses",
        "Which organisations, sectors, professions and care settings the problem spans.",
    )


class GovernanceForm(SectionForm):
    director = PersonChoiceField(
        label="Director",
        queryset=Person.objects.order_by("full_name"),
        help_text="The person who leads the HIT.",
    )
    executive_sponsor = PersonChoiceField(
        label="Executive sponsor",
        queryset=Person.objects.order_by("full_name"),
        help_text="A senior leader of one partner organisation; they confirm from an email we send them.",
    )
    host_organisation = OrganisationChoiceField(
        label="Host organisation", queryset=Organisation.objects.order_by("name")
    )
    host_unit = forms.CharField(label="Host unit or division", max_length=200)
    management_group = _text(
        "Management group", "Who sits on it and which organisation each represents (one per line).", rows=4
    )
    steering_cadence = forms.ChoiceField(label="Steering group meets", choices=CADENCES)
    reporting_line = forms.CharField(
        label="Steering group reports to",
        max_length=300,
        help_text="For example a trust-wide steering group.",
    )
    working_groups = _text(
        "Working groups",
        "One per line: name; academic lead; service lead. Every working group has one of each.",
        rows=4,
    )
    theme_leads = _text("Theme leads", "One per line: theme; lead (ideally with a dual appointment).", rows=3)

    def clean_working_groups(self) -> str:
        value = self.cleaned_data.get("working_groups", "")
        problems = []
        for number, line in enumerate(filter(None, (ln.strip() for ln in value.splitlines())), start=1):
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3 or not all(parts):
                problems.append(f"line {number}")
        if problems:
            raise forms.ValidationError(
                "Write each working group as 'name; academic lead; service lead' (check %(lines)s).",
                params={"lines": ", ".join(problems)},
            )
        return value

    def clean(self) -> dict:
        data = super().clean()
        director, sponsor = data.get("director"), data.get("executive_sponsor")
        if director and sponsor and director == sponsor:
            self.add_error(
                "executive_sponsor", "The executive sponsor must be someone other than the director."
            )
        return data


class PPIForm(SectionForm):
    ppi_plan = _text(
        "PPI plan", "How patients, carers and the public will be involved, and in which decisions."
    )
    public_members_in_structures = _text(
        "Public members in the HIT's groups",
        "Which groups include patients or members of the public.",
        rows=3,
    )
    support = _text(
        "Support and recognition", "Training, expenses and payment for public contributors.", rows=3
    )


class CoordinationForm(SectionForm):
    related_hits = _text(
        "Related HITs", "HITs whose work overlaps or joins yours, and how you will coordinate."
    )
    sphere_of_influence = _text("Sphere of influence", rows=3)


class DataSharingForm(SectionForm):
    data_needs = _text(
        "Data the HIT needs to share", "Across which organisations, and why it serves patients."
    )
    dsa_status = forms.ChoiceField(label="Data-sharing agreement", choices=DSA_STATUS)
    ig_leads = _text(
        "Information-governance leads", "Who in each partner organisation (one per line).", rows=3
    )


class IntegrationForm(SectionForm):
    integration_plans = _text(
        "Integration plans", "Joined-up services, joint commissioning, data integration, pathway coverage."
    )


class InnovationForm(SectionForm):
    innovation_plans = _text(
        "Innovation plans", "Pilots, decision-support tools, new service models, training."
    )
    industry_partners = _text("Industry and third-sector partners", "What each brings.", rows=3)


class SkillsForm(SectionForm):
    skills_gaps = _text("Skills gaps", "What the team lacks and how it will fill the gap.")


MILESTONE_EXAMPLE = "6; pilot starts in two practices"


class MilestonesForm(SectionForm):
    milestones = _text(
        "First-year milestones",
        f"One per line: month; milestone, for example '{MILESTONE_EXAMPLE}'. At least three.",
        rows=6,
    )

    def clean_milestones(self) -> str:
        """A malformed line is refused even in a draft (like a working-groups line); fewer than
        three lines only keep the section incomplete. Both messages say the format expected."""
        value = self.cleaned_data.get("milestones", "")
        lines = [ln for ln in (ln.strip() for ln in value.splitlines()) if ln]
        malformed = [
            str(number)
            for number, line in enumerate(lines, start=1)
            if not all(part.strip() for part in line.partition(";")[::2]) or ";" not in line
        ]
        if malformed:
            raise forms.ValidationError(
                "Write each milestone as 'month; milestone', for example '%(example)s' (check line %(lines)s).",
                params={"example": MILESTONE_EXAMPLE, "lines": ", ".join(malformed)},
            )
        if self.strict and len(lines) < 3:
            raise forms.ValidationError(
                "List at least three milestones, one per line, each as 'month; milestone' "
                "(for example '%(example)s').",
                params={"example": MILESTONE_EXAMPLE},
            )
        return value


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    form_class: type[SectionForm] | None  # None: the stakeholder table, edited as rows
    concept: str = ""


SECTIONS: tuple[Section, ...] = (
    Section("aims", "Aims and problem", AimsForm),
    Section(
        "stakeholders", "Who needs to be involved, how, and for what outcome", None, "Whole-system engagement"
    ),
    Section("governance", "Governance", GovernanceForm, "Collaboration"),
    Section("ppi", "Patient and public involvement", PPIForm, "Whole-system engagement"),
    Section("coordination", "Coordination with related HITs", CoordinationForm, "Collaboration"),
    Section("data_sharing", "Data sharing and information governance", DataSharingForm, "Collaboration"),
    Section("integration", "Integration plans", IntegrationForm, "Integration"),
    Section("innovation", "Innovation plans", InnovationForm, "Innovation"),
    Section("skills", "Skills gaps", SkillsForm, "Collaboration"),
    Section("milestones", "First-year milestones", MilestonesForm),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
_BY_KEY = {s.key: s for s in SECTIONS}

# The governance answers that are stored on the Application itself rather than in JSON.
GOVERNANCE_MODEL_FIELDS = ("director", "executive_sponsor", "host_organisation", "host_unit")

MIN_STAKEHOLDER_ORGANISATIONS = 2

# Text that stands in for an answer not agreed yet: "To be agreed", "TBC", "n/a", "-", "?" and the like
# (docs/domain.md 3.3). A row of the stakeholder table saying only this is not complete.
_PLACEHOLDER = re.compile(
    r"(to be (agreed|confirmed|decided|determined|discussed|arranged)|tb[acd]|n/?a|not (yet )?(known|agreed)"
    r"|unknown|pending|none( yet)?|various|etc|x+|placeholder)\b.*|[^\w]*",
    re.IGNORECASE,
)
_PLACEHOLDER_FIELDS = (
    ("stakeholder", "Who"),
    ("role", "How they are involved"),
    ("outcome", "For what outcome"),
)


def is_placeholder(text: str) -> bool:
    """Whether the text only stands in for an answer: empty-ish (no letter or digit) or starting
    with "To be agreed", "TBC", "TBD", "n/a", "unknown" and the like."""
    return _PLACEHOLDER.fullmatch(text.strip()) is not None


def stakeholder_row_placeholders(row: object) -> list[tuple[str, str]]:
    """(column, text) of each column of a stakeholder row that holds placeholder text; the
    stakeholder's name counts only when the row names no organisation from the directory."""
    found = []
    for field, label in _PLACEHOLDER_FIELDS:
        if field == "stakeholder" and getattr(row, "organisation_id", None) is not None:
            continue
        text = str(getattr(row, field, "") or "")
        if is_placeholder(text):
            found.append((label, text.strip()))
    return found


def get_section(key: str) -> Section:
    return _BY_KEY[key]


def section_is_complete(key: str, data: dict) -> bool:
    section = _BY_KEY[key]
    if section.form_class is None:
        raise ValueError("The stakeholder table's completeness comes from its rows.")
    return section.form_class(data=data, strict=True).is_valid()
