"""core.concurrency: versions, the stale check, and the side-by-side comparison of a refused save."""

from __future__ import annotations

import datetime

import pytest
from django import forms

from core.concurrency import (
    STALE_MESSAGE,
    VERSION_FIELD,
    StaleEdit,
    VersionedFormMixin,
    check_version,
    conflict_for,
    latest_changed,
    restart_from,
    version_of,
)
from engagement.models import Item, Stakeholder
from tests.factories import engagement as ef


class RowForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["role", "depth", "start_date"]


def test_version_of_a_new_row_is_empty():
    assert version_of(Stakeholder()) == ""
    assert version_of(None) == ""


def test_version_moves_on_with_every_save_partial_ones_included(db):
    row = ef.StakeholderFactory(role="Before")
    before = version_of(row)

    row.role = "After"
    row.save(update_fields=["role"])

    assert version_of(Stakeholder.objects.get(pk=row.pk)) != before
    assert version_of(Stakeholder.objects.get(pk=row.pk)) == version_of(row)


def test_check_version_passes_the_same_version_and_refuses_another(db):
    row = ef.StakeholderFactory()

    check_version(row, version_of(row))
    check_version(row, None)  # not started from a form: nothing to compare
    with pytest.raises(StaleEdit) as stale:
        check_version(row, "2020-01-01T00:00:00+00:00")

    assert stale.value.current is row


def test_model_form_starts_from_its_instance_version(db):
    row = ef.StakeholderFactory()

    form = RowForm(instance=row)

    assert form[VERSION_FIELD].value() == version_of(row)
    assert form.started_from == version_of(row)


def test_posted_version_is_what_the_user_started_from(db):
    row = ef.StakeholderFactory()

    form = RowForm({"role": "x", "depth": 1, "start_date": "2026-01-02", VERSION_FIELD: "v1"}, instance=row)

    assert form.started_from == "v1"


def test_conflict_keeps_typed_text_shows_theirs_and_carries_the_new_version(db):
    row = ef.StakeholderFactory(role="Their role", depth=3, start_date=datetime.date(2026, 1, 2))
    form = RowForm(
        {"role": "My role", "depth": 3, "start_date": "2026-01-02", VERSION_FIELD: "old"}, instance=row
    )
    assert form.is_valid()

    current = Stakeholder.objects.get(pk=row.pk)  # validating the form changed `row` in memory

    conflict = conflict_for(form, theirs=RowForm(instance=current), current=current)

    assert form.non_field_errors() == [STALE_MESSAGE]
    assert form.data["role"] == "My role"
    assert form.data[VERSION_FIELD] == version_of(current)
    assert [(r.label, r.theirs, r.yours) for r in conflict.changed] == [
        ("Role in the HIT's structures", "Their role", "My role")
    ]
    assert conflict.saved_at == current.updated_at


def test_version_of_a_row_without_updated_at_changes_with_its_values(db):
    item = ef.ItemFactory(text="Before")
    before = version_of(item)

    Item.objects.filter(pk=item.pk).update(text="After")

    assert before != ""
    assert version_of(Item.objects.get(pk=item.pk)) != before
    assert version_of(Item.objects.get(pk=item.pk)) == version_of(Item.objects.get(pk=item.pk))


def test_latest_changed_is_the_row_saved_last(db):
    first, second = ef.StakeholderFactory(), ef.StakeholderFactory()
    first.role = "Saved again"
    first.save(update_fields=["role"])

    assert latest_changed([second, first]) == first
    assert latest_changed([]) is None


def test_restart_from_carries_the_version_just_saved(db):
    row = ef.StakeholderFactory()
    form = RowForm({"role": "x", "depth": 1, "start_date": "2026-01-02", VERSION_FIELD: ""}, instance=row)

    restart_from(form, row)

    assert form.started_from == version_of(row)
    assert form.data["role"] == "x"


class LineForm(forms.Form):
    text = forms.CharField(label="Text", required=False)


LineFormSet = forms.formset_factory(LineForm, extra=1)


def test_conflict_compares_formset_rows_one_by_one(db):
    row = ef.StakeholderFactory(role="Same", depth=1, start_date=datetime.date(2026, 1, 2))
    form = RowForm(
        {"role": "Same", "depth": 1, "start_date": "2026-01-02", VERSION_FIELD: "old"}, instance=row
    )
    mine = LineFormSet(
        {"lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "1", "lines-0-text": "Mine", "lines-1-text": ""},
        prefix="lines",
        initial=[{"text": "Original"}],
    )
    assert form.is_valid() and mine.is_valid()
    theirs = LineFormSet(prefix="lines", initial=[{"text": "Theirs"}, {"text": "Added by them"}])

    conflict = conflict_for(
        form, theirs=RowForm(instance=row), current=row, formsets=[(mine, theirs, "Line")]
    )

    assert [(r.label, r.theirs, r.yours) for r in conflict.changed] == [
        ("Line 1: Text", "Theirs", "Mine"),
        ("Line 2: Text", "Added by them", "(empty)"),
    ]
