"""The nightly clean-up of create forms' one-time keys (core.services, core.tasks_forms)."""

from __future__ import annotations

import datetime
import uuid

import time_machine
from django.conf import settings

from core.models import FormSubmission
from core.services import form_submissions_expire
from core.tasks_forms import expire_form_submissions
from tests import factories as f

NOW = datetime.datetime(2026, 11, 10, 3, 45, tzinfo=datetime.UTC)


def _claimed(user, *, days_ago: float) -> FormSubmission:
    with time_machine.travel(NOW - datetime.timedelta(days=days_ago), tick=False):
        return FormSubmission.objects.create(key=uuid.uuid4(), user=user, result_url="/made/")


def test_form_submissions_expire_deletes_keys_older_than_two_days(db):
    user = f.UserFactory()
    _claimed(user, days_ago=3)
    _claimed(user, days_ago=2.01)
    kept = _claimed(user, days_ago=1.9)

    with time_machine.travel(NOW, tick=False):
        deleted = form_submissions_expire()

    assert deleted == 2
    assert list(FormSubmission.objects.values_list("pk", flat=True)) == [kept.pk]


def test_expire_form_submissions_task_is_idempotent(db):
    user = f.UserFactory()
    _claimed(user, days_ago=5)
    _claimed(user, days_ago=0.5)

    with time_machine.travel(NOW, tick=False):
        first = expire_form_submissions()
        second = expire_form_submissions()

    assert (first, second) == (1, 0)
    assert FormSubmission.objects.count() == 1


def test_expire_form_submissions_runs_nightly():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == expire_form_submissions.name
    ]

    assert expire_form_submissions.name == "core.expire_form_submissions"
    assert len(entries) == 1
