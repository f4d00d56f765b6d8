"""Persona matrix for the vocabulary pages: programme managers only (403 with the reason for others)."""

import pytest
from django.urls import reverse

from teams.models import Theme, VocabularyChange
from tests.conftest import PERSONAS

ALL = [*PERSONAS, "anonymous"]


def _pm_only(manager: int = 200) -> dict[str, int]:
    expected = dict.fromkeys(ALL, 403)
    expected["anonymous"] = 302
    expected["programme_manager"] = manager
    return expected


MATRIX = {
    "teams:vocabulary-list": ("get", lambda theme: {"vocabulary": "theme"}, _pm_only()),
    "teams:vocabulary-term-create": ("post", lambda theme: {"vocabulary": "theme"}, _pm_only(302)),
    "teams:vocabulary-term-edit": (
        "post",
        lambda theme: {"vocabulary": "theme", "pk": theme.pk},
        _pm_only(302),
    ),
}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(name, persona, spec[2][persona]) for name, spec in MATRIX.items() for persona in ALL],
    indirect=["persona"],
)
def test_vocabularies_persona_matrix(db, client, url_name, persona, expected):
    method, kwargs, _ = MATRIX[url_name]
    theme = Theme.objects.get(code="ppi")
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(
        reverse(url_name, kwargs=kwargs(theme)), {"code": "new", "name": "New name", "position": 1}
    )

    assert response.status_code == expected
    if response.status_code == 403:
        assert "Only programme managers edit the vocabularies." in response.content.decode()
    if expected != 302 or persona is None:
        assert VocabularyChange.objects.exists() is False
