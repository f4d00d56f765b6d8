"""An applicant's own account: registration, the e-mailed verification link, and what activation does."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from teams.enums import ProgrammeRole, RoleChangeKind
from teams.models import AccountRegistration, Person, RoleChange, User
from teams.roles import roles_of
from teams.services.accounts import ACTIVATION_REFUSED, account_register, account_verify, verification_user
from tests import factories as f

PASSWORD = "a-long-enough-passphrase"
OTHER_PASSWORD = "another-long-passphrase"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _link(message) -> tuple[str, str, str]:
    match = re.search(r"(/accounts/signup/verify/([^/\s]+)/([^/\s]+)/)", message.body)
    assert match, message.body
    return match.group(1), match.group(2), match.group(3)


def _register(capture, **kwargs):
    values = {"full_name": "Ada Applicant", "email": "Ada@Example.org", "password": PASSWORD, **kwargs}
    with capture(execute=True):
        return account_register(**values)


# --- Registering --------------------------------------------------------------------------------------


def test_register_creates_an_inactive_login_and_emails_a_verification_link(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    user = _register(django_capture_on_commit_callbacks)

    user.refresh_from_db()
    assert (user.email, user.full_name, user.is_active) == ("ada@example.org", "Ada Applicant", False)
    assert user.check_password(PASSWORD)
    assert AccountRegistration.objects.get(user=user).verified_at is None
    assert not roles_of(user).has(ProgrammeRole.APPLICANT)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["ada@example.org"], "Confirm your e-mail address for HIT Portal")
    ]
    _path, _uid, token = _link(mailoutbox[0])
    assert verification_user(uidb64=_uid, token=token) == user
    assert "/accounts/signup/verify/" in mailoutbox[0].alternatives[0][0]


def test_an_unverified_login_cannot_sign_in(client, db, django_capture_on_commit_callbacks):
    _register(django_capture_on_commit_callbacks)

    response = client.post(reverse("login"), {"username": "ada@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_register_with_an_address_that_has_a_login_changes_nothing_and_tells_its_owner(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    owner = f.UserFactory(email="owner@example.org", full_name="Olive Owner")
    password_before = owner.password

    result = _register(django_capture_on_commit_callbacks, email="OWNER@example.org", full_name="Mallory")

    owner.refresh_from_db()
    assert result is None
    assert (owner.full_name, owner.password) == ("Olive Owner", password_before)
    assert not AccountRegistration.objects.exists()
    assert User.objects.count() == 1
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["owner@example.org"], "Someone tried to register on HIT Portal with your address")
    ]
    assert "/accounts/login/" in mailoutbox[0].body
    assert "/accounts/password/reset/" in mailoutbox[0].body
    assert "/accounts/signup/verify/" not in mailoutbox[0].body


def test_register_never_reactivates_a_login_a_programme_manager_deactivated(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    gone = f.UserFactory(email="gone@example.org", is_active=False)

    assert _register(django_capture_on_commit_callbacks, email="gone@example.org") is None

    gone.refresh_from_db()
    assert gone.is_active is False
    assert not gone.check_password(PASSWORD)
    assert [m.subject for m in mailoutbox] == ["Someone tried to register on HIT Portal with your address"]


def test_registering_again_before_verifying_replaces_the_password_and_ends_the_first_link(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    user = _register(django_capture_on_commit_callbacks)
    _path, uid, first_token = _link(mailoutbox[0])

    again = _register(django_capture_on_commit_callbacks, password=OTHER_PASSWORD, full_name="Ada Lovelace")

    user.refresh_from_db()
    assert again == user
    assert User.objects.count() == 1
    assert (user.full_name, user.check_password(OTHER_PASSWORD)) == ("Ada Lovelace", True)
    assert verification_user(uidb64=uid, token=first_token) is None
    _path, _uid, second_token = _link(mailoutbox[1])
    assert verification_user(uidb64=uid, token=second_token) == user


# --- Verifying ----------------------------------------------------------------------------------------


def test_verify_activates_grants_the_applicant_role_and_creates_the_person(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    user = _register(django_capture_on_commit_callbacks)
    _path, _uid, token = _link(mailoutbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        account_verify(user=user, token=token, password=PASSWORD)

    user.refresh_from_db()
    assert user.is_active is True
    assert AccountRegistration.objects.get(user=user).verified_at is not None
    assert roles_of(user).has(ProgrammeRole.APPLICANT)
    assert list(RoleChange.objects.filter(user=user).values_list("role", "change", "actor")) == [
        (ProgrammeRole.APPLICANT, RoleChangeKind.GRANTED, user.pk)
    ]
    person = Person.objects.get(user=user)
    assert (person.full_name, person.email) == ("Ada Applicant", "ada@example.org")
    assert len(mailoutbox) == 1  # the verification e-mail only: taking the role oneself sends nothing


def test_verify_links_the_directory_person_with_the_same_address(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    person = f.PersonFactory(full_name="Ada L.", email="ada@example.org")
    user = _register(django_capture_on_commit_callbacks)
    _path, _uid, token = _link(mailoutbox[0])

    account_verify(user=user, token=token, password=PASSWORD)

    person.refresh_from_db()
    assert person.user == user
    assert person.full_name == "Ada L."
    assert Person.objects.count() == 1


def test_a_used_link_is_refused(db, django_capture_on_commit_callbacks, mailoutbox):
    user = _register(django_capture_on_commit_callbacks)
    _path, uid, token = _link(mailoutbox[0])
    account_verify(user=user, token=token, password=PASSWORD)

    with pytest.raises(ValidationError, match="already been used"):
        account_verify(user=user, token=token, password=PASSWORD)
    assert verification_user(uidb64=uid, token=token) is None
    assert RoleChange.objects.filter(user=user).count() == 1


def test_a_password_reset_token_is_not_a_verification_token(db, django_capture_on_commit_callbacks):
    from django.contrib.auth.tokens import default_token_generator

    user = _register(django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError):
        account_verify(user=user, token=default_token_generator.make_token(user), password=PASSWORD)
    user.refresh_from_db()
    assert user.is_active is False


def test_an_expired_link_is_refused(db, django_capture_on_commit_callbacks, mailoutbox):
    user = _register(django_capture_on_commit_callbacks)
    _path, uid, token = _link(mailoutbox[0])

    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        assert verification_user(uidb64=uid, token=token) is None
        with pytest.raises(ValidationError):
            account_verify(user=user, token=token, password=PASSWORD)
    user.refresh_from_db()
    assert user.is_active is False


def test_the_mailbox_owner_cannot_activate_a_login_someone_else_registered_with_their_address(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    """Regression (pre-registration takeover): someone registers another person's address with a
    password they know; the owner follows the e-mail's link. Without that password nothing happens,
    so the registrant never gets a login tied to the owner's address and directory entry."""
    person = f.PersonFactory(full_name="Ada Lovelace", email="ada@example.org")
    user = _register(django_capture_on_commit_callbacks)  # by the registrant, with PASSWORD
    _path, uid, token = _link(mailoutbox[0])

    with pytest.raises(ValidationError) as refused:
        account_verify(user=user, token=token, password="what-the-owner-would-type")

    assert refused.value.message_dict == {"password": [ACTIVATION_REFUSED]}
    user.refresh_from_db()
    person.refresh_from_db()
    assert (user.is_active, person.user_id) == (False, None)
    assert not RoleChange.objects.filter(user=user).exists()
    assert verification_user(uidb64=uid, token=token) == user  # the link still waits for its password
