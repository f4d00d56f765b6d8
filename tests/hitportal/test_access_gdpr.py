"""Persona x page matrix for data protection requests (hitportal/gdpr/views.py).

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to hitportal/gdpr/views.py must be listed here. Programme managers only: everyone else
signed in gets 403 with the reason, anonymous visitors go to the sign-in page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from teams.models import GdprAction
from tests import factories as f
from tests.conftest import PERSONAS
from tests.url_names import url_names

ALL = [*PERSONAS, "anonymous"]


def _pm_only(status: int = 200) -> dict[str, int]:
    expected = dict.fromkeys(ALL, 403)
    expected.update(programme_manager=status, anonymous=302)
    return expected


def _everyone_signed_in(status: int) -> dict[str, int]:
    return {**dict.fromkeys(PERSONAS, status), "anonymous": 302}


def _person(ctx) -> dict:
    return {"pk": ctx["person"].pk}


# url name -> (kwargs builder, expected GET status, expected status of an empty POST)
# GET-only pages answer a signed-in POST with 405; an empty erase POST re-renders with its errors.
MATRIX = {
    "gdpr:person-data": (_person, _pm_only(), _everyone_signed_in(405)),
    "gdpr:person-export": (_person, _pm_only(), _everyone_signed_in(405)),
    "gdpr:person-erase": (_person, _pm_only(), _pm_only()),
}


@pytest.fixture
def ctx(db):
    person = f.PersonFactory(full_name="Jane Smith")
    f.AffiliationFactory(person=person)
    return {"person": person}


def _cases(index: int) -> list[tuple[str, str, int]]:
    return [(url_name, name, spec[index][name]) for url_name, spec in MATRIX.items() for name in ALL]


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(1), indirect=["persona"])
def test_gdpr_persona_matrix_get(client, ctx, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)))

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(2), indirect=["persona"])
def test_gdpr_persona_matrix_post(client, ctx, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.post(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)), {})

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", [p for p in ALL if p != "programme_manager"], indirect=True)
def test_gdpr_erase_by_anyone_else_changes_nothing(client, ctx, persona):
    if persona is not None:
        client.force_login(persona)

    client.post(
        reverse("gdpr:person-erase", args=[ctx["person"].pk]), {"reason": "Because.", "confirm": "on"}
    )

    ctx["person"].refresh_from_db()
    assert ctx["person"].full_name == "Jane Smith"
    assert GdprAction.objects.count() == 0


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "programme_manager"], indirect=True)
def test_gdpr_export_by_anyone_else_is_refused_with_the_reason_and_not_recorded(client, ctx, persona):
    client.force_login(persona)

    response = client.get(reverse("gdpr:person-export", args=[ctx["person"].pk]))

    assert "Only programme managers handle data protection requests." in response.content.decode()
    assert GdprAction.objects.count() == 0


def test_gdpr_pages_of_a_missing_person_are_404(client, programme_manager):
    client.force_login(programme_manager)

    statuses = [client.get(reverse(name, args=[999999])).status_code for name in MATRIX]

    assert statuses == [404, 404, 404]


def test_matrix_covers_every_gdpr_url():
    from hitportal.gdpr import urls, views

    assert url_names(urls, views) == set(MATRIX)
