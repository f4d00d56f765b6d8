"""A login's second factor: an authenticator app (TOTP, RFC 6238) and single-use recovery codes.

Built on django-otp's devices: a TOTPDevice remembers the last time step it accepted, so a code is
never accepted twice (a replay, even within its 30 seconds, is refused), and slows down after each
wrong code. Recovery codes are teams.RecoveryCode rows holding only a salted SHA-256 of each code (the
code is random, about 59 bits, and shown once when made); a code is compared in constant time and its
row deleted when it is used. Every check locks the rows it reads, so two requests racing with one code
cannot both pass. Setting one up, removing it
and making or using recovery codes leave a teams.SecurityEvent (the audit log); no code or secret is
ever written to a log or an event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from teams.enums import Role, SecurityEventKind
from teams.models import Passkey, RecoveryCode, SecurityEvent, User
from teams.roles import roles_of

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODE_COUNT = 10
# Recovery codes: 12 characters from 31 that cannot be mistaken for one another (no 0/o, 1/i/l), about
# 59 random bits, shown in groups of four ("abcd-efgh-jkmn"); spaces, hyphens and case are ignored.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 12

_TOTP = re.compile(r"^\d{6}$")


def requires_second_factor(user: User) -> bool:
    """Programme managers, panel chairs and staff (the admin site) must confirm a second factor before
    any page; others may choose to (docs/security.md section 6). The demo's own logins are let off
    only where settings.SECOND_FACTOR_DEMO_EXEMPT is on (DEBUG only)."""
    if getattr(settings, "SECOND_FACTOR_DEMO_EXEMPT", False) and user.email.lower().endswith(
        "@" + settings.SECOND_FACTOR_DEMO_DOMAIN
    ):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return roles_of(user).has(Role.PROGRAMME_MANAGER, Role.PANEL_CHAIR)


def authenticator_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey (recovery codes alone are not one)."""
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user).exists()
    )


def has_authenticator(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(user: User) -> int:
    return int(RecoveryCode.objects.filter(user=user).count())


def recovery_code_new() -> str:
    """A new random recovery code, as shown to its owner (groups of four joined by hyphens)."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def recovery_code_hash(code: str, salt: str) -> str:
    """The stored form of a recovery code: SHA-256 of the salt and the code as typed, cleaned."""
    return hashlib.sha256((salt + _clean(code)).encode()).hexdigest()


def recovery_codes_delete(user: User) -> None:
    RecoveryCode.objects.filter(user=user).delete()


def _event(user: User, kind: str, actor: User | None = None) -> None:
    SecurityEvent.objects.create(user=user, kind=kind, actor=actor or user)


def authenticator_pending(user: User) -> TOTPDevice:
    """The authenticator being set up (not yet confirmed with a code), made with a new random secret
    the first time. Its secret is shown only on the set-up page, to its owner."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def authenticator_confirm(*, user: User, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from the app. On success it replaces any earlier
    authenticator, and the first time also makes recovery codes, returned (to be shown once);
    None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    code = _clean(code)
    if device is None or not _TOTP.match(code) or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _event(user, SecurityEventKind.FACTOR_ADDED)
    if recovery_codes_left(user):
        return []
    return recovery_codes_create(user=user)


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """New recovery codes, replacing any earlier ones; returned once, to be shown once (only their salted
    hashes are stored)."""
    recovery_codes_delete(user)
    codes = [recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    rows = []
    for code in codes:
        salt = secrets.token_hex(16)
        rows.append(RecoveryCode(user=user, salt=salt, code_hash=recovery_code_hash(code, salt)))
    RecoveryCode.objects.bulk_create(rows)
    _event(user, SecurityEventKind.RECOVERY_CODES_CREATED)
    return codes


@transaction.atomic
def second_factor_remove(*, user: User) -> None:
    """Remove the authenticator, and the recovery codes unless a passkey remains (refused by the page to
    logins that need a second factor and have no passkey)."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if not Passkey.objects.filter(user=user).exists():
        recovery_codes_delete(user)
    if deleted:
        _event(user, SecurityEventKind.FACTOR_REMOVED)


def sessions_end_others(*, user: User) -> None:
    """End every session of the login but the caller's: a new epoch changes the hash each session keeps
    of its user (teams.User._get_session_auth_hash), so the others fail it at their next request. The
    view keeps its own session with update_session_auth_hash."""
    user.sessions_epoch = secrets.token_hex(16)
    User.objects.filter(pk=user.pk).update(sessions_epoch=user.sessions_epoch)


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> bool:
    """Whether `code` is a current code of the user's authenticator (never one already accepted), or
    one of their unused recovery codes (which is then spent)."""
    code = _clean(code)
    if not code:
        return False
    if _TOTP.match(code):
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        return bool(device is not None and device.verify_token(code))
    return recovery_code_use(user=user, code=code)


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> bool:
    """Whether `code` is one of the login's unused recovery codes; if so it is spent (its row deleted)
    and the use audited. Every row is compared, in constant time, whatever matches; the rows are locked
    so that a second request with the same code waits, then finds it gone."""
    match: RecoveryCode | None = None
    for row in RecoveryCode.objects.select_for_update().filter(user=user).order_by("pk"):
        if hmac.compare_digest(row.code_hash, recovery_code_hash(code, row.salt)) and match is None:
            match = row
    if match is None:
        return False
    deleted, _ = RecoveryCode.objects.filter(pk=match.pk).delete()
    if not deleted:
        return False
    _event(user, SecurityEventKind.RECOVERY_CODE_USED)
    return True
