"""Forms and the filter for the maturity matrix and action plans."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from core.concurrency import VersionedFormMixin
from core.forms import DateField, DateInput
from core.idempotency import OnceOnlyFormMixin
from core.validators import SHORT_TEXT
from engagement.domain import matrix
from engagement.enums import ActionStatus, Dimension
from engagement.models import ActionPlanItem, ActionStatement
from engagement.selectors.maturity import OwnerChoices
from teams.models import Person

_RATING_PREFIXES = ("level_", "rationale_")


def _date_widget(**attrs: str) -> DateInput:
    return DateInput(attrs=attrs)


# --- The consensus self-assessment -------------------------------------------------------------------


@dataclass
class ElementRow:
    """What the template shows for one element: its text, its two fields and any survey hint."""

    element: matrix.Element
    level: forms.BoundField
    rationale: forms.BoundField
    suggested: int | None

    @property
    def suggested_name(self) -> str:
        return matrix.level_name(self.suggested)


class MaturityAssessmentForm(OnceOnlyFormMixin, forms.Form):
    """Nine ratings, each a level 1-3 chosen against the descriptors and a rationale, plus who took part.

    `suggested` maps elements to the indicative level of the latest survey wave; it preselects the
    level as a starting point for the discussion and is shown as a hint, never stored as a rating.
    """

    assessed_on = DateField(
        label="Date of the discussion",
        widget=_date_widget(),
        help_text="The day the group agreed these ratings.",
    )
    participants = forms.CharField(
        max_length=SHORT_TEXT,
        label="Who took part",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Names or roles of the people who reached this consensus, and their organisations.",
        error_messages={"required": "Say who took part in the discussion."},
    )

    def __init__(self, *args, suggested: Mapping[str, int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggested = dict(suggested or {})
        today = timezone.localdate()
        self.fields["assessed_on"].initial = today
        self.fields["assessed_on"].widget.attrs["max"] = today.isoformat()
        for element in matrix.ELEMENTS:
            self.fields[f"level_{element.code}"] = forms.TypedChoiceField(
                label=f"{element.name}: the level the group agreed",
                choices=[(level, f"{level} {name}: {text}") for level, name, text in element.descriptors],
                coerce=int,
                widget=forms.RadioSelect,
                initial=self.suggested.get(element.code),
                error_messages={
                    "required": f"Choose a level for {element.name}.",
                    "invalid_choice": f"Choose level 1, 2 or 3 for {element.name}.",
                },
            )
            self.fields[f"rationale_{element.code}"] = forms.CharField(
                max_length=SHORT_TEXT,
                label=f"{element.name}: why this level",
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="The evidence and examples behind the group's choice.",
                error_messages={"required": f"Say why the group chose this level for {element.name}."},
            )

    def clean_assessed_on(self) -> datetime.date:
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The assessment date cannot be in the future.")
        return day

    def clean(self) -> dict:
        data = super().clean()
        # A rating posted for anything but the nine elements means a forged or outdated page.
        unknown = sorted(
            {
                key.split("_", 1)[1]
                for key in self.data
                if key.startswith(_RATING_PREFIXES) and key.split("_", 1)[1] not in matrix.BY_CODE
            }
        )
        if unknown:
            raise forms.ValidationError(
                "The page sent a rating for something that is not one of the nine elements ("
                + ", ".join(f"“{code}”" for code in unknown)
                + "). Nothing was saved; reload the page and try again."
            )
        return data

    def element_rows(self) -> list[ElementRow]:
        return [
            ElementRow(
                element=element,
                level=self[f"level_{element.code}"],
                rationale=self[f"rationale_{element.code}"],
                suggested=self.suggested.get(element.code),
            )
            for element in matrix.ELEMENTS
        ]

    def ratings(self) -> dict[str, tuple[int, str]]:
        """The cleaned ratings in the shape `services_maturity.maturity_assessment_create` takes."""
        return {
            element.code: (
                self.cleaned_data[f"level_{element.code}"],
                self.cleaned_data[f"rationale_{element.code}"],
            )
            for element in matrix.ELEMENTS
        }


# --- Action plans ------------------------------------------------------------------------------------


class _StatementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ActionStatement) -> str:
        text = obj.text if len(obj.text) <= 90 else obj.text[:89].rstrip() + "…"
        return f"{obj.code}: {text}"


def _check_not_past(day: datetime.date) -> datetime.date:
    if day < timezone.localdate():
        raise forms.ValidationError("The due date cannot be in the past.")
    return day


class ActionItemForm(OnceOnlyFormMixin, forms.Form):
    """A new item of the action plan, perhaps turned from one of the research's statements."""

    title = forms.CharField(
        label="Action",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will be done, in a sentence.",
        error_messages={"required": "Say what the action is."},
    )
    owner = forms.TypedChoiceField(
        label="Owner",
        coerce=int,
        help_text="Who makes sure it happens: the HIT's current members first, then others on its "
        "stakeholder map.",
        error_messages={
            "required": "Choose who owns this action.",
            "invalid_choice": "Choose an owner from the list: a member of the HIT or someone on its map.",
        },
    )
    due_on = DateField(
        label="Due date", widget=_date_widget(), error_messages={"required": "Give a due date."}
    )
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    element = forms.ChoiceField(
        label="Element it strengthens",
        choices=[("", "None in particular"), *Dimension.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the listed elements."},
    )
    statement = _StatementChoiceField(
        label="Research statement it comes from",
        queryset=ActionStatement.objects.order_by("pk"),
        to_field_name="code",
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose one of the listed statements."},
    )

    def __init__(self, *args, owners: OwnerChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._owners = owners.all()
        groups: list = [("", "Choose an owner")]
        if owners.members:
            groups.append(("Current members of the HIT", [(p.pk, p.full_name) for p in owners.members]))
        if owners.others:
            groups.append(("Others on the stakeholder map", [(p.pk, p.full_name) for p in owners.others]))
        self.fields["owner"].choices = groups
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_owner(self) -> Person:
        return self._owners[self.cleaned_data["owner"]]

    def clean_due_on(self) -> datetime.date:
        return _check_not_past(self.cleaned_data["due_on"])


class ActionItemEditForm(VersionedFormMixin, forms.Form):
    """Move an item on: its status and due date. An unchanged past due date may stay (it is overdue).

    `version=` is the item's version when the page was opened (core.concurrency).
    """

    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    due_on = DateField(
        label="Due date", widget=_date_widget(), error_messages={"required": "Give a due date."}
    )

    def __init__(self, *args, item: ActionPlanItem, **kwargs) -> None:
        kwargs.setdefault("initial", {"status": item.status, "due_on": item.due_on})
        super().__init__(*args, **kwargs)
        self.item = item

    def clean_due_on(self) -> datetime.date:
        day = self.cleaned_data["due_on"]
        return day if day == self.item.due_on else _check_not_past(day)


SHOW_OPEN, SHOW_OVERDUE = "open", "overdue"
