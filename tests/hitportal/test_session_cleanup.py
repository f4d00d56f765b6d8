"""The nightly clean-up of the signed-in list (hitportal.security.sessions.sessions_clear_stale, beat task
hitportal.clear_stale_sessions): sessions that ended without a sign-out leave no row behind."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from hitportal.security.sessions import sessions_clear_stale
from hitportal.tasks import clear_stale_sessions
from teams.models import LoginSession
from tests import factories as f

pytestmark = pytest.mark.django_db


def _session(*, expires_in: datetime.timedelta) -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    assert store.session_key
    return store.session_key


def test_rows_of_expired_or_vanished_sessions_go_and_live_ones_stay():
    user = f.UserFactory()
    live = LoginSession.objects.create(
        user=user, session_key=_session(expires_in=datetime.timedelta(hours=1))
    )
    expired_key = _session(expires_in=-datetime.timedelta(minutes=1))
    LoginSession.objects.create(user=user, session_key=expired_key)
    LoginSession.objects.create(user=user, session_key="gone-without-a-sign-out")

    expired, stale = sessions_clear_stale()

    assert (expired, stale) == (1, 2)
    assert list(LoginSession.objects.values_list("pk", flat=True)) == [live.pk]
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_the_task_is_idempotent():
    user = f.UserFactory()
    LoginSession.objects.create(user=user, session_key=_session(expires_in=-datetime.timedelta(seconds=1)))
    LoginSession.objects.create(user=user, session_key=_session(expires_in=datetime.timedelta(hours=1)))

    first = clear_stale_sessions()
    second = clear_stale_sessions()

    assert (first, second) == (1, 0)
    assert LoginSession.objects.count() == 1 and Session.objects.count() == 1


def test_a_browser_that_never_signed_out_leaves_no_row_after_its_session_expires(client, director):
    client.force_login(director)
    client.get(reverse("session-list"))
    assert LoginSession.objects.filter(user=director).count() == 1

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        assert clear_stale_sessions() == 1

    assert not LoginSession.objects.filter(user=director).exists()
    assert not Session.objects.exists()


def test_a_signed_in_browser_is_kept(client, director):
    client.force_login(director)
    page = client.get(reverse("session-list"))

    assert clear_stale_sessions() == 0
    assert LoginSession.objects.filter(user=director).count() == 1
    assert page.status_code == 200 and client.get(reverse("session-list")).status_code == 200


def test_the_clean_up_runs_nightly_from_beat():
    entries = {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] == clear_stale_sessions.name
    }

    assert clear_stale_sessions.name == "hitportal.clear_stale_sessions"
    assert list(entries) == ["nightly-stale-session-cleanup"]
    assert entries["nightly-stale-session-cleanup"]["schedule"] == crontab(hour=4, minute=0)
