"""Persona x page matrix for the panel administration pages (accreditation/views/panels.py).

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to accreditation/views/panels.py must be listed here.

Programme managers make panels and change their seats. The round's chair sees its panel read-only
(may see, may not act: 403 on the pages that change it); for anyone else a panel does not exist (404).
Making a panel is refused before any lookup (403), as making a round is.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.enums import PanelRole
from accreditation.models import PanelMember, PanelSeatEvent
from tests import factories as f
from tests.conftest import PERSONAS

ALL = [*PERSONAS, "anonymous"]


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "accreditation:panel-create": (
        "get",
        lambda ctx: {"round_pk": ctx["panel"].round_id},
        _expect(403, programme_manager=200),
    ),
    "accreditation:panel-detail": (
        "get",
        lambda ctx: {"pk": ctx["panel"].pk},
        _expect(404, programme_manager=200, chair=200),
    ),
    "accreditation:panel-seat-add": (
        "post",
        lambda ctx: {"pk": ctx["panel"].pk},
        _expect(404, programme_manager=302, chair=403),
    ),
    "accreditation:panel-seat-remove": (
        "get",
        lambda ctx: {"pk": ctx["seat"].pk},
        _expect(404, programme_manager=200, chair=403),
    ),
    "accreditation:panel-seat-replace": (
        "get",
        lambda ctx: {"pk": ctx["seat"].pk},
        _expect(404, programme_manager=200, chair=403),
    ),
}


@pytest.fixture
def ctx(panel):
    """The conftest panel (its chair is the `chair` persona once requested), a seated reviewer, and a
    person with an account who could be seated."""
    seat = f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER)
    newcomer = f.UserFactory(full_name="Nell Newcomer")
    person = f.PersonFactory(user=newcomer, full_name="Nell Newcomer", email=newcomer.email)
    return {"panel": panel, "seat": seat, "person": person}


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
    data = {"person": ctx["person"].pk, "role": PanelRole.REVIEWER} if method == "post" else None

    response = getattr(client, method)(url, data)

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


def test_permitted_seat_add_in_matrix_really_seats(client, ctx, programme_manager):
    client.force_login(programme_manager)

    response = client.post(
        reverse("accreditation:panel-seat-add", args=[ctx["panel"].pk]),
        {"person": ctx["person"].pk, "role": PanelRole.REVIEWER},
    )

    assert response.url == reverse("accreditation:panel-detail", args=[ctx["panel"].pk])
    assert PanelMember.objects.filter(panel=ctx["panel"], user=ctx["person"].user).count() == 1
    assert PanelSeatEvent.objects.filter(panel=ctx["panel"], user=ctx["person"].user).count() == 1


@pytest.mark.parametrize("url_name", ["accreditation:panel-seat-remove", "accreditation:panel-seat-replace"])
def test_chair_refused_posts_change_nothing(client, ctx, chair, url_name):
    client.force_login(chair)

    response = client.post(reverse(url_name, args=[ctx["seat"].pk]), {"person": ctx["person"].pk})

    assert response.status_code == 403
    assert PanelMember.objects.filter(pk=ctx["seat"].pk).exists()
    assert PanelSeatEvent.objects.count() == 0
