"""Forms of the panel administration pages: make a panel, seat, remove and replace its members.
People are chosen from the directory (teams.forms.lookup); the services decide who may sit."""

from __future__ import annotations

from typing import Any

from django import forms

from accreditation.enums import PanelRole
from core.idempotency import OnceOnlyFormMixin
from core.validators import SHORT_TEXT
from teams.forms.lookup import PersonChoiceField
from teams.models import Person


def _people() -> Any:
    return Person.objects.select_related("user").order_by("full_name")


def _reason(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the panel's history and the audit log.",
    )


class PanelForm(OnceOnlyFormMixin, forms.Form):
    name = forms.CharField(label="Name of the panel", max_length=200)


class SeatAddForm(OnceOnlyFormMixin, forms.Form):
    person = PersonChoiceField(
        _people(),
        label="Person",
        help_text="From the directory. They need an account on the portal to sit on a panel.",
    )
    role = forms.ChoiceField(label="Seat", choices=PanelRole.choices, initial=PanelRole.REVIEWER)
    comment = _reason("Note (optional)")


class SeatReplaceForm(forms.Form):
    person = PersonChoiceField(
        _people(),
        label="Replacement",
        help_text="From the directory. They take the same seat and the reviews still owed.",
    )
    reason = _reason("Why (optional)")


class SeatRemoveForm(forms.Form):
    reason = _reason("Why (optional)")
