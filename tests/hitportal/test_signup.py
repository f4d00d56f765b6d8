"""The sign-up pages: the form, the "check your email" page and the e-mailed verification link."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from teams.enums import ProgrammeRole
from teams.models import User
from teams.roles import roles_of
from tests import factories as f

PASSWORD = "a-long-enough-passphrase"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _form(**values):
    return {
        "full_name": "Ada Applicant",
        "email": "ada@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **values,
    }


def _post(client, capture, **values):
    with capture(execute=True):
        return client.post(reverse("signup"), _form(**values), follow=True)


def _link(message) -> str:
    return re.search(r"/accounts/signup/verify/[^/\s]+/[^/\s]+/", message.body).group(0)


def _without_nonces(response) -> str:
    # A page's CSP nonces and CSRF token differ on every request; nothing else may.
    page = re.sub(r'(nonce|value)="[^"]*"', r'\1=""', response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', page)


def test_the_sign_in_page_links_to_create_an_account(client, db):
    response = client.get(reverse("login"))

    assert f'href="{reverse("signup")}"' in response.content.decode()
    assert "Create an account" in response.content.decode()


def test_the_whole_journey_ends_signed_in_on_the_open_rounds(
    client, db, django_capture_on_commit_callbacks, mailoutbox
):
    response = _post(client, django_capture_on_commit_callbacks)
    assert response.redirect_chain == [(reverse("signup_sent"), 302)]
    link = _link(mailoutbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Activate my account" in page.content.decode()
    assert not User.objects.get(email="ada@example.org").is_active  # opening the link activates nothing

    done = client.post(link, {"password": PASSWORD}, follow=True)

    user = User.objects.get(email="ada@example.org")
    assert done.redirect_chain == [(reverse("accreditation:round-list"), 302)]
    assert user.is_active and roles_of(user).has(ProgrammeRole.APPLICANT)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "Your account is active" in done.content.decode()


def test_the_link_activates_nothing_without_the_password_chosen_at_registration(
    client, db, django_capture_on_commit_callbacks, mailoutbox
):
    _post(client, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])

    response = client.post(link, {"password": "not-the-one-chosen"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="id_password_error" class="invalid-feedback">That is not the password chosen' in html
    assert User.objects.get(email="ada@example.org").is_active is False
    assert "_auth_user_id" not in client.session


def test_a_followed_link_cannot_be_used_again(client, db, django_capture_on_commit_callbacks, mailoutbox):
    _post(client, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    client.post(link, {"password": PASSWORD})
    client.logout()

    again = client.post(link, {"password": PASSWORD})

    assert again.status_code == 200
    assert "This link has expired" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_link_shows_how_to_get_a_new_one(
    client, db, django_capture_on_commit_callbacks, mailoutbox
):
    _post(client, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])

    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        response = client.post(link, {"password": PASSWORD})

    assert "This link has expired" in response.content.decode()
    assert f'href="{reverse("signup")}"' in response.content.decode()
    assert not User.objects.get(email="ada@example.org").is_active


def test_an_address_with_a_login_gets_the_same_page_as_a_new_one(
    client, db, django_capture_on_commit_callbacks, mailoutbox
):
    f.UserFactory(email="owner@example.org")

    new = _post(client, django_capture_on_commit_callbacks, email="new@example.org")
    taken = _post(client, django_capture_on_commit_callbacks, email="owner@example.org")

    assert taken.redirect_chain == new.redirect_chain == [(reverse("signup_sent"), 302)]
    assert _without_nonces(taken) == _without_nonces(new)
    assert [m.subject for m in mailoutbox] == [
        "Confirm your e-mail address for HIT Portal",
        "Someone tried to register on HIT Portal with your address",
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"password2": "something-else-entirely"}, "password2", "The two passwords do not match."),
        ({"password1": "short", "password2": "short"}, "password1", "This password is too short."),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"full_name": "   "}, "full_name", "This field is required."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_kept(client, db, mailoutbox, values, field, message):
    response = client.post(reverse("signup"), _form(**values))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not User.objects.exists()
    assert mailoutbox == []
    assert 'value="Ada Applicant"' in response.content.decode() or field == "full_name"


@override_settings(HITPORTAL_LOGIN_THROTTLE={"signups_per_ip": 2})
def test_too_many_sign_ups_from_one_address_get_a_form_error(
    client, db, django_capture_on_commit_callbacks, mailoutbox
):
    _post(client, django_capture_on_commit_callbacks, email="one@example.org")
    _post(client, django_capture_on_commit_callbacks, email="two@example.org")

    refused = _post(client, django_capture_on_commit_callbacks, email="three@example.org")

    assert refused.redirect_chain == []
    assert "Too many accounts were requested from your network" in refused.content.decode()
    assert not User.objects.filter(email="three@example.org").exists()
    assert len(mailoutbox) == 2


@override_settings(HITPORTAL_LOGIN_THROTTLE={"signups_per_email": 1})
def test_too_many_sign_ups_for_one_address_answer_as_usual_and_send_nothing(
    client, db, django_capture_on_commit_callbacks, mailoutbox
):
    first = _post(client, django_capture_on_commit_callbacks)

    second = _post(client, django_capture_on_commit_callbacks)

    assert second.redirect_chain == first.redirect_chain == [(reverse("signup_sent"), 302)]
    assert len(mailoutbox) == 1


def test_the_verification_token_never_reaches_the_logs(
    client, db, django_capture_on_commit_callbacks, mailoutbox
):
    from core.logging import redact

    _post(client, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]

    assert token not in redact(f'"GET {link} HTTP/1.1" 200')
    assert redact(link) == "/accounts/signup/verify/[redacted]/[redacted]/"
