"""A programme manager sets up a second factor when first asked, and is asked for it at the next sign-in."""

from __future__ import annotations

import base64
import re
import time

import pytest

from teams.enums import ProgrammeRole
from tests import factories as f
from tests.browser.conftest import PASSWORD
from tests.hitportal.test_second_factor import totp

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None

pytestmark = pytest.mark.real_second_factor


def _sign_in_with_password(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=False).first.fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_programme_manager_sets_up_a_second_factor_and_is_asked_for_it_next_time(open_session):
    manager = f.UserFactory(full_name="Pat Manager", email="pat.manager@nhs.test")
    f.RoleAssignmentFactory(user=manager, role=ProgrammeRole.PROGRAMME_MANAGER)
    manager.set_password(PASSWORD)
    manager.save()
    you = open_session()
    page = you.page

    _sign_in_with_password(page, manager.email)
    # The role's pages wait until a second factor is set up.
    expect(page.get_by_role("heading", name="Second factor", exact=True)).to_be_visible()
    expect(page.get_by_text("Your role needs a second factor")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert you.axe_violations() == []
    shown = page.locator("code.fs-5").inner_text().replace(" ", "")
    secret = base64.b32decode(shown + "=" * (-len(shown) % 8))
    page.get_by_label("Code from the app").fill(totp(secret))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert you.axe_violations() == []
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name=re.compile("I have kept my codes")).click()
    page.wait_for_load_state()
    assert "/accounts/security/" not in page.url
    page.goto("/teams/people/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    _sign_in_with_password(page, manager.email)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert you.axe_violations() == []
    page.get_by_label("Code").fill(totp(secret, time.time() + 30))  # the set-up spent this step's code
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == you.base_url.rstrip("/")
    page.goto("/teams/people/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")
    page.goto("/accounts/security/sessions/")
    expect(page.get_by_text("This browser")).to_be_visible()
    assert you.axe_violations() == []
    assert you.errors == []


def test_a_programme_manager_adds_a_passkey_and_signs_in_with_it(open_session):
    manager = f.UserFactory(full_name="Kim Keys", email="kim.keys@nhs.test")
    f.RoleAssignmentFactory(user=manager, role=ProgrammeRole.PROGRAMME_MANAGER)
    manager.set_password(PASSWORD)
    manager.save()
    you = open_session()
    page = you.page
    # Chromium's virtual authenticator stands in for the laptop's fingerprint reader.
    cdp = you.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    _sign_in_with_password(page, manager.email)
    expect(page.get_by_text("Your role needs a second factor")).to_be_visible()
    page.get_by_label("Name of this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("link", name=re.compile("I have kept my codes")).click()
    page.wait_for_load_state()
    page.goto("/teams/people/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    _sign_in_with_password(page, manager.email)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{you.base_url}/")
    page.goto("/teams/people/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")
    assert you.errors == []
