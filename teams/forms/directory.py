"""Forms of the directory: organisations, people and affiliations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from core.concurrency import VersionedFormMixin
from core.forms import DateInput
from core.idempotency import OnceOnlyFormMixin
from teams.forms.lookup import OrganisationChoiceField
from teams.models import Affiliation, Organisation, Person
from teams.services.directory import GRANTABLE_ROLES, ORGANISATION_FIELDS, PERSON_FIELDS


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


# --- Logins and programme roles ---------------------------------------------------------------------------


def _grantable_choices(held: Iterable[str] = ()) -> list[tuple[str, str]]:
    return [(role.value, str(role.label)) for role in GRANTABLE_ROLES if role.value not in set(held)]


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label="Programme role")

    def __init__(self, *args: Any, held: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _grantable_choices(held)


class AccountCreateForm(OnceOnlyFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address to sign in with",
        max_length=254,
        help_text="The invitation to set a password goes to this address.",
    )
    roles = forms.MultipleChoiceField(
        label="Programme roles (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=_grantable_choices(),
        help_text="HIT and panel roles come from the HIT's members and the round's panel, not from here.",
    )
