"""The persona x page matrix: every URL of the portal, every persona, the exact status code.

A URL pattern missing from MATRIX fails `test_every_url_pattern_is_in_the_matrix`, so a new page
cannot ship without deciding who may open it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from engagement.services.network import network_compute
from tests.conftest import PERSONAS
from tests.factories import engagement as ef
from tests.factories import teams_lifecycle as lf

ALL = [*PERSONAS, "anonymous"]
HIT_READERS = {"programme_manager", "board_member", "ppi_facilitator", "director", "sponsor", "teammate"}
HIT_MEMBERS_ELSEWHERE = {"outsider"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _pm_only() -> dict[str, int]:
    return _expect(403, programme_manager=200)


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "home": ("get", lambda ctx: {}, _expect(200)),
    "profile": ("get", lambda ctx: {}, _expect(200)),
    # One's own second factor (hitportal/security): every login; confirming a code first needs one set up.
    "second-factor": ("get", lambda ctx: {}, _expect(200)),
    "second-factor-confirm": ("get", lambda ctx: {}, _expect(302)),
    "sign-out-others": ("post", lambda ctx: {}, _expect(302)),
    "session-list": ("get", lambda ctx: {}, _expect(200)),
    # Passkeys: the options to register one (any login), and to use one (none of the personas has one).
    "passkey-register-options": ("post", lambda ctx: {}, _expect(200)),
    "passkey-options": ("post", lambda ctx: {}, _expect(404, anonymous=404)),
    # Another login's session (or none) is not found: each persona may end only its own.
    "session-end": ("post", lambda ctx: {"pk": ctx["foreign_session"].pk}, _expect(404, anonymous=302)),
    "teams:hit-list": (
        "get",
        lambda ctx: {},
        _expect(403, **dict.fromkeys(HIT_READERS | HIT_MEMBERS_ELSEWHERE, 200)),
    ),
    "teams:hit-detail": (
        "get",
        lambda ctx: {"pk": ctx["hit"].pk},
        _expect(404, **dict.fromkeys(HIT_READERS, 200)),
    ),
    "teams:hit-transition": (
        "post",
        lambda ctx: {"pk": ctx["hit"].pk},
        _expect(
            404,
            programme_manager=302,
            board_member=403,
            ppi_facilitator=403,
            director=403,
            sponsor=403,
            teammate=403,
        ),
    ),
    "teams:organisation-list": ("get", lambda ctx: {}, _pm_only()),
    "teams:organisation-create": ("get", lambda ctx: {}, _pm_only()),
    "teams:organisation-detail": ("get", lambda ctx: {"pk": ctx["organisation"].pk}, _pm_only()),
    "teams:organisation-edit": ("get", lambda ctx: {"pk": ctx["organisation"].pk}, _pm_only()),
    "teams:person-list": ("get", lambda ctx: {}, _pm_only()),
    "teams:person-create": ("get", lambda ctx: {}, _pm_only()),
    "teams:person-detail": ("get", lambda ctx: {"pk": ctx["person"].pk}, _pm_only()),
    "teams:person-edit": ("get", lambda ctx: {"pk": ctx["person"].pk}, _pm_only()),
    "teams:affiliation-create": ("get", lambda ctx: {"pk": ctx["person"].pk}, _pm_only()),
    # Searching people and organisations from a form that names one: HIT members and programme managers.
    "teams:directory-lookup": (
        "get",
        lambda ctx: {"directory": "people"},
        _expect(
            403, **dict.fromkeys(["programme_manager", "director", "sponsor", "teammate", "outsider"], 200)
        ),
    ),
}

# Public pages and Django's own admin (guarded by is_staff) are outside the persona matrix.
PUBLIC = {
    "accreditation:sponsor-confirm",  # reached from the sponsor's emailed, signed link
    "health",  # the container healthchecks' probe: only whether the database, cache and broker answer
    "login",
    "login-code",  # the sign-in's code step: only after a correct password, in the same session
    "sso-login",  # single sign-on: off to the provider (404 for a provider not configured)
    "sso-callback",  # back from the provider, checked there (tests/hitportal/test_sso.py)
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
}


def _url_names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _url_names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{prefix}{entry.name}")
    return names


def _all_matrices() -> dict:
    """This module's MATRIX plus the MATRIX of every tests/**/test_access_*.py module."""
    import importlib
    import pathlib

    found = dict(MATRIX)
    root = pathlib.Path(__file__).parent
    for path in sorted(root.rglob("test_access_*.py")):
        module = importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts))
        found.update(getattr(module, "MATRIX", {}))
    return found


def test_every_url_pattern_is_in_the_matrix():
    assert _url_names(get_resolver()) - PUBLIC - set(_all_matrices()) == set()


