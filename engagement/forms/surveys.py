"""Forms of the readiness surveys: item bank, waves, invitations and the respondent's pages."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.concurrency import VersionedFormMixin
from core.forms import DateField, DateInput
from core.idempotency import OnceOnlyFormMixin
from engagement.enums import RoleGroup
from engagement.models import Instrument, Item
from engagement.services.surveys import MAX_INVITATIONS_PER_REQUEST, parse_addresses

DONT_KNOW = "dk"
# The five-point agreement scale plus "don't know" (docs/domain.md section 5), offered for every item.
SCALE = [
    ("1", "Strongly disagree"),
    ("2", "Disagree"),
    ("3", "Neither agree nor disagree"),
    ("4", "Agree"),
    ("5", "Strongly agree"),
    (DONT_KNOW, "Don't know"),
]
OFF_SCALE = "Choose one of the answers shown: from strongly disagree to strongly agree, or don't know."


class ItemForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Item
        fields = ["code", "dimension", "text", "reverse_worded", "position"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        labels = {"reverse_worded": "Reverse-worded", "text": "Statement"}
        help_texts = {
            "code": "Short and unique within this version, e.g. TR4. Letters, numbers, hyphens.",
            "text": "What the respondent agrees or disagrees with, in plain words.",
            "reverse_worded": "Tick when agreeing signals less readiness; its answers are reversed (6 - x).",
            "position": "Order of the item within its dimension's page.",
        }

    def __init__(self, *args: object, instrument: Instrument, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.instance.instrument = instrument

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        clash = Item.objects.filter(instrument=self.instrument, code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists() and not self.is_repeat():  # a repeat is sent to the item it added
            raise forms.ValidationError(f"Version {self.instrument.version} already has an item {code}.")
        return code


class WaveForm(OnceOnlyFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text='For example "Baseline, spring 2026".')
    instrument = forms.ModelChoiceField(
        label="Item bank version",
        queryset=Instrument.objects.none(),
        empty_label="Choose a published version",
        help_text="Only published versions can be used; their items are frozen.",
    )
    opens_on = DateField(label="Opens on", widget=DateInput())
    closes_on = DateField(
        label="Closes on",
        widget=DateInput(),
        help_text="The last day on which answers can be sent.",
    )

    def __init__(self, *args: object, instruments: QuerySet[Instrument], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date cannot be before the opening date.")
        elif closes and closes < timezone.localdate():
            self.add_error("closes_on", "The closing date cannot be in the past.")
        return data

    @staticmethod
    def initial_dates(today: datetime.date | None = None) -> dict:
        today = today or timezone.localdate()
        return {"opens_on": today, "closes_on": today + datetime.timedelta(days=28)}


class ReissueForm(forms.Form):
    email = forms.EmailField(
        label="Email address they were invited at",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="They get a new one-time link and the old one stops working. Answers they saved "
        "part-way with the old link are not carried over.",
        error_messages={"required": "Enter the email address.", "invalid": "Enter a valid email address."},
    )


class InviteForm(forms.Form):
    addresses = forms.CharField(
        max_length=MAX_INVITATIONS_PER_REQUEST * 256,
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text="One per line, or separated by commas. Anyone already invited is skipped.",
        error_messages={"required": "Enter at least one email address."},
    )

    def clean_addresses(self) -> list[str]:
        valid, invalid = parse_addresses(self.cleaned_data["addresses"])
        if invalid:
            listed = ", ".join(invalid[:20]) + (f" and {len(invalid) - 20} more" if len(invalid) > 20 else "")
            raise forms.ValidationError(
                f"{'This is not a valid email address' if len(invalid) == 1 else 'These are not valid email addresses'}"
                f": {listed}. Correct or remove {'it' if len(invalid) == 1 else 'them'}; nobody was invited."
            )
        if not valid:
            raise forms.ValidationError("Enter at least one email address.")
        if len(valid) > MAX_INVITATIONS_PER_REQUEST:
            raise forms.ValidationError(f"Invite at most {MAX_INVITATIONS_PER_REQUEST} people at a time.")
        return valid


class SectionForm(forms.Form):
    """One dimension's page: a radio group per item, none required (skipping is allowed)."""

    def __init__(self, *args: object, items: Sequence[Item], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[self.field_name(item)] = forms.ChoiceField(
                label=item.text,
                choices=SCALE,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"invalid_choice": OFF_SCALE},
            )

    @staticmethod
    def field_name(item: Item) -> str:
        return f"item_{item.pk}"

    @classmethod
    def initial_for(cls, items: Sequence[Item], answers: dict[int, int | None]) -> dict[str, str]:
        return {
            cls.field_name(item): DONT_KNOW if answers[item.pk] is None else str(answers[item.pk])
            for item in items
            if item.pk in answers
        }

    def rows(self) -> list[tuple[Item, forms.BoundField]]:
        return [(item, self[self.field_name(item)]) for item in self.items]

    def answers(self) -> dict[int, int | None]:
        """Answered items only: item id -> 1-5, or None for "don't know"."""
        answers: dict[int, int | None] = {}
        for item in self.items:
            value = self.cleaned_data.get(self.field_name(item))
            if value:
                answers[item.pk] = None if value == DONT_KNOW else int(value)
        return answers


class AboutYouForm(forms.Form):
    """The last page: the only things a response records about its respondent."""

    organisation = forms.TypedChoiceField(
        label="Which organisation do you work for or represent?",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of the organisations listed, or prefer not to say."},
        help_text="Only the partner organisations of this collaboration are listed.",
    )
    role_group = forms.ChoiceField(
        label="Which best describes your role?",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the role groups listed, or prefer not to say."},
    )

    def __init__(self, *args: object, organisations: Sequence[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "Prefer not to say"), *organisations]
        self.fields["role_group"].choices = [*RoleGroup.choices, ("", "Prefer not to say")]
