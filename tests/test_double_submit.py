"""Create forms create once: a double click, a retry or two tabs on one opened form make one row.

Each case is one create page (tests/concurrency_cases/<app>.py). Sending its form twice with the
same one-time key makes one row, and the second submission is sent to what the first created. On
PostgreSQL the two posts race on two connections at the same moment, and still one row results.

`test_every_create_view_is_covered` fails when a create page exists that no case walks.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accreditation.enums import PanelRole
from accreditation.models import Decision
from core.idempotency import ALREADY_SUBMITTED_MESSAGE
from engagement.models import Instrument
from reporting.models import ExportJob
from reporting.services import exports
from teams.enums import HITStatus
from teams.models import HIT
from tests import factories as f
from tests.concurrency_cases import accreditation, engagement, reporting, teams
from tests.concurrency_cases.base import CreateCase
from tests.factories import engagement as ef
from tests.factories.accreditation_panel import (
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    submitted_review,
)
from tests.test_edit_conflicts import _url_names

CASES: list[CreateCase] = [
    *teams.CREATE_CASES,
    *accreditation.CREATE_CASES,
    *engagement.CREATE_CASES,
    *reporting.CREATE_CASES,
]
IDS = [case.id for case in CASES]

# Create pages whose URL name does not end in "-create" or "-add": each POST adds a row.
EXTRA_CREATE_PAGES: set[str] = {
    "teams:document-upload",  # a new version of a HIT's document
    "accreditation:stakeholder-table",  # a row of the application's stakeholder table
    "accreditation:assignment-manage",  # a reviewer assigned to the application
    "engagement:ppi-support-detail",  # support given on a request (its status change is a transition)
    "engagement:instrument-new-version",  # the next version of an item bank
    "reporting:stage-assess",  # a life-cycle stage assessment (the HIT's history of them)
    "api:token",  # the user's API token
}

# Pages whose URL looks like a create page (or that create something) but whose second submission
# cannot duplicate anything, with the reason; each reason is proved by a test in this module.
NOT_CREATES: dict[str, str] = {
    "accreditation:decision-create": (
        "The form carries the status the application had when the chair opened it "
        "(expected_status); the decision service locks the application and refuses a decision on "
        "one that is no longer under review (StaleState), so a second submission records nothing "
        "and says who decided first."
    ),
    "api:token": (
        "Not a create but a replacement: the service locks the user's row, deletes their token and "
        "makes a new one, so two posts at once leave exactly one token, the one the page then shows."
    ),
    "engagement:instrument-new-version": (
        "A new version is started only while the latest one is published, under a lock on it; a "
        "second click finds the new draft and is refused ('still a draft'), and the version numbers "
        "of one item bank are unique in the database."
    ),
}


def test_every_create_view_is_covered():
    covered = {case.url_name for case in CASES} | set(NOT_CREATES)

    assert EXTRA_CREATE_PAGES - _url_names(None) == set()  # every extra page still exists
    assert (_url_names(("-create", "-add")) | EXTRA_CREATE_PAGES) - covered == set()


KEY_INPUT = re.compile(r'<input[^>]*name="((?:[\w-]+-)?form_key)"[^>]*value="([^"]*)"')


def _key(client: Client, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    found = KEY_INPUT.search(page.content.decode())
    assert found, "the create form carries no one-time key"
    return {found.group(1): found.group(2)}


def _arrange(request, hit, case: CreateCase) -> tuple[dict, object, str]:
    user = request.getfixturevalue(case.persona)
    ctx = {"hit": hit, "user": user, "fixture": request.getfixturevalue}
    if case.setup:
        case.setup(ctx)
    return ctx, user, reverse(case.url_name, kwargs=case.kwargs(ctx))


def _data(case: CreateCase, ctx: dict, key: dict[str, str]) -> dict:
    """The form as the browser sends it: fields, uploads (fresh each time) and the one-time key."""
    return {**case.post(ctx), **(case.files(ctx) if case.files else {}), **key}


def _form_page(case: CreateCase, ctx: dict, url: str) -> str:
    return case.form_page(ctx) if case.form_page else url


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_same_form_sent_twice_creates_once(request, client, hit, case):
    ctx, user, url = _arrange(request, hit, case)
    client.force_login(user)
    key = _key(client, _form_page(case, ctx, url))

    first = client.post(url, _data(case, ctx, key))
    second = client.post(url, _data(case, ctx, key), follow=True)

    assert first.status_code == 302
    assert case.count(ctx) == 1
    assert second.redirect_chain[0][0] == first.url
    assert ALREADY_SUBMITTED_MESSAGE in second.content.decode()


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.repeatable], ids=[c.id for c in CASES if c.repeatable]
)
def test_two_opened_forms_create_two(request, client, hit, case):
    ctx, user, url = _arrange(request, hit, case)
    client.force_login(user)

    for _ in range(2):
        key = _key(client, _form_page(case, ctx, url))
        assert client.post(url, _data(case, ctx, key)).status_code == 302

    assert case.count(ctx) == 2


@pytest.mark.parametrize(
    "case", [c for c in CASES if not c.repeatable], ids=[c.id for c in CASES if not c.repeatable]
)
def test_two_opened_forms_of_the_same_content_create_one(request, client, hit, case):
    ctx, user, url = _arrange(request, hit, case)
    client.force_login(user)
    first = client.post(url, _data(case, ctx, _key(client, _form_page(case, ctx, url))))

    second = client.post(url, _data(case, ctx, _key(client, _form_page(case, ctx, url))))

    assert (first.status_code, second.status_code) == (302, 200)  # refused next to the field
    assert case.count(ctx) == 1


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
def test_two_connections_posting_one_form_at_once_create_once(request, hit, case):
    ctx, user, url = _arrange(request, hit, case)
    opener = Client()
    opener.force_login(user)
    key = _key(opener, _form_page(case, ctx, url))
    payloads = [_data(case, ctx, key) for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(data: dict) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=send, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [302, 302]  # the second is sent to the first one's result
    assert case.count(ctx) == 1


# --- The pages in NOT_CREATES: each reason, proved --------------------------------------------------


def _decidable(hit):
    """An application under review with the two submitted reviews its round needs, and its chair."""
    HIT.objects.filter(pk=hit.pk).update(status=HITStatus.IN_APPLICATION)
    panel = f.PanelFactory()
    application = PanelApplicationFactory(hit=hit, round=panel.round)
    PanelRevisionFactory(application=application)
    for _ in range(2):
        reviewer = f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user
        submitted_review(
            ReviewAssignmentFactory(application=application, reviewer=reviewer, declared_none=True)
        )
    chair = f.PanelMemberFactory(panel=panel, role=PanelRole.CHAIR).user
    return application, chair


DECISION = {
    "outcome": "accredit",
    "rationale": "A strong team.",
    "expected_status": "under_review",
    "conditions-TOTAL_FORMS": "1",
    "conditions-INITIAL_FORMS": "0",
    "conditions-MIN_NUM_FORMS": "0",
    "conditions-MAX_NUM_FORMS": "1000",
}


def test_a_decision_sent_twice_is_recorded_once(client, hit):
    application, chair = _decidable(hit)
    client.force_login(chair)
    url = reverse("accreditation:decision-create", args=[application.pk])

    first = client.post(url, DECISION)
    second = client.post(url, DECISION, follow=True)

    assert first.status_code == 302
    assert Decision.objects.filter(application=application).count() == 1
    assert [str(m) for m in second.context["messages"]][-1].startswith(
        "This application was already accredited by"
    )


@pytest.mark.integration
@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_vocabularies")
def test_two_connections_sending_one_decision_at_once_record_one(hit):
    application, chair = _decidable(hit)
    url = reverse("accreditation:decision-create", args=[application.pk])
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = Client()
            client.force_login(chair)
            barrier.wait(timeout=10)
            statuses.append(client.post(url, DECISION).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [302, 302]  # the second is sent back to the page with "already accredited by"
    assert Decision.objects.filter(application=application).count() == 1


def test_a_new_item_bank_version_started_twice_is_started_once(client, programme_manager):
    instrument = ef.InstrumentFactory(name="Readiness", version=1, is_published=True)
    ef.ItemFactory(instrument=instrument)
    client.force_login(programme_manager)
    url = reverse("engagement:instrument-new-version", args=[instrument.pk])

    first = client.post(url)
    second = client.post(url, follow=True)

    assert first.status_code == 302
    assert list(
        Instrument.objects.filter(name="Readiness").order_by("version").values_list("version", "is_published")
    ) == [
        (1, True),
        (2, False),
    ]
    assert [str(m) for m in second.context["messages"]][-1] == (
        "Version 2 is still a draft: change or publish it before starting another."
    )


def test_an_api_token_replaced_twice_leaves_one_token(client, programme_manager):
    client.force_login(programme_manager)

    client.post(reverse("api:token"))
    page = client.post(reverse("api:token"), follow=True)

    tokens = list(Token.objects.filter(user=programme_manager))
    assert len(tokens) == 1
    assert tokens[0].key in page.content.decode()


@pytest.mark.integration
@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_vocabularies")
def test_two_connections_replacing_a_token_at_once_leave_one(programme_manager):
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = Client()
            client.force_login(programme_manager)
            barrier.wait(timeout=10)
            statuses.append(client.post(reverse("api:token")).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [302, 302]
    assert Token.objects.filter(user=programme_manager).count() == 1


def test_export_buttons_of_one_page_make_one_export_per_format(client, programme_manager, hit, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)
    client.force_login(programme_manager)
    key = _key(client, reverse("teams:hit-list"))
    url = reverse("reporting:export-create")

    for format in ("csv", "xlsx", "csv"):
        client.post(url, {"kind": "hits", "format": format, **key})

    assert sorted(ExportJob.objects.values_list("format", flat=True)) == ["csv", "xlsx"]
