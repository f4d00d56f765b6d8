"""Forms of the vocabulary pages: one per vocabulary, its editable fields (teams.services.vocabularies)
and the code, which is typed once when a term is added and shown but fixed afterwards."""

from __future__ import annotations

from typing import Any

from django import forms

from core.concurrency import VersionedFormMixin
from core.forms import bounded_formfield
from core.idempotency import OnceOnlyFormMixin
from teams.enums import VocabularyKind
from teams.models import DocumentType, OrganisationType, OutcomeDomain, StakeholderCategory, Theme
from teams.services.vocabularies import VOCABULARIES

LABELS = {"is_active": "Switched on", "position": "Position in lists"}
HELP = {
    "is_active": "Switched off, a term stays on the records that use it but new forms no longer offer it.",
    "code": "A short fixed identifier (letters, numbers, hyphens). It cannot be changed later.",
}


class ThemeForm(OnceOnlyFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Theme
        formfield_callback = bounded_formfield
        fields = ("code", *VOCABULARIES[VocabularyKind.THEME].fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
        for name, text in HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text
        if self.instance.pk is not None:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Fixed when the term was added."
        category = self.fields.get("default_category")
        if isinstance(category, forms.ModelChoiceField):
            category.queryset = StakeholderCategory.objects.order_by("position", "name")


class DocumentTypeForm(ThemeForm):
    class Meta(ThemeForm.Meta):
        model = DocumentType
        fields = ("code", *VOCABULARIES[VocabularyKind.DOCUMENT_TYPE].fields)


class OutcomeDomainForm(ThemeForm):
    class Meta(ThemeForm.Meta):
        model = OutcomeDomain
        fields = ("code", *VOCABULARIES[VocabularyKind.OUTCOME_DOMAIN].fields)


class StakeholderCategoryForm(ThemeForm):
    class Meta(ThemeForm.Meta):
        model = StakeholderCategory
        fields = ("code", *VOCABULARIES[VocabularyKind.STAKEHOLDER_CATEGORY].fields)


class OrganisationTypeForm(ThemeForm):
    class Meta(ThemeForm.Meta):
        model = OrganisationType
        fields = ("code", *VOCABULARIES[VocabularyKind.ORGANISATION_TYPE].fields)


TERM_FORMS: dict[str, type[ThemeForm]] = {
    VocabularyKind.THEME: ThemeForm,
    VocabularyKind.DOCUMENT_TYPE: DocumentTypeForm,
    VocabularyKind.OUTCOME_DOMAIN: OutcomeDomainForm,
    VocabularyKind.STAKEHOLDER_CATEGORY: StakeholderCategoryForm,
    VocabularyKind.ORGANISATION_TYPE: OrganisationTypeForm,
}
