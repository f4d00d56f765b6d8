"""Sign-in with a second factor, and the page where a login sets one up (docs/security.md section 6).

- `LoginView`: the password form as before (throttled, core.throttle); a login with an authenticator
  is not signed in yet: the session remembers who passed the password for a few minutes and the
  code step (`login_code`) finishes the sign-in.
- `security`: the login's own second-factor page: set up an authenticator app (QR code drawn as SVG
  on the server, no script), see how many recovery codes are left, make new ones, remove it.
- `confirm`: a signed-in login enters a code again, before a sensitive action or a role's first page.
Every code entered counts towards the second-factor throttle (core.throttle).
"""

from __future__ import annotations

import base64
import functools
import time
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import second_factor, throttle
from hitportal.forms import EmailAuthenticationForm
from hitportal.security import passkeys, services, sessions, sso
from hitportal.security.forms import CodeForm, PasskeyAddForm, SetupCodeForm
from teams.models import User

PENDING = "hitportal_second_factor_pending"
#: How long the code step waits after the password, in seconds.
PENDING_SECONDS = 5 * 60


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = sso.providers()
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not services.has_second_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return HttpResponseRedirect(reverse("login-code"))


_SSO_NEXT = "hitportal_sso_next"
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _provider_or_404(provider_id: str) -> sso.Provider:
    provider = sso.provider_get(provider_id)
    if provider is None:
        raise Http404("No such sign-in provider.")
    return provider


@never_cache
@require_GET
def sso_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Off to the provider's sign-in page (the code flow with PKCE, state and nonce)."""
    provider = _provider_or_404(provider_id)
    request.session[_SSO_NEXT] = second_factor.safe_next(request, request.GET.get("next"), reverse("home"))
    callback = request.build_absolute_uri(reverse("sso-callback", args=[provider.id]))
    return sso.authorize_redirect(request, provider, callback)


@never_cache
@require_GET
def sso_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Back from the provider: check the ID token, find (or link, or make) the login, sign it in."""
    provider = _provider_or_404(provider_id)
    next_url = second_factor.safe_next(request, request.session.pop(_SSO_NEXT, None), reverse("home"))
    try:
        claims = sso.claims_from_callback(request, provider)
        user = sso.user_for_claims(provider=provider, claims=claims)
    except sso.SsoRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("login")
    if services.has_second_factor(user) and not sso.provider_did_mfa(provider, claims):
        request.session[PENDING] = {
            "user": user.pk,
            "backend": _MODEL_BACKEND,
            "at": time.time(),
            "next": next_url,
        }
        return HttpResponseRedirect(reverse("login-code"))
    auth_login(request, user, backend=_MODEL_BACKEND)
    if sso.provider_did_mfa(provider, claims):
        second_factor.mark_verified(request.session, user.pk)
    return HttpResponseRedirect(next_url)


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, pending) if user is not None else None  # type: ignore[return-value]


def _check_code(request: HttpRequest, user: User, form: CodeForm) -> bool:
    """Whether the form's code is good, counting a wrong one (and refusing all while locked)."""
    minutes = throttle.second_factor_lock_minutes(user_id=user.pk)
    if minutes:
        form.add_error("code", throttle.second_factor_locked_message(minutes))
        return False
    if form.cleaned_data.get("passkey"):
        good = passkeys.verify(request, user, form.cleaned_data["passkey"])
    else:
        good = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
    if good:
        throttle.second_factor_succeeded(user_id=user.pk)
        return True
    throttle.second_factor_failed(user_id=user.pk)
    minutes = throttle.second_factor_lock_minutes(user_id=user.pk)
    form.add_error(
        "code",
        throttle.second_factor_locked_message(minutes)
        if minutes
        else (
            "That passkey did not work: try again, or enter a code."
            if form.cleaned_data.get("passkey")
            else "That code did not work. Codes change every 30 seconds, and each works only once: "
            "wait for the next one, or use a recovery code."
        ),
    )
    return False


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for a login with an authenticator app."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(request, "Sign in again: the time to enter your code ran out.")
        return redirect("login")
    user, pending = found
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code(request, user, form):
        del request.session[PENDING]
        auth_login(request, user, backend=pending["backend"])
        second_factor.mark_verified(request.session, user.pk)
        return HttpResponseRedirect(second_factor.safe_next(request, pending.get("next"), reverse("home")))
    return render(request, "security/login_code.html", {"form": form, "has_passkey": user.passkeys.exists()})


@never_cache
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    """The options for using a passkey: for the login at sign-in's code step, or the signed-in one."""
    found = _pending_user(request)
    user = found[0] if found else (request.user if request.user.is_authenticated else None)
    options = passkeys.authentication_options(request, user) if user is not None else None  # type: ignore[arg-type]
    if options is None:
        return JsonResponse({"error": "No passkey is registered for this login."}, status=404)
    return HttpResponse(options, content_type="application/json")


@never_cache
@login_required
@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if services.has_second_factor(user) and not second_factor.recently_verified(request.session):
        return JsonResponse({"error": "Confirm your second factor first."}, status=403)
    return HttpResponse(passkeys.registration_options(request, user), content_type="application/json")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """Enter a code again (before a sensitive action, or a role's first page), then go on."""
    user: User = request.user  # type: ignore[assignment]
    next_url = second_factor.safe_next(request, request.GET.get("next"), reverse("home"))
    if not services.has_second_factor(user):
        return redirect(f"{reverse('second-factor')}?{urlencode({'next': next_url})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code(request, user, form):
        second_factor.mark_verified(request.session, user.pk)
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "security/confirm.html",
        {"form": form, "next": next_url, "has_passkey": user.passkeys.exists()},
    )


