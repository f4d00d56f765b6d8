"""Forms of the stakeholder map: one manual row, ending a row, and the map's filter."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet

from core.concurrency import VersionedFormMixin
from core.forms import DateField, DateInput
from core.idempotency import OnceOnlyFormMixin
from engagement.enums import Depth
from engagement.models import Stakeholder
from teams.forms.lookup import OrganisationChoiceField, PersonChoiceField
from teams.models import Organisation, Person, StakeholderCategory

DATE_WIDGET = DateInput()


def active_categories() -> QuerySet[StakeholderCategory]:
    return StakeholderCategory.objects.filter(is_active=True).order_by("position", "name")


class StakeholderForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    """A manual row of the map. Rows from memberships and the application are not edited here.

    Person and organisation are both optional, but one of them is needed: "a GP from the
    practice" names both, "the county council" only the organisation.
    """

    depth = forms.TypedChoiceField(
        label="Engagement depth",
        choices=Depth.choices,
        coerce=int,
        help_text="0 not engaged; 1 informed or consulted; 2 member of a HIT group; "
        "3 leadership or decision role.",
        error_messages={"invalid_choice": "Choose a depth from 0 to 3."},
    )

    class Meta:
        model = Stakeholder
        fields = ["person", "organisation", "category", "depth", "role", "start_date", "end_date", "evidence"]
        field_classes = {"person": PersonChoiceField, "organisation": OrganisationChoiceField}
        labels = {"category": "Stakeholder category", "role": "Role in the HIT's structures"}
        help_texts = {
            "person": "A person, an organisation, or both.",
            "organisation": "Leave empty for a person who takes part as an individual "
            "(for example a patient or carer).",
            "evidence": "Where this is recorded: minutes, terms of reference, a letter of support.",
        }
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        # A row keeps its current choices even after they were switched off in the vocabulary.
        self.fields["category"].queryset = StakeholderCategory.objects.filter(
            Q(is_active=True) | Q(pk=instance.category_id)
        ).order_by("position", "name")
        self.fields["organisation"].queryset = Organisation.objects.filter(
            Q(is_active=True) | Q(pk=instance.organisation_id)
        ).order_by("name")
        self.fields["person"].queryset = Person.objects.order_by("full_name", "pk")
        self.fields["person"].label_from_instance = lambda person: person.full_name
        self.fields["person"].empty_label = "No person: an organisation only"
        self.fields["organisation"].empty_label = "No organisation: a person taking part as an individual"
        self.fields["category"].empty_label = "Choose a category"

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("person") and not data.get("organisation") and not self.has_error("person"):
            self.add_error("person", "Name a person or an organisation (or both).")
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return data


class StakeholderEndForm(forms.Form):
    end_date = DateField(
        label="Last day of involvement",
        required=False,
        widget=DATE_WIDGET,
        help_text="Leave empty to end it today.",
    )


class StakeholderFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label="Category", queryset=StakeholderCategory.objects.none(), required=False, empty_label="All"
    )
    include_ended = forms.BooleanField(label="Include ended involvement", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
