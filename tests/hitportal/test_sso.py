"""Single sign-on through a REAL OpenID Connect provider: tests/oidc_provider, a second Django project on
django-oauth-toolkit (OIDC, RS256, PKCE), started here as its own process on a free port.

The portal (this process, through the test client) fetches the provider's discovery document and keys,
sends the browser to its authorization endpoint, exchanges the code at its token endpoint and checks the
signed ID token, all over real HTTP. The browser's part (signing in at the provider, following its
redirect back) is played with `requests`. Each provider login stands for one case (serve.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from hitportal.security import services, sso
from teams.enums import ProgrammeRole, SecurityEventKind
from teams.models import SecurityEvent, SsoLink, User
from tests import factories as f

pytestmark = [pytest.mark.real_second_factor, pytest.mark.django_db]

CLIENT_ID = "hit-portal-test"
CLIENT_SECRET = "test-client-secret-0123456789"
REDIRECT_URI = "http://testserver/accounts/sso/test/callback/"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def provider_url(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    port = _free_port()
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(tmp_path_factory.mktemp("oidc") / "provider.sqlite3"),
        "OIDC_PROVIDER_RSA_KEY": pem,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": REDIRECT_URI,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path_factory.mktemp("oidc-log") / "provider.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the test OIDC provider stopped: {log.read_text()[-3000:]}")
            try:
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the test OIDC provider did not start within 60 seconds")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def configured(settings, provider_url):
    settings.HITPORTAL_OIDC_PROVIDERS = {
        "test": {
            "name": "NHS test login",
            "issuer": f"{provider_url}/o",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_domains": ["nhs.test"],
            "create_accounts": False,
            "trust_mfa": False,
            "scopes": "openid email profile",
        }
    }
    sso._clients.clear()
    yield settings.HITPORTAL_OIDC_PROVIDERS["test"]
    sso._clients.clear()


def _through_provider(client, provider_url: str, username: str, next_url: str = ""):
    """Start at the portal, sign in at the provider as `username`, come back: the portal's answer."""
    start = reverse("sso-login", args=["test"]) + (f"?{urlencode({'next': next_url})}" if next_url else "")
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    authorize = to_provider.url
    assert authorize.startswith(f"{provider_url}/o/authorize/")
    assert "code_challenge=" in authorize and "nonce=" in authorize and "state=" in authorize
    path = urlsplit(authorize)
    with requests.Session() as browser:
        signed_in = browser.get(
            f"{provider_url}/login-as/{username}/",
            params={"next": f"{path.path}?{path.query}"},
            allow_redirects=False,
            timeout=10,
        )
        assert signed_in.status_code == 302
        back = browser.get(
            f"{provider_url}{signed_in.headers['Location']}", allow_redirects=False, timeout=10
        )
    assert back.status_code == 302, back.text[:500]
    callback = back.headers["Location"]
    assert callback.startswith(REDIRECT_URI), callback
    return client.get(callback[len("http://testserver") :])


def _refusal(client, response) -> str:
    assert response.status_code == 302 and response.url == reverse("login")
    page = client.get(response.url).content.decode()
    assert client.get(reverse("profile")).url.startswith(reverse("login"))  # not signed in
    return page


def test_the_sign_in_page_offers_the_provider(client, configured):
    page = client.get(reverse("login")).content.decode()

    assert "Sign in with NHS test login" in page
    assert reverse("sso-login", args=["test"]) in page


def test_a_first_sign_in_links_the_login_with_the_same_verified_address(client, configured, provider_url):
    alex = f.UserFactory(email="alex.nurse@nhs.test", full_name="Alex Nurse")

    response = _through_provider(client, provider_url, "alex", next_url=reverse("profile"))

    assert response.status_code == 302 and response.url == reverse("profile")
    assert client.get(reverse("profile")).status_code == 200
    link = SsoLink.objects.get(user=alex)
    assert link.provider == "test" and link.subject
    assert SecurityEvent.objects.filter(user=alex, kind=SecurityEventKind.SSO_LINKED).count() == 1

    # The next sign-in finds the login by the provider's subject, even after its address changed here.
    User.objects.filter(pk=alex.pk).update(email="alex.n@trust.test")
    client.logout()
    again = _through_provider(client, provider_url, "alex")
    assert again.status_code == 302 and again.url == reverse("home")
    assert SsoLink.objects.filter(user=alex).count() == 1


def test_no_login_for_the_address_is_refused_unless_the_provider_may_create_one(
    client, configured, provider_url
):
    page = _refusal(client, _through_provider(client, provider_url, "newcomer"))

    assert "No HIT Portal login uses nina.new@nhs.test. Ask your programme manager to add you" in page
    assert not User.objects.filter(email="nina.new@nhs.test").exists()

    configured["create_accounts"] = True
    sso._clients.clear()
    response = _through_provider(client, provider_url, "newcomer")
    nina = User.objects.get(email="nina.new@nhs.test")
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200
    assert nina.full_name == "Nina New" and not nina.has_usable_password()
    assert not nina.role_assignments.exists()
    assert SecurityEvent.objects.filter(user=nina, kind=SecurityEventKind.SSO_CREATED).exists()


