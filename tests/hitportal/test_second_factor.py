"""The second factor (hitportal/security): set up from the login's own page, asked at sign-in, required of
programme managers, panel chairs and staff before any page, confirmed again before sensitive actions.

Codes are computed here as an authenticator app computes them (RFC 6238, HMAC-SHA1, 30-second steps,
6 digits), from the secret the set-up page shows. The test client's logins are NOT marked confirmed
in this module (tests/conftest.py), so the requirement itself is what is tested.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import second_factor
from hitportal.security import services
from teams.enums import ProgrammeRole, SecurityEventKind
from teams.models import RecoveryCode, RoleAssignment, SecurityEvent
from tests import factories as f

pytestmark = [pytest.mark.real_second_factor, pytest.mark.django_db]

PASSWORD = "correct-horse-battery"


def totp(secret: bytes, at: float | None = None) -> str:
    """RFC 6238: the 6-digit code of the 30-second step holding `at` (now by default)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _secret_from_page(content: str) -> bytes:
    """The key the set-up page shows (base32, in groups of four), as the person types it into the app."""
    shown = re.search(r'<code class="fs-5">([A-Z2-7 ]+)</code>', content)
    assert shown, "the set-up page shows the key"
    text = shown.group(1).replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _set_up(client, user) -> tuple[bytes, list[str]]:
    """Set up an authenticator from the page, as its owner; returns the secret and the recovery codes."""
    page = client.get(reverse("second-factor"))
    assert page.status_code == 200
    secret = _secret_from_page(page.content.decode())
    response = client.post(reverse("second-factor"), {"action": "confirm", "code": totp(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z0-9-]{6,})</li>", response.content.decode())
    assert len(codes) == services.RECOVERY_CODE_COUNT
    return secret, codes


def _sign_in(client, user, code: str | None = None):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    if code is None:
        return response
    assert response.status_code == 302 and response.url == reverse("login-code")
    return client.post(reverse("login-code"), {"code": code})


@pytest.fixture
def pm(programme_manager):
    programme_manager.set_password(PASSWORD)
    programme_manager.save()
    return programme_manager


@pytest.fixture(autouse=True)
def _clear_throttle():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- Required before any page of the role --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["programme_manager", "chair"], indirect=True)
def test_a_privileged_login_without_a_second_factor_is_sent_to_set_one_up(client, persona):
    client.force_login(persona)

    response = client.get(reverse("teams:hit-list"))

    assert response.status_code == 302
    assert response.url == f"{reverse('second-factor')}?next=%2Fteams%2Fhits%2F"
    assert client.get(reverse("home")).url.startswith(reverse("second-factor"))


def test_staff_are_sent_to_set_one_up_before_the_admin_site(client):
    staff = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    assert client.get("/admin/").url.startswith(reverse("second-factor"))


@pytest.mark.parametrize(
    "persona", ["director", "board_member", "hit_reviewer", "no_role_user"], indirect=True
)
def test_other_logins_are_not_asked_for_one(client, persona):
    client.force_login(persona)

    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("second-factor"))
    assert page.status_code == 200 and "Set up an authenticator app" in page.content.decode()


def test_setting_one_up_lets_the_manager_on_to_the_page_they_asked_for(client, programme_manager):
    client.force_login(programme_manager)
    asked = client.get(reverse("teams:person-list"))
    setup_url = asked.url

    page = client.get(setup_url)
    assert "Your role needs a second factor" in page.content.decode()
    secret = _secret_from_page(page.content.decode())
    done = client.post(setup_url, {"action": "confirm", "code": totp(secret)})

    assert "shown <strong>only now</strong>" in done.content.decode()
    assert reverse("teams:person-list") in done.content.decode()  # the "continue" link goes back
    assert client.get(reverse("teams:person-list")).status_code == 200
    assert list(SecurityEvent.objects.filter(user=programme_manager).values_list("kind", flat=True)) == [
        SecurityEventKind.RECOVERY_CODES_CREATED,
        SecurityEventKind.FACTOR_ADDED,
    ]
    assert TOTPDevice.objects.get(user=programme_manager).confirmed


