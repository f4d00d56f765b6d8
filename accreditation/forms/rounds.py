"""Forms and filters for rounds and expressions of interest."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.db.models import Q, QuerySet

from accreditation.enums import EOIStatus
from accreditation.models import ExpressionOfInterest, Round
from accreditation.services.eois import EOI_DRAFT_FIELDS, PartnerInput
from accreditation.services.rounds import ROUND_FIELDS
from accreditation.workflow import EOI_WORKFLOW
from core.concurrency import VersionedFormMixin
from core.forms import DateInput, bounded_formfield
from core.idempotency import OnceOnlyFormMixin
from core.validators import SHORT_TEXT
from teams.forms.lookup import OrganisationChoiceField, first_rows, share_rows
from teams.models import Organisation, StakeholderCategory


class RoundForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Round
        fields = list(ROUND_FIELDS)
        formfield_callback = bounded_formfield
        widgets = {
            "opens_on": DateInput(),
            "eoi_deadline": DateInput(),
            "application_deadline": DateInput(),
            "guidance": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "eoi_deadline": "The last day on which expressions of interest can be sent.",
            "guidance": "What applicants should know before they write; shown on the rounds page.",
            "reviewers_per_application": "Submitted reviews the panel needs before it can decide.",
            "accreditation_term_years": "How long an accreditation from this round lasts.",
        }

    def clean(self) -> dict:
        data = super().clean()
        opens, eoi, application = (
            data.get("opens_on"),
            data.get("eoi_deadline"),
            data.get("application_deadline"),
        )
        # Field errors here also keep the model's date-order CheckConstraint from adding a
        # second, non-field message: Django skips constraints on fields that already failed.
        if opens and eoi and eoi < opens:
            self.add_error("eoi_deadline", "The EOI deadline cannot be before the round opens.")
        if eoi and application and application < eoi:
            self.add_error(
                "application_deadline", "The application deadline cannot be before the EOI deadline."
            )
        return data


class EOIForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    """The EOI's own fields. Only the working title is needed to save a draft; the submit guard in
    `services.eoi_transition` asks for the rest."""

    class Meta:
        model = ExpressionOfInterest
        fields = list(EOI_DRAFT_FIELDS)
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "boundaries": forms.Textarea(attrs={"rows": 4}),
            "known_risks": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "problem": "The problem",
            "boundaries": "Boundaries it crosses",
        }
        help_texts = {
            "working_title": "A short name for the would-be HIT; you can change it later.",
            "problem": "What the team wants to change, and for whom.",
        }
        error_messages = {"working_title": {"required": "Give the expression of interest a working title."}}


class PartnerForm(forms.Form):
    """One partner: an organisation from the directory or a typed name, and its stakeholder category.

    Choices are handed in by `partner_formset`, which reads them once for every row. Past a few hundred
    organisations, the organisation is found with the directory's search box (teams.forms.lookup).
    """

    organisation = OrganisationChoiceField(
        label="Organisation in the directory",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not in the directory",
    )
    organisation_name = forms.CharField(
        label="Or its name, if it is not in the directory", max_length=200, required=False
    )
    category = forms.TypedChoiceField(
        label="Stakeholder category", coerce=int, empty_value=None, required=False
    )

    def __init__(
        self,
        *args: object,
        organisations: QuerySet[Organisation] | None = None,
        organisation_rows: list[Organisation] | None = None,
        category_choices: Sequence[tuple[int, str]] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            share_rows(
                self.fields["organisation"],
                organisations,
                organisation_rows if organisation_rows is not None else first_rows(organisations),
            )
        self.organisation_label = ""
        self.fields["category"].choices = [("", "Choose a category"), *category_choices]

    def clean_organisation(self) -> int | None:
        """The organisation's id (what the service takes); its name is kept for the formset's messages."""
        organisation = self.cleaned_data.get("organisation")
        if organisation is None:
            return None
        self.organisation_label = organisation.name
        return organisation.pk

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("organisation") or data.get("organisation_name") or data.get("category"))

    def clean(self) -> dict:
        data = super().clean()
        organisation, name = data.get("organisation"), (data.get("organisation_name") or "").strip()
        data["organisation_name"] = name
        if self.is_blank():
            return data  # a row left (or made) empty is simply not a partner
        if organisation and name:
            self.add_error(
                "organisation_name", "Choose an organisation from the directory or type a name, not both."
            )
        elif not organisation and not name and "organisation" not in self.errors:
            self.add_error("organisation", "Choose an organisation from the directory or type its name.")
        if not data.get("category") and "category" not in self.errors:
            self.add_error("category", "Choose the stakeholder category this partner belongs to.")
        return data


class BasePartnerFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[object] = set()
        for form in self.forms:
            if self._should_delete_form(form) or form.is_blank():
                continue
            organisation, name = form.cleaned_data["organisation"], form.cleaned_data["organisation_name"]
            key = organisation or name.casefold()
            if key in seen:
                raise forms.ValidationError(f"{form.organisation_label or name} is listed more than once.")
            seen.add(key)

    def partner_inputs(self) -> list[PartnerInput]:
        """The partners to save, in the order shown; blank and removed rows are left out."""
        return [
            PartnerInput(
                category_id=form.cleaned_data["category"],
                organisation_id=form.cleaned_data["organisation"],
                organisation_name=form.cleaned_data["organisation_name"],
            )
            for form in self.forms
            if not self._should_delete_form(form) and not form.is_blank()
        ]


def _choices(queryset: QuerySet) -> list[tuple[int, str]]:
    return list(queryset.values_list("pk", "name"))


def partner_formset(*, data: object = None, eoi: ExpressionOfInterest) -> BasePartnerFormSet:
    """The partner rows of `eoi` (bound to `data` when posted), with two queries for every choice.

    Active organisations and categories are offered, plus any inactive one this EOI already names,
    so an old draft still opens.
    """
    existing = list(eoi.partners.all()) if eoi.pk else []
    initial = [
        {
            "organisation": p.organisation_id,
            "organisation_name": p.organisation_name,
            "category": p.category_id,
        }
        for p in existing
    ]
    named_orgs = [p.organisation_id for p in existing if p.organisation_id]
    named_categories = [p.category_id for p in existing]
    organisations = Organisation.objects.filter(Q(is_active=True) | Q(pk__in=named_orgs)).order_by("name")
    categories = _choices(
        StakeholderCategory.objects.filter(Q(is_active=True) | Q(pk__in=named_categories)).order_by(
            "position", "name"
        )
    )
    formset_class = forms.formset_factory(
        PartnerForm, formset=BasePartnerFormSet, extra=2 if initial else 3, can_delete=True
    )
    return formset_class(
        data,
        initial=initial,
        prefix="partners",
        form_kwargs={
            "organisations": organisations,
            "organisation_rows": first_rows(organisations),
            "category_choices": categories,
        },
    )


class EOITransitionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(t.action, t.label) for t in EOI_WORKFLOW.transitions], widget=forms.HiddenInput
    )
    expected_status = forms.ChoiceField(choices=EOIStatus.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        max_length=SHORT_TEXT,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
    )
