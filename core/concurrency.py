"""Edits that never silently overwrite someone else's: optimistic concurrency for every edit form.

Two people open the same form; the first saves; without this the second save would quietly put
back everything the first changed. Instead:

1. Every edit form carries what its user started from: the row's version, a hidden `version` field
   (`VersionedFormMixin`). The version of a row is its `updated_at` to the microsecond
   (`version_of`), which every save of a TimeStampedModel moves on.
2. The service that saves the edit locks the row (`select_for_update`) and compares
   (`check_version`). A different version raises `StaleEdit` carrying the row as it is now, and the
   transaction saves nothing.
3. The view answers 409 with the same form, still holding everything the user typed, the message
   "someone changed this since you opened it", and both versions side by side
   (`conflict_for`, rendered by `templates/partials/_edit_conflict.html`). The form now carries the
   new version: saving again is a deliberate choice to replace the other person's version.

Locking and comparing inside the service's transaction is what makes this hold between two
connections: the second save waits for the first to commit, then sees the new version.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format

STALE_MESSAGE = (
    "Someone changed this since you opened it, so your changes were not saved. "
    "Your text is still in the form: compare the two versions below, then save again or cancel."
)
VERSION_FIELD = "version"


class StaleEdit(Exception):
    """The row changed after the editor opened it. `current` is the row as it is now (locked)."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("Someone changed this since you opened it.")
        self.current = current


def version_of(obj: models.Model | None) -> str:
    """The version token of a saved row: its `updated_at` to the microsecond ("" for a new row).

    A table without `updated_at` (a survey item) is versioned by a digest of its stored values:
    any change to the row changes the token just the same.
    """
    if obj is None or obj.pk is None:
        return ""
    if not any(field.name == "updated_at" for field in obj._meta.concrete_fields):
        return _digest(obj)
    updated_at: datetime.datetime | None = getattr(obj, "updated_at", None)
    if updated_at is None:
        return ""
    return updated_at.astimezone(datetime.UTC).isoformat()


def _digest(obj: models.Model) -> str:
    values = {field.attname: field.value_to_string(obj) for field in obj._meta.concrete_fields}
    encoded = json.dumps(values, sort_keys=True, default=str).encode()
    return "d" + hashlib.sha256(encoded).hexdigest()[:40]


def latest_changed(rows: Iterable[models.Model]) -> models.Model | None:
    """Of rows edited together on one form (the answers to feedback points), the one changed last:
    its version is the version of the whole group, since every save of any of them moves it on."""
    stamped = [(row.updated_at, row) for row in rows if getattr(row, "updated_at", None) is not None]  # type: ignore[attr-defined]
    return max(stamped, key=lambda pair: pair[0])[1] if stamped else None


def restart_from(form: forms.BaseForm, obj: models.Model) -> None:
    """A bound form re-shown after its own save went through (a draft saved, its submission
    refused): it now starts from the row as just saved, so the next save is not taken for stale."""
    _set_posted(form, VERSION_FIELD, version_of(obj))


def _set_posted(form: forms.BaseForm, name: str, value: str) -> None:
    """Change one posted value of a bound form (its data is an immutable QueryDict: copy, then set)."""
    data = cast(QueryDict, form.data).copy()
    data[form.add_prefix(name)] = value
    form.data = data


def check_version(current: models.Model, expected: str | None) -> None:
    """Raise StaleEdit unless `current` (the locked row) is still at version `expected`.

    `expected=None` means the caller did not start from a form (a command, the demo data): nothing
    to compare. An empty string from a form means "the form was opened on a row that did not
    exist yet", which cannot match a saved row.
    """
    if expected is None:
        return
    if expected != version_of(current):
        raise StaleEdit(current)


