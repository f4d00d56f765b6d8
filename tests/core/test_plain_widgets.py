"""The form renderer (core.forms.WidgetRenderer) writes exactly what Django's widget templates
write, for every case a form meets: each input type, chosen values, groups, attributes that are
True, False or need escaping, values that need escaping; and the plainly drawn field (the portal
tag plain_field) draws what crispy-forms draws."""

from __future__ import annotations

import datetime
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms import DateField, DateInput, WidgetRenderer
from core.templatetags.portal import plain_field

DJANGO, PLAIN = DjangoTemplates(), WidgetRenderer()


CHOICES = [("", "Not rated"), ("0", "0 absent"), ("1", '1 <emerging> & "quoted"'), ("3", "3 strong")]
GROUPED = [("", "Choose..."), ("North & East", [("n", "North"), ("e", "East")]), ("s", "South")]
ATTRS = [
    {},
    {"class": "select form-select"},
    {"class": "x", "disabled": True, "hidden": False, "aria-describedby": 'id_a_helptext "b"', "data-n": 3},
]


def _both(widget: forms.Widget, value: object, attrs: dict | None = None) -> tuple[str, str]:
    attrs = {"id": "id_f", **(attrs or {})}
    return widget.render("f", value, attrs, renderer=PLAIN), widget.render("f", value, attrs, renderer=DJANGO)


def test_the_portal_draws_forms_with_it(settings) -> None:
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "core.forms.WidgetRenderer"
    assert isinstance(get_default_renderer(), WidgetRenderer)


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, "", "1", "3", 0, "missing"])
@pytest.mark.parametrize("choices", [CHOICES, GROUPED])
def test_select_matches_django(attrs, value, choices) -> None:
    plain, django = _both(forms.Select(attrs=attrs, choices=choices), value)
    assert plain == django
    offered = {str(v) for v, label in choices if not isinstance(label, list)}
    offered |= {str(v) for _g, label in choices if isinstance(label, list) for v, _l in label}
    assert (" selected>" in plain) == (("" if value is None else str(value)) in offered)


@pytest.mark.parametrize("value", [None, [], ["n", "s"]])
def test_multiple_select_and_yes_no_match_django(value) -> None:
    assert len({*_both(forms.SelectMultiple(choices=GROUPED), value)}) == 1
    assert len({*_both(forms.NullBooleanSelect(), True if value else None)}) == 1


@pytest.mark.parametrize("attrs", [*ATTRS, {"rows": 2, "cols": 40, "required": True}])
@pytest.mark.parametrize(
    "value", [None, "", "Plain text", "Line one\nline two", "<script>alert('x')</script> & more"]
)
def test_textarea_matches_django(attrs, value) -> None:
    plain, django = _both(forms.Textarea(attrs=attrs), value)
    assert plain == django
    assert "<script>" not in plain


@pytest.mark.parametrize(
    "widget",
    [
        forms.TextInput(),
        forms.NumberInput(attrs={"min": 0, "max": 10, "step": "any"}),
        forms.EmailInput(),
        forms.URLInput(),
        forms.PasswordInput(render_value=True),
        forms.HiddenInput(),
        DateInput(),
        forms.DateTimeInput(),
        forms.TimeInput(),
        forms.CheckboxInput(),
        forms.CheckboxInput(attrs={"class": "form-check-input"}),
    ],
    ids=lambda widget: type(widget).__name__,
)
@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        'a "quoted" <tag> & more',
        0,
        42,
        True,
        False,
        datetime.date(2026, 3, 1),
        mark_safe("<b>safe</b>"),
    ],
    ids=["none", "empty", "escaped", "zero", "int", "true", "false", "date", "safe"],
)
@pytest.mark.parametrize("attrs", ATTRS)
def test_inputs_match_django(widget, value, attrs) -> None:
    plain, django = _both(widget, value, attrs)
    assert plain == django
    assert plain.startswith("<input type=")


def test_other_templates_are_left_to_django() -> None:
    """Radios, files and whole forms keep their templates (the same output, through the engine)."""
    radios = forms.RadioSelect(choices=CHOICES)
    assert len({*_both(radios, "1")}) == 1 and "<div" in _both(radios, "1")[0]

    class F(forms.Form):
        name = forms.CharField()

    assert F(renderer=PLAIN).render() == F(renderer=DJANGO).render()


# --- The plainly drawn field (portal's plain_field) against crispy's own template -------------------


