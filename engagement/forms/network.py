"""Forms of the partnership network: planning a round, naming contacts, cancelling, and the
respondent's ratings of every other partner."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms
from django.utils import timezone

from core.concurrency import VersionedFormMixin
from core.forms import DateField, DateInput
from core.idempotency import OnceOnlyFormMixin
from engagement.enums import CollaborationLevel
from engagement.services.network import PartnerRating

SCORE_CHOICES = [("", "—"), ("1", "1 Low"), ("2", "2"), ("3", "3"), ("4", "4 High")]


class RoundForm(OnceOnlyFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text='For example "Baseline, spring 2026".')
    closes_on = DateField(
        label="Closes on", widget=DateInput(), help_text="The last day on which ratings can be sent."
    )

    @staticmethod
    def initial_dates(today: datetime.date | None = None) -> dict[str, datetime.date]:
        return {"closes_on": (today or timezone.localdate()) + datetime.timedelta(days=21)}


class ContactForm(VersionedFormMixin, forms.Form):
    """The contact of one organisation in a round; `version=` the respondent row as the page showed it."""

    contact_name = forms.CharField(label="Contact's name", max_length=200, required=False)
    email = forms.EmailField(label="Contact's email", required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RatingsForm(forms.Form):
    """One level (0-5) per partner, and trust and value (1-4) for a partner with a tie."""

    def __init__(self, *args: object, partners: Sequence[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.partners = list(partners)
        for pk, name in self.partners:
            self.fields[f"level_{pk}"] = forms.TypedChoiceField(
                label=f"How do you work with {name}?",
                choices=[(str(v), label) for v, label in CollaborationLevel.choices],
                coerce=int,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"trust_{pk}"] = forms.TypedChoiceField(
                label=f"Trust in {name}",
                choices=SCORE_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"value_{pk}"] = forms.TypedChoiceField(
                label=f"Value of the work with {name}",
                choices=SCORE_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"level_{pk}"], self[f"trust_{pk}"], self[f"value_{pk}"])
            for pk, name in self.partners
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for pk, _name in self.partners:
            level = data.get(f"level_{pk}")
            if level == 0:
                for part in ("trust", "value"):
                    if data.get(f"{part}_{pk}") is not None:
                        self.add_error(
                            f"{part}_{pk}",
                            f"Leave {part} empty for a partner you do not work with (level 0).",
                        )
        return data

    def ratings(self) -> dict[int, PartnerRating]:
        data = self.cleaned_data
        return {
            pk: PartnerRating(data[f"level_{pk}"], data.get(f"trust_{pk}"), data.get(f"value_{pk}"))
            for pk, _name in self.partners
        }
