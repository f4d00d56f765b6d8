"""Forms of progress reports and their schedules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accreditation.domain.criteria import CRITERIA
from core.concurrency import VersionedFormMixin
from core.forms import DateField, DateInput
from core.idempotency import OnceOnlyFormMixin
from core.templatetags.portal import Problem
from core.validators import LONG_TEXT, SHORT_TEXT
from reporting.enums import FundingStatus, IndicatorRatingValue, RiskKind
from reporting.forms.stages import _text
from reporting.services import schedules as services
from teams.models import OutcomeDomain

NOT_RATED = ""


def _date_input() -> DateInput:
    return DateInput()


def _not_in_future(day):
    if day is not None and day > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")
    return day


# --- Schedule and new report -------------------------------------------------------------------------


class ScheduleForm(VersionedFormMixin, forms.Form):
    """The schedule's fields; `version=` is the schedule's version ("" while the HIT has none)."""

    interval_months = forms.IntegerField(
        label="A report every (months)",
        min_value=1,
        max_value=24,
        initial=6,
        help_text="The default is every six months.",
    )
    first_due_on = DateField(label="First report due on", widget=_date_input(), help_text="Not in the past.")
    reminder_offsets = forms.CharField(
        max_length=100,
        label="Reminders (days from the due date)",
        initial="-14, 1, 14",
        required=False,
        help_text="Whole numbers separated by commas; a minus sign means before the due date. "
        "Leave empty for no reminders.",
    )
    is_active = forms.BooleanField(
        label="Reporting is active",
        required=False,
        initial=True,
        help_text="Untick to pause reports and reminders.",
    )

    def clean_reminder_offsets(self) -> list[int]:
        raw = self.cleaned_data["reminder_offsets"].replace("\u2212", "-")
        parts = [part for part in raw.replace(";", ",").split(",") if part.strip()]
        try:
            return services.clean_offsets(parts)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["reminder_offsets"]) from None


class ReportCreateForm(OnceOnlyFormMixin, forms.Form):
    period_start = DateField(label="Period from", widget=_date_input())
    period_end = DateField(label="Period to", widget=_date_input())
    due_on = DateField(label="Due on", widget=_date_input(), help_text="Not in the past.")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise ValidationError("The due date cannot be in the past.")
        return due_on

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after the day it starts.")
        return data


# --- Report sections ---------------------------------------------------------------------------------


class IndicatorsForm(VersionedFormMixin, forms.Form):
    """One rating (0-3, or not rated) and its evidence per indicator of the four concepts (F8).

    Like every section form of a report, it carries the report's version (`version=`)."""

    def __init__(self, *args, report=None, blocks=None, **kwargs) -> None:
        initial = {}
        for block in blocks or []:
            for row in block.rows:
                initial[f"rating_{row.criterion.code}"] = "" if row.rating is None else str(row.rating)
                initial[f"evidence_{row.criterion.code}"] = row.evidence
        super().__init__(*args, initial=initial, **kwargs)
        choices = [(NOT_RATED, "Not rated"), *((str(v), label) for v, label in IndicatorRatingValue.choices)]
        for criterion in CRITERIA:
            # The page draws these fields plainly (reporting/report_edit.html): the classes crispy would add.
            self.fields[f"rating_{criterion.code}"] = forms.ChoiceField(
                label=f"{criterion.code} rating",
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"class": "select form-select"}),
            )
            evidence = _text(2)
            evidence.attrs["class"] = "textarea form-control"
            self.fields[f"evidence_{criterion.code}"] = forms.CharField(
                max_length=SHORT_TEXT, label=f"{criterion.code} evidence", required=False, widget=evidence
            )

    def full_clean(self) -> None:
        super().full_clean()
        # A field in error is marked as crispy marks it (its message below it reads as invalid feedback).
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean(self):
        data = super().clean()
        for criterion in CRITERIA:
            if (
                data.get(f"evidence_{criterion.code}", "").strip()
                and data.get(f"rating_{criterion.code}") == NOT_RATED
            ):
                self.add_error(f"rating_{criterion.code}", "Rate the indicator to keep its evidence.")
        return data

    def ratings(self) -> dict[str, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            c.code: (
                None if data[f"rating_{c.code}"] == NOT_RATED else int(data[f"rating_{c.code}"]),
                data[f"evidence_{c.code}"],
            )
            for c in CRITERIA
        }


