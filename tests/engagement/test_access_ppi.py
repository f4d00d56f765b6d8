"""Persona x page matrix for the PPI pages (engagement/views/ppi.py).

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to the PPI views must be listed here.

The scene: the active "Dementia HIT" with a PPI log entry and a support request asked by its
director. Its PPI is for its members, programme managers and PPI facilitators (docs/domain.md section
4); not for board members, nor for reviewers of its application, lay or not, open or decided
(conftest `hit_reviewer`, `hit_lay_reviewer`, `decided_reviewer`, `decided_lay_reviewer`); `reviewer`
and `lay_reviewer` sit on the panel with no assignment. The public review group (lay reviewers)
sees the PPI arrangements of HITs in set-up and reviews them: `SET_UP` below, with the HIT in
set-up. Cannot see -> 404; sees but may not act -> 403.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from teams.enums import HITStatus
from tests.factories import engagement as ef
from tests.url_names import url_names

PERSONAS = [
    "director",
    "teammate",
    "outsider",
    "ppi_facilitator",
    "reviewer",
    "lay_reviewer",
    "hit_reviewer",
    "hit_lay_reviewer",
    "decided_reviewer",
    "decided_lay_reviewer",
    "chair",
    "board_member",
    "programme_manager",
    "no_role_user",
]
ALL = [*PERSONAS, "anonymous"]
MEMBERS = {"director", "teammate"}
# Who sees the HIT's PPI (permissions.can_view_ppi) while it is active.
VIEWERS = {*MEMBERS, "ppi_facilitator", "programme_manager"}
LAY_REVIEWERS = {"lay_reviewer", "hit_lay_reviewer", "decided_lay_reviewer"}
LOGGERS = {*MEMBERS, "ppi_facilitator", "programme_manager"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _seen(allowed: set[str], status: int = 200, viewers: set[str] = VIEWERS) -> dict[str, int]:
    """404 for those who cannot see the HIT's PPI, 403 for viewers who may not act."""
    return _expect(404, **{**dict.fromkeys(viewers, 403), **dict.fromkeys(allowed, status)})


# url name -> (kwargs builder, expected GET status, expected status of an empty POST)
# An allowed empty POST re-renders the form with its errors (200); GET-only pages answer 405.
MATRIX = {
    "engagement:ppi-log": (
        lambda ctx: {"hit_pk": ctx["hit"].pk},
        _expect(404, **dict.fromkeys(VIEWERS, 200)),
        _expect(405),
    ),
    "engagement:ppi-activity-create": (
        lambda ctx: {"hit_pk": ctx["hit"].pk},
        _seen(LOGGERS),
        _seen(LOGGERS),
    ),
    "engagement:ppi-activity-edit": (
        lambda ctx: {"hit_pk": ctx["hit"].pk, "pk": ctx["activity"].pk},
        _seen(LOGGERS),
        _seen(LOGGERS),
    ),
    "engagement:ppi-standards-create": (
        lambda ctx: {"hit_pk": ctx["hit"].pk},
        _seen(LOGGERS),
        _seen(LOGGERS),
    ),
    # Lay reviewers review HITs in set-up only; this HIT is active, so nobody here may.
    "engagement:ppi-review-create": (lambda ctx: {"hit_pk": ctx["hit"].pk}, _seen(set()), _seen(set())),
    "engagement:ppi-support-create": (
        lambda ctx: {"hit_pk": ctx["hit"].pk},
        _seen(MEMBERS),
        _seen(MEMBERS),
    ),
    "engagement:ppi-caseload": (
        lambda ctx: {},
        _expect(403, ppi_facilitator=200, programme_manager=200),
        _expect(405),
    ),
    # The HIT's members read their requests; only facilitators and programme managers act on them.
    "engagement:ppi-support-detail": (
        lambda ctx: {"pk": ctx["support_request"].pk},
        _expect(404, director=200, teammate=200, ppi_facilitator=200, programme_manager=200),
        _expect(404, director=403, teammate=403, ppi_facilitator=302, programme_manager=302),
    ),
}


