"""Persona x page matrix for the sign-up pages (hitportal/account_urls.py).

Signing up is for visitors: anyone signed in is sent home from the form. The "check your email" page
and a verification link (here one that is not valid) answer everyone alike.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PERSONAS

ALL = [*PERSONAS, "anonymous"]


def _signed_in_sent_home() -> dict[str, int]:
    expected = dict.fromkeys(ALL, 302)
    expected["anonymous"] = 200
    return expected


# url name -> (kwargs builder, expected GET status per persona)
MATRIX = {
    "signup": (lambda ctx: {}, _signed_in_sent_home()),
    "signup_sent": (lambda ctx: {}, dict.fromkeys(ALL, 200)),
    "signup_verify": (lambda ctx: {"uidb64": "MTI", "token": "cz8d5k-0a1b2c3d4e5f"}, dict.fromkeys(ALL, 200)),
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[1][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_signup_persona_matrix(client, hit, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][0]({"hit": hit})))

    assert response.status_code == expected
    if expected == 302:
        assert response.url == reverse("home")
