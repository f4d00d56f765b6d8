"""Persona x page matrix for a HIT's profile pages (teams/views/profile.py).

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX. The
scene: the active "Dementia HIT" of the conftest director, sponsor and teammate; the outsider directs
another HIT. Cannot see the HIT -> 404; sees it but may not edit -> 403; the history is for whoever
sees the HIT.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.url_names import url_names

ALL = [*PERSONAS, "anonymous"]
# teams.permissions.can_view_hit: portfolio roles and the HIT's members.
READERS = {"programme_manager", "board_member", "ppi_facilitator", "director", "sponsor", "teammate"}
EDITORS = {"programme_manager", "director"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _hit(ctx) -> dict:
    return {"pk": ctx["hit"].pk}


# url name -> (kwargs builder, expected GET status, expected status of an empty POST)
MATRIX = {
    # An allowed empty POST re-renders the form with its errors (200).
    "teams:hit-profile-edit": (
        _hit,
        _expect(404, **{**dict.fromkeys(READERS, 403), **dict.fromkeys(EDITORS, 200)}),
        _expect(404, **{**dict.fromkeys(READERS, 403), **dict.fromkeys(EDITORS, 200)}),
    ),
    "teams:hit-profile-history": (_hit, _expect(404, **dict.fromkeys(READERS, 200)), _expect(405)),
}


@pytest.fixture
def ctx(hit, director, sponsor, teammate, outsider):
    return {"hit": hit}


def _cases(index: int) -> list[tuple[str, str, int]]:
    return [(url_name, name, spec[index][name]) for url_name, spec in MATRIX.items() for name in ALL]


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(1), indirect=["persona"])
def test_profile_persona_matrix_get(client, ctx, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)))

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(2), indirect=["persona"])
def test_profile_persona_matrix_post(client, ctx, url_name, persona, expected):
    """An empty POST: nobody outside the allowed personas gets past the permission check."""
    if persona is not None:
        client.force_login(persona)

    response = client.post(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)), {})

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


def test_the_edit_page_gives_the_reason_to_a_teammate(client, ctx, teammate):
    client.force_login(teammate)

    response = client.get(reverse("teams:hit-profile-edit", args=[ctx["hit"].pk]))

    assert (
        "Only the HIT&#x27;s director or a programme manager edits its profile." in response.content.decode()
    )


def test_matrix_covers_every_profile_url():
    from teams import urls
    from teams.views import profile

    assert url_names(urls, profile) == set(MATRIX)


def test_matrix_lists_every_persona():
    assert all(set(spec[1]) == set(ALL) and set(spec[2]) == set(ALL) for spec in MATRIX.values())