class _RowForm(forms.Form):
    """A row of a repeating section: an existing row carries its id; "Remove" deletes it."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    delete = forms.BooleanField(label="Remove this row", required=False)

    def row(self) -> dict:
        return dict(self.cleaned_data)


class MilestoneForm(_RowForm):
    title = forms.CharField(label="Milestone", max_length=200)
    due_on = DateField(label="Due on", widget=_date_input())
    met_on = DateField(
        label="Met on", widget=_date_input(), required=False, help_text="Leave empty if not met yet."
    )

    def clean_met_on(self):
        return _not_in_future(self.cleaned_data.get("met_on"))


class QuickWinForm(_RowForm):
    title = forms.CharField(label="Quick win", max_length=200)
    delivered_on = DateField(label="Delivered on", widget=_date_input(), required=False)
    description = forms.CharField(
        max_length=SHORT_TEXT, label="What changed, and for whom", widget=_text(2), required=False
    )

    def clean_delivered_on(self):
        return _not_in_future(self.cleaned_data.get("delivered_on"))


class OutcomeForm(_RowForm):
    domain = forms.ModelChoiceField(
        label="Performance domain",
        queryset=OutcomeDomain.objects.filter(is_active=True).order_by("position", "name"),
    )
    description = forms.CharField(max_length=SHORT_TEXT, label="Outcome", widget=_text(2))
    intended = forms.BooleanField(
        label="Intended",
        required=False,
        initial=True,
        help_text="Untick for an unintended effect, good or bad.",
    )


class RiskForm(_RowForm):
    kind = forms.ChoiceField(label="Kind", choices=RiskKind.choices)
    description = forms.CharField(max_length=SHORT_TEXT, label="Description", widget=_text(2))
    how_handled = forms.CharField(
        max_length=SHORT_TEXT, label="How it is handled", widget=_text(2), required=False
    )
    opened_on = DateField(label="Raised on", widget=_date_input())
    resolved_on = DateField(
        label="Resolved on", widget=_date_input(), required=False, help_text="Leave empty while it is open."
    )

    def clean_opened_on(self):
        return _not_in_future(self.cleaned_data.get("opened_on"))

    def clean(self):
        data = super().clean()
        opened, resolved = data.get("opened_on"), data.get("resolved_on")
        if opened and resolved and resolved < opened:
            self.add_error("resolved_on", "It cannot be resolved before it was raised.")
        return data


def row_formset(form_class: type[forms.Form], extra: int = 2):
    return forms.formset_factory(form_class, extra=extra)


class CapacityForm(VersionedFormMixin, forms.Form):
    funding_status = forms.ChoiceField(
        label="Funding", choices=[("", "Choose..."), *FundingStatus.choices], widget=forms.RadioSelect
    )
    funding_notes = forms.CharField(
        max_length=LONG_TEXT, label="Funding sources and what is pending", required=False, widget=_text(3)
    )
    capacity_notes = forms.CharField(
        max_length=LONG_TEXT,
        label="Capacity",
        required=False,
        widget=_text(3),
        help_text="Committed time, staff and resources, and where they fall short.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funding_status"].choices = FundingStatus.choices


class SnapshotsForm(VersionedFormMixin, forms.Form):
    ppi_standards = forms.BooleanField(
        label="The latest UK Standards for Public Involvement self-assessment",
        required=False,
        help_text="Refreshed to the latest one when the report is submitted.",
    )
    readiness = forms.BooleanField(label="The latest readiness survey results (overall)", required=False)
    maturity = forms.BooleanField(label="The latest maturity matrix profile", required=False)


# --- Workflow ----------------------------------------------------------------------------------------


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        max_length=SHORT_TEXT, label="Comment for the team", widget=_text(3), required=False
    )


class DueDateForm(VersionedFormMixin, forms.Form):
    """A new due date and why; `version=` is the report's version on the page that shows the form."""

    due_on = DateField(label="New due date", widget=_date_input())
    reason = forms.CharField(max_length=SHORT_TEXT, label="Why it moves", widget=_text(2))


def formset_problems(formset, *, page_form: forms.BaseForm | None = None) -> list[Problem]:
    """The error summary of a formset: each row's errors, linked to their fields; first those of
    the form that travels with it (`page_form`: the version, refused when stale)."""
    problems = [Problem(str(error)) for error in page_form.non_field_errors()] if page_form else []
    problems += [Problem(str(error)) for error in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        problems += [Problem(f"Row {number}: {error}") for error in form.non_field_errors()]
        for name in form.fields:
            bound = form[name]
            for error in bound.errors:
                target = "" if bound.is_hidden else bound.auto_id
                problems.append(
                    Problem(f"Row {number}, {bound.label}: {error}", f"#{target}" if target else "")
                )
    return problems
