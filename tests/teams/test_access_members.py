"""Persona matrix for the members pages."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import PERSONAS

ALL = [*PERSONAS, "anonymous"]
READERS = {"programme_manager", "board_member", "ppi_facilitator", "director", "sponsor", "teammate"}


def _expect(**overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, 404)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


MANAGERS = {"programme_manager": 200, "director": 200}
READ_ONLY = dict.fromkeys(READERS - set(MANAGERS), 403)

MATRIX = {
    "teams:member-list": ("get", lambda ctx: {"pk": ctx["hit"].pk}, _expect(**dict.fromkeys(READERS, 200))),
    "teams:member-add": ("get", lambda ctx: {"pk": ctx["hit"].pk}, _expect(**READ_ONLY, **MANAGERS)),
    "teams:working-group-create": (
        "get",
        lambda ctx: {"pk": ctx["hit"].pk},
        _expect(**READ_ONLY, **MANAGERS),
    ),
    "teams:member-end": (
        "post",
        lambda ctx: {"pk": ctx["membership"].pk},
        _expect(**READ_ONLY, programme_manager=302, director=302),
    ),
}


@pytest.fixture
def ctx(hit):
    return {"hit": hit, "membership": f.MembershipFactory(hit=hit)}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(name, persona, spec[2][persona]) for name, spec in MATRIX.items() for persona in ALL],
    indirect=["persona"],
)
def test_members_persona_matrix(db, client, ctx, url_name, persona, expected):
    method, kwargs, _ = MATRIX[url_name]
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(ctx)))

    assert response.status_code == expected
    if method == "post" and expected != 302:
        ctx["membership"].refresh_from_db()
        assert ctx["membership"].end_date is None
