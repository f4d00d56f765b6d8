"""Create forms that create once: a one-time key per form, claimed in the creating transaction.

Two posts of the same create form (a double click, a retry, two tabs on one opened form) would
otherwise make two rows. Every create form carries a hidden random `form_key`
(`OnceOnlyFormMixin`); the view creates inside `once(...)`, which inserts the key into
FormSubmission in the same transaction as the new row. The key column is unique, so of two
concurrent posts exactly one INSERT succeeds: on PostgreSQL the second waits for the first to
commit and then fails; the loser raises `AlreadySubmitted` carrying where the winner's row is, and
the view sends the user there with a note. If the creating service refuses (a validation error),
the transaction rolls back and the key is free again, so the corrected form can be sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django import forms
from django.db import IntegrityError, transaction
from django.forms.utils import ErrorDict

from core.models import FormSubmission

FORM_KEY_FIELD = "form_key"
ALREADY_SUBMITTED_MESSAGE = (
    "This form had already been sent, so nothing was added twice. Here is what it created."
)
BAD_KEY_MESSAGE = (
    "This form could not be matched to the page it came from. Check what you entered, then send it again."
)


class AlreadySubmitted(Exception):
    """This form's key was claimed by an earlier submission; `url` is where its result is."""

    def __init__(self, url: str) -> None:
        super().__init__(ALREADY_SUBMITTED_MESSAGE)
        self.url = url


class OnceOnlyFormMixin(forms.BaseForm):
    """A hidden one-time `form_key` for a create form. Put the mixin first in the bases.

    The portal's pages always send the key. A post without one (a script, not a page) is created
    without the once-only check, as it was sent.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[FORM_KEY_FIELD] = forms.UUIDField(
            widget=forms.HiddenInput,
            required=False,
            initial=uuid.uuid4,
            error_messages={"invalid": BAD_KEY_MESSAGE},
        )

    @property
    def form_key(self) -> uuid.UUID | None:
        return self.cleaned_data.get(FORM_KEY_FIELD)

    def is_repeat(self) -> bool:
        """Whether this form's key was claimed already: a second submission of a form that went through.

        A check that depends on what the first submission created (a name now taken, a reviewer
        now assigned) waives for a repeat, which `once` then sends to that result instead of saying
        it "already exists". Ask it after reading the rows: the first submission commits its key
        with its row, so once the row is visible, so is the key, whatever the timing of two posts.
        """
        raw = self.data.get(self.add_prefix(FORM_KEY_FIELD)) if self.is_bound else None
        try:
            key = uuid.UUID(str(raw)) if raw else None
        except ValueError:
            return False
        return key is not None and FormSubmission.objects.filter(key=key).exists()

    def _found_errors(self) -> ErrorDict:
        """The errors found so far (Django's own attribute, set before validation runs)."""
        return cast(ErrorDict, self.__dict__["_errors"])

    def validate_unique(self) -> None:
        """A model form's uniqueness check, waived for a repeat (`is_repeat`)."""
        errors: dict[str, list[Any]] = {
            name: list(messages) for name, messages in self._found_errors().items()
        }
        cleaned = dict(self.cleaned_data)
        super().validate_unique()  # type: ignore[misc]
        changed = {name: list(messages) for name, messages in self._found_errors().items()} != errors
        if changed and self.is_repeat():
            self._errors = ErrorDict(
                {name: self.error_class(cast(Any, messages)) for name, messages in errors.items()}
            )
            self.cleaned_data = cleaned


class Claim:
    """The claimed key; `done(url)` records where the created row is, for a repeated submission."""

    def __init__(self, submission: FormSubmission | None) -> None:
        self._submission = submission

    def done(self, url: str) -> None:
        if self._submission is None:
            return
        self._submission.result_url = url
        self._submission.save(update_fields=["result_url", "updated_at"])


@contextmanager
def once(form: OnceOnlyFormMixin, *, user: Any) -> Iterator[Claim]:
    """Run the block (the create service) at most once per form key, in one transaction.

    Raises AlreadySubmitted when the key was claimed before (by this user's earlier submission).
    Call `claim.done(url)` inside the block with the created row's page.
    """
    key = form.form_key
    with transaction.atomic():
        if key is None:
            yield Claim(None)
            return
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(key=key, user=user)
        except IntegrityError:
            # The first submission holds the key: it committed, or this INSERT would still be waiting.
            earlier = FormSubmission.objects.filter(key=key, user=user).first()
            if earlier is not None:
                raise AlreadySubmitted(earlier.result_url) from None
            # Another user's key, never handed out to this one: not a repeat of this user's form, and
            # nothing of the other user's may be shown. It is created once under a key of its own.
            submission = FormSubmission.objects.create(key=uuid.uuid4(), user=user)
        yield Claim(submission)
