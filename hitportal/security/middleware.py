"""Programme managers, panel chairs and staff confirm a second factor before any page of the portal.

A signed-in session that has not confirmed one (core.second_factor) and whose user must
(services.requires_second_factor) is sent to set one up, or to enter a code from the one they have,
and then back to the page it asked for. Only signing in and out, the second-factor pages and static
files are open to it meanwhile. A confirmed session costs nothing here: the check reads the session
the request loads anyway; an unconfirmed one costs the user's roles (cached, teams.roles).
Token-authenticated API calls carry no session and are not affected (their token is the credential).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core import second_factor
from hitportal.security import services, sessions


def _open_prefixes() -> tuple[str, ...]:
    return (
        reverse("login"),
        reverse("logout"),
        reverse("second-factor"),
        reverse("health"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._open is None:
            self._open = _open_prefixes()
        if (
            request.path.startswith(self._open)
            or second_factor.is_verified(request.session)
            or not request.user.is_authenticated
            or not services.requires_second_factor(request.user)
        ):
            return self.get_response(request)
        back = request.get_full_path() if request.method == "GET" else reverse("home")
        page = "second-factor-confirm" if services.has_second_factor(request.user) else "second-factor"
        return HttpResponseRedirect(f"{reverse(page)}?{urlencode({'next': back})}")


class SessionSeenMiddleware:
    """Touch the signed-in session's row in the list of one's sessions (at most every few minutes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            sessions.session_touch(request)
        return response
