"""Forms of the directory: organisations, people and affiliations."""

from __future__ import annotations

from django import forms

from core.concurrency import VersionedFormMixin
from core.forms import DateInput
from core.idempotency import OnceOnlyFormMixin
from teams.forms.lookup import OrganisationChoiceField
from teams.models import Affiliation, Organisation, Person
from teams.services.directory import ORGANISATION_FIELDS, PERSON_FIELDS


class OrganisationForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        field_classes = {"parent": OrganisationChoiceField}

    def clean_parent(self) -> Organisation | None:
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk is not None:
            node, seen = parent, set()
            while node is not None and node.pk not in seen:
                if node.pk == self.instance.pk:
                    raise forms.ValidationError(
                        "An organisation cannot sit under itself or one of its children."
                    )
                seen.add(node.pk)
                node = node.parent
        return parent


class PersonForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = PERSON_FIELDS


class AffiliationForm(OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = Affiliation
        fields = ["organisation", "job_title", "appointment", "is_primary", "start_date", "end_date"]
        field_classes = {"organisation": OrganisationChoiceField}
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return data