def test_a_wrong_set_up_code_turns_nothing_on(client, programme_manager):
    client.force_login(programme_manager)
    page = client.get(reverse("second-factor"))
    secret = _secret_from_page(page.content.decode())
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("second-factor"), {"action": "confirm", "code": wrong})

    assert "That code did not work" in response.content.decode()
    assert not services.has_second_factor(programme_manager)
    assert client.get(reverse("home")).status_code == 302


# --- Sign-in asks for it ---------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_refuses_a_replayed_one(client, pm):
    client.force_login(pm)
    secret, _ = _set_up(client, pm)
    client.logout()

    after_password = _sign_in(client, pm)
    assert after_password.url == reverse("login-code")
    assert client.get(reverse("home")).url.startswith(reverse("login"))  # not signed in yet

    code = totp(secret, time.time() + 30)  # the next step: the set-up spent this one
    signed_in = client.post(reverse("login-code"), {"code": code})
    assert signed_in.status_code == 302 and signed_in.url == reverse("home")
    assert client.get(reverse("teams:person-list")).status_code == 200

    client.logout()
    replay = _sign_in(client, pm, code)
    assert replay.status_code == 200
    assert "That code did not work" in replay.content.decode()
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_recovery_code_signs_in_once(client, pm):
    client.force_login(pm)
    _, codes = _set_up(client, pm)
    client.logout()

    first = _sign_in(client, pm, codes[0])
    assert first.status_code == 302 and client.get(reverse("home")).status_code == 200
    assert services.recovery_codes_left(pm) == services.RECOVERY_CODE_COUNT - 1
    assert SecurityEvent.objects.filter(user=pm, kind=SecurityEventKind.RECOVERY_CODE_USED).count() == 1

    client.logout()
    again = _sign_in(client, pm, codes[0])
    assert "That code did not work" in again.content.decode()
    assert services.recovery_codes_left(pm) == services.RECOVERY_CODE_COUNT - 1
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_wrong_recovery_code_is_refused_and_spends_nothing(client, pm):
    client.force_login(pm)
    _, codes = _set_up(client, pm)
    client.logout()
    wrong = codes[0][:-1] + ("a" if codes[0][-1] != "a" else "b")

    refused = _sign_in(client, pm, wrong)

    assert refused.status_code == 200 and "That code did not work" in refused.content.decode()
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    assert services.recovery_codes_left(pm) == services.RECOVERY_CODE_COUNT
    assert not SecurityEvent.objects.filter(user=pm, kind=SecurityEventKind.RECOVERY_CODE_USED).exists()


def test_a_recovery_code_is_accepted_as_typed_without_hyphens_or_in_capitals(client, pm):
    client.force_login(pm)
    _, codes = _set_up(client, pm)
    client.logout()

    assert _sign_in(client, pm, codes[3].replace("-", " ").upper()).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert services.recovery_codes_left(pm) == services.RECOVERY_CODE_COUNT - 1


def test_another_logins_recovery_code_is_refused(pm, director):
    theirs = services.recovery_codes_create(user=director)

    assert not services.second_factor_verify(user=pm, code=theirs[0])
    assert services.recovery_codes_left(director) == services.RECOVERY_CODE_COUNT


def test_the_database_holds_no_plain_recovery_code(client, pm):
    client.force_login(pm)
    _, codes = _set_up(client, pm)

    rows = list(RecoveryCode.objects.filter(user=pm).values_list("salt", "code_hash"))
    assert len(rows) == services.RECOVERY_CODE_COUNT
    stored = " ".join(part for row in rows for part in row)
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
    # Each salted differently: equal codes would not give equal hashes.
    assert len({salt for salt, _ in rows}) == len(rows)
    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    page = client.get(reverse("second-factor")).content.decode()
    assert f"Recovery codes left: <strong>{services.RECOVERY_CODE_COUNT}</strong>" in page
    assert "cannot be shown again" in page and not any(code in page for code in codes)


