"""The templates obey the Content-Security-Policy and the accessibility basics of the base layout."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.urls import reverse

from teams.models import Organisation, OrganisationType, RoleAssignment, User

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
TEMPLATE_FILES = sorted(path for path in TEMPLATES_DIR.rglob("*") if path.is_file())

VENDORED_ASSETS = [
    "vendor/bootstrap-5.3.8/css/bootstrap.min.css",
    "vendor/bootstrap-5.3.8/js/bootstrap.bundle.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "css/portal.css",
    "js/portal.js",
]

STYLE_ATTRIBUTE = re.compile(r"\bstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
SCRIPT_ELEMENT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


class _Labels(HTMLParser):
    """Collects each <label for=...> with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "label":
            self._current = dict(attrs).get("for") or ""
            self.labels[self._current] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self.labels[self._current] += data


def _labels(html: str) -> dict[str, str]:
    parser = _Labels()
    parser.feed(html)
    return {target: " ".join(text.split()) for target, text in parser.labels.items()}


def _template_id(path: Path) -> str:
    return str(path.relative_to(TEMPLATES_DIR))


def test_templates_directory_is_scanned():
    names = {_template_id(path) for path in TEMPLATE_FILES}

    assert {"base.html", "registration/login.html", "partials/_form_errors.html"} <= names


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=_template_id)
def test_template_has_no_inline_style(path):
    text = path.read_text()

    assert STYLE_ATTRIBUTE.findall(text) == []
    assert STYLE_ELEMENT.findall(text) == []


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=_template_id)
def test_template_has_no_inline_script(path):
    scripts = SCRIPT_ELEMENT.findall(path.read_text())

    inline = [(attrs, body) for attrs, body in scripts if body.strip() or "src=" not in attrs]
    assert inline == []


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=_template_id)
def test_template_has_no_event_handler_attributes(path):
    text = path.read_text()

    assert EVENT_HANDLER.findall(text) == []
    assert JAVASCRIPT_URL.findall(text) == []


def test_script_pattern_flags_inline_script():
    html = '<script src="/static/a.js"></script><script>alert(1)</script><script type="module"></script>'

    scripts = SCRIPT_ELEMENT.findall(html)

    assert [(attrs, body) for attrs, body in scripts if body.strip() or "src=" not in attrs] == [
        ("", "alert(1)"),
        (' type="module"', ""),
    ]


@pytest.mark.parametrize("asset", VENDORED_ASSETS)
def test_static_asset_exists(asset):
    assert finders.find(asset) is not None


def test_login_page_renders_accessible_layout(client, db):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en-GB">' in html
    assert '<a class="skip-link visually-hidden-focusable" href="#main">Skip to main content</a>' in html
    assert html.count('<main id="main">') == 1
    assert html.count("<h1>") == 1
    assert _labels(html)["id_username"] == "Email address*"
    assert 'id="id_username"' in html
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html
    assert '<link rel="stylesheet" href="/static/vendor/bootstrap-5.3.8/css/bootstrap.min.css">' in html
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html
    assert '<script src="/static/vendor/bootstrap-5.3.8/js/bootstrap.bundle.min.js" defer></script>' in html
    assert '<script src="/static/vendor/htmx-2.0.11/htmx.min.js" defer></script>' in html
    assert '<script src="/static/js/portal.js" defer></script>' in html


def test_login_page_links_to_password_reset(client, db):
    response = client.get(reverse("login"))

    assert f'href="{reverse("password_reset")}"' in response.content.decode()


def test_login_with_wrong_password_shows_error_summary(client, db):
    User.objects.create_user(email="pat@example.org", password="right-password-123", full_name="Pat Example")

    response = client.post(reverse("login"), {"username": "pat@example.org", "password": "wrong-password"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('id="error-summary"') == 1
    assert '<h2 class="h5 alert-heading" id="error-summary-title">There is a problem</h2>' in html
    assert (
        "<li>Please enter a correct email address and password. "
        "Note that both fields may be case-sensitive.</li>"
    ) in html


def test_login_with_empty_email_links_error_to_field(client, db):
    response = client.post(reverse("login"), {"username": "", "password": "whatever"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="alert-link" href="#id_username">Email address: This field is required.</a>' in html


class _ExampleForm(forms.Form):
    name = forms.CharField(label="Full name")
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Something is wrong with the whole form.")


def test_form_error_summary_lists_non_field_then_field_errors():
    form = _ExampleForm(data={})

    html = _render_summary(form)

    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        "Something is wrong with the whole form.",
        '<a class="alert-link" href="#id_name">Full name: This field is required.</a>',
        "Token: This field is required.",
    ]


def test_form_error_summary_is_empty_for_valid_form():
    form = forms.Form(data={})

    assert _render_summary(form).strip() == ""


def _render_summary(form: forms.BaseForm) -> str:
    return Template("{% load portal %}{% form_error_summary form %}").render(Context({"form": form}))


def test_home_for_user_without_role_shows_only_the_no_role_message(client, db):
    user = User.objects.create_user(
        email="nora@example.org", password="a-password-123", full_name="Nora None"
    )
    client.force_login(user)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You do not have a role yet" in html
    assert "ask your programme manager" in html
    assert "<table" not in html


def test_organisation_list_pagination_keeps_the_filter(client, db):
    manager = User.objects.create_user(
        email="pm@example.org", password="a-password-123", full_name="Pat Manager"
    )
    RoleAssignment.objects.create(user=manager, role="programme_manager")
    org_type = OrganisationType.objects.create(code="test-type", name="Test type", sector="industry")
    Organisation.objects.bulk_create(Organisation(name=f"Firm {i:03}", org_type=org_type) for i in range(60))
    client.force_login(manager)

    response = client.get(reverse("teams:organisation-list"), {"q": "Firm", "org_type": org_type.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "60 organisations found." in html
    assert "<caption>Organisations, page 1 of 2</caption>" in html
    assert f'<a class="page-link" href="?q=Firm&amp;org_type={org_type.pk}&amp;page=2" rel="next">' in html
