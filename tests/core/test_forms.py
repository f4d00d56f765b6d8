"""The bounded date field and its date picker (core.forms)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django import forms

from core.forms import DateField, DateInput


@pytest.fixture(autouse=True)
def in_2026():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


class _DueForm(forms.Form):
    due_on = DateField(label="Due on")


def test_date_field_far_future_is_an_error_next_to_the_field():
    form = _DueForm(data={"due_on": "9999-12-31"})

    assert form.errors == {"due_on": ["Enter a date between 1 January 1990 and 31 December 2051."]}


def test_date_field_in_range_is_clean():
    form = _DueForm(data={"due_on": "2030-01-31"})

    assert form.is_valid()
    assert form.cleaned_data == {"due_on": datetime.date(2030, 1, 31)}


def test_date_input_renders_a_date_picker_with_the_range():
    html = DateInput().render("due_on", datetime.date(2026, 7, 1))

    assert html == '<input type="date" name="due_on" value="2026-07-01" min="1990-01-01" max="2051-12-31">'


def test_date_input_keeps_a_tighter_limit_of_its_own():
    html = DateInput(attrs={"max": "2026-06-15"}).render("held_on", None)

    assert html == '<input type="date" name="held_on" max="2026-06-15" min="1990-01-01">'


def test_date_input_range_is_computed_when_drawn_not_when_defined():
    widget = DateInput()

    with time_machine.travel(datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        html = widget.render("due_on", None)

    assert 'max="2055-12-31"' in html
