"""Forms of the vocabulary pages: one ModelForm per vocabulary, built from its editable fields."""

from __future__ import annotations

from django import forms

from core.concurrency import VersionedFormMixin
from core.idempotency import OnceOnlyFormMixin
from teams.models import StakeholderCategory
from teams.services.vocabularies import VocabularySpec

LABELS = {"is_active": "Switched on", "position": "Position in lists"}
HELP = {
    "is_active": "Switched off, a term stays on the records that use it but new forms no longer offer it.",
    "code": "A short fixed identifier (letters, numbers, hyphens). It cannot be changed later.",
}


def _customise(form: forms.BaseForm) -> None:
    for name, label in LABELS.items():
        if name in form.fields:
            form.fields[name].label = label
    for name, text in HELP.items():
        if name in form.fields:
            form.fields[name].help_text = text
    if "default_category" in form.fields:
        field = form.fields["default_category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = StakeholderCategory.objects.order_by("position", "name")


class _TermEditForm(VersionedFormMixin, forms.ModelForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _customise(self)


class _TermCreateForm(OnceOnlyFormMixin, forms.ModelForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _customise(self)


def term_form_class(spec: VocabularySpec, *, create: bool) -> type[forms.ModelForm]:
    if create:
        return forms.modelform_factory(spec.model, form=_TermCreateForm, fields=("code", *spec.fields))
    return forms.modelform_factory(spec.model, form=_TermEditForm, fields=spec.fields)
