"""No lost updates: every edit view refuses a stale save and keeps what the user typed.

Each case is one edit page (tests/concurrency_cases/<app>.py). The test opens the form as one user,
lets a colleague save a change through the portal's own service, then sends the first user's form
(with the version it was opened at). The save must be refused with 409 and the "someone changed
this" message, both versions shown side by side, the user's value still in the form and the
colleague's change intact in the database. Sending the form again from the conflict page (now
carrying the new version) is a deliberate overwrite and goes through. On PostgreSQL two
connections send one opened form at the same moment: one save wins, the other is refused.

`test_every_edit_view_is_covered` fails when an edit page exists that no case walks.
"""

from __future__ import annotations

import html
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.concurrency import STALE_MESSAGE
from teams.enums import ProgrammeRole
from tests import factories as f
from tests.concurrency_cases import accreditation, engagement, reporting, teams
from tests.concurrency_cases.base import TYPED, EditCase

CASES: list[EditCase] = [
    *teams.EDIT_CASES,
    *accreditation.EDIT_CASES,
    *engagement.EDIT_CASES,
    *reporting.EDIT_CASES,
]
IDS = [case.id for case in CASES]

# Edit pages whose URL name does not end in "-edit": each changes an existing row (or rows) that a
# colleague could be changing at the same time.
EXTRA_EDIT_PAGES = {
    "accreditation:application-section",  # one section of the application (ApplicationSection)
    "accreditation:feedback-respond",  # the team's answers to the panel's feedback points
    "reporting:report-schedule",  # a HIT's reporting schedule
    "reporting:report-due-date",  # an open report's due date
}

# Pages whose URL looks like an edit page but that change no existing row a colleague could also be
# editing (a new row, a one-off action), with the reason.
NOT_EDITS: dict[str, str] = {}


def _url_names(suffixes: tuple[str, ...] | None) -> set[str]:
    """URL names of the portal (outside the admin), those ending in one of `suffixes` if given."""
    names: set[str] = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                walk(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif (
                isinstance(entry, URLPattern)
                and entry.name
                and (suffixes is None or entry.name.endswith(suffixes))
            ):
                names.add(f"{prefix}{entry.name}")

    walk(get_resolver(), "")
    return names


def test_every_edit_view_is_covered():
    covered = {case.url_name for case in CASES} | set(NOT_EDITS)

    assert EXTRA_EDIT_PAGES - _url_names(None) == set()  # every extra page still exists
    assert (_url_names(("-edit",)) | EXTRA_EDIT_PAGES) - covered == set()


VERSION_INPUT = re.compile(r'<input[^>]*name="((?:[\w-]+-)?version)"([^>]*)>')
VALUE = re.compile(r'value="([^"]*)"')
CONFLICT_PANEL = re.compile(r'<section class="[^"]*edit-conflict.*?</section>', re.DOTALL)


def _version(page: str) -> dict[str, str]:
    found = VERSION_INPUT.search(page)
    assert found, "the edit form carries no version field"
    value = VALUE.search(found.group(2))  # no value: a row never saved ("")
    return {found.group(1): html.unescape(value.group(1)) if value else ""}


@pytest.fixture
def colleague(hit):
    user = f.UserFactory(full_name="Cole League")
    person = f.PersonFactory(user=user, full_name=user.full_name, email=user.email)
    f.MembershipFactory(hit=hit, person=person, role="member")
    return user


@pytest.fixture
def other_programme_manager(db):
    user = f.UserFactory(full_name="Morgan Manager")
    f.RoleAssignmentFactory(user=user, role=ProgrammeRole.PROGRAMME_MANAGER)
    return user


def _open(request, hit, case: EditCase) -> tuple[dict, object, str, str, object]:
    """ctx, the row, the URL the form is posted to, the URL of the page showing it, and the user."""
    user = request.getfixturevalue(case.persona)
    ctx = {"hit": hit, "user": user, "fixture": request.getfixturevalue}
    ctx["peer"] = request.getfixturevalue(case.peer)
    kwargs, row = case.build(ctx)
    url = reverse(case.url_name, kwargs=kwargs) + case.query
    return ctx, row, url, reverse(case.page or case.url_name, kwargs=kwargs) + case.query, user


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_stale_save_is_refused_and_keeps_the_typed_text(request, client, hit, case):
    ctx, row, url, page_url, user = _open(request, hit, case)
    client.force_login(user)
    opened = client.get(page_url)
    assert opened.status_code == 200
    started_from = _version(opened.content.decode())

    case.elsewhere(row, ctx)
    refused = client.post(url, {**case.post(row), **started_from})

    page = refused.content.decode()
    panel = CONFLICT_PANEL.search(page)
    shown_typed, shown_theirs = case.shown or (str(case.typed), str(case.theirs))
    assert refused.status_code == 409
    assert html.escape(STALE_MESSAGE) in page
    assert panel, "no conflict panel on the page"
    assert html.escape(shown_typed) in panel.group(0)  # both versions side by side
    assert html.escape(shown_theirs) in panel.group(0)
    assert (case.kept or html.escape(TYPED)) in page.replace(panel.group(0), "")  # still in the form
    assert case.read(row) == case.theirs  # the colleague's change survived

    again = client.post(url, {**case.post(row), **_version(page)})
    assert again.status_code == 302
    assert case.read(row) == case.typed


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fresh_save_goes_through(request, client, hit, case):
    _ctx, row, url, page_url, user = _open(request, hit, case)
    client.force_login(user)
    started_from = _version(client.get(page_url).content.decode())

    response = client.post(url, {**case.post(row), **started_from})

    assert response.status_code == 302
    assert case.read(row) == case.typed


def _variant(data: dict, suffix: str) -> dict:
    return {
        key: value.replace(TYPED, TYPED + suffix) if isinstance(value, str) else value
        for key, value in data.items()
    }


# Skipped before the database is set up: only the PostgreSQL pass runs them.
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: two connections racing for a lock"
)


@pytest.mark.integration
@needs_postgresql
# Committed rows (each thread has its own connection); the seeded vocabularies are put back first.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_vocabularies")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_two_connections_saving_one_opened_form_at_once_save_once(request, hit, case):
    _ctx, row, url, page_url, user = _open(request, hit, case)
    opener = Client()
    opener.force_login(user)
    started_from = _version(opener.get(page_url).content.decode())
    barrier = threading.Barrier(2)
    outcomes: dict[str, int] = {}

    def send(suffix: str) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            outcomes[suffix] = client.post(
                url, {**_variant(case.post(row), suffix), **started_from}
            ).status_code
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=send, args=(suffix,)) for suffix in (" (tab A)", " (tab B)")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == [302, 409]
    winner = next(suffix for suffix, status in outcomes.items() if status == 302)
    expected = case.typed.replace(TYPED, TYPED + winner) if isinstance(case.typed, str) else case.typed
    assert case.read(row) == expected