class VersionedFormMixin(forms.BaseForm):
    """A hidden `version` field holding the version the user started from.

    For a ModelForm it is taken from the instance; other forms pass `version=` (the version of the
    row their data comes from). Put the mixin first in the bases.
    """

    def __init__(self, *args: Any, version: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if version is None:
            version = version_of(getattr(self, "instance", None))
        self.fields[VERSION_FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=version, max_length=64
        )

    @property
    def started_from(self) -> str | None:
        """The version the user started from, as posted (the initial one on an unbound form).

        The portal's pages always send it. None for a post without the field (a script, not a
        page): there is nothing to compare, and the save goes through as sent.
        """
        if not self.is_bound:
            return str(self.fields[VERSION_FIELD].initial or "")
        name = self.add_prefix(VERSION_FIELD)
        return str(self.data[name]) if name in self.data else None


class VersionForm(VersionedFormMixin, forms.Form):
    """Only the version (`version=`), for a page whose fields are a formset (a report's rows)."""


# --- Showing a conflict ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    label: str
    yours: str
    theirs: str

    @property
    def differs(self) -> bool:
        return self.yours != self.theirs


@dataclass(frozen=True)
class Conflict:
    """What the page shows after a refused stale save: both versions, field by field."""

    rows: list[ConflictRow]
    saved_at: datetime.datetime | None

    @property
    def changed(self) -> list[ConflictRow]:
        return [row for row in self.rows if row.differs]


def _display(field: forms.Field, value: object) -> str:
    """A value as the user would recognise it: choice labels, dates in words, Yes/No."""
    if value is None or value == "" or value == [] or value == ():
        return "(empty)"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(field, forms.ModelMultipleChoiceField) and isinstance(value, Iterable):
        return ", ".join(sorted(str(v) for v in value)) or "(empty)"
    if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
        found = field.queryset.filter(pk=getattr(value, "pk", value)).first()
        return str(found) if found is not None else str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): str(label) for key, label in _flat_choices(cast(Iterable[Any], field.choices))}
        if isinstance(value, list | tuple | set):
            return ", ".join(labels.get(str(v), str(v)) for v in value) or "(empty)"
        return labels.get(str(value), str(value))
    if isinstance(value, list | tuple):  # a field that cleans to a list, such as "-14, 1, 14"
        return ", ".join(str(v) for v in value) or "(empty)"
    return str(value)


def _flat_choices(choices: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield key, label


def _value(form: forms.BaseForm, name: str, *, submitted: bool) -> object:
    field = form.fields[name]
    if submitted:
        cleaned = getattr(form, "cleaned_data", {}) or {}
        if name in cleaned:
            return cleaned[name]
        return field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    return form.get_initial_for_field(field, name)


def _rows(
    form: forms.BaseForm, theirs: forms.BaseForm, names: Iterable[str], prefix: str = ""
) -> list[ConflictRow]:
    rows = []
    for name in names:
        if name not in form.fields or name not in theirs.fields or form.fields[name].widget.is_hidden:
            continue
        field = form.fields[name]
        label = str(field.label or name.replace("_", " ").capitalize())
        rows.append(
            ConflictRow(
                label=f"{prefix}{label}",
                yours=_display(field, _value(form, name, submitted=True)),
                theirs=_display(theirs.fields[name], _value(theirs, name, submitted=False)),
            )
        )
    return rows


def _formset_rows(
    yours: forms.BaseFormSet[Any], theirs: forms.BaseFormSet[Any], label: str
) -> list[ConflictRow]:
    """Row by row, in the order both were built from (the stored rows, then the blank ones)."""
    rows = []
    for index in range(max(len(yours.forms), len(theirs.forms))):
        mine = yours.forms[index] if index < len(yours.forms) else yours.empty_form
        other = theirs.forms[index] if index < len(theirs.forms) else theirs.empty_form
        rows += _rows(mine, other, list(mine.fields), prefix=f"{label} {index + 1}: ")
    return rows


def conflict_for(
    form: forms.BaseForm,
    *,
    theirs: forms.BaseForm,
    current: models.Model | None = None,
    fields: Iterable[str] | None = None,
    formsets: Iterable[tuple[forms.BaseFormSet[Any], forms.BaseFormSet[Any], str]] = (),
) -> Conflict:
    """Mark `form` (bound, with the user's text) as refused and compare it with `theirs`.

    `theirs` is the same form class, unbound, built from the row as it is now. The refused form
    gets the stale message at the top and the current version in its hidden field, so that the
    next save (a deliberate one) goes through. A page whose rows are a formset (partners,
    feedback points, report rows) passes `formsets` as (the posted one, the one built from the
    rows as they are now, what one row is called): they are compared row by row.
    """
    form.add_error(None, STALE_MESSAGE)
    new_version = version_of(current) if current is not None else theirs.fields[VERSION_FIELD].initial
    _set_posted(form, VERSION_FIELD, new_version)
    names = list(fields) if fields is not None else [n for n in form.fields if n != VERSION_FIELD]
    rows = _rows(form, theirs, names)
    for yours_set, theirs_set, label in formsets:
        rows += _formset_rows(yours_set, theirs_set, label)
    saved_at = getattr(current, "updated_at", None) if current is not None else None
    return Conflict(rows=rows, saved_at=saved_at)
