"""Template tags shared by every page: the form error summary, message styling, pagination and a
plainly drawn form field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import (  # type: ignore[import-untyped]
    as_crispy_field,
    as_crispy_form,
)
from django import forms, template
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Page
from django.forms.formsets import BaseFormSet
from django.template.defaultfilters import unordered_list
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@dataclass(frozen=True)
class Problem:
    """One line of the error summary; `href` is empty when there is no visible field to jump to."""

    message: str
    href: str = ""


@register.inclusion_tag("partials/_form_errors.html")
def form_error_summary(form: forms.BaseForm | None) -> dict[str, Any]:
    """The "There is a problem" box that lists every error of `form` and links each to its field.

    Non-field errors come first, then field errors in the form's field order. Errors on hidden fields
    (which the user cannot correct) are listed without a link. portal.js moves focus to the box.
    """
    problems: list[Problem] = []
    if form is not None and form.errors:
        problems.extend(Problem(str(error)) for error in form.errors.get(NON_FIELD_ERRORS, []))
        for name in form.fields:
            if name not in form.errors:
                continue
            bound = form[name]
            label = str(bound.label) if bound.label else name.replace("_", " ").capitalize()
            target = "" if bound.is_hidden else (bound.id_for_label or bound.auto_id or "")
            href = f"#{target}" if target else ""
            problems.extend(Problem(f"{label}: {error}", href) for error in bound.errors)
    return {"problems": problems}


_ALERT_VARIANTS = {
    message_levels.DEBUG: "secondary",
    message_levels.INFO: "info",
    message_levels.SUCCESS: "success",
    message_levels.WARNING: "warning",
    message_levels.ERROR: "danger",
}


@register.filter
def alert_variant(level: int) -> str:
    """The Bootstrap alert colour for a django.contrib.messages level (`alert-{{ m.level|alert_variant }}`)."""
    return _ALERT_VARIANTS.get(level, "info")


@register.filter
def alert_role(level: int) -> str:
    """Warnings and errors interrupt a screen reader ("alert"); the rest wait their turn ("status")."""
    return "alert" if level >= message_levels.WARNING else "status"


@register.simple_tag
def page_links(page: Page[Any]) -> list[int | str]:
    """Page numbers to offer around the current page, with the paginator's ellipsis for the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.simple_tag
def form_with_ids(form: forms.BaseForm, key: str) -> forms.BaseForm:
    """The same form again with element ids namespaced by `key`.

    For pages that render one form several times (one status form per action): each copy keeps the
    field names the view expects, but gets ids such as `id_suspend_reason` so every label points at
    its own control and no id is repeated on the page. Only for forms whose constructor takes the
    standard arguments.
    """
    return type(form)(
        form.data if form.is_bound else None,
        initial=form.initial,
        auto_id=f"id_{key}_%s",
        prefix=form.prefix,
    )


@register.filter
def humanise(code: str) -> str:
    """A snake_case code as words: "begin_closure" -> "Begin closure"."""
    return str(code).replace("_", " ").capitalize()


@register.simple_tag
def absurl(view_name: str, *args: object) -> str:
    """An absolute link for emails: the configured BASE_URL plus the reversed path."""
    from django.urls import reverse

    from core.mail import absolute_url

    return absolute_url(reverse(view_name, args=args))


@register.simple_tag(takes_context=True)
def include_part(context: template.Context, template_name: str, values: dict[str, Any]) -> str:
    """Draw `template_name` with `values` on top of the page's context (the request included).

    For a part of a page that another app provides as a template and its context (the HIT page's
    parts, teams.signals.HITPagePart; the home page's panels): `{% include %}` cannot take a dict.
    """
    with context.push(**values):
        return context.template.engine.get_template(template_name).render(context)  # type: ignore[union-attr]


def _add_classes(widget: forms.Widget, *names: str) -> None:
    """Add CSS classes to a widget as crispy-forms' crispy_field does: each only if not there yet."""
    have = widget.attrs.get("class", "")
    for name in names:
        if name not in have.split():
            have = f"{have} {name}" if have else name
    widget.attrs["class"] = have


def _drawn_plainly(field: forms.BoundField) -> bool:
    widget = field.field.widget
    return not (
        field.is_hidden
        or not field.label
        or not field.id_for_label
        or field.use_fieldset
        or isinstance(widget, (forms.CheckboxInput, forms.FileInput, forms.MultiWidget, forms.RadioSelect))
        or hasattr(widget, "widget")
    )


@register.simple_tag
def plain_field(field: forms.BoundField, css_class: str = "") -> SafeString:
    """One field drawn in Python with the markup crispy-forms' Bootstrap 5 field template gives it
    (label, widget with crispy's classes, invalid feedback, help text), optionally in a grid cell
    `<div class="css_class">`: for forms of dozens of fields, where the template engine is most of
    the page's time (a progress report's indicators and rows). Fields crispy draws differently
    (check boxes, radios, files, hidden or unlabelled fields) go through crispy itself."""
    if not _drawn_plainly(field):
        drawn = as_crispy_field(field)
    else:
        widget = field.field.widget
        name = widget.__class__.__name__.lower()
        name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
        if name not in widget.attrs.get("class", ""):
            _add_classes(widget, name)
        bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
        _add_classes(widget, bootstrap, *(["is-invalid"] if field.errors else []))
        required = field.field.required
        errors = format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((number, field.auto_id, error) for number, error in enumerate(field.errors, start=1)),
        )
        drawn = format_html(
            '<div id="div_{}" class="mb-3">\n<label for="{}" class="form-label{}">{}{}</label>\n{}\n{}{}</div>',
            field.auto_id,
            field.id_for_label,
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
            field,
            format_html('<div id="{}_error" class="invalid-feedback">{}</div>\n', field.auto_id, errors)
            if field.errors
            else "",
            # Help text is the form's own wording, shown unescaped as crispy's template does (|safe).
            format_html(
                '<div id="{}_helptext" class="form-text">{}</div>\n',
                field.auto_id,
                mark_safe(field.help_text),  # noqa: S308 - written in the form class, not typed by a user
            )
            if field.help_text
            else "",
        )
    return format_html('<div class="{}">{}</div>', css_class, drawn) if css_class else drawn


@register.simple_tag
def select_widget(widget: dict[str, Any]) -> SafeString:
    """`{% include "django/forms/widgets/select.html" %}` inside a widget template that wraps a
    select (the directory lookup's), written in Python as the form renderer writes selects."""
    from core.forms import select_html

    return mark_safe(select_html(widget))  # noqa: S308 - every value is escaped by select_html


@register.simple_tag
def plain_form(form: forms.BaseForm | BaseFormSet[Any]) -> SafeString:
    """`{{ form|crispy }}` with each field drawn by `plain_field`: the same markup (the form's errors
    in crispy's alert, then every field), at a fraction of the template engine's cost. A formset or
    a form with a crispy FormHelper layout goes through crispy itself."""
    if isinstance(form, BaseFormSet) or getattr(form, "helper", None) is not None:
        return mark_safe(str(as_crispy_form(form)))  # noqa: S308 - crispy's own rendering
    parts: list[str] = []
    errors = form.non_field_errors()
    if errors:
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                unordered_list(errors, autoescape=True),
            )
        )
    parts.extend(plain_field(field) for field in form)
    return mark_safe("".join(parts))  # noqa: S308 - each part is escaped by format_html or Django
