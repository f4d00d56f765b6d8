"""Persona x page matrix for the audit log (hitportal/audit/views.py).

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to hitportal/audit/urls.py must be listed here. Programme managers only: everyone else
signed in gets 403 with the reason, anonymous visitors go to the sign-in page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

ALL = [*PERSONAS, "anonymous"]


def _pm_only() -> dict[str, int]:
    expected = dict.fromkeys(ALL, 403)
    expected.update(programme_manager=200, anonymous=302)
    return expected


# url name -> (kwargs builder, expected GET status per persona)
MATRIX = {
    "audit:log": (lambda ctx: {}, _pm_only()),
}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[1][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_audit_persona_matrix(client, hit, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][0]({"hit": hit})))

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


def test_audit_log_is_read_only(client, programme_manager):
    client.force_login(programme_manager)

    response = client.post(reverse("audit:log"))

    assert response.status_code == 405


def test_matrix_covers_every_audit_url():
    from hitportal.audit.urls import urlpatterns

    assert {f"audit:{p.name}" for p in urlpatterns} == set(MATRIX)
