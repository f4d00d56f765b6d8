"""Form pieces every app shares: the bounded date field and its date picker, the form renderer that
writes plain widgets without the template engine, and showing a service's refusal on the form."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from core.templatetags.portal import Problem
from core.validators import validate_date_in_range


class DateInput(forms.DateInput):
    """A browser date picker (<input type="date">) limited to the dates the portal accepts.

    The limits are computed when the page is drawn, not when the form class is defined, so a
    long-running process never shows last year's range. A form that sets a tighter `min` or
    `max` itself ("not in the future") keeps it.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str = "%Y-%m-%d") -> None:
        super().__init__(attrs=attrs, format=format)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        earliest, latest = validate_date_in_range.bounds()
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["min"] = _later(widget_attrs.get("min"), earliest)
        widget_attrs["max"] = _earlier(widget_attrs.get("max"), latest)
        return context


#: Widget templates that only include django/forms/widgets/input.html.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
        "search", "tel", "color", "checkbox",
    )
)  # fmt: skip


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` in an autoescaping template: safe strings stay as they are."""
    formatted = "%s" % (value,)  # noqa: UP031 - the template filter's own formatting
    return conditional_escape(mark_safe(formatted) if isinstance(value, SafeData) else formatted)  # noqa: S308


def _attrs_html(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: False left out, True as a bare name, the rest as strings."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{_text(value)}"'
        )
    return "".join(parts)


def _input_html(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs_html(widget['attrs'])}>"
    )


def select_html(widget: dict[str, Any]) -> str:
    """django/forms/widgets/select.html for a select widget's context (also the portal tag
    `select_widget`, for widget templates that wrap a select)."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            out.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs_html(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea_html(widget: dict[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>\n{value}</textarea>'


class WidgetRenderer(DjangoTemplates):
    """The form renderer (settings.FORM_RENDERER): Django's own, except that the plain widgets
    (inputs, check boxes, select and text boxes) are written out in Python, character for
    character what their templates give (tests/core/test_plain_widgets.py).

    Django draws every select option through two template includes and every input through one;
    on a page of dozens of fields (a progress report's indicators and rows) that was most of the
    request. Radios, check box lists, files, multi-widgets, forms and error lists keep their
    templates."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if widget is not None and template_name in _INPUT_TEMPLATES:
            return _input_html(widget)
        if widget is not None and template_name == "django/forms/widgets/select.html":
            return select_html(widget)
        if widget is not None and template_name == "django/forms/widgets/textarea.html":
            return _textarea_html(widget)
        return str(super().render(template_name, context, request))


def _as_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _later(own: object, bound: datetime.date) -> str:
    day = _as_date(own)
    return max(day, bound).isoformat() if day else bound.isoformat()


def _earlier(own: object, bound: datetime.date) -> str:
    day = _as_date(own)
    return min(day, bound).isoformat() if day else bound.isoformat()


class DateField(forms.DateField):
    """A date field that refuses dates outside the portal's range (core.validators), with a picker
    limited to the same range. Use it for every date a form asks for."""

    widget = DateInput
    default_validators = [validate_date_in_range]


def bounded_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A ModelForm's field whose number box offers what the model accepts: `min` and `max` from the
    model field's own MinValueValidator and MaxValueValidator (integer, decimal and float fields). Without it a positive integer field
    draws min="0" even when the model refuses anything below 1. Use it as a ModelForm's
    `Meta.formfield_callback`."""
    if isinstance(db_field, (models.IntegerField, models.DecimalField, models.FloatField)):
        declared = db_field.deconstruct()[3].get("validators", [])
        lows = [v.limit_value for v in declared if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in declared if isinstance(v, MaxValueValidator)]
        if lows:
            kwargs.setdefault("min_value", max(lows))
        if highs:
            kwargs.setdefault("max_value", min(highs))
    return db_field.formfield(**kwargs)


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, field_map: dict[str, str | None] | None = None
) -> None:
    """Show a service's ValidationError on the form: mapped keys on their fields, the rest at the top."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        target = field_map.get(key, key)
        if target is not None and target not in form.fields:
            target = None
        for message in errors:
            form.add_error(target, message)


def service_error_problems(exc: ValidationError, targets: dict[str, tuple[str, str]]) -> list[Problem]:
    """A service's refusal as the lines of one error summary (partials/_form_errors.html), for a
    page that shows it without a bound form (a workflow button's post). `targets` maps an error's
    key to the label and link of the control that puts it right; other keys are listed unlinked."""
    if not hasattr(exc, "error_dict"):
        return [Problem(message) for message in exc.messages]
    problems: list[Problem] = []
    for key, messages in exc.message_dict.items():
        label, href = targets.get(key, ("", ""))
        problems.extend(Problem(f"{label}: {m}" if label else m, href) for m in messages)
    return problems
