"""Sign-in throttling and password-reset rate limits (core/throttle.py)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from core import throttle
from tests import factories as f
from tests.factories.teams import PASSWORD

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LOCKED_15 = "Too many failed sign-ins. Try again in 15 minutes or reset your password."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def user(db):
    return f.UserFactory(email="dana@example.org")


def _sign_in(client, email: str, password: str, ip: str = "203.0.113.5"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def _errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, email: str, times: int, ip: str = "203.0.113.5") -> None:
    for _ in range(times):
        _sign_in(client, email, "wrong-password", ip)


# --- Per email ---------------------------------------------------------------------------------------


def test_login_correct_password_after_five_failures_is_refused_without_checking(client, clock, user):
    _fail(client, "dana@example.org", 5)

    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert response.status_code == 200
    assert _errors(response) == [LOCKED_15]
    assert _signed_in(client) is False
    assert LOCKED_15 in response.content.decode()


def test_login_fifth_failure_already_shows_the_lock(client, clock, user):
    _fail(client, "dana@example.org", 4)

    response = _sign_in(client, "dana@example.org", "wrong-password")

    assert _errors(response) == [LOCKED_15]


def test_login_four_failures_still_let_the_right_password_in(client, clock, user):
    _fail(client, "dana@example.org", 4)

    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client) is True


def test_login_email_is_counted_case_insensitively(client, clock, user):
    for email in [
        "Dana@Example.org",
        "DANA@EXAMPLE.ORG",
        "dana@example.org",
        "dAna@example.ORG",
        "dana@EXAMPLE.org",
    ]:
        _sign_in(client, email, "wrong-password")

    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert _errors(response) == [LOCKED_15]


def test_login_email_lock_holds_from_another_address(client, clock, user):
    _fail(client, "dana@example.org", 5, ip="203.0.113.5")

    response = _sign_in(client, "dana@example.org", PASSWORD, ip="198.51.100.7")

    assert _errors(response) == [LOCKED_15]


def test_login_success_clears_the_email_count(client, clock, user):
    _fail(client, "dana@example.org", 4)
    _sign_in(client, "dana@example.org", PASSWORD)
    client.logout()

    _fail(client, "dana@example.org", 4)
    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert response.status_code == 302


def test_login_lock_counts_down_then_ends_after_fifteen_minutes(client, clock, user):
    _fail(client, "dana@example.org", 5)

    clock.shift(datetime.timedelta(minutes=10, seconds=30))
    waiting = _sign_in(client, "dana@example.org", PASSWORD)
    clock.shift(datetime.timedelta(minutes=4))
    last_minute = _sign_in(client, "dana@example.org", PASSWORD)
    clock.shift(datetime.timedelta(seconds=31))
    after = _sign_in(client, "dana@example.org", PASSWORD)

    assert _errors(waiting) == ["Too many failed sign-ins. Try again in 5 minutes or reset your password."]
    assert _errors(last_minute) == ["Too many failed sign-ins. Try again in 1 minute or reset your password."]
    assert after.status_code == 302


def test_login_attempts_while_locked_do_not_extend_the_lock(client, clock, user):
    _fail(client, "dana@example.org", 5)
    clock.shift(datetime.timedelta(minutes=14))
    _fail(client, "dana@example.org", 3)

    clock.shift(datetime.timedelta(minutes=1, seconds=1))
    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert response.status_code == 302


def test_login_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, clock, user):
    _fail(client, "dana@example.org", 4)
    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    _fail(client, "dana@example.org", 4)

    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert response.status_code == 302


def test_login_unknown_email_is_locked_like_any_other(client, clock, db):
    _fail(client, "nobody@example.org", 5)

    response = _sign_in(client, "nobody@example.org", "anything-at-all")

    assert _errors(response) == [LOCKED_15]


def test_login_invalid_email_or_missing_password_is_not_counted(client, clock, user):
    for _ in range(6):
        client.post(reverse("login"), {"username": "dana@example.org", "password": ""})
        client.post(reverse("login"), {"username": "not-an-email", "password": "x"})

    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert response.status_code == 302


def test_login_limits_come_from_settings(client, clock, settings, user):
    settings.HITPORTAL_LOGIN_THROTTLE = {"failures_per_email": 2, "lockout_seconds": 120}
    _fail(client, "dana@example.org", 2)

    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert _errors(response) == ["Too many failed sign-ins. Try again in 2 minutes or reset your password."]


# --- Per client address ------------------------------------------------------------------------------


def test_login_twenty_failures_from_one_address_lock_that_address(client, clock, user):
    for n in range(20):
        _sign_in(client, f"guess{n}@example.org", "wrong-password", ip="203.0.113.9")

    refused = _sign_in(client, "dana@example.org", PASSWORD, ip="203.0.113.9")
    elsewhere = _sign_in(client, "dana@example.org", PASSWORD, ip="198.51.100.7")

    assert _errors(refused) == [LOCKED_15]
    assert elsewhere.status_code == 302


def test_login_nineteen_failures_from_one_address_do_not_lock_it(client, clock, user):
    for n in range(19):
        _sign_in(client, f"guess{n}@example.org", "wrong-password", ip="203.0.113.9")

    response = _sign_in(client, "dana@example.org", PASSWORD, ip="203.0.113.9")

    assert response.status_code == 302


def test_client_ip_is_remote_addr_without_trusted_proxies(settings):
    settings.HITPORTAL_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert throttle.client_ip(request) == "10.0.0.2"


def test_client_ip_behind_one_proxy_takes_the_address_it_appended(settings):
    settings.HITPORTAL_TRUSTED_PROXY_COUNT = 1
    forged = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    missing = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")

    assert (throttle.client_ip(forged), throttle.client_ip(missing)) == ("203.0.113.5", "10.0.0.2")


# --- Admin site --------------------------------------------------------------------------------------


def test_admin_login_is_throttled_too(client, clock, db):
    f.UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "admin@example.org", "password": "wrong-password"})

    response = client.post(reverse("admin:login"), {"username": "admin@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert LOCKED_15 in response.content.decode()
    assert _signed_in(client) is False


def test_admin_login_by_non_staff_with_right_password_is_not_counted(client, clock, user):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "dana@example.org", "password": PASSWORD})

    response = _sign_in(client, "dana@example.org", PASSWORD)

    assert response.status_code == 302


# --- Password reset ----------------------------------------------------------------------------------


def _reset(client, email: str, ip: str = "203.0.113.5"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_eleventh_request_from_one_address_is_refused(client, clock, db):
    for n in range(10):
        f.UserFactory(email=f"reset{n}@example.org")
        assert _reset(client, f"reset{n}@example.org").status_code == 302
    f.UserFactory(email="reset10@example.org")

    response = _reset(client, "reset10@example.org")

    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [
        "Too many password reset requests from your network. Try again in an hour, "
        "or ask the programme team for help."
    ]
    assert len(mail.outbox) == 10


def test_password_reset_address_limit_ends_after_an_hour(client, clock, db):
    f.UserFactory(email="reset@example.org")
    for n in range(10):
        _reset(client, f"someone{n}@example.org")

    clock.shift(datetime.timedelta(hours=1, seconds=1))
    response = _reset(client, "reset@example.org")

    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_sixth_request_for_one_email_sends_nothing_but_looks_the_same(client, clock, db):
    f.UserFactory(email="reset@example.org")
    for n in range(5):
        _reset(client, "reset@example.org", ip=f"198.51.100.{n}")

    response = _reset(client, "reset@example.org", ip="198.51.100.99")

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 5


def test_password_reset_completed_lifts_the_sign_in_lock(client, clock, user):
    _fail(client, "dana@example.org", 5)
    _reset(client, "dana@example.org")
    link = re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "A-new-long-passphrase", "new_password2": "A-new-long-passphrase"},
    )

    response = _sign_in(client, "dana@example.org", "A-new-long-passphrase")

    assert response.status_code == 302
