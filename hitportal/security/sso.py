"""Single sign-on with OpenID Connect: one or more providers (Microsoft Entra ID, NHSmail's included),
configured by environment variables (settings.HITPORTAL_OIDC_PROVIDERS; docs/operations.md).

The code flow with PKCE, state and nonce, through Authlib: the provider's discovery document names its
endpoints and keys; the ID token's signature (the provider's published keys), issuer, audience (this
portal's client id), expiry and nonce are checked before any claim is read. Then:

- the e-mail address must be verified (`email_verified`, or Entra ID's optional claim `xms_edov`) and at
  one of the provider's allowed domains;
- the provider's subject already linked to a login signs that login in (teams.SsoLink), even if the
  login's address in the portal changed since; otherwise an active login with the same address is linked (audited), or, where the
  provider allows it, a login with no role and no password is made (audited); otherwise the person is told
  to ask the programme team;
- a login with a second factor still enters its code (hitportal.security.views), unless the provider says
  it asked for a second factor itself (`amr` has "mfa") and the provider is trusted to (OIDC_<ID>_TRUST_MFA).
Every refusal says why in words a person can act on; none reveals whether a login exists for an address
not allowed to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.django_client import OAuth, OAuthError
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from teams.enums import SecurityEventKind
from teams.models import SecurityEvent, SsoLink, User


class SsoRefused(Exception):
    """A sign-in the portal refuses, with the message to show."""


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: tuple[str, ...]
    create_accounts: bool
    trust_mfa: bool
    scopes: str

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def providers() -> list[Provider]:
    configured: dict[str, dict[str, Any]] = getattr(settings, "HITPORTAL_OIDC_PROVIDERS", {})
    return [
        Provider(
            id=key,
            name=str(value.get("name") or key),
            issuer=str(value["issuer"]).rstrip("/"),
            client_id=str(value["client_id"]),
            client_secret=str(value["client_secret"]),
            allowed_domains=tuple(str(d).lower() for d in value.get("allowed_domains", ())),
            create_accounts=bool(value.get("create_accounts", False)),
            trust_mfa=bool(value.get("trust_mfa", False)),
            scopes=str(value.get("scopes") or "openid email profile"),
        )
        for key, value in configured.items()
    ]


def provider_get(provider_id: str) -> Provider | None:
    return next((p for p in providers() if p.id == provider_id), None)


# One Authlib client per provider configuration: it keeps the discovery document and the keys it fetched.
_clients: dict[Provider, Any] = {}


def _client(provider: Provider) -> Any:
    client = _clients.get(provider)
    if client is None:
        oauth = OAuth()
        client = oauth.register(
            name=provider.id,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256", "timeout": 10},
        )
        _clients[provider] = client
    return client


def authorize_redirect(request: HttpRequest, provider: Provider, redirect_uri: str) -> HttpResponse:
    response: HttpResponse = _client(provider).authorize_redirect(request, redirect_uri)
    return response


def _refusal_of(exc: Exception, provider: Provider) -> SsoRefused:
    name = type(exc).__name__
    text = str(exc)
    if "Expired" in name or "expired" in text.lower():
        return SsoRefused(
            f"The sign-in from {provider.name} had already expired when it reached the portal. Sign in again; "
            "if it happens again, check this computer's clock."
        )
    if getattr(exc, "claim", "") in {"aud", "azp"}:
        # Authlib asks for `azp` exactly when the audience is not this portal's client id.
        return _wrong_audience(provider)
    return _unchecked(exc, provider)


def _wrong_audience(provider: Provider) -> SsoRefused:
    return SsoRefused(
        f"{provider.name} issued this sign-in for another application (its audience is not this portal). "
        "Ask your IT team to check the portal's registration (docs/operations.md)."
    )


def _unchecked(exc: Exception, provider: Provider) -> SsoRefused:
    text = str(exc)
    if "state" in text.lower() or "request_token" in text:
        return SsoRefused("The sign-in took too long or was started in another window. Start again.")
    return SsoRefused(
        f"The sign-in from {provider.name} could not be checked, so it was refused. Try again, or sign in "
        "with your password."
    )


def claims_from_callback(request: HttpRequest, provider: Provider) -> dict[str, Any]:
    """The ID token's claims once Authlib has checked its signature, issuer, audience, expiry and nonce."""
    if request.GET.get("error"):
        raise SsoRefused(f"{provider.name} did not sign you in ({request.GET.get('error')}). Try again.")
    try:
        token = _client(provider).authorize_access_token(request)
    except (OAuthError, JoseError, ValueError) as exc:
        raise _refusal_of(exc, provider) from exc
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused(
            f"{provider.name} sent no identity token. Ask your IT team to include the openid scope."
        )
    # The audience must name this portal (OpenID Connect Core 3.1.3.7), and with several audiences the
    # authorised party must be this portal too: checked here whatever the library does.
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if provider.client_id not in audiences or (
        len(audiences) > 1 and claims.get("azp") != provider.client_id
    ):
        raise _wrong_audience(provider)
    return dict(claims)


def _verified(claims: dict[str, Any]) -> bool:
    return claims.get("email_verified") is True or claims.get("xms_edov") is True


@transaction.atomic
def user_for_claims(*, provider: Provider, claims: dict[str, Any]) -> User:
    """The login these checked claims sign in (linked or made here), or SsoRefused saying why."""
    subject = str(claims.get("sub") or "")
    email = str(claims.get("email") or "").strip().lower()
    if not subject:
        raise SsoRefused(f"{provider.name} did not say who you are. Ask your IT team.")
    # The address is checked at every sign-in, linked or not: taking a domain off the list stops its logins.
    if not email:
        raise SsoRefused(
            f"{provider.name} did not send your e-mail address. Ask your IT team to add the e-mail claim."
        )
    domain = email.rpartition("@")[2]
    if domain not in provider.allowed_domains:
        raise SsoRefused(
            f"Addresses at {domain} cannot sign in with {provider.name} here. Sign in with your HIT Portal "
            "password instead, or ask the programme team."
        )
    if not _verified(claims):
        raise SsoRefused(
            f"{provider.name} has not verified the address {email}, so it cannot be used to find your login. "
            "Sign in with your password, or ask your IT team."
        )
    link = SsoLink.objects.select_related("user").filter(provider=provider.id, subject=subject).first()
    if link is not None:
        if not link.user.is_active:
            raise SsoRefused("Your HIT Portal login is switched off. Ask your programme manager.")
        return link.user
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise SsoRefused("Your HIT Portal login is switched off. Ask your programme manager.")
    if user is None:
        if not provider.create_accounts:
            raise SsoRefused(
                f"No HIT Portal login uses {email}. Ask your programme manager to add you, then sign in again."
            )
        # No password (unusable): the login signs in through the provider, or sets one by a reset link.
        user = User.objects.create_user(email=email, full_name=str(claims.get("name") or "").strip()[:200])
        SecurityEvent.objects.create(user=user, kind=SecurityEventKind.SSO_CREATED, actor=user)
    link, created = SsoLink.objects.get_or_create(
        provider=provider.id, subject=subject, defaults={"user": user}
    )
    if created:
        SecurityEvent.objects.create(user=user, kind=SecurityEventKind.SSO_LINKED, actor=user)
    return link.user


def provider_did_mfa(provider: Provider, claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    return provider.trust_mfa and isinstance(amr, list) and "mfa" in amr
