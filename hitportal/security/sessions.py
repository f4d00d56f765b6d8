"""The list of a login's signed-in browsers and devices, and signing one (or all others) out.

Sessions live in the database (django.contrib.sessions), whose rows do not say whose they are without
decoding each; teams.LoginSession keeps that link: a row is made at sign-in (the `user_logged_in`
signal), touched at most every TOUCH_SECONDS by the middleware, and deleted at sign-out. Only rows
whose session still exists and has not expired are listed; the rows of sessions that ended without a
sign-out (expired, or cleared) are deleted nightly, with the expired sessions themselves
(sessions_clear_stale, beat task hitportal.clear_stale_sessions). No client address is kept.
"""

from __future__ import annotations

import re
import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from teams.models import LoginSession, User

TOUCH_SECONDS = 5 * 60
_SEEN = "hitportal_session_seen"

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str) -> str:
    """ "Firefox on Windows", from the User-Agent header; "Unknown browser" when it says nothing known."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or ("Unknown browser" if not re.search(r"\w", user_agent) else user_agent[:60])


@receiver(user_logged_in, dispatch_uid="hitportal_security_session_in")
def _signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    LoginSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:300],
            "last_seen_at": timezone.now(),
        },
    )
    session[_SEEN] = time.time()


@receiver(user_logged_out, dispatch_uid="hitportal_security_session_out")
def _signed_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        LoginSession.objects.filter(session_key=session.session_key).delete()


def session_touch(request: HttpRequest) -> None:
    """Record that this session is in use, at most every TOUCH_SECONDS (one UPDATE, then nothing)."""
    seen = request.session.get(_SEEN)
    now = time.time()
    if isinstance(seen, int | float) and now - seen < TOUCH_SECONDS:
        return
    request.session[_SEEN] = now
    if request.session.session_key:
        LoginSession.objects.filter(session_key=request.session.session_key).update(
            last_seen_at=timezone.now()
        )


def sessions_of(user: User) -> QuerySet[LoginSession]:
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return LoginSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen_at", "-pk")


@transaction.atomic
def session_end(*, user: User, pk: int) -> bool:
    """Sign the login's session `pk` out (its session row goes); False if it is not theirs or gone."""
    row = LoginSession.objects.filter(user=user, pk=pk).first()
    if row is None:
        return False
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()
    return True


@transaction.atomic
def sessions_end_others(*, user: User, keep: str | None) -> None:
    """Delete every session row of the login but `keep` (those not listed in LoginSession end through the
    epoch, hitportal.security.services.sessions_end_others)."""
    others = LoginSession.objects.filter(user=user).exclude(session_key=keep or "")
    Session.objects.filter(session_key__in=others.values("session_key")).delete()
    others.delete()


def sessions_clear_stale() -> tuple[int, int]:
    """Delete expired sessions (as `manage.py clearsessions` does) and every LoginSession row whose session
    no longer exists or has expired. Idempotent: a second run finds nothing. Returns (session rows,
    LoginSession rows) deleted; a row made by a sign-in while this runs has its session already saved,
    so it is kept."""
    now = timezone.now()
    expired = Session.objects.filter(expire_date__lte=now).count()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    stale, _ = LoginSession.objects.exclude(session_key__in=live).delete()
    return int(expired), int(stale)