def test_an_unverified_address_is_refused(client, configured, provider_url):
    f.UserFactory(email="uma.unverified@nhs.test")

    page = _refusal(client, _through_provider(client, provider_url, "unverified"))

    assert "has not verified the address uma.unverified@nhs.test" in page
    assert not SsoLink.objects.exists()


def test_a_domain_not_allowed_is_refused(client, configured, provider_url):
    f.UserFactory(email="olly@elsewhere.test")

    page = _refusal(client, _through_provider(client, provider_url, "outsider"))

    assert "Addresses at elsewhere.test cannot sign in with NHS test login here" in page
    assert not SsoLink.objects.exists()


@pytest.mark.parametrize(
    ("username", "email"), [("wrongaud", "wanda@nhs.test"), ("wrongaudazp", "walt@nhs.test")]
)
def test_an_id_token_for_another_application_is_refused(client, configured, provider_url, username, email):
    f.UserFactory(email=email)

    page = _refusal(client, _through_provider(client, provider_url, username))

    assert "issued this sign-in for another application (its audience is not this portal)" in page
    assert not SsoLink.objects.exists()


def test_an_expired_id_token_is_refused(client, configured, provider_url):
    f.UserFactory(email="ed.expired@nhs.test")

    page = _refusal(client, _through_provider(client, provider_url, "expired"))

    assert "had already expired when it reached the portal" in page
    assert not SsoLink.objects.exists()


def test_a_callback_without_a_started_sign_in_is_refused(client, configured):
    page = _refusal(client, client.get(reverse("sso-callback", args=["test"]) + "?code=abc&state=forged"))

    assert "Start again" in page


def test_a_programme_manager_with_a_second_factor_still_enters_a_code(client, configured, provider_url):
    alex = f.UserFactory(email="alex.nurse@nhs.test")
    f.RoleAssignmentFactory(user=alex, role=ProgrammeRole.PROGRAMME_MANAGER)
    device = services.authenticator_pending(alex)
    device.confirmed = True
    device.save()

    response = _through_provider(client, provider_url, "alex")

    assert response.status_code == 302 and response.url == reverse("login-code")
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_the_providers_own_mfa_counts_where_trusted(client, configured, provider_url):
    mo = f.UserFactory(email="mo.mfa@nhs.test")
    f.RoleAssignmentFactory(user=mo, role=ProgrammeRole.PROGRAMME_MANAGER)
    configured["trust_mfa"] = True
    sso._clients.clear()

    response = _through_provider(client, provider_url, "mfa")

    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("teams:person-list")).status_code == 200


def test_an_unknown_provider_is_not_found(client, configured):
    assert client.get(reverse("sso-login", args=["nosuch"])).status_code == 404


# --- The rules on checked claims (no provider needed) -------------------------------------------------------


def _provider(**overrides) -> sso.Provider:
    values = {
        "id": "test",
        "name": "NHS test login",
        "issuer": "https://login.example.test/tenant/v2.0",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": ("nhs.test",),
        "create_accounts": False,
        "trust_mfa": False,
        "scopes": "openid email profile",
    }
    values.update(overrides)
    return sso.Provider(**values)


def _claims(**overrides):
    return {"sub": "subject-1", "email": "alex.nurse@nhs.test", "email_verified": True, **overrides}


def test_a_linked_login_is_refused_once_its_domain_is_taken_off_the_list():
    alex = f.UserFactory(email="alex.nurse@nhs.test")
    assert sso.user_for_claims(provider=_provider(), claims=_claims()) == alex

    with pytest.raises(sso.SsoRefused, match=r"Addresses at nhs\.test cannot sign in"):
        sso.user_for_claims(provider=_provider(allowed_domains=("trust.test",)), claims=_claims())


def test_entra_ids_verified_domain_claim_counts_as_a_verified_address():
    alex = f.UserFactory(email="alex.nurse@nhs.test")

    claims = _claims(email_verified=None, xms_edov=True)

    assert sso.user_for_claims(provider=_provider(), claims=claims) == alex


def test_a_switched_off_login_is_refused_and_not_linked():
    f.UserFactory(email="alex.nurse@nhs.test", is_active=False)

    with pytest.raises(sso.SsoRefused, match="switched off"):
        sso.user_for_claims(provider=_provider(), claims=_claims())
    assert not SsoLink.objects.exists()


def test_a_missing_address_is_refused_with_what_to_ask_for():
    with pytest.raises(sso.SsoRefused, match="did not send your e-mail address"):
        sso.user_for_claims(provider=_provider(), claims=_claims(email=""))
