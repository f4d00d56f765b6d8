"""An API token dies with the password it was issued under (hitportal/api/authentication.py): every way
a password changes refuses the old token (401); the password pages hand out a new one at once; a token
created after the change works; re-hashing the same password at sign-in changes nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from hitportal.api import services
from hitportal.api.authentication import STALE_MESSAGE
from teams.models import User
from tests import factories as f
from tests.factories.teams import PASSWORD

NEW_PASSWORD = "a-Fresh-passphrase-2026"


@pytest.fixture
def account(db) -> tuple[User, str]:
    """A user who set their password and got a token a month ago."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30), tick=False):
        user = f.UserFactory(full_name="Tess Token", email="tess@example.org")
        return user, Token.objects.create(user=user).key


@pytest.fixture
def user(account) -> User:
    return account[0]


@pytest.fixture
def old_key(account) -> str:
    return account[1]


def _api(client, key: str):
    """One API call with a token and no session (a script's request)."""
    client.logout()
    return client.get(reverse("api:hit-list"), HTTP_AUTHORIZATION=f"Token {key}")


def _status(client, key: str) -> int:
    return _api(client, key).status_code


# --- Every way of changing a password -----------------------------------------------------------------


def test_password_change_page_refuses_the_old_token_and_gives_a_new_one(client, user, old_key):
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    new_key = Token.objects.get(user=user).key
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "Your API token was replaced" in response.content.decode()
    assert new_key != old_key
    assert (_status(client, old_key), _status(client, new_key)) == (401, 403)  # 403: no HIT, but signed in


def test_password_reset_link_refuses_the_old_token_and_gives_a_new_one(client, user, old_key):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    form_url = client.get(link).url  # the token moves into the session; the form has its own address

    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    new_key = Token.objects.get(user=user).key
    assert response.redirect_chain == [(reverse("password_reset_complete"), 302)]
    assert "Your API token was replaced" in response.content.decode()
    assert new_key != old_key
    assert (_status(client, old_key), _status(client, new_key)) == (401, 403)


def test_admin_password_form_refuses_the_old_token(client, user, old_key):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.url == reverse("admin:teams_user_change", args=[user.pk])
    refused = _api(client, old_key)
    assert refused.status_code == 401
    assert refused.json() == {"detail": STALE_MESSAGE}


def test_admin_disabling_password_sign_in_refuses_the_old_token(client, user, old_key):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "false", "unset-password": "Disable password-based authentication"},
    )

    assert response.url == reverse("admin:teams_user_change", args=[user.pk])

    user.refresh_from_db()
    assert user.has_usable_password() is False
    assert _status(client, old_key) == 401


def test_changepassword_command_refuses_the_old_token(client, user, old_key, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", user.email, stdout=None)

    assert _status(client, old_key) == 401


@pytest.mark.parametrize("update_fields", [None, ["password"]])
def test_set_password_in_a_service_refuses_the_old_token(client, user, old_key, update_fields):
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=update_fields)

    assert _status(client, old_key) == 401


def test_token_created_after_the_change_works(client, user, old_key):
    user.set_password(NEW_PASSWORD)
    user.save()

    new_key = services.token_regenerate(actor=user).key  # as the token page's "Get a new token" does

    assert _status(client, new_key) == 403  # authenticated: refused only for having no HIT
    assert _api(client, new_key).json()["detail"] != STALE_MESSAGE


def test_token_created_at_the_same_instant_as_the_change_works(client, user):
    with time_machine.travel(timezone.now(), tick=False):
        user.set_password(NEW_PASSWORD)
        user.save()
        key = services.token_regenerate(actor=user).key

    assert _status(client, key) == 403


def test_account_whose_password_change_was_never_recorded_keeps_its_token(client, user, old_key):
    User.objects.filter(pk=user.pk).update(password_changed_at=None)  # accounts from before the rule

    assert _status(client, old_key) == 403


def test_rehashing_the_same_password_at_sign_in_keeps_the_token(client, user, old_key, settings):
    # A password stored with an older hasher is re-hashed with the preferred one at sign-in.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    old_hash = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    User.objects.filter(pk=user.pk).update(password=old_hash)

    assert client.login(email=user.email, password=PASSWORD) is True

    user.refresh_from_db()
    assert user.password.startswith("md5$")  # it was re-hashed
    assert _status(client, old_key) == 403  # and the token still works


def test_password_change_without_a_token_creates_none(client, db):
    user = f.UserFactory()
    client.force_login(user)

    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert Token.objects.filter(user=user).count() == 0


# --- The token page ------------------------------------------------------------------------------------


def test_token_page_says_the_token_stopped_working_and_hides_its_key(client, user, old_key):
    user.set_password(NEW_PASSWORD)
    user.save()
    client.force_login(user)

    response = client.get(reverse("api:token"))

    html = response.content.decode()
    assert "Your token stopped working when your password changed on" in html
    assert "Get a new token" in html
    assert old_key not in html


def test_token_page_replaces_a_token_that_stopped_working(client, user, old_key):
    user.set_password(NEW_PASSWORD)
    user.save()
    client.force_login(user)

    response = client.post(reverse("api:token"), follow=True)

    new_key = Token.objects.get(user=user).key
    assert f'value="{new_key}"' in response.content.decode()
    assert _status(client, new_key) == 403
