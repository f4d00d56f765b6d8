"""Whether this session's user has confirmed a second factor, and how recently.

The second factor itself (authenticator apps, recovery codes) lives in hitportal.security; this module
holds only what every app needs to guard a sensitive action, so an app low in the house plan (teams) can
ask for a fresh confirmation without importing the top one:

- `mark_verified(session, user_id)` records, in the session, that its user confirmed a second factor now
  (at sign-in, after setting one up, or on the confirmation page);
- `is_verified(session)` says whether the session's current user did so at all (the sign-in's promise);
- `confirmation_needed` guards a view of a sensitive action (erasing a person, granting a role): a
  session whose last confirmation is older than SECOND_FACTOR_REAUTH_SECONDS is sent to confirm
  again (the page named `second-factor-confirm`), then back to the page it came from. A POST is never
  replayed: the person submits the form again, now confirmed.

The marker names its user, so it never vouches for another login (a sign-in flushes or keeps the session
according to Django's rules; a marker of another user counts for nothing). Sessions live in the database.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_VERIFIED = "hitportal_second_factor"


def mark_verified(session: SessionBase, user_id: int) -> None:
    session[SESSION_VERIFIED] = [str(user_id), time.time()]


def _verified_at(session: SessionBase) -> float | None:
    value = session.get(SESSION_VERIFIED)
    user_id = session.get(SESSION_KEY)
    if not (isinstance(value, list) and len(value) == 2 and user_id is not None):
        return None
    if value[0] != str(user_id):
        return None
    return float(value[1])


def is_verified(session: SessionBase) -> bool:
    return _verified_at(session) is not None


def reauth_seconds() -> int:
    return int(getattr(settings, "SECOND_FACTOR_REAUTH_SECONDS", 10 * 60))


def recently_verified(session: SessionBase) -> bool:
    at = _verified_at(session)
    return at is not None and time.time() - at <= reauth_seconds()


def safe_next(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    """`candidate` if it is a path on this site, else `default` (never an open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def confirm_url(request: HttpRequest, next_url: str) -> str:
    return f"{reverse('second-factor-confirm')}?{urlencode({'next': next_url})}"


def demo_exempt(request: HttpRequest) -> bool:
    """DEMO ONLY (settings.SECOND_FACTOR_DEMO_EXEMPT, refused without DEBUG): the demo's logins."""
    if not getattr(settings, "SECOND_FACTOR_DEMO_EXEMPT", False):
        return False
    email = str(getattr(request.user, "email", "") or "").lower()
    return email.endswith("@" + str(settings.SECOND_FACTOR_DEMO_DOMAIN))


def confirmation_needed(request: HttpRequest) -> HttpResponse | None:
    """A redirect to confirm the second factor if this session has not lately, else None.

    Called by a view of a sensitive action once its permission check passed (so whoever may not act
    still gets the 403 or 404 that says so). After a GET the person comes back to the same page;
    after a POST to the page that sent the form (its Referer, if on this site), to submit it again.
    """
    if not request.user.is_authenticated or recently_verified(request.session) or demo_exempt(request):
        return None
    if request.method == "GET":
        back = request.get_full_path()
    else:
        back = safe_next(request, request.META.get("HTTP_REFERER"), default=reverse("home"))
    return HttpResponseRedirect(confirm_url(request, back))
