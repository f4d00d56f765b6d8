"""Forms of the PPI pages. They validate and show errors next to the fields; the views pass
`cleaned_data` to engagement.services.ppi, which checks again before storing anything."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.concurrency import VersionedFormMixin
from core.forms import DateField, DateInput
from core.idempotency import OnceOnlyFormMixin
from core.validators import LONG_TEXT, SHORT_TEXT
from engagement.enums import PPIStandard, StandardRating, SupportStatus
from engagement.models import InvolvementActivity, SupportRequest
from engagement.services.ppi import CONSENT_MESSAGE

# F4, the PPI depth ladder (docs/domain.md R4.4), in words a public reviewer can use.
PPI_DEPTH_LADDER = {
    0: "No patient or public involvement",
    1: "Involvement limited to service logistics or satisfaction",
    2: "Public members sit inside HIT groups",
    3: "Public members take part in decision-making, commissioning or policy forums",
}

# What each UK Standard for Public Involvement asks, paraphrased for a HIT.
STANDARD_QUESTIONS = {
    PPIStandard.INCLUSIVE: "Are involvement opportunities accessible, and do they reach the people and "
    "communities the HIT's work affects?",
    PPIStandard.WORKING_TOGETHER: "Do staff and the public work together in a way that values every "
    "contribution and builds respectful, productive relationships?",
    PPIStandard.SUPPORT: "Are support and learning offered so that public members and staff build the "
    "confidence and skills to take part?",
    PPIStandard.COMMUNICATIONS: "Is communication in plain language, timely and relevant, before, during "
    "and after involvement?",
    PPIStandard.IMPACT: "Does the HIT find out and share the difference that public involvement makes?",
    PPIStandard.GOVERNANCE: "Are members of the public involved in the HIT's management, leadership and "
    "decisions?",
}

YES_NO = [("yes", "Yes"), ("no", "No")]


def _not_in_future(day):
    if day is not None and day > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")
    return day


def _date_input() -> DateInput:
    return DateInput()


# --- The involvement log -----------------------------------------------------------------------------


class ActivityForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    names_consented = forms.BooleanField(
        label="These people consented to be named",
        required=False,
        help_text="Required when you name anyone above.",
    )

    class Meta:
        model = InvolvementActivity
        fields = [
            "happened_on",
            "activity_type",
            "description",
            "patients",
            "carers",
            "public",
            "hours",
            "level",
            "decision_forum",
            "impact",
            "recognition",
            "named_with_consent",
        ]
        labels = {
            "happened_on": "Date",
            "patients": "Patients or service users",
            "carers": "Carers",
            "public": "Members of the public",
            "hours": "Hours of involvement",
            "level": "Level of involvement",
            "decision_forum": "Highest decision forum the involvement reached",
            "impact": "What difference did it make?",
            "named_with_consent": "Names (only of people who consented to be named)",
        }
        help_texts = {
            "happened_on": "The day it took place; not a future date.",
            "patients": "How many took part; a number, not names.",
            "hours": "Total hours given by the patients, carers and public together, to the nearest half hour.",
            "level": "Inform, consult, involve, co-produce or user-led.",
            "decision_forum": "This sets the HIT's PPI depth: a HIT group counts 2, a management, steering, "
            "commissioning or policy forum counts 3.",
            "named_with_consent": "Leave empty unless everyone named agreed to be named.",
        }
        widgets = {
            "happened_on": _date_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.Textarea(attrs={"rows": 3}),
            "named_with_consent": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].min_value = 0
        self.fields["hours"].widget.attrs.update(min="0", step="0.5")
        for name in ("patients", "carers", "public"):
            self.fields[name].widget.attrs["min"] = "0"
        self.fields["happened_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if self.instance.pk and self.instance.named_with_consent:
            # The names were stored with consent; the box stays ticked until someone changes it.
            self.fields["names_consented"].initial = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.render_hidden_fields = True  # the version and one-time key
        self.helper.layout = Layout(
            Fieldset("What happened", "happened_on", "activity_type", "description"),
            Fieldset(
                "Who took part",
                Row(
                    Column("patients", css_class="col-md-4"),
                    Column("carers", css_class="col-md-4"),
                    Column("public", css_class="col-md-4"),
                ),
                "hours",
            ),
            Fieldset("Influence and impact", "level", "decision_forum", "impact", "recognition"),
            Fieldset("Names", "named_with_consent", "names_consented"),
        )

    def clean_happened_on(self):
        return _not_in_future(self.cleaned_data.get("happened_on"))

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is not None and hours < 0:
            raise ValidationError("Enter 0 or more.")
        return hours

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("named_with_consent") or "").strip() and not data.get("names_consented"):
            self.add_error("names_consented", CONSENT_MESSAGE)
        return data

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# --- Standards self-assessment -----------------------------------------------------------------------


class StandardsForm(OnceOnlyFormMixin, forms.Form):
    """A rating 0-3 and a note for each of the six standards; fields `rating_<code>`, `note_<code>`."""

    assessed_on = DateField(label="Date of the assessment", widget=_date_input())

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        for standard in PPIStandard:
            self.fields[f"rating_{standard.value}"] = forms.TypedChoiceField(
                label=f"{standard.label}: rating",
                choices=[(r.value, f"{r.value} - {r.label}") for r in StandardRating],
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{standard.value}"] = forms.CharField(
                max_length=SHORT_TEXT,
                label=f"{standard.label}: note",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What is in place, and what you will do next.",
            )

    def clean_assessed_on(self):
        return _not_in_future(self.cleaned_data.get("assessed_on"))

    def sections(self) -> list[dict]:
        """One entry per standard, for the template: its name, question and two bound fields."""
        return [
            {
                "standard": standard,
                "question": STANDARD_QUESTIONS[standard],
                "rating": self[f"rating_{standard.value}"],
                "note": self[f"note_{standard.value}"],
            }
            for standard in PPIStandard
        ]

    def ratings(self) -> dict[str, tuple[int, str]]:
        return {
            standard.value: (
                self.cleaned_data[f"rating_{standard.value}"],
                self.cleaned_data[f"note_{standard.value}"],
            )
            for standard in PPIStandard
        }


# --- The public review group -------------------------------------------------------------------------


class PublicReviewForm(OnceOnlyFormMixin, forms.Form):
    ppi_depth = forms.TypedChoiceField(
        label="PPI depth",
        choices=[(depth, f"{depth} - {meaning}") for depth, meaning in PPI_DEPTH_LADDER.items()],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Your group's view of how deep the HIT's patient and public involvement goes.",
    )
    arrangements_adequate = forms.ChoiceField(
        label="Are the HIT's PPI arrangements genuine and adequate?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        max_length=LONG_TEXT,
        label="Comments",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What works, what is missing, and what the HIT should do next.",
    )

    def clean_comments(self) -> str:
        comments = self.cleaned_data["comments"].strip()
        if not comments:
            raise ValidationError("Write the group's comments.")
        return comments

    @property
    def adequate(self) -> bool:
        return self.cleaned_data["arrangements_adequate"] == "yes"


# --- Support from the PPI facilitators ---------------------------------------------------------------


class SupportRequestForm(OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = SupportRequest
        fields = ["topic", "details"]
        labels = {"topic": "What do you need help with?", "details": "Details"}
        help_texts = {
            "topic": 'In a phrase, for example "Recruiting carers to our steering group".',
            "details": "What you have tried, your deadline, and how best to reach you.",
        }
        widgets = {"details": forms.Textarea(attrs={"rows": 5})}

    def clean_topic(self) -> str:
        topic = self.cleaned_data["topic"].strip()
        if not topic:
            raise ValidationError("Say in a phrase what you need help with.")
        return topic


class SupportGivenForm(OnceOnlyFormMixin, forms.Form):
    given_on = DateField(label="Date", widget=_date_input())
    hours = forms.DecimalField(
        label="Hours",
        min_value=0,
        max_digits=5,
        decimal_places=1,
        initial=0,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.5"}),
    )
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Support given",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you did or advised, and any follow-up agreed.",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("given_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["given_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_given_on(self):
        return _not_in_future(self.cleaned_data.get("given_on"))


class SupportStatusForm(forms.Form):
    """Move a request on; `expected_status` is the status the facilitator saw on the page."""

    status = forms.ChoiceField(label="New status", choices=SupportStatus.choices)
    expected_status = forms.ChoiceField(choices=SupportStatus.choices, widget=forms.HiddenInput)

    def __init__(self, *args, current: str, **kwargs) -> None:
        kwargs.setdefault("initial", {}).update(
            expected_status=current,
            status=SupportStatus.CLOSED
            if current == SupportStatus.IN_PROGRESS
            else SupportStatus.IN_PROGRESS,
        )
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Offer only a change; a posted form accepts any status, so that a stale page gets the
            # service's "someone else already changed this" rather than "not a valid choice".
            self.fields["status"].choices = [(v, label) for v, label in SupportStatus.choices if v != current]
