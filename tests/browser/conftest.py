"""Playwright (sync API) against pytest-django's live_server, with Debian's chromium.

Skipped unless HITPORTAL_BROWSER=1. With HITPORTAL_BROWSER=1 and CI=true, a missing chromium or
playwright fails the run instead of skipping it. The live server serves static files through the
staticfiles finders (pytest-django wraps it in StaticFilesHandler), so the vendored assets load as in
development.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_PATH = "vendor/axe-core-4.14.1/axe.min.js"
PASSWORD = "browser-journey-pw"

ENABLED = os.environ.get("HITPORTAL_BROWSER") == "1"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (.venv/bin/pip install --require-hashes --no-deps -r requirements/browser.lock)"
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(item.fspath).parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
        # live_server empties the tables after each test: serialized_rollback puts back the rows the
        # migrations load (stakeholder categories and the like) before the next one.
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
    if not ENABLED:
        skip = pytest.mark.skip(reason="browser tests run only with HITPORTAL_BROWSER=1")
        for item in ours:
            item.add_marker(skip)
        return
    missing = _missing()
    if missing and not IN_CI:
        skip = pytest.mark.skip(reason=f"browser tests skipped: {missing}")
        for item in ours:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _demo_logins_without_second_factor(request, settings):
    """The journeys sign in as the demo's and the factories' logins (addresses at example.org): they are
    let in without a second factor, as in the demo (settings.SECOND_FACTOR_DEMO_EXEMPT, DEBUG-only outside
    tests). A journey of the second factor itself is marked real_second_factor and uses another domain."""
    if not request.node.get_closest_marker("real_second_factor"):
        settings.SECOND_FACTOR_DEMO_EXEMPT = True


@pytest.fixture(scope="session")
def browser():
    missing = _missing()
    if missing:
        # Only reached with HITPORTAL_BROWSER=1 and CI=true: collection skips otherwise.
        pytest.fail(f"HITPORTAL_BROWSER=1 in CI, but {missing}", pytrace=False)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
    # with a running loop unless told otherwise. The tests are synchronous, so this is safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Session:
    """A browser context for one signed-in (or anonymous) user, with console errors collected."""

    def __init__(self, browser, base_url: str, **context_kwargs) -> None:
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, **context_kwargs)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # data-confirm buttons ask through window.confirm (static/js/portal.js): the user says yes.
        self.page.on("dialog", lambda dialog: dialog.accept())

    def login(self, user) -> Session:
        """Sign in through the real login page."""
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("Email", exact=False).first.fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, page.content()[:2000]
        return self

    def fill(self, **fields: str) -> None:
        """Fill form fields by name the way a user would: type, choose, tick."""
        for name, value in fields.items():
            field = self.page.locator(f'[name="{name}"]')
            kind = field.first.evaluate("el => el.tagName.toLowerCase() + ':' + (el.type || '')")
            if kind.startswith("select"):
                field.select_option(value)
            elif kind.endswith(":radio") or kind.endswith(":checkbox"):
                self.page.locator(f'[name="{name}"][value="{value}"]').check()
            else:
                field.fill(value)

    def goto(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return response

    def axe_violations(self, impacts=("serious", "critical")) -> list[dict]:
        self.page.add_script_tag(url=f"{self.base_url}{settings.STATIC_URL}{AXE_PATH}")
        result = self.page.evaluate("() => axe.run(document)")
        return [v for v in result["violations"] if v.get("impact") in impacts]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, live_server) -> Iterator:
    sessions: list[Session] = []

    def factory(user=None, **context_kwargs) -> Session:
        session = Session(browser, live_server.url, **context_kwargs)
        sessions.append(session)
        if user is not None:
            session.login(user)
        return session

    yield factory
    for session in sessions:
        session.close()
