"""Sign-in throttling and password-reset rate limits, kept in Django's cache.

Sign-in: 5 failed attempts for one email address (case-insensitive), or 20 from one client address,
within 15 minutes of the first failure lock that email (or address) for 15 minutes. While locked,
the form refuses every attempt WITHOUT checking the password, so a correct guess at attempt 6 gets
the attacker nothing; the person locked out is told how long to wait, or to reset their password
(completing a reset lifts the lock on their email). A successful sign-in clears the email's count.
Locks apply whether or not an account exists for the email, so they reveal nothing.

Password reset: 10 requests an hour from one client address get a form error; a sixth request for
the same email within the hour is accepted as usual but sends nothing, so a distributed attacker
cannot bomb one mailbox and the page never reveals whether an account exists.

Sign-up (an applicant's own account): the same two limits, 10 an hour from one client address (form
error) and a fourth request for one email within the hour answered as usual but sending nothing.

Second factor (the code asked after the password, and before sensitive actions): 5 wrong codes for one
login within 15 minutes lock its second-factor step for 15 minutes, whatever codes follow (the
authenticator devices also slow down after each failure, hitportal.security). A correct code clears the
count.

Counters are cache entries: `add` + `incr` is atomic on Redis and on the local-memory cache, so
parallel requests cannot slip extra attempts past the limit. A counter's window starts at its first
failure (a fixed window); a lock stores its end time and is compared with the clock, so it ends on
time even if the cache keeps the entry longer. The local-memory cache is per process: production
uses Redis (settings.CACHES), which every web process shares.

Behind a reverse proxy every request arrives from the proxy's address. Set
HITPORTAL_TRUSTED_PROXY_COUNT (environment TRUSTED_PROXY_COUNT) to the number of proxies that append
to X-Forwarded-For, or every visitor shares one address counter.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

_PREFIX = "hitportal:throttle"


@dataclass(frozen=True)
class Limits:
    failures_per_email: int = 5
    failures_per_ip: int = 20
    window_seconds: int = 15 * 60
    lockout_seconds: int = 15 * 60
    resets_per_ip: int = 10
    resets_per_email: int = 5
    reset_window_seconds: int = 60 * 60
    signups_per_ip: int = 10
    signups_per_email: int = 3
    signup_window_seconds: int = 60 * 60
    second_factor_failures: int = 5


def limits() -> Limits:
    """The limits, overridable in settings (HITPORTAL_LOGIN_THROTTLE = {"failures_per_email": 3, ...})."""
    return Limits(**getattr(settings, "HITPORTAL_LOGIN_THROTTLE", {}))


def _digest(value: str) -> str:
    # Emails and addresses never appear in cache keys: hashed, they are safe for any backend.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _key(kind: str, scope: str, value: str) -> str:
    return f"{_PREFIX}:{kind}:{scope}:{_digest(value)}"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or the entry a trusted proxy appended to X-Forwarded-For.

    Only the last HITPORTAL_TRUSTED_PROXY_COUNT entries were written by our own proxies; anything to
    their left came from the client and may be forged, so it is never used.
    """
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    proxies = int(getattr(settings, "HITPORTAL_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    forwarded = [part.strip() for part in header.split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote


def _count(key: str, window: int) -> int:
    """Add one to a counter whose window starts at its first hit (atomic on Redis and locmem)."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def _lock(scope: str, value: str, seconds: int) -> None:
    cache.set(_key("lock", scope, value), time.time() + seconds, timeout=seconds)
    cache.delete(_key("fail", scope, value))


def _lock_remaining(scope: str, value: str) -> float:
    if not value:
        return 0.0
    until = cache.get(_key("lock", scope, value))
    return max(0.0, until - time.time()) if until else 0.0


def login_lock_minutes(*, email: str, ip: str) -> int:
    """Whole minutes (rounded up) until the email and the address may try again; 0 if neither is locked."""
    remaining = max(_lock_remaining("email", normalise_email(email)), _lock_remaining("ip", ip))
    return math.ceil(remaining / 60) if remaining else 0


def login_failed(*, email: str, ip: str) -> None:
    """Count one failed sign-in; lock the email or the address that reached its limit."""
    current = limits()
    email = normalise_email(email)
    if email and _count(_key("fail", "email", email), current.window_seconds) >= current.failures_per_email:
        _lock("email", email, current.lockout_seconds)
    if ip and _count(_key("fail", "ip", ip), current.window_seconds) >= current.failures_per_ip:
        _lock("ip", ip, current.lockout_seconds)


def login_succeeded(*, email: str) -> None:
    cache.delete(_key("fail", "email", normalise_email(email)))


def email_unlock(*, email: str) -> None:
    """Lift the lock and the count of one email (after its owner proved control of the mailbox)."""
    email = normalise_email(email)
    cache.delete_many([_key("fail", "email", email), _key("lock", "email", email)])


def locked_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-ins. Try again in {minutes} {unit} or reset your password."


def signup_refused_for_ip(ip: str) -> bool:
    """Count one sign-up from a client address: True once it made more than `signups_per_ip` this hour."""
    current = limits()
    return (
        bool(ip) and _count(_key("signup", "ip", ip), current.signup_window_seconds) > current.signups_per_ip
    )


def signup_silenced_for_email(email: str) -> bool:
    """Count one sign-up for an address: True once it had more than `signups_per_email` this hour.

    The page answers as usual and nothing is sent, as for password resets: nobody can fill a
    mailbox with verification e-mails, and the page never says whether the limit was hit.
    """
    current = limits()
    email = normalise_email(email)
    return _count(_key("signup", "email", email), current.signup_window_seconds) > current.signups_per_email


def second_factor_lock_minutes(*, user_id: int) -> int:
    """Whole minutes until this login may try a second-factor code again; 0 if it is not locked."""
    remaining = _lock_remaining("2fa", str(user_id))
    return math.ceil(remaining / 60) if remaining else 0


def second_factor_failed(*, user_id: int) -> None:
    current = limits()
    key = _key("fail", "2fa", str(user_id))
    if _count(key, current.window_seconds) >= current.second_factor_failures:
        _lock("2fa", str(user_id), current.lockout_seconds)


def second_factor_succeeded(*, user_id: int) -> None:
    cache.delete(_key("fail", "2fa", str(user_id)))


def second_factor_locked_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many wrong codes. Try again in {minutes} {unit}."


# --- Forms and views -------------------------------------------------------------------------------


class LoginThrottleMixin:
    """For AuthenticationForm subclasses (which receive the request): refuse while locked, count failures.

    Sits before AuthenticationForm in the bases so its clean() runs first: a locked email or address
    is refused before `authenticate` ever sees the password.
    """

    request: HttpRequest | None
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if not (email and password):
            return cast(dict[str, Any], super().clean())  # type: ignore[misc]  # a mixin of forms
        ip = client_ip(self.request)
        minutes = login_lock_minutes(email=email, ip=ip)
        if minutes:
            raise ValidationError(locked_message(minutes), code="throttled")
        try:
            cleaned = cast(dict[str, Any], super().clean())  # type: ignore[misc]  # a mixin of forms
        except ValidationError as exc:
            # Only a password that did not authenticate counts (the admin form also says
            # "invalid_login" to a correct password of an account that is not staff).
            if getattr(exc, "code", None) == "invalid_login" and getattr(self, "user_cache", None) is None:
                login_failed(email=email, ip=ip)
                minutes = login_lock_minutes(email=email, ip=ip)
                if minutes:  # this failure reached the limit: say so now rather than at the next try
                    raise ValidationError(locked_message(minutes), code="throttled") from exc
            raise
        login_succeeded(email=email)
        return cleaned


class ThrottledAdminAuthenticationForm(LoginThrottleMixin, AdminAuthenticationForm):
    """The admin site's sign-in, under the same limits as the portal's."""


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """The stock reset view, limited per client address (form error) and per email (silently)."""

    def form_valid(self, form: forms.Form) -> HttpResponse:
        current = limits()
        ip = client_ip(self.request)
        if ip and _count(_key("reset", "ip", ip), current.reset_window_seconds) > current.resets_per_ip:
            form.add_error(
                None,
                "Too many password reset requests from your network. Try again in an hour, "
                "or ask the programme team for help.",
            )
            return self.form_invalid(form)
        email = normalise_email(form.cleaned_data.get("email", ""))
        if _count(_key("reset", "email", email), current.reset_window_seconds) > current.resets_per_email:
            # The same "check your email" page as ever: nothing tells a stranger the limit was hit.
            return super(auth_views.PasswordResetView, self).form_valid(form)
        return super().form_valid(form)


class UnlockingPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the emailed link also lifts a sign-in lock on that email."""

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        email_unlock(email=self.user.email)
        return response
