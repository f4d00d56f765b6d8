"""core.idempotency: a create form's one-time key makes its submission count once."""

from __future__ import annotations

import uuid

import pytest
from django import forms

from core.idempotency import (
    ALREADY_SUBMITTED_MESSAGE,
    BAD_KEY_MESSAGE,
    FORM_KEY_FIELD,
    AlreadySubmitted,
    OnceOnlyFormMixin,
    once,
)
from core.models import FormSubmission
from tests import factories as f


class NoteForm(OnceOnlyFormMixin, forms.Form):
    note = forms.CharField(max_length=100)


def _bound(key: str, note: str = "A note") -> NoteForm:
    form = NoteForm({"note": note, FORM_KEY_FIELD: key})
    assert form.is_valid(), form.errors
    return form


def test_unbound_form_carries_a_fresh_key_each_time():
    first, second = NoteForm(), NoteForm()

    assert first[FORM_KEY_FIELD].value() != second[FORM_KEY_FIELD].value()
    assert uuid.UUID(str(first[FORM_KEY_FIELD].value()))


def test_form_posted_without_key_is_created_as_sent(db):
    user = f.UserFactory()
    form = NoteForm({"note": "From a script"})
    assert form.is_valid()
    ran = []

    for _ in range(2):
        with once(form, user=user) as claim:
            ran.append("created")
            claim.done("/made/")

    assert ran == ["created", "created"]
    assert FormSubmission.objects.count() == 0


def test_garbled_key_is_an_error_on_the_form():
    form = NoteForm({"note": "Kept", FORM_KEY_FIELD: "not-a-key"})

    assert not form.is_valid()
    assert form.errors[FORM_KEY_FIELD] == [BAD_KEY_MESSAGE]


def test_once_runs_the_block_and_records_the_result(db):
    user = f.UserFactory()
    form = _bound(str(uuid.uuid4()))

    with once(form, user=user) as claim:
        claim.done("/made/1/")

    assert list(FormSubmission.objects.values_list("key", "result_url")) == [(form.form_key, "/made/1/")]


def test_second_submission_of_one_key_is_sent_to_the_first_result(db):
    user = f.UserFactory()
    key = str(uuid.uuid4())
    with once(_bound(key), user=user) as claim:
        claim.done("/made/1/")
    ran = []

    with pytest.raises(AlreadySubmitted) as repeat, once(_bound(key), user=user):
        ran.append("second")

    assert ran == []
    assert repeat.value.url == "/made/1/"
    assert str(repeat.value) == ALREADY_SUBMITTED_MESSAGE


def test_refused_block_frees_the_key_for_the_corrected_form(db):
    user = f.UserFactory()
    key = str(uuid.uuid4())

    with pytest.raises(forms.ValidationError), once(_bound(key), user=user):
        raise forms.ValidationError("Fix the date.")
    with once(_bound(key), user=user) as claim:
        claim.done("/made/2/")

    assert FormSubmission.objects.get().result_url == "/made/2/"


def test_another_users_key_creates_under_a_key_of_its_own_and_reveals_nothing(db):
    key = str(uuid.uuid4())
    with once(_bound(key), user=f.UserFactory()) as claim:
        claim.done("/theirs/")
    ran = []

    with once(_bound(key), user=f.UserFactory()) as claim:
        ran.append("created")
        claim.done("/mine/")

    assert ran == ["created"]
    assert sorted(FormSubmission.objects.values_list("result_url", flat=True)) == ["/mine/", "/theirs/"]
