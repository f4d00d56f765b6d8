"""Security headers, production settings, and text typed by users rendered as text, never as markup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories.accreditation_applications import (
    ApplicationFactory,
    ApplicationSectionFactory,
    RevisionFactory,
)
from tests.factories.engagement import InvolvementActivityFactory

REPO_ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k7Qm2-xR9vTz4Lw8pN3sYb6Hc1Jd5Fg0AeUoIiKqWnMtZrXyVuBpCsDhEjGlOaNfS"
SCRIPT = '<script>alert("pwned")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"


# --- Content-Security-Policy -------------------------------------------------------------------------


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.mark.parametrize("signed_in", [False, True], ids=["login-page", "home-page"])
def test_csp_header_is_strict_on_pages(client, programme_manager, signed_in):
    if signed_in:
        client.force_login(programme_manager)

    response = client.get(reverse("home" if signed_in else "login"))

    header = response.headers["Content-Security-Policy"]
    assert response.status_code == 200
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert _policy(response) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def test_csp_header_is_on_error_pages_too(client, no_role_user):
    client.force_login(no_role_user)

    response = client.get(reverse("teams:person-list"))

    assert response.status_code == 403
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


# --- Production settings -----------------------------------------------------------------------------


def _settings_in_subprocess(tmp_path: Path, **variables: str) -> dict:
    """hitportal.settings imported in a clean process, as production starts it."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "hitportal.settings",
        "HITPORTAL_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": STRONG_KEY,
        **variables,
    }
    code = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "names = ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',\n"
        "         'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_HTTPONLY',\n"
        "         'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DEBUG']\n"
        "print(json.dumps({name: getattr(settings, name) for name in names}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_make_cookies_secure_and_send_hsts(tmp_path):
    values = _settings_in_subprocess(tmp_path, DEBUG="false")

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_development_settings_leave_https_to_the_developer(tmp_path):
    """The contrast that shows the production test above is not vacuous."""
    values = _settings_in_subprocess(tmp_path, DEBUG="true")

    assert (
        values["SESSION_COOKIE_SECURE"],
        values["SECURE_HSTS_SECONDS"],
        values["SECURE_SSL_REDIRECT"],
    ) == (
        False,
        0,
        False,
    )


# --- Text typed by users is escaped ------------------------------------------------------------------


def test_script_in_hit_aims_is_rendered_escaped(client, hit, director):
    hit.aims = f"Fewer admissions. {SCRIPT}"
    hit.save(update_fields=["aims"])
    client.force_login(director)

    content = client.get(reverse("teams:hit-detail", args=[hit.pk])).content.decode()

    assert ESCAPED in content
    assert SCRIPT not in content


def test_script_in_application_section_is_rendered_escaped(client, hit, director):
    application = ApplicationFactory(hit=hit)
    ApplicationSectionFactory(
        application=application, key="aims", data={"aims": SCRIPT, "problem": "A problem.", "boundaries": ""}
    )
    client.force_login(director)

    content = client.get(
        reverse("accreditation:application-section", args=[application.pk, "aims"])
    ).content.decode()

    assert ESCAPED in content
    assert SCRIPT not in content


def test_script_in_a_frozen_revision_is_rendered_escaped(client, hit, director):
    revision = RevisionFactory(
        application__hit=hit, sections={"aims": {"aims": SCRIPT, "problem": "A problem.", "boundaries": ""}}
    )
    client.force_login(director)

    response = client.get(
        reverse("accreditation:revision-detail", args=[revision.application_id, revision.number])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert ESCAPED in content
    assert SCRIPT not in content


def test_script_in_ppi_log_entry_is_rendered_escaped(client, hit, director):
    InvolvementActivityFactory(hit=hit, description=SCRIPT, named_with_consent=f"Jo Bloggs, {SCRIPT}")
    client.force_login(director)

    response = client.get(reverse("engagement:ppi-log", args=[hit.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count(ESCAPED) == 2
    assert SCRIPT not in content
