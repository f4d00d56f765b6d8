"""No lost updates: every edit view refuses a stale save and keeps what the user typed.

Each case is one edit page. The test opens the form as one user, lets a colleague save a change
through the portal's own service, then sends the first user's form (with the version it was opened
at). The save must be refused with 409 and the "someone changed this" message, both versions shown,
the user's typed text still on the page and the colleague's change intact in the database. Sending
the form again from the conflict page (now carrying the new version) is a deliberate overwrite and
goes through.

`test_every_edit_view_is_covered` fails when an edit page exists that no case walks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.concurrency import STALE_MESSAGE
from engagement import services as engagement_services
from engagement import services_ppi
from tests import factories as f
from tests.factories import engagement as ef

TYPED = "Typed by the second editor"
THEIRS = "Saved by the first editor"


@dataclass(frozen=True)
class EditCase:
    """One edit page.

    build(ctx) -> (url kwargs, row): the row the page edits, made for the persona's HIT.
    post(row) -> the form data the user sends, with TYPED in a free-text field.
    elsewhere(row, ctx): a colleague's save through the service, writing THEIRS into that field.
    read(row) -> the value of that field as stored now.
    """

    url_name: str
    persona: str
    build: Callable[[dict], tuple[dict, Any]]
    post: Callable[[Any], dict]
    elsewhere: Callable[[Any, dict], None]
    read: Callable[[Any], str]


# --- engagement --------------------------------------------------------------------------------------


def _map_row(ctx: dict) -> tuple[dict, Any]:
    row = ef.StakeholderFactory(hit=ctx["hit"], role="Link worker")
    return {"hit_pk": ctx["hit"].pk, "pk": row.pk}, row


def _map_row_post(row: Any) -> dict:
    return {
        "organisation": row.organisation_id,
        "category": row.category_id,
        "depth": 2,
        "role": TYPED,
        "start_date": row.start_date.isoformat(),
        "end_date": "",
        "evidence": "",
    }


def _map_row_elsewhere(row: Any, ctx: dict) -> None:
    fresh = type(row).objects.get(pk=row.pk)
    fresh.role = THEIRS
    engagement_services.stakeholder_save(actor=ctx["colleague"], stakeholder=fresh)


def _activity(ctx: dict) -> tuple[dict, Any]:
    row = ef.InvolvementActivityFactory(hit=ctx["hit"], description="A workshop")
    return {"hit_pk": ctx["hit"].pk, "pk": row.pk}, row


def _activity_post(row: Any) -> dict:
    return {
        "happened_on": row.happened_on.isoformat(),
        "activity_type": row.activity_type,
        "description": TYPED,
        "patients": row.patients,
        "carers": row.carers,
        "public": row.public,
        "named_with_consent": "",
        "hours": str(row.hours),
        "level": row.level,
        "decision_forum": row.decision_forum,
        "impact": "",
        "recognition": row.recognition,
    }


def _activity_elsewhere(row: Any, ctx: dict) -> None:
    values = {field: getattr(row, field) for field in services_ppi.ACTIVITY_FIELDS}
    services_ppi.activity_update(
        actor=ctx["colleague"], activity_id=row.pk, values={**values, "description": THEIRS}
    )


CASES = [
    EditCase(
        "engagement:stakeholder-edit",
        "director",
        _map_row,
        _map_row_post,
        _map_row_elsewhere,
        lambda row: type(row).objects.get(pk=row.pk).role,
    ),
    EditCase(
        "engagement:ppi-activity-edit",
        "director",
        _activity,
        _activity_post,
        _activity_elsewhere,
        lambda row: type(row).objects.get(pk=row.pk).description,
    ),
]

# Pages whose URL looks like an edit page but that change no existing row a colleague could also be
# editing (a new row, a one-off action), with the reason.
NOT_EDITS: dict[str, str] = {}


def _edit_url_names() -> set[str]:
    """URL names of pages that edit an existing row: named <entity>-edit, or listed here."""
    names: set[str] = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                walk(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif isinstance(entry, URLPattern) and entry.name and entry.name.endswith("-edit"):
                names.add(f"{prefix}{entry.name}")

    walk(get_resolver(), "")
    return names


def test_every_edit_view_is_covered():
    covered = {case.url_name for case in CASES} | set(NOT_EDITS)
    assert _edit_url_names() - covered == set()


VERSION_INPUT = re.compile(r'<input[^>]*name="(?:[\w-]+-)?version"[^>]*value="([^"]*)"')


def _version(page: str) -> str:
    found = VERSION_INPUT.search(page)
    assert found, "the edit form carries no version field"
    return html.unescape(found.group(1))


@pytest.fixture
def colleague(hit):
    user = f.UserFactory(full_name="Cole League")
    person = f.PersonFactory(user=user, full_name=user.full_name, email=user.email)
    f.MembershipFactory(hit=hit, person=person, role="member")
    return user


@pytest.mark.parametrize("case", CASES, ids=[case.url_name for case in CASES])
def test_stale_save_is_refused_and_keeps_the_typed_text(request, client, hit, colleague, case):
    ctx = {"hit": hit, "colleague": colleague}
    user = request.getfixturevalue(case.persona)
    kwargs, row = case.build(ctx)
    url = reverse(case.url_name, kwargs=kwargs)
    client.force_login(user)
    opened = client.get(url)
    assert opened.status_code == 200
    started_from = _version(opened.content.decode())

    case.elsewhere(row, ctx)
    refused = client.post(url, {**case.post(row), "version": started_from})

    page = refused.content.decode()
    assert refused.status_code == 409
    assert html.escape(STALE_MESSAGE) in page
    assert TYPED in page  # the user's text is still in the form
    assert THEIRS in page  # and the other version is shown beside it
    assert case.read(row) == THEIRS  # the colleague's change survived

    again = client.post(url, {**case.post(row), "version": _version(page)})
    assert again.status_code == 302
    assert case.read(row) == TYPED


@pytest.mark.parametrize("case", CASES, ids=[case.url_name for case in CASES])
def test_fresh_save_goes_through(request, client, hit, colleague, case):
    ctx = {"hit": hit, "colleague": colleague}
    user = request.getfixturevalue(case.persona)
    kwargs, row = case.build(ctx)
    url = reverse(case.url_name, kwargs=kwargs)
    client.force_login(user)
    started_from = _version(client.get(url).content.decode())

    response = client.post(url, {**case.post(row), "version": started_from})

    assert response.status_code == 302
    assert case.read(row) == TYPED
