"""Forms of the panel's pages: reviewer assignment, conflicts, reviews, feedback, decisions,
conditions and renewal. Forms validate input; the views hand cleaned_data to a service."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from accreditation import workflow
from accreditation.domain.criteria import Criterion
from accreditation.domain.sections import SECTIONS
from accreditation.enums import ApplicationStatus, ConflictDeclaration, ConflictResolution, Recommendation
from accreditation.models import Application
from core.concurrency import VersionedFormMixin
from core.forms import DateField, DateInput
from core.idempotency import OnceOnlyFormMixin
from core.validators import LONG_TEXT, SHORT_TEXT
from teams.models import Person, User

SCORE_CHOICES = [
    ("0", "0: not evident"),
    ("1", "1: weak"),
    ("2", "2: adequate"),
    ("3", "3: strong"),
]
FEEDBACK_SECTIONS = [("general", "General"), *((s.key, s.title) for s in SECTIONS)]
DECISION_CHOICES = [
    (t.action, t.label)
    for t in workflow.APPLICATION_WORKFLOW.transitions
    if t.action in workflow.DECISION_ACTIONS
]
PANEL_ACTIONS = [("start_review", "Start review"), ("issue_feedback", "Release feedback")]


def _date_input() -> DateInput:
    return DateInput()


class PanelTransitionForm(forms.Form):
    """start_review / issue_feedback from the board or the feedback page."""

    action = forms.ChoiceField(choices=PANEL_ACTIONS, widget=forms.HiddenInput)
    expected_status = forms.ChoiceField(choices=ApplicationStatus.choices, widget=forms.HiddenInput)
    return_to = forms.ChoiceField(
        choices=[("board", "board"), ("feedback", "feedback")], widget=forms.HiddenInput, required=False
    )


# --- Assignments and conflicts -----------------------------------------------------------------------


class AssignmentForm(OnceOnlyFormMixin, forms.Form):
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        queryset=User.objects.none(),
        help_text="A reviewer or lay reviewer of this round's panel who is not assigned yet.",
    )
    due_on = DateField(label="Review due on", required=False, widget=_date_input())

    def __init__(self, *args, reviewers: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers

    def clean_due_on(self) -> datetime.date | None:
        due_on = self.cleaned_data.get("due_on")
        if due_on is not None and due_on < timezone.localdate():
            raise ValidationError("The due date cannot be in the past.")
        return due_on


class SuggestionAcceptForm(forms.Form):
    due_on = DateField(label="Reviews due on", required=False, widget=_date_input())

    def clean_due_on(self) -> datetime.date | None:
        due_on = self.cleaned_data.get("due_on")
        if due_on is not None and due_on < timezone.localdate():
            raise ValidationError("The due date cannot be in the past.")
        return due_on


class ConflictResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="Decision",
        choices=[
            (ConflictResolution.DISMISSED, "Dismiss: there is no real conflict"),
            (ConflictResolution.WAIVED, "Waive: the reviewer may review, with a note"),
            (ConflictResolution.RECUSED, "Recuse: the reviewer stops reviewing this application"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you waive a conflict.",
    )


class ConflictDeclareForm(forms.Form):
    declaration = forms.ChoiceField(
        label="Do you have a conflict of interest with this application?",
        choices=[
            (ConflictDeclaration.NONE, "No, I have no conflict of interest"),
            (ConflictDeclaration.DECLARED, "Yes, I declare a conflict of interest"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Describe the conflict",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you declare a conflict: your link to the team or its organisations.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("declaration") == ConflictDeclaration.DECLARED and not data.get("note", "").strip():
            self.add_error("note", "Describe the conflict so the chair can decide.")
        return data


# --- Reviews -----------------------------------------------------------------------------------------


class ReviewForm(VersionedFormMixin, forms.Form):
    """One 0-3 score and a comment per criterion, then a recommendation and a summary.

    It carries the version of the review it started from (`version=`; "" before the first save).

    Nothing is required here: a draft saves whatever is filled in, and the service decides what a
    submission needs (every criterion scored and a recommendation).
    """

    recommendation = forms.ChoiceField(
        label="Recommendation", choices=[("", "---------"), *Recommendation.choices], required=False
    )
    summary = forms.CharField(
        max_length=LONG_TEXT,
        label="Summary for the chair",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, criteria: Sequence[Criterion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = tuple(criteria)
        scores = {}
        for criterion in self.criteria:
            scores[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=f"{criterion.code}: {criterion.text}",
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            scores[f"comment_{criterion.code}"] = forms.CharField(
                max_length=SHORT_TEXT,
                label=f"Comment on {criterion.code}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # Criteria first, in the order of the indicator tables, then the overall judgement.
        self.fields = {**scores, **self.fields}

    def criterion_rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.code}"], self[f"comment_{c.code}"]) for c in self.criteria]

    def score_inputs(self) -> list[tuple[str, int | None, str]]:
        return [
            (c.code, self.cleaned_data.get(f"score_{c.code}"), self.cleaned_data.get(f"comment_{c.code}", ""))
            for c in self.criteria
        ]


# --- Feedback ----------------------------------------------------------------------------------------


class FeedbackForm(VersionedFormMixin, forms.Form):
    """The summary of the consolidated feedback; `version=` is that of the draft document ("" before
    the first save), which also covers its points."""

    summary = forms.CharField(
        max_length=LONG_TEXT,
        label="Summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The panel's overall view, addressed to the team.",
    )


class FeedbackPointForm(forms.Form):
    # The initial value makes an untouched extra row count as unchanged, so it is skipped.
    section = forms.ChoiceField(label="Section", choices=FEEDBACK_SECTIONS, initial="general")
    text = forms.CharField(
        max_length=SHORT_TEXT, label="Feedback point", widget=forms.Textarea(attrs={"rows": 3})
    )
    quote_from = forms.ChoiceField(label="Quote a reviewer's comment", required=False, choices=[])
    quoted_comment = forms.CharField(
        max_length=LONG_TEXT,
        label="Or paste a quote",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Quotes are shown to the team without the reviewer's name.",
    )

    def __init__(self, *args, quotes: Sequence[tuple[str, str, str]] = (), **kwargs) -> None:
        """`quotes`: (key, short label, full text) of the comments the chair may quote."""
        super().__init__(*args, **kwargs)
        self.quotes = {key: text for key, _label, text in quotes}
        self.fields["quote_from"].choices = [("", "No quote"), *((k, label) for k, label, _t in quotes)]

    def clean(self) -> dict:
        data = super().clean()
        pasted = (data.get("quoted_comment") or "").strip()
        data["quote"] = pasted or self.quotes.get(data.get("quote_from") or "", "")
        return data


class BaseFeedbackPointFormSet(forms.BaseFormSet):
    def points(self) -> list[tuple[str, str, str]]:
        """(section, text, quote) of the filled-in, not removed points."""
        found = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("text", "").strip():
                continue
            found.append((data["section"], data["text"], data["quote"]))
        return found


FeedbackPointFormSet = forms.formset_factory(
    FeedbackPointForm, formset=BaseFeedbackPointFormSet, extra=3, can_delete=True
)


# --- Decisions ---------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=DECISION_CHOICES, widget=forms.RadioSelect)
    rationale = forms.CharField(
        max_length=LONG_TEXT,
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Sent to the team with the decision and kept with it.",
    )
    expected_status = forms.ChoiceField(choices=ApplicationStatus.choices, widget=forms.HiddenInput)


class ConditionForm(forms.Form):
    text = forms.CharField(max_length=SHORT_TEXT, label="Condition", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label="Owner", queryset=Person.objects.none())
    due_on = DateField(label="Due on", widget=_date_input())

    def __init__(self, *args, owners: QuerySet[Person] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners


class BaseConditionFormSet(forms.BaseFormSet):
    def conditions(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and form.cleaned_data.get("text")
        ]


ConditionFormSet = forms.formset_factory(ConditionForm, formset=BaseConditionFormSet, extra=3)


def condition_owners(application: Application) -> QuerySet[Person]:
    """Who may own a condition: the HIT's current members and the application's director and sponsor."""
    from teams.selectors.hits import current_memberships

    members = current_memberships().filter(hit=application.hit_id).values("person_id")
    named = [pk for pk in (application.director_id, application.executive_sponsor_id) if pk]
    return Person.objects.filter(Q(pk__in=members) | Q(pk__in=named)).order_by("full_name")


# --- Conditions and renewal --------------------------------------------------------------------------


class ConditionCloseForm(forms.Form):
    evidence = forms.CharField(
        max_length=SHORT_TEXT,
        label="Evidence that the condition is met",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example the signed terms of reference, or the date and minutes of the meeting.",
    )


class ConditionSendBackForm(forms.Form):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="What is missing from the evidence",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The owner receives it by e-mail, and the condition is open again.",
    )


class RenewalStartForm(forms.Form):
    round = forms.ModelChoiceField(label="Round to apply to", queryset=None)

    def __init__(self, *args, rounds: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