@never_cache
@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """The browsers and devices this login is signed in on, with when each was last used."""
    user: User = request.user  # type: ignore[assignment]
    rows = [
        {
            "pk": row.pk,
            "device": sessions.describe_user_agent(row.user_agent),
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "current": row.session_key == request.session.session_key,
        }
        for row in sessions.sessions_of(user)
    ]
    return render(request, "security/sessions.html", {"rows": rows})


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign one of this login's other sessions out."""
    user: User = request.user  # type: ignore[assignment]
    if not sessions.session_end(user=user, pk=pk):
        raise Http404("No such session.")
    messages.success(request, "That browser was signed out.")
    return redirect("session-list")


@login_required
@require_POST
def sign_out_others(request: HttpRequest) -> HttpResponse:
    """Sign out of every other browser and device this login is signed in on; this one stays."""
    user: User = request.user  # type: ignore[assignment]
    services.sessions_end_others(user=user)
    sessions.sessions_end_others(user=user, keep=request.session.session_key)
    update_session_auth_hash(request, user)
    messages.success(request, "You were signed out of every other browser and device.")
    return redirect("session-list")


@functools.lru_cache(maxsize=256)
def _qr_drawing(url: str) -> str:
    # Encoding picks the best of eight masks: about two thirds of the page's time, so each worker
    # keeps the drawings of the devices being set up (the secret is already in its database rows).
    return str(segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=False))


def _qr_svg(url: str) -> str:
    # segno draws only the code's modules as SVG paths: no text of the URL appears in it.
    return mark_safe(_qr_drawing(url))  # noqa: S308  # nosec B308, B703


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """The login's second factor: set up (or replace) an authenticator, recovery codes, removal."""
    user: User = request.user  # type: ignore[assignment]
    next_url = second_factor.safe_next(request, request.GET.get("next"), "")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    has_factor = services.has_second_factor(user)
    required = services.requires_second_factor(user)
    verified = second_factor.is_verified(request.session)
    # Changing an existing factor needs this session to have confirmed it lately.
    if has_factor and action and not second_factor.recently_verified(request.session):
        return redirect(second_factor.confirm_url(request, reverse("second-factor")))
    setup_form = SetupCodeForm(request.POST if action == "confirm" else None)
    locked = throttle.second_factor_lock_minutes(user_id=user.pk)
    if action == "confirm" and setup_form.is_valid() and locked:
        setup_form.add_error("code", throttle.second_factor_locked_message(locked))
    elif action == "confirm" and setup_form.is_valid():
        codes = services.authenticator_confirm(user=user, code=setup_form.cleaned_data["code"])
        if codes is None:
            throttle.second_factor_failed(user_id=user.pk)
            setup_form.add_error(
                "code", "That code did not work: check the app's clock, and enter the newest code."
            )
        else:
            second_factor.mark_verified(request.session, user.pk)
            messages.success(request, "Your authenticator app is set up.")
            if codes:
                return _show_codes(request, codes, next_url)
            return HttpResponseRedirect(next_url or reverse("second-factor"))
    elif action == "passkey-add":
        passkey_form = PasskeyAddForm(request.POST)
        if passkey_form.is_valid() and passkeys.register(
            request, user, passkey_form.cleaned_data["passkey"], passkey_form.cleaned_data["name"]
        ):
            second_factor.mark_verified(request.session, user.pk)
            messages.success(request, "Your passkey was added.")
            if not services.recovery_codes_left(user):
                return _show_codes(request, services.recovery_codes_create(user=user), next_url)
            return HttpResponseRedirect(next_url or reverse("second-factor"))
        messages.error(
            request, "The passkey was not added: your browser's answer could not be checked. Try again."
        )
        return redirect("second-factor")
    elif action == "passkey-remove" and has_factor:
        remaining = services.has_authenticator(user) or user.passkeys.count() > 1
        if required and not remaining:
            messages.error(request, "Your role needs a second factor: add another before removing this one.")
        elif passkeys.remove(user, int(request.POST.get("passkey_id") or 0)):
            messages.success(request, "The passkey was removed.")
        return redirect("second-factor")
    elif action == "recovery-codes" and has_factor:
        return _show_codes(request, services.recovery_codes_create(user=user), next_url)
    elif action == "remove" and has_factor:
        if required and not user.passkeys.exists():
            messages.error(
                request, "Your role needs a second factor: set up a new app instead of removing it."
            )
        else:
            services.second_factor_remove(user=user)
            messages.success(request, "Your authenticator app and recovery codes were removed.")
        return redirect("second-factor")
    pending = None
    has_authenticator = services.has_authenticator(user)
    if not has_authenticator or request.GET.get("replace") or action == "confirm":
        pending = services.authenticator_pending(user)
    return render(
        request,
        "security/security.html",
        {
            "has_factor": has_factor,
            "has_authenticator": has_authenticator,
            "passkeys": list(user.passkeys.all()),
            "passkey_form": PasskeyAddForm(),
            "required": required,
            "verified": verified,
            "recovery_left": services.recovery_codes_left(user) if has_factor else 0,
            "pending": pending,
            "secret": _base32(pending) if pending else "",
            "qr": _qr_svg(pending.config_url) if pending else "",
            "setup_form": setup_form,
            "next": next_url,
        },
    )


def _base32(device: Any) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _show_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": next_url})