@pytest.fixture
def ctx(hit):
    from tests import factories as f

    organisation = f.OrganisationFactory()
    person = f.PersonFactory()
    f.AffiliationFactory(person=person, organisation=organisation)
    foreign_session = f.LoginSessionFactory()
    return {"hit": hit, "organisation": organisation, "person": person, "foreign_session": foreign_session}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[2][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_persona_matrix(client, ctx, url_name, persona, expected):
    method, kwargs, _ = MATRIX[url_name]
    if persona is not None:
        client.force_login(persona)
    url = reverse(url_name, kwargs=kwargs(ctx))
    data = (
        {"action": "suspend", "expected_status": "active", "reason": "Matrix test"}
        if method == "post"
        else None
    )

    response = getattr(client, method)(url, data)

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


# --- What a page lists, each persona may open (docs/domain.md section 4) -------------------------------------
# A role that may not open a page must not see it listed either: every link on a HIT's pages is
# followed as each persona who sees the HIT, and none may answer "not found" or "forbidden".

LINK = re.compile(r'href="(/[^"#?]*)')


@pytest.fixture
def records(settings, tmp_path, hit, director, sponsor, teammate):
    """`hit` with one of each record its page lists: a document (also its closure report), a
    meeting, a sponsor contact, a coverage score, a PPI activity, a wave with results, a maturity
    assessment and an action."""
    settings.MEDIA_ROOT = tmp_path
    document = lf.DocumentFactory(hit=hit, title="Data sharing agreement")
    lf.MeetingFactory(hit=hit, notes="Discussed the crisis pathway.")
    lf.SponsorInteractionFactory(hit=hit, sponsor=sponsor.person)
    lf.ClosureRecordFactory(hit=hit, closure_report=document)
    ef.CoverageScoreFactory(hit=hit)
    ef.InvolvementActivityFactory(hit=hit)
    ef.ReadinessResultFactory(wave=ef.WaveFactory(hit=hit))
    ef.MaturityAssessmentFactory(hit=hit)
    ef.ActionPlanItemFactory(hit=hit)
    # The partnership network of the HIT's groups (its pages are in tests/engagement/test_access_network.py).
    network_compute(hit_ids=[hit.pk])
    return {"hit": hit, "document": document}


def _links(response) -> set[str]:
    return {link for link in LINK.findall(response.content.decode()) if not link.startswith("/static/")}


@pytest.mark.parametrize("persona", sorted(HIT_READERS), indirect=True)
def test_hit_pages_link_only_pages_the_persona_may_open(client, records, persona):
    """From the HIT page and its dashboard, two links deep within the HIT's own pages."""
    client.force_login(persona)
    pk = records["hit"].pk
    scope = f"/hits/{pk}/"
    to_visit = [reverse("teams:hit-detail", args=[pk]), reverse("reporting:hit-dashboard", args=[pk])]
    seen = set(to_visit)
    refused = {}
    for depth in range(3):
        found: list[str] = []
        for link in to_visit:
            response = client.get(link)
            if response.streaming:
                # Read to the end, as a server would: the test client then closes the file without
                # closing the test's database connection (response.close() would, on PostgreSQL).
                b"".join(response.streaming_content)
            if response.status_code in (403, 404):
                refused[link] = response.status_code
            elif depth < 2 and response.get("Content-Type", "").startswith("text/html"):
                found += [new for new in _links(response) if new not in seen and (scope in new or depth == 0)]
        to_visit = sorted(set(found))
        seen |= set(found)

    assert len(seen) > 10
    assert refused == {}


@pytest.mark.parametrize("persona", ["board_member", "ppi_facilitator"], indirect=True)
def test_board_and_facilitator_see_no_documents_meetings_sponsor_log_or_map_on_the_hit_page(
    client, records, persona
):
    client.force_login(persona)
    pk = records["hit"].pk

    content = client.get(reverse("teams:hit-detail", args=[pk])).content.decode()

    assert "Data sharing agreement" not in content
    assert "Discussed the crisis pathway." not in content
    hidden = [
        reverse("teams:document-list", args=[pk]),
        reverse("teams:document-download", args=[records["document"].pk]),
        reverse("teams:meeting-list", args=[pk]),
        reverse("teams:sponsor-log", args=[pk]),
        reverse("engagement:stakeholder-map", args=[pk]),
        reverse("engagement:action-list", args=[pk]),
        reverse("engagement:network-detail", args=[pk]),
    ]
    assert [url for url in hidden if url in content] == []


def test_director_finds_every_record_on_the_hit_page(client, records, director):
    client.force_login(director)
    pk = records["hit"].pk

    content = client.get(reverse("teams:hit-detail", args=[pk])).content.decode()

    listed = [
        reverse("teams:document-list", args=[pk]),
        reverse("teams:document-download", args=[records["document"].pk]),
        reverse("teams:meeting-list", args=[pk]),
        reverse("teams:sponsor-log", args=[pk]),
        reverse("engagement:stakeholder-map", args=[pk]),
        reverse("engagement:coverage-detail", args=[pk]),
        reverse("engagement:ppi-log", args=[pk]),
        reverse("engagement:wave-list", args=[pk]),
        reverse("engagement:maturity-list", args=[pk]),
        reverse("engagement:action-list", args=[pk]),
        reverse("engagement:network-detail", args=[pk]),
    ]
    assert [url for url in listed if url not in content] == []


def test_board_member_sees_no_personal_contact_details(
    client, records, board_member, director, sponsor, teammate
):
    client.force_login(board_member)
    pk = records["hit"].pk
    pages = [
        reverse("teams:hit-detail", args=[pk]),
        reverse("teams:member-list", args=[pk]) + "?ended=1",
        reverse("reporting:hit-dashboard", args=[pk]),
        reverse("engagement:maturity-list", args=[pk]),
    ]
    addresses = {user.email for user in (director, sponsor, teammate)} | {
        user.person.email for user in (director, sponsor, teammate)
    }

    shown = {
        (page, address)
        for page in pages
        for address in addresses
        if address in client.get(page).content.decode()
    }

    assert [client.get(page).status_code for page in pages] == [200, 200, 200, 200]
    assert shown == set()
