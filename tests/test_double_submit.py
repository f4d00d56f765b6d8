"""Create forms create once: a double click, a retry or two tabs on one opened form make one row.

Each case is one create page. Sending its form twice with the same one-time key makes one row, and
the second submission is sent to what the first created. On PostgreSQL the two posts race on two
connections at the same moment, and still one row results.

`test_every_create_view_is_covered` fails when a create page exists that no case walks.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.idempotency import ALREADY_SUBMITTED_MESSAGE, FORM_KEY_FIELD
from engagement.models import InvolvementActivity

TYPED = "Typed once, sent twice"


@dataclass(frozen=True)
class CreateCase:
    """One create page.

    kwargs(ctx) -> the URL's kwargs; post(ctx) -> the form data a user sends (TYPED in a text field);
    count(ctx) -> how many rows with TYPED exist now.
    """

    url_name: str
    persona: str
    kwargs: Callable[[dict], dict]
    post: Callable[[dict], dict]
    count: Callable[[dict], int]


CASES = [
    CreateCase(
        "engagement:ppi-activity-create",
        "director",
        lambda ctx: {"hit_pk": ctx["hit"].pk},
        lambda ctx: {
            "happened_on": "2026-11-02",
            "activity_type": "meeting",
            "description": TYPED,
            "patients": 2,
            "carers": 0,
            "public": 1,
            "named_with_consent": "",
            "hours": "1.5",
            "level": "involve",
            "decision_forum": "none",
            "impact": "",
            "recognition": "none",
        },
        lambda ctx: InvolvementActivity.objects.filter(hit=ctx["hit"], description=TYPED).count(),
    ),
]

# Pages whose URL looks like a create page but whose second submission cannot duplicate anything,
# with the reason.
NOT_CREATES: dict[str, str] = {}


def _create_url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                walk(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif isinstance(entry, URLPattern) and entry.name and entry.name.endswith(("-create", "-add")):
                names.add(f"{prefix}{entry.name}")

    walk(get_resolver(), "")
    return names


def test_every_create_view_is_covered():
    covered = {case.url_name for case in CASES} | set(NOT_CREATES)
    assert _create_url_names() - covered == set()


KEY_INPUT = re.compile(r'<input[^>]*name="(?:[\w-]+-)?form_key"[^>]*value="([^"]*)"')


def _key(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    found = KEY_INPUT.search(page.content.decode())
    assert found, "the create form carries no one-time key"
    return found.group(1)


def _ctx(hit) -> dict:
    return {"hit": hit}


@pytest.mark.parametrize("case", CASES, ids=[case.url_name for case in CASES])
def test_the_same_form_sent_twice_creates_once(request, client, hit, case):
    ctx = _ctx(hit)
    client.force_login(request.getfixturevalue(case.persona))
    url = reverse(case.url_name, kwargs=case.kwargs(ctx))
    data = {**case.post(ctx), FORM_KEY_FIELD: _key(client, url)}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert case.count(ctx) == 1
    assert second.redirect_chain[0][0] == first.url
    assert ALREADY_SUBMITTED_MESSAGE in second.content.decode()


@pytest.mark.parametrize("case", CASES, ids=[case.url_name for case in CASES])
def test_two_opened_forms_create_two(request, client, hit, case):
    ctx = _ctx(hit)
    client.force_login(request.getfixturevalue(case.persona))
    url = reverse(case.url_name, kwargs=case.kwargs(ctx))

    for _ in range(2):
        assert client.post(url, {**case.post(ctx), FORM_KEY_FIELD: _key(client, url)}).status_code == 302

    assert case.count(ctx) == 2


@pytest.mark.integration
@pytest.mark.parametrize("case", CASES, ids=[case.url_name for case in CASES])
def test_two_connections_posting_one_form_at_once_create_once(request, transactional_db, hit, case):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections racing on the unique key")
    ctx = _ctx(hit)
    user = request.getfixturevalue(case.persona)
    url = reverse(case.url_name, kwargs=case.kwargs(ctx))
    opener = Client()
    opener.force_login(user)
    data = {**case.post(ctx), FORM_KEY_FIELD: _key(opener, url)}
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [302, 302]  # the second is sent to the first one's result
    assert case.count(ctx) == 1
