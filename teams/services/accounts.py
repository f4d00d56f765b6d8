"""Writes of self-service accounts: an applicant registers, then verifies their address by e-mail.

The sign-up page (hitportal.views.signup) never says whether an address already has a login: the
service answers both cases the same way to its caller's page, and only the e-mail differs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from core.mail import absolute_url, send_after_commit
from teams.enums import ProgrammeRole
from teams.models import AccountRegistration, Person, User
from teams.services.directory import role_grant

ACTIVATION_REFUSED = (
    "That is not the password chosen when this account was registered. If you did not register, ignore "
    "the e-mail: nothing is activated without that password."
)
LINK_NOT_VALID = (
    "This verification link has expired or has already been used. If your account is not active yet, "
    "register again with the same address to get a new link."
)


class VerificationTokenGenerator(PasswordResetTokenGenerator):
    """Django's one-time tokens, under their own salt and spent by activation.

    A token hashes the login's password, last sign-in, address and whether it is active, so it stops
    working once the account is activated (or registered again with a new password) and after
    PASSWORD_RESET_TIMEOUT (three days). A password-reset token is never accepted here, nor the reverse.
    """

    key_salt = "teams.services.accounts.VerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


verification_tokens = VerificationTokenGenerator()


def verification_path(user: User) -> str:
    return reverse(
        "signup_verify",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": verification_tokens.make_token(user),
        },
    )


def _valid_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


@transaction.atomic
def account_register(*, full_name: str, email: str, password: str) -> User | None:
    """An applicant asks for a login; return it while it awaits verification, None when the address
    belonged to someone already (the caller's page must not tell the two apart).

    The password must already have passed AUTH_PASSWORD_VALIDATORS (the sign-up form checks it).

    Side effects:
    - a new address: an inactive User row (named, with the password) and an AccountRegistration row;
      after commit, the verification e-mail (emails/teams/account_verify) with a one-time link.
    - an address whose login is still awaiting verification: that login takes the new name and
      password (so every earlier link stops working) and a new verification e-mail is sent.
    - any other login with the address (active, or deactivated by a programme manager): nothing
      changes; after commit, its owner is told someone tried to register with their address
      (emails/teams/account_exists), with links to sign in and to reset the password.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    full_name = full_name.strip()
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None:
        pending = AccountRegistration.objects.filter(user=existing, verified_at__isnull=True).exists()
        if not (pending and not existing.is_active):
            # Hash the password all the same, so the answer takes as long as for a new address.
            make_password(password)
            send_after_commit(
                template="teams/account_exists",
                recipients=[existing.email],
                context={
                    "user": existing,
                    "login_url": absolute_url(reverse("login")),
                    "reset_url": absolute_url(reverse("password_reset")),
                },
            )
            return None
        existing.full_name = full_name
        existing.set_password(password)
        existing.full_clean()
        existing.save(update_fields=["full_name", "password", "updated_at"])
        user = existing
    else:
        user = User(email=email, full_name=full_name, is_active=False)
        user.set_password(password)
        user.full_clean()
        user.save()
        AccountRegistration.objects.create(user=user)
    send_after_commit(
        template="teams/account_verify",
        recipients=[user.email],
        context={
            "user": user,
            "verify_url": absolute_url(verification_path(user)),
            "valid_days": _valid_days(),
        },
    )
    return user


def verification_user(*, uidb64: str, token: str) -> User | None:
    """The login a verification link names, if the link is still good; None otherwise."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=False, registration__verified_at__isnull=True).first()
    if user is None or not verification_tokens.check_token(user, token):
        return None
    return user


@transaction.atomic
def account_verify(*, user: User, token: str, password: str) -> User:
    """Activate a registered login whose owner followed the e-mailed link and gave its password.

    Refused (ValidationError, nothing changes) when the token is not valid for the login any more:
    expired, already used, or replaced by a later registration; or when `password` is not the one
    chosen at registration ({"password": ACTIVATION_REFUSED}). The link proves the mailbox, the password
    proves the registration: someone who registers another person's address cannot have that person
    activate a login whose password the registrant knows (and with it the person's directory entry).

    Side effects, in order: the User becomes active; its AccountRegistration records `verified_at`;
    the directory Person with the same address is linked to the login if they have none (or a
    Person is created, named as the login); the user takes the applicant role themselves
    (role_grant: a RoleAssignment and a RoleChange row, no e-mail).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    registration = (
        AccountRegistration.objects.select_for_update().filter(user=user, verified_at__isnull=True).first()
    )
    if registration is None or user.is_active or not verification_tokens.check_token(user, token):
        raise ValidationError(LINK_NOT_VALID)
    if not user.check_password(password):
        raise ValidationError({"password": ACTIVATION_REFUSED})
    user.is_active = True
    user.save(update_fields=["is_active", "updated_at"])
    registration.verified_at = timezone.now()
    registration.save(update_fields=["verified_at"])
    if not Person.objects.filter(user=user).exists():
        person = Person.objects.select_for_update().filter(email__iexact=user.email).first()
        if person is None:
            person = Person(full_name=user.full_name, email=user.email, user=user)
            person.full_clean()
            person.save()
        elif person.user_id is None:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
    role_grant(actor=user, user=user, role=ProgrammeRole.APPLICANT, notify=False)
    return user
