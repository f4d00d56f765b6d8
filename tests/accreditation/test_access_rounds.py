"""Persona x page matrix for the rounds and expression-of-interest pages.

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to accreditation/views/rounds.py must be listed here.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.enums import EOIStatus
from accreditation.models import EOIEvent
from tests.conftest import PERSONAS
from tests.factories.accreditation_eoi import EOIPartnerFactory, ExpressionOfInterestFactory

ALL = [*PERSONAS, "anonymous"]
# Applicants, HIT members, panel chairs and programme managers work with rounds.
ROUND_USERS = {"programme_manager", "applicant", "director", "sponsor", "teammate", "outsider", "chair"}
# permissions.can_start_eoi: applicants, HIT members and programme managers (not a bare chair).
EOI_STARTERS = ROUND_USERS - {"chair"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "accreditation:round-list": ("get", lambda ctx: {}, _expect(403, **dict.fromkeys(ROUND_USERS, 200))),
    "accreditation:round-create": ("get", lambda ctx: {}, _expect(403, programme_manager=200)),
    "accreditation:round-detail": (
        "get",
        lambda ctx: {"pk": ctx["round"].pk},
        _expect(403, **dict.fromkeys(ROUND_USERS, 200)),
    ),
    "accreditation:round-edit": (
        "get",
        lambda ctx: {"pk": ctx["round"].pk},
        _expect(403, programme_manager=200),
    ),
    "accreditation:eoi-list": ("get", lambda ctx: {}, _expect(403, **dict.fromkeys(ROUND_USERS, 200))),
    "accreditation:eoi-create": (
        "get",
        lambda ctx: {"round_pk": ctx["round"].pk},
        _expect(403, **dict.fromkeys(EOI_STARTERS, 200)),
    ),
    # The author, the round's chair and programme managers see an EOI; for anyone else it does not exist.
    "accreditation:eoi-detail": (
        "get",
        lambda ctx: {"pk": ctx["submitted"].pk},
        _expect(404, applicant=200, chair=200, programme_manager=200),
    ),
    "accreditation:eoi-edit": (
        "get",
        lambda ctx: {"pk": ctx["draft"].pk},
        _expect(404, applicant=200, chair=403, programme_manager=403),
    ),
    # Declining with a note: the chair and programme managers may; the author sees it but may not.
    "accreditation:eoi-transition": (
        "post",
        lambda ctx: {"pk": ctx["submitted"].pk},
        _expect(404, applicant=403, chair=302, programme_manager=302),
    ),
}

POST_DATA = {
    "accreditation:eoi-transition": {
        "action": "decline",
        "expected_status": EOIStatus.SUBMITTED,
        "comment": "It overlaps the work of an existing HIT.",
    },
}


@pytest.fixture
def ctx(panel, applicant):
    """An open round whose panel `chair` chairs, with a draft and a submitted EOI by `applicant`."""
    draft = ExpressionOfInterestFactory(round=panel.round, author=applicant, working_title="Draft EOI")
    submitted = ExpressionOfInterestFactory(
        round=panel.round, author=applicant, working_title="Submitted EOI", submitted=True
    )
    EOIPartnerFactory.create_batch(2, eoi=submitted)
    return {"round": panel.round, "draft": draft, "submitted": submitted}


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

    response = getattr(client, method)(url, POST_DATA.get(url_name))

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["chair", "programme_manager"], indirect=True)
def test_permitted_decline_in_matrix_really_declines(client, ctx, persona):
    client.force_login(persona)

    response = client.post(
        reverse("accreditation:eoi-transition", args=[ctx["submitted"].pk]),
        POST_DATA["accreditation:eoi-transition"],
    )

    ctx["submitted"].refresh_from_db()
    assert response.url == reverse("accreditation:eoi-detail", args=[ctx["submitted"].pk])
    assert ctx["submitted"].status == EOIStatus.DECLINED
    assert EOIEvent.objects.filter(eoi=ctx["submitted"]).count() == 1


@pytest.mark.parametrize("persona", sorted(set(ALL) - {"chair", "programme_manager"}), indirect=True)
def test_refused_decline_in_matrix_changes_nothing(client, ctx, persona):
    if persona is not None:
        client.force_login(persona)

    client.post(
        reverse("accreditation:eoi-transition", args=[ctx["submitted"].pk]),
        POST_DATA["accreditation:eoi-transition"],
    )

    ctx["submitted"].refresh_from_db()
    assert ctx["submitted"].status == EOIStatus.SUBMITTED
    assert EOIEvent.objects.count() == 0