@pytest.fixture
def ctx(hit, director):
    return {
        "hit": hit,
        "activity": ef.InvolvementActivityFactory(hit=hit),
        "support_request": ef.SupportRequestFactory(hit=hit, requested_by=director),
    }


def _cases(index: int) -> list[tuple[str, str, int]]:
    return [(url_name, name, spec[index][name]) for url_name, spec in MATRIX.items() for name in ALL]


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(1), indirect=["persona"])
def test_ppi_persona_matrix_get(client, ctx, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)))

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(2), indirect=["persona"])
def test_ppi_persona_matrix_post(client, ctx, url_name, persona, expected):
    """An empty POST: nobody outside the allowed personas gets past the permission check."""
    if persona is not None:
        client.force_login(persona)
    data = {"form": "status", "status": "closed", "expected_status": "open"}

    response = client.post(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)), data)

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


# --- A HIT in set-up: the public review group sees and reviews its PPI arrangements ----------------------

SET_UP_VIEWERS = VIEWERS | LAY_REVIEWERS
SET_UP = {
    "engagement:ppi-log": _expect(404, **dict.fromkeys(SET_UP_VIEWERS, 200)),
    "engagement:ppi-activity-create": _seen(LOGGERS, viewers=SET_UP_VIEWERS),
    "engagement:ppi-standards-create": _seen(LOGGERS, viewers=SET_UP_VIEWERS),
    "engagement:ppi-review-create": _seen(LAY_REVIEWERS, viewers=SET_UP_VIEWERS),
    "engagement:ppi-support-create": _seen(MEMBERS, viewers=SET_UP_VIEWERS),
}


@pytest.fixture
def set_up_ctx(ctx):
    ctx["hit"].status = HITStatus.SET_UP
    ctx["hit"].save(update_fields=["status"])
    return ctx


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, expected[name]) for url_name, expected in SET_UP.items() for name in ALL],
    indirect=["persona"],
)
def test_ppi_persona_matrix_of_a_hit_in_set_up(client, set_up_ctx, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse(url_name, kwargs={"hit_pk": set_up_ctx["hit"].pk}))

    assert response.status_code == expected


def test_forbidden_pages_give_the_reason(client, set_up_ctx, director, lay_reviewer):
    client.force_login(lay_reviewer)

    response = client.get(reverse("engagement:ppi-activity-create", args=[set_up_ctx["hit"].pk]))

    assert response.status_code == 403
    assert "Only the HIT&#x27;s members and PPI facilitators keep its PPI log." in response.content.decode()
    client.force_login(director)
    response = client.get(reverse("engagement:ppi-review-create", args=[set_up_ctx["hit"].pk]))
    assert "Only members of the public review group assess PPI arrangements." in response.content.decode()


def test_lay_reviewer_sees_no_support_requests_and_no_link_to_the_hit_page(client, set_up_ctx, lay_reviewer):
    client.force_login(lay_reviewer)

    response = client.get(reverse("engagement:ppi-log", args=[set_up_ctx["hit"].pk]))

    content = response.content.decode()
    assert reverse("engagement:ppi-support-detail", args=[set_up_ctx["support_request"].pk]) not in content
    assert reverse("teams:hit-detail", args=[set_up_ctx["hit"].pk]) not in content


def test_activity_of_another_hit_is_not_found(client, ctx, director, other_hit):
    other = ef.InvolvementActivityFactory(hit=other_hit)
    client.force_login(director)

    response = client.get(reverse("engagement:ppi-activity-edit", args=[ctx["hit"].pk, other.pk]))

    assert response.status_code == 404


def test_matrix_covers_every_ppi_url():
    from engagement import urls
    from engagement.views import ppi

    assert url_names(urls, ppi) == set(MATRIX)


def test_matrix_lists_every_persona():
    assert all(set(spec[1]) == set(ALL) and set(spec[2]) == set(ALL) for spec in MATRIX.values())
