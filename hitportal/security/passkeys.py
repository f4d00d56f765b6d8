"""Passkeys (WebAuthn) as a second factor, checked with py_webauthn.

Registering: the page asks for options (a fresh random challenge, kept in the session), the browser's
authenticator makes a key pair and signs the challenge, and the portal checks the answer (challenge,
origin, relying-party id, user presence) before storing the credential's id and public key
(teams.Passkey). Using one (at sign-in's code step, or to confirm before a sensitive action): a new
challenge naming the login's passkeys, the authenticator signs it, the portal checks the signature with the
stored public key. Each challenge is removed from the session when an answer is checked, so an answer is
never accepted twice; the signature counter must grow where the authenticator keeps one.

The relying party is the host the request came to (Django has checked it against ALLOWED_HOSTS), and the
expected origin its scheme and host: a passkey works only on the address it was registered on.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria as Selection,
)
from webauthn.helpers.structs import (
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from teams.enums import SecurityEventKind
from teams.models import Passkey, RecoveryCode, SecurityEvent, User

_REGISTER = "hitportal_passkey_register"
_AUTHENTICATE = "hitportal_passkey_authenticate"


def _rp_id(request: HttpRequest) -> str:
    domain, _port = split_domain_port(request.get_host())
    return domain


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def registration_options(request: HttpRequest, user: User) -> str:
    """The options (JSON) for navigator.credentials.create; the challenge waits in the session."""
    options = generate_registration_options(
        rp_id=_rp_id(request),
        rp_name="HIT Portal",
        user_id=str(user.pk).encode(),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
            for key in Passkey.objects.filter(user=user)
        ],
        authenticator_selection=Selection(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    request.session[_REGISTER] = bytes_to_base64url(options.challenge)
    return str(options_to_json(options))


@transaction.atomic
def register(request: HttpRequest, user: User, credential: str, name: str) -> Passkey | None:
    """Check the authenticator's answer to the registration options; store and audit the passkey."""
    challenge = request.session.pop(_REGISTER, None)
    if not challenge or not credential:
        return None
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError, json.JSONDecodeError):
        return None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        return None
    passkey = Passkey.objects.create(
        user=user,
        name=(name or "Passkey").strip()[:60] or "Passkey",
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    SecurityEvent.objects.create(user=user, kind=SecurityEventKind.PASSKEY_ADDED, actor=user)
    return passkey


def authentication_options(request: HttpRequest, user: User) -> str | None:
    """The options (JSON) for navigator.credentials.get naming the login's passkeys; None if it has none."""
    keys = list(Passkey.objects.filter(user=user).values_list("credential_id", flat=True))
    if not keys:
        return None
    options = generate_authentication_options(
        rp_id=_rp_id(request),
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(key)) for key in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[_AUTHENTICATE] = [user.pk, bytes_to_base64url(options.challenge)]
    return str(options_to_json(options))


@transaction.atomic
def verify(request: HttpRequest, user: User, credential: str) -> bool:
    """Whether `credential` is a passkey of `user` signing this session's current challenge (spent now)."""
    pending: Any = request.session.pop(_AUTHENTICATE, None)
    if not (isinstance(pending, list) and len(pending) == 2 and pending[0] == user.pk and credential):
        return False
    try:
        credential_id = str(json.loads(credential).get("rawId") or json.loads(credential).get("id") or "")
    except (ValueError, AttributeError):
        return False
    passkey = Passkey.objects.select_for_update().filter(user=user, credential_id=credential_id).first()
    if passkey is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(pending[1]),
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
        return False
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return True


@transaction.atomic
def remove(user: User, pk: int) -> bool:
    deleted, _ = Passkey.objects.filter(user=user, pk=pk).delete()
    if deleted and not Passkey.objects.filter(user=user).exists():
        # The last second factor gone (no authenticator app either): its recovery codes go with it.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            RecoveryCode.objects.filter(user=user).delete()
    if deleted:
        SecurityEvent.objects.create(user=user, kind=SecurityEventKind.PASSKEY_REMOVED, actor=user)
    return bool(deleted)
