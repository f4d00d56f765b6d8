"""The persona x page matrix: every URL of the portal, every persona, the exact status code.

A URL pattern missing from MATRIX fails `test_every_url_pattern_is_in_the_matrix`, so a new page
cannot ship without deciding who may open it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS

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
    "login",
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
    return {"hit": hit, "organisation": organisation, "person": person}


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
