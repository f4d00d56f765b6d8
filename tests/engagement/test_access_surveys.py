"""Persona x page matrix of the readiness survey pages (collected by tests/test_access_matrix.py,
which checks that every URL pattern has an entry somewhere).

The wave belongs to the `hit` fixture's team. Its waves and results are for the HIT's members,
programme managers and board members (docs/domain.md section 4: the board sees HITs' scores); never for
PPI facilitators or reviewers, whether their assignment to the HIT's application is open
(`hit_reviewer`, `hit_lay_reviewer`) or decided (`decided_reviewer`, `decided_lay_reviewer`).
The respondent's page is public: any visitor with a valid token opens it, whoever is signed in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagement.models import Instrument
from engagement.services import surveys as services_surveys
from tests.conftest import PERSONAS
from tests.factories import engagement as ef

ALL = [*PERSONAS, "anonymous"]
MEMBERS = {"director", "sponsor", "teammate"}
EDITORS = MEMBERS | {"programme_manager"}
# permissions.can_view_readiness.
READERS = EDITORS | {"board_member"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _pm_only(status: int = 200) -> dict[str, int]:
    return _expect(403, programme_manager=status)


def _readers(status: int = 200) -> dict[str, int]:
    return _expect(404, **dict.fromkeys(READERS, status))


def _editors(status: int = 200) -> dict[str, int]:
    """Readers who may not edit see a 403 with the reason; everyone else, a 404."""
    return _expect(404, **dict.fromkeys(READERS, 403)) | dict.fromkeys(EDITORS, status)


def _wave(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk, "pk": ctx["wave"].pk}


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "engagement:instrument-list": ("get", lambda ctx: {}, _pm_only()),
    "engagement:instrument-detail": ("get", lambda ctx: {"pk": ctx["published"].pk}, _pm_only()),
    "engagement:instrument-new-version": ("post", lambda ctx: {"pk": ctx["published"].pk}, _pm_only(302)),
    "engagement:instrument-publish": ("post", lambda ctx: {"pk": ctx["draft"].pk}, _pm_only(302)),
    "engagement:item-create": ("get", lambda ctx: {"pk": ctx["draft"].pk}, _pm_only()),
    "engagement:item-edit": (
        "get",
        lambda ctx: {"pk": ctx["draft"].pk, "item_pk": ctx["draft_item"].pk},
        _pm_only(),
    ),
    "engagement:item-delete": (
        "post",
        lambda ctx: {"pk": ctx["draft"].pk, "item_pk": ctx["draft_item"].pk},
        _pm_only(302),
    ),
    "engagement:wave-list": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _readers()),
    "engagement:wave-create": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _editors()),
    "engagement:wave-detail": ("get", _wave, _editors()),
    "engagement:wave-invite": ("post", _wave, _editors(302)),
    "engagement:wave-remind": ("post", _wave, _editors(302)),
    "engagement:wave-reissue": ("post", _wave, _editors(302)),
    # Closing early: the HIT's director or a programme manager; other members see the reason.
    "engagement:wave-close": (
        "post",
        _wave,
        _editors(302) | {"sponsor": 403, "teammate": 403},
    ),
    # Results of a closed wave whose results are released (an open wave's page shows none).
    "engagement:wave-results": ("get", lambda ctx: _wave(ctx) | {"pk": ctx["released"].pk}, _readers()),
    "engagement:wave-results-export": (
        "get",
        lambda ctx: _wave(ctx) | {"pk": ctx["released"].pk},
        _readers(),
    ),
    # Public: the one-time link is the credential, whoever is signed in.
    "engagement:survey-respond": ("get", lambda ctx: {"token": ctx["token"]}, _expect(200, anonymous=200)),
}

POST_DATA = {
    "engagement:wave-invite": {"addresses": "invitee@example.org"},
    "engagement:wave-reissue": {"email": "invitee@example.org"},
}


@pytest.fixture
def matrix_ctx(hit):
    published = Instrument.objects.get(name="Readiness for collaboration", version=1)
    draft = ef.InstrumentFactory(name="Draft bank", is_published=False)
    draft_item = ef.ItemFactory(instrument=draft, code="D1")
    wave = ef.WaveFactory(hit=hit, instrument=published)
    released = ef.WaveFactory(hit=hit, instrument=published, released=True, title="Last year")
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))
    return {
        "hit": hit,
        "published": published,
        "draft": draft,
        "draft_item": draft_item,
        "wave": wave,
        "released": released,
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
def test_survey_persona_matrix(client, matrix_ctx, url_name, who, expected):
    method, kwargs, _ = MATRIX[url_name]
    if who is not None:
        client.force_login(who)
    url = reverse(url_name, kwargs=kwargs(matrix_ctx))

    response = getattr(client, method)(url, POST_DATA.get(url_name, {}))

    assert response.status_code == expected
    if expected == 302 and who is None:
        assert response.url.startswith(reverse("login"))


def test_respond_link_used_is_gone_and_forged_is_not_found(client, matrix_ctx):
    matrix_ctx["wave"].invitations.update(used=True)

    used = client.get(reverse("engagement:survey-respond", kwargs={"token": matrix_ctx["token"]}))
    forged = client.get(reverse("engagement:survey-respond", kwargs={"token": "not-a-real-token"}))

    assert (used.status_code, forged.status_code) == (410, 404)
    assert "This link has already been used" in used.content.decode()
    assert "This link is not valid" in forged.content.decode()


def test_board_member_sees_why_they_may_not_manage_a_wave(client, matrix_ctx, board_member):
    client.force_login(board_member)

    response = client.get(reverse("engagement:wave-detail", kwargs=_wave(matrix_ctx)))

    assert response.status_code == 403
    assert "Only the HIT&#x27;s members and programme managers" in response.content.decode()


def test_item_edit_on_a_published_version_is_forbidden_with_the_reason(client, matrix_ctx, programme_manager):
    client.force_login(programme_manager)
    item = matrix_ctx["published"].items.first()

    response = client.get(
        reverse("engagement:item-edit", kwargs={"pk": matrix_ctx["published"].pk, "item_pk": item.pk})
    )

    assert response.status_code == 403
    assert "Version 1 is published, so its items are frozen" in response.content.decode()