def _normalised(html: str) -> str:
    """Markup with the whitespace crispy's template indentation adds taken out."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


class _Row(forms.Form):
    title = forms.CharField(max_length=10, help_text="A short name.")
    due_on = DateField(label="Due on")
    met_on = DateField(label="Met on", required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5)
    domain = forms.ChoiceField(choices=[("", "Choose..."), ("a", "Access & <equity>")], required=False)
    rating = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "select form-select"}))
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    delete = forms.BooleanField(required=False, label="Remove this row")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, required=False)
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"title": "far too long a title", "due_on": "not a date", "description": "too long", "rating": "9"},
        {"title": "Ok <b>", "due_on": "2026-01-05", "met_on": "2026-02-01", "domain": "a", "rating": "1"},
    ],
    ids=["unbound", "errors", "valid"],
)
def test_plain_field_draws_what_crispy_draws(data) -> None:
    """Every field of a form, bound or not, valid or in error: the same markup as `as_crispy_field`
    (whitespace aside), and in a grid cell when asked."""
    plain_form, crispy_form = _Row(data), _Row(data)
    if data is not None:
        assert plain_form.is_valid() == crispy_form.is_valid() == (data["title"] == "Ok <b>")
    for name in plain_form.fields:
        plain = plain_field(plain_form[name])
        crispy = as_crispy_field(crispy_form[name])
        assert _normalised(plain) == _normalised(crispy), name
    cell = plain_field(_Row()["title"], "col-md-4")
    assert cell.startswith('<div class="col-md-4"><div id="div_id_title" class="mb-3">')
    invalid = plain_field(_Row({"title": ""})["title"])
    assert 'class="textinput form-control is-invalid"' in invalid and "This field is required." in invalid


@pytest.mark.parametrize("value", [None, "n", "s"])
def test_the_select_tag_matches_djangos_include(value) -> None:
    """The portal tag `select_widget` (the directory lookup's widget template) writes what
    `{% include "django/forms/widgets/select.html" %}` writes."""
    from core.templatetags.portal import select_widget

    context = forms.Select(choices=GROUPED, attrs={"class": "form-select"}).get_context(
        "f", value, {"id": "id_f"}
    )
    assert select_widget(context["widget"]) == DJANGO.render("django/forms/widgets/select.html", context)


# --- The plainly drawn form (portal's plain_form) against `{{ form|crispy }}` ------------------------


@pytest.mark.django_db
def test_every_form_of_the_portal_draws_as_crispy_draws_it() -> None:
    """Every form and filter form of every app (the walk of tests/test_large_choices.py), unbound and
    bound to empty data (every required field in error, and the form's own errors): `plain_form`
    writes what `{{ form|crispy }}` writes, whitespace aside."""
    from core.templatetags.portal import plain_form
    from tests import factories as f
    from tests.test_large_choices import NOT_WALKED, _arguments, _build, _classes

    arguments = _arguments(f.HITFactory())
    compared = 0
    for cls in _classes():
        if cls.__name__ in NOT_WALKED:
            continue
        form = _build(cls, arguments)
        for bound in (False, True):
            if bound:
                form = type(form)(data={}, **_kwargs(form, arguments))
                form.is_valid()
            plain = _normalised(plain_form(form))
            crispy = _normalised(as_crispy_form(form))
            assert plain == crispy, f"{cls.__module__}.{cls.__qualname__} (bound={bound})"
        compared += 1
    assert compared > 40


def _kwargs(form: forms.BaseForm, arguments: dict) -> dict:
    import inspect

    parameters = inspect.signature(type(form).__init__).parameters.values()
    return {
        p.name: arguments[p.name]
        for p in parameters
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty and p.name in arguments
    }


def test_a_form_with_its_own_errors_draws_them_as_crispy_does() -> None:
    from core.templatetags.portal import plain_form

    class Dates(forms.Form):
        start = DateField()
        end = DateField()

        def clean(self):
            raise forms.ValidationError(["The end is before the start <b>.", "Second problem."])

    plain, crispy = (
        Dates({"start": "2026-01-02", "end": "2026-01-01"}),
        Dates({"start": "2026-01-02", "end": "2026-01-01"}),
    )
    assert not plain.is_valid() and not crispy.is_valid()
    assert _normalised(plain_form(plain)) == _normalised(as_crispy_form(crispy))
    assert "The end is before the start &lt;b&gt;." in plain_form(plain)
