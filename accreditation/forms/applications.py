"""Forms and the list filter of the applicant's pages: stakeholder rows, workflow moves, answers to
feedback and the choice of two revisions to compare. Section forms live in accreditation.domain.sections."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django import forms

from accreditation.enums import ApplicationStatus
from accreditation.models import FeedbackPoint, StakeholderPlanRow
from accreditation.services.drafting import STAKEHOLDER_ROW_FIELDS
from core.concurrency import VersionedFormMixin
from core.idempotency import OnceOnlyFormMixin
from core.validators import LONG_TEXT, SHORT_TEXT
from teams.forms.lookup import OrganisationChoiceField
from teams.models import Organisation, StakeholderCategory

# The moves made from the application page; issuing feedback and decisions live on the panel pages.
APPLICATION_PAGE_ACTIONS = ("submit", "withdraw", "revise", "start_review")

DEPTH_CHOICES = [
    (0, "0: not involved yet"),
    (1, "1: informed or consulted"),
    (2, "2: member of a HIT group"),
    (3, "3: leadership or decision role"),
]


class StakeholderRowForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    depth = forms.TypedChoiceField(
        label="Planned depth of involvement", choices=DEPTH_CHOICES, coerce=int, initial=1
    )

    class Meta:
        model = StakeholderPlanRow
        fields = list(STAKEHOLDER_ROW_FIELDS)
        field_classes = {"organisation": OrganisationChoiceField}
        labels = {
            "organisation": "Organisation (from the directory)",
            "stakeholder": "Or a stakeholder not in the directory",
            "category": "Stakeholder category",
        }
        help_texts = {
            "stakeholder": "A person, group or organisation, if it is not in the directory.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["category"].queryset = StakeholderCategory.objects.filter(is_active=True).order_by(
            "position", "name"
        )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("organisation") and not (data.get("stakeholder") or "").strip():
            # On the field, so the database constraint saying the same is not reported twice.
            self.add_error(
                "organisation", "Choose an organisation from the directory, or name the stakeholder."
            )
        return data


class ApplicationTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in APPLICATION_PAGE_ACTIONS], widget=forms.HiddenInput)
    expected_status = forms.ChoiceField(choices=ApplicationStatus.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        max_length=SHORT_TEXT,
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the application's history.",
    )


class FeedbackResponseForm(VersionedFormMixin, forms.Form):
    """One answer per feedback point (fields named point_<id>); unknown ids cannot be posted.

    Its version (`version=`) is that of the point answered last (core.concurrency.latest_changed).
    """

    def __init__(self, *args, points: Sequence[FeedbackPoint], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, point in enumerate(points, start=1):
            self.fields[f"point_{point.pk}"] = forms.CharField(
                max_length=LONG_TEXT,
                label=f"Your answer to point {number}",
                required=False,
                initial=point.response,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def responses(self) -> dict[int, str]:
        return {
            int(name.removeprefix("point_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("point_")
        }


class RevisionCompareForm(forms.Form):
    a = forms.TypedChoiceField(label="Compare revision", coerce=int)
    b = forms.TypedChoiceField(label="with revision", coerce=int)

    def __init__(self, *args, numbers: Iterable[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, f"Revision {n}") for n in numbers]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("a") is not None and data.get("a") == data.get("b"):
            self.add_error("b", "Choose two different revisions.")
        return data
