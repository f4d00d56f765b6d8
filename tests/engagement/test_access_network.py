"""Persona x page matrix of the partnership network pages (collected by tests/test_access_matrix.py,
which checks that every URL pattern has an entry somewhere).

The network names the HIT's partner organisations, as the stakeholder map does: its members and
programme managers only (docs/domain.md sections 4 and 8); board members follow density and
articulation points on the board dashboard. Closing or cancelling a round: the director or a
programme manager. The ties' export: programme managers. The respondent's page is public: the
one-time link is the credential.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagement.services import network as svc
from engagement.services.network import PartnerRating
from tests.conftest import PERSONAS
from tests.factories.engagement_network import partners, planned_round, run_round, tokens_from_mail

ALL = [*PERSONAS, "anonymous"]
MEMBERS = {"director", "sponsor", "teammate"}
READERS = MEMBERS | {"programme_manager"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _readers(status: int = 200) -> dict[str, int]:
    return _expect(404, **dict.fromkeys(READERS, status))


def _closers(status: int = 302) -> dict[str, int]:
    return _readers(403) | {"director": status, "programme_manager": status}


def _hit(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk}


def _running(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk, "pk": ctx["running"].pk}


MATRIX = {
    "engagement:network-detail": ("get", _hit, _readers()),
    "engagement:network-export": ("get", _hit, _readers()),
    "engagement:network-rounds": ("get", _hit, _readers()),
    "engagement:network-round": ("get", _running, _readers()),
    "engagement:network-round-contact": (
        "post",
        lambda ctx: _running(ctx) | {"respondent_pk": ctx["respondent"].pk},
        _readers(302),
    ),
    "engagement:network-round-open": ("post", _running, _readers(302)),
    "engagement:network-round-remind": ("post", _running, _readers(302)),
    "engagement:network-round-close": ("post", _running, _closers()),
    "engagement:network-round-cancel": ("post", _running, _closers()),
    "engagement:network-ties-export": (
        "get",
        lambda ctx: {"hit_pk": ctx["hit"].pk, "pk": ctx["closed"].pk},
        _readers(403) | {"programme_manager": 200},
    ),
    "engagement:network-respond": ("get", lambda ctx: {"token": ctx["token"]}, _expect(200, anonymous=200)),
}

POST_DATA = {
    "engagement:network-round-contact": {"contact_name": "Sam", "email": "sam@example.org"},
    "engagement:network-round-cancel": {"reason": "Matrix test"},
}


@pytest.fixture
def matrix_ctx(hit, director, django_capture_on_commit_callbacks):
    acute, council, carers = partners(
        hit, ("Acute Trust", "PROV"), ("City Council", "OPS"), ("Carers", "PUBLIC")
    )
    closed = run_round(
        hit,
        director,
        {acute: {council: PartnerRating(3, 3, 3), carers: PartnerRating(1, 2, 2)}},
        capture=django_capture_on_commit_callbacks,
        title="Last year",
    )
    running = planned_round(hit, director, title="This year")
    with django_capture_on_commit_callbacks(execute=True):
        svc.network_round_transition(actor=director, round_id=running.pk, action="open")
    token = tokens_from_mail()[f"{acute.pk}@example.org"]
    return {
        "hit": hit,
        "closed": closed,
        "running": running,
        "respondent": running.respondents.get(organisation=carers),
        "token": token,
    }


@pytest.fixture
def who(request, matrix_ctx):
    name = request.param
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize(
    ("url_name", "who", "expected"),
    [(url_name, name, spec[2][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["who"],
)
def test_network_persona_matrix(client, matrix_ctx, url_name, who, expected):
    method, kwargs, _ = MATRIX[url_name]
    if who is not None:
        client.force_login(who)
    url = reverse(url_name, kwargs=kwargs(matrix_ctx))

    response = getattr(client, method)(url, POST_DATA.get(url_name, {}))

    assert response.status_code == expected
    if expected == 302 and who is None:
        assert response.url.startswith(reverse("login"))


def test_a_member_who_may_not_close_is_told_why(client, matrix_ctx, teammate):
    client.force_login(teammate)

    response = client.post(reverse("engagement:network-round-close", kwargs=_running(matrix_ctx)))

    assert response.status_code == 403
    assert "Only the HIT&#x27;s director or a programme manager" in response.content.decode()
