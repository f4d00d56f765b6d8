"""Every date a user can give is bounded and every text a user can type has a maximum length, so a
new field cannot slip through.

The walk covers every model of the project's apps and every form and filter class defined in
their modules (each module is imported first, so forms defined in views count too). Forms that need
no arguments are built, so the fields their __init__ adds are seen; the few that need arguments
and add fields are built with BUILD_WITH.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accreditation.domain.criteria import CRITERIA
from accreditation.models import FeedbackPoint
from core.forms import DateInput
from core.validators import DateRangeValidator

PROJECT_APPS = ("core", "teams", "engagement", "accreditation", "reporting", "hitportal")


def _import_every_module() -> None:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_classes(base: type) -> list[type]:
    _import_every_module()
    found = {c for c in _subclasses(base) if c.__module__.split(".")[0] in PROJECT_APPS}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


# Forms whose __init__ needs arguments and adds fields of its own.
BUILD_WITH = {
    "accreditation.forms.panel.ReviewForm": lambda: {"criteria": CRITERIA},
    "accreditation.forms.applications.FeedbackResponseForm": lambda: {"points": [FeedbackPoint(pk=1)]},
}


def form_fields(form_class: type) -> dict[str, forms.Field]:
    """The fields of a form or filter class; forms that need no arguments are built, so fields
    their __init__ adds or adjusts are seen as the page sees them."""
    if issubclass(form_class, django_filters.FilterSet):
        return {name: f.field for name, f in form_class.base_filters.items()}
    if not hasattr(form_class, "base_fields"):
        return {}  # a mixin (core.concurrency, core.idempotency): its fields are checked on the forms using it
    build_with = BUILD_WITH.get(f"{form_class.__module__}.{form_class.__qualname__}")
    if build_with is not None:
        return dict(form_class(**build_with()).fields)
    try:
        return dict(form_class().fields)
    except TypeError:  # needs a HIT, a user, rounds...
        return dict(form_class.base_fields)


def _model_field_of(form_class: type, name: str) -> models.Field | None:
    """The model field a ModelForm generated `name` from (None for declared fields)."""
    if not issubclass(form_class, forms.ModelForm) or name in form_class.declared_fields:
        return None
    return form_class._meta.model._meta.get_field(name)


def _has_date_bound(validators: list) -> bool:
    return any(isinstance(v, DateRangeValidator) for v in validators)


def _project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def test_every_model_date_field_is_bounded():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in _project_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
        and not _has_date_bound(field.validators)
    ]

    assert unbounded == []


def test_every_form_date_field_is_bounded():
    unbounded = []
    for form_class in _project_classes(forms.BaseForm) + _project_classes(django_filters.FilterSet):
        for name, field in form_fields(form_class).items():
            if not isinstance(field, forms.DateField | forms.DateTimeField):
                continue
            model_field = _model_field_of(form_class, name)
            validators = model_field.validators if model_field is not None else field.validators
            # The picker must offer the same range (core.forms.DateInput draws min and max).
            if not _has_date_bound(validators) or not isinstance(field.widget, DateInput):
                unbounded.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}")

    assert unbounded == []


@pytest.mark.parametrize("base", [forms.BaseForm, django_filters.FilterSet])
def test_the_walk_finds_the_project_forms(base):
    # Guards the walk itself: an empty walk would pass every check above.
    assert len(_project_classes(base)) >= 5


# --- Number limits -----------------------------------------------------------------------------------


def _limits(validators: list) -> tuple[object, object]:
    """The lowest and highest value the validators allow (None where they set no limit)."""
    low = max((v.limit_value for v in validators if isinstance(v, MinValueValidator)), default=None)
    high = min((v.limit_value for v in validators if isinstance(v, MaxValueValidator)), default=None)
    return low, high


def test_every_model_form_number_box_offers_what_the_server_accepts():
    """Regression: the round form's reviewers box allowed 0 (min="0", from the positive integer
    field) while the model refuses anything below 1: the page must not offer a number the server
    then refuses."""
    mismatched = []
    for form_class in _project_classes(forms.BaseForm):
        for name, field in form_fields(form_class).items():
            if not isinstance(field, forms.IntegerField) or name not in form_class.base_fields:
                continue  # fields added in __init__ (a row's version, a once-only key) are not the model's
            model_field = _model_field_of(form_class, name)
            if model_field is None:
                continue
            # The validators the model declares (not the database's own integer range).
            low, high = _limits(model_field.deconstruct()[3].get("validators", []))
            attrs = field.widget.attrs
            shown = (attrs.get("min"), attrs.get("max"))
            if (low is not None and shown[0] != low) or (high is not None and shown[1] != high):
                mismatched.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}: {shown}")

    assert mismatched == []


def test_the_round_form_asks_for_one_to_ten_reviewers():
    field = _class_named("accreditation.forms.rounds.RoundForm")().fields["reviewers_per_application"]

    assert (field.widget.attrs["min"], field.widget.attrs["max"]) == (1, 10)
    assert field.clean("1") == 1
    with pytest.raises(forms.ValidationError):
        field.clean("0")


# --- Text lengths ------------------------------------------------------------------------------------

TYPED_INPUTS = {"text", "email", "url", "search", "tel"}


def _is_typed_text(field: forms.Field) -> bool:
    """A text box or text area. Hidden inputs carry what the page put there; passwords are never
    stored (only their hash), and a cap could lock out someone whose password is longer."""
    widget = field.widget
    return isinstance(field, forms.CharField) and (
        isinstance(widget, forms.Textarea)
        or (isinstance(widget, forms.widgets.Input) and widget.input_type in TYPED_INPUTS)
    )


def test_every_model_text_field_has_a_maximum_length():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in _project_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]

    assert unbounded == []


def test_every_form_text_field_has_a_maximum_length():
    unbounded = [
        f"{form_class.__module__}.{form_class.__qualname__}.{name}"
        for form_class in _project_classes(forms.BaseForm) + _project_classes(django_filters.FilterSet)
        for name, field in form_fields(form_class).items()
        if _is_typed_text(field) and field.max_length is None
    ]

    assert unbounded == []


def test_the_walk_sees_fields_added_in_init():
    names = set(form_fields(_class_named("accreditation.forms.panel.ReviewForm")))

    assert {"comment_W1", "summary"} <= names


def _class_named(dotted: str) -> type:
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)
