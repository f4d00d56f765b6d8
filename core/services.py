"""Writes of the base app's own tables."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from core.models import FormSubmission


@transaction.atomic
def form_submissions_expire(*, older_than_days: int = 2, now: datetime.datetime | None = None) -> int:
    """Delete the one-time keys of create forms claimed more than `older_than_days` ago.

    A key only matters while the page that carries it may still be sent again (a double click, a
    retry, the back button): two days covers a form left open overnight. Side effect: the
    FormSubmission rows deleted. Returns how many. Safe to run twice or on two workers at once.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=older_than_days)
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