def test_recovery_codes_are_random_and_long_enough():
    codes = {services.recovery_code_new() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        raw = code.replace("-", "")
        assert len(raw) == services.RECOVERY_CODE_LENGTH and set(raw) <= set(services.RECOVERY_ALPHABET)


def test_the_migration_hashes_the_plain_codes_and_they_still_work_once(pm, director):
    """Codes made before hashing (django-otp's plain StaticTokens) keep working, once each, and the plain
    rows are gone."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("teams.migrations.0022_recovery_code")
    device = StaticDevice.objects.create(user=pm, name="Recovery codes", confirmed=True)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in ("abcdefgh", "23456789")])
    unconfirmed = StaticDevice.objects.create(user=director, name="Recovery codes", confirmed=False)
    StaticToken.objects.create(device=unconfirmed, token="zzzzzzzz")

    migration.hash_plain_codes(apps, None)

    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    assert services.recovery_codes_left(pm) == 2 and services.recovery_codes_left(director) == 0
    assert "abcdefgh" not in " ".join(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert services.second_factor_verify(user=pm, code="ABCD-EFGH")
    assert not services.second_factor_verify(user=pm, code="abcdefgh")
    assert services.recovery_codes_left(pm) == 1


def test_wrong_codes_lock_the_code_step_even_for_a_right_one(client, pm):
    client.force_login(pm)
    secret, codes = _set_up(client, pm)
    client.logout()
    _sign_in(client, pm)
    for _ in range(5):
        client.post(reverse("login-code"), {"code": "000000" if totp(secret) != "000000" else "111111"})

    response = client.post(reverse("login-code"), {"code": codes[1]})

    assert "Too many wrong codes. Try again in 15 minutes." in response.content.decode()
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_login_without_a_second_factor_signs_in_with_the_password_alone(client, director):
    director.set_password(PASSWORD)
    director.save()

    response = _sign_in(client, director)

    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_the_code_step_without_a_password_goes_back_to_sign_in(client):
    response = client.get(reverse("login-code"))

    assert response.status_code == 302 and response.url == reverse("login")


# --- Confirmed again before sensitive actions -------------------------------------------------------------


def _stale(client, user) -> None:
    session = client.session
    session[second_factor.SESSION_VERIFIED] = [str(user.pk), time.time() - 3600]
    session.save()


def test_erasing_a_person_asks_for_the_code_again_then_erases(client, pm):
    client.force_login(pm)
    secret, _ = _set_up(client, pm)
    person = f.PersonFactory(full_name="Jane Erasable")
    _stale(client, pm)
    data_page = reverse("gdpr:person-data", args=[person.pk])
    erase = reverse("gdpr:person-erase", args=[person.pk])
    form = {"reason": "Asked by email on 3 March", "confirm": "on"}

    refused = client.post(erase, form, HTTP_REFERER=f"http://testserver{data_page}")
    assert refused.status_code == 302
    assert refused.url.startswith(reverse("second-factor-confirm"))
    person.refresh_from_db()
    assert person.full_name == "Jane Erasable"
    # The page the form came from is where the confirmation leads back to.
    assert client.get(data_page).status_code == 200

    confirmed = client.post(refused.url, {"code": totp(secret, time.time() + 30)})
    assert confirmed.status_code == 302 and confirmed.url == f"http://testserver{data_page}"
    erased = client.post(erase, form)
    assert erased.status_code == 302
    person.refresh_from_db()
    assert person.full_name != "Jane Erasable"


def test_granting_a_role_asks_for_the_code_again(client, pm):
    client.force_login(pm)
    _, codes = _set_up(client, pm)
    gina = f.UserFactory(full_name="Gina Grant")
    person = f.PersonFactory(user=gina, full_name=gina.full_name, email=gina.email)
    _stale(client, pm)
    grant = reverse("teams:person-role-grant", args=[person.pk])

    refused = client.post(grant, {"role": ProgrammeRole.BOARD_MEMBER})
    assert refused.url.startswith(reverse("second-factor-confirm"))
    assert not RoleAssignment.objects.filter(user=gina).exists()

    client.post(refused.url, {"code": codes[2]})
    client.post(grant, {"role": ProgrammeRole.BOARD_MEMBER})
    assert RoleAssignment.objects.filter(user=gina, role=ProgrammeRole.BOARD_MEMBER).exists()


def test_those_who_may_not_erase_still_get_403_not_a_code_prompt(client, board_member):
    client.force_login(board_member)
    person = f.PersonFactory()

    response = client.post(reverse("gdpr:person-erase", args=[person.pk]), {"reason": "x", "confirm": "on"})

    assert response.status_code == 403


# --- The page of one's own second factor ---------------------------------------------------------------


def test_an_optional_second_factor_can_be_removed_after_confirming(client, director):
    client.force_login(director)
    _set_up(client, director)

    client.post(reverse("second-factor"), {"action": "remove"})

    assert not services.has_second_factor(director)
    assert SecurityEvent.objects.filter(user=director, kind=SecurityEventKind.FACTOR_REMOVED).exists()


def test_a_required_second_factor_cannot_be_removed(client, programme_manager):
    client.force_login(programme_manager)
    _set_up(client, programme_manager)

    response = client.post(reverse("second-factor"), {"action": "remove"}, follow=True)

    assert "Your role needs a second factor" in response.content.decode()
    assert services.has_second_factor(programme_manager)


def test_new_recovery_codes_replace_the_old_ones(client, director):
    client.force_login(director)
    _, old = _set_up(client, director)

    response = client.post(reverse("second-factor"), {"action": "recovery-codes"})

    new = re.findall(r"<li>([a-z0-9-]{6,})</li>", response.content.decode())
    assert len(new) == services.RECOVERY_CODE_COUNT and not set(new) & set(old)
    assert services.recovery_codes_left(director) == services.RECOVERY_CODE_COUNT
    assert not any(services.second_factor_verify(user=director, code=code) for code in old)
    assert services.second_factor_verify(user=director, code=new[0])


def test_the_audit_log_lists_second_factor_changes_without_codes(client, pm):
    client.force_login(pm)
    secret, codes = _set_up(client, pm)

    page = client.get(reverse("audit:log")).content.decode()

    assert "Authenticator app set up" in page and "New recovery codes made" in page
    assert codes[0] not in page and base64.b32encode(secret).decode()[:16] not in page


# --- The demo's exemption ---------------------------------------------------------------------------------


def test_the_demo_exemption_lets_only_demo_addresses_in(client, settings):
    settings.SECOND_FACTOR_DEMO_EXEMPT = True
    demo_pm = f.UserFactory(email="pm@example.org")
    f.RoleAssignmentFactory(user=demo_pm, role=ProgrammeRole.PROGRAMME_MANAGER)
    real_pm = f.UserFactory(email="pat.manager@nhs.net")
    f.RoleAssignmentFactory(user=real_pm, role=ProgrammeRole.PROGRAMME_MANAGER)

    client.force_login(demo_pm)
    assert client.get(reverse("home")).status_code == 200
    client.force_login(real_pm)
    assert client.get(reverse("home")).url.startswith(reverse("second-factor"))


# --- Sign out everywhere else -----------------------------------------------------------------------------


def test_signing_out_of_other_browsers_ends_them_and_keeps_this_one(client, director):
    from django.test import Client

    other = Client()
    other.force_login(director)
    client.force_login(director)
    assert other.get(reverse("home")).status_code == 200

    response = client.post(reverse("sign-out-others"), follow=True)

    assert "You were signed out of every other browser and device." in response.content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).url.startswith(reverse("login"))


# --- The list of one's sessions ---------------------------------------------------------------------------

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _password_sign_in(client, user, agent: str):
    return client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, HTTP_USER_AGENT=agent
    )


def test_the_list_shows_each_signed_in_browser_and_ends_one(client, director):
    from django.test import Client

    director.set_password(PASSWORD)
    director.save()
    phone = Client(HTTP_USER_AGENT=SAFARI)
    _password_sign_in(phone, director, SAFARI)
    _password_sign_in(client, director, FIREFOX)

    page = client.get(reverse("session-list")).content.decode()

    assert "Firefox on Windows" in page and "This browser" in page
    assert "Safari on iPhone" in page
    from teams.models import LoginSession

    phone_row = LoginSession.objects.get(user=director, user_agent=SAFARI)
    response = client.post(reverse("session-end", args=[phone_row.pk]), follow=True)
    assert "That browser was signed out." in response.content.decode()
    assert phone.get(reverse("home")).url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 200
    assert "Safari on iPhone" not in client.get(reverse("session-list")).content.decode()


def test_signing_out_removes_the_row(client, director):
    from teams.models import LoginSession

    director.set_password(PASSWORD)
    director.save()
    _password_sign_in(client, director, FIREFOX)
    assert LoginSession.objects.filter(user=director).count() == 1

    client.post(reverse("logout"))

    assert not LoginSession.objects.filter(user=director).exists()


def test_another_logins_session_cannot_be_ended(client, director, teammate):
    from django.test import Client

    from teams.models import LoginSession

    theirs = Client()
    theirs.force_login(teammate)
    client.force_login(director)
    row = LoginSession.objects.get(user=teammate)

    assert client.post(reverse("session-end", args=[row.pk])).status_code == 404
    assert theirs.get(reverse("home")).status_code == 200


def test_user_agents_are_described_in_words():
    from hitportal.security.sessions import describe_user_agent

    assert describe_user_agent(FIREFOX) == "Firefox on Windows"
    assert describe_user_agent(SAFARI) == "Safari on iPhone"
    assert describe_user_agent("") == "Unknown browser"


def test_the_demo_exemption_also_spares_the_demo_the_confirmation_before_granting(client, settings):
    settings.SECOND_FACTOR_DEMO_EXEMPT = True
    demo_pm = f.UserFactory(email="pm@example.org")
    f.RoleAssignmentFactory(user=demo_pm, role=ProgrammeRole.PROGRAMME_MANAGER)
    gina = f.UserFactory(full_name="Gina Grant", email="gina@example.org")
    person = f.PersonFactory(user=gina, full_name=gina.full_name, email=gina.email)
    client.force_login(demo_pm)

    client.post(reverse("teams:person-role-grant", args=[person.pk]), {"role": ProgrammeRole.BOARD_MEMBER})

    assert RoleAssignment.objects.filter(user=gina, role=ProgrammeRole.BOARD_MEMBER).exists()


def test_the_demo_exemption_is_refused_without_debug(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from tests.fresh_settings import fresh_settings

    key = "k7Qm2-xR9vTz4Lw8pN3sYb6Hc1Jd5Fg0AeUoIiKqWnMtZrXyVuBpCsDhEjGlOaNfS"
    base = {"HITPORTAL_VAR_DIR": str(tmp_path), "SECRET_KEY": key, "DEMO_WITHOUT_SECOND_FACTOR": "true"}

    with pytest.raises(ImproperlyConfigured, match="DEMO_WITHOUT_SECOND_FACTOR is for the demo only"):
        fresh_settings({**base, "DEBUG": "false"})
    assert fresh_settings({**base, "DEBUG": "true"})["SECOND_FACTOR_DEMO_EXEMPT"] is True
    assert (
        fresh_settings({**base, "DEBUG": "false", "DEMO_WITHOUT_SECOND_FACTOR": ""})[
            "SECOND_FACTOR_DEMO_EXEMPT"
        ]
        is False
    )


def test_single_sign_on_providers_are_read_from_the_environment(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from tests.fresh_settings import fresh_settings

    key = "k7Qm2-xR9vTz4Lw8pN3sYb6Hc1Jd5Fg0AeUoIiKqWnMtZrXyVuBpCsDhEjGlOaNfS"
    env = {
        "HITPORTAL_VAR_DIR": str(tmp_path),
        "SECRET_KEY": key,
        "OIDC_PROVIDERS": "entra",
        "OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0/",
        "OIDC_ENTRA_CLIENT_ID": "client",
        "OIDC_ENTRA_CLIENT_SECRET": "secret",
        "OIDC_ENTRA_ALLOWED_DOMAINS": "nhs.net, @MyTrust.nhs.uk",
        "OIDC_ENTRA_NAME": "NHSmail",
    }

    provider = fresh_settings(env)["HITPORTAL_OIDC_PROVIDERS"]["entra"]

    assert provider["issuer"] == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert provider["allowed_domains"] == ["nhs.net", "mytrust.nhs.uk"]
    assert provider["name"] == "NHSmail" and provider["create_accounts"] is False
    with pytest.raises(ImproperlyConfigured, match="OIDC_ENTRA_CLIENT_SECRET"):
        fresh_settings({**env, "OIDC_ENTRA_CLIENT_SECRET": ""})
