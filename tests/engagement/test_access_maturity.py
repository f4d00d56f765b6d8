"""Persona x page matrix for the maturity matrix and action plan pages.

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to engagement/views/maturity.py must be listed here.

Who (docs/domain.md section 4): the maturity matrix is read by the HIT's members, programme managers and
board members (the board sees HITs' scores); the action plan, the team's working plan with named
owners, by its members and programme managers only. Only members and programme managers record
assessments and actions (403 for the other readers); anyone else gets 404, PPI facilitators and
reviewers of the HIT's application included, before and after the decision.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.enums import MATURITY_ELEMENTS
from engagement.models import ActionPlanItem, MaturityAssessment
from tests.conftest import PERSONAS
from tests.factories import engagement as ef

ALL = [*PERSONAS, "anonymous"]
EDITORS = {"programme_manager", "director", "sponsor", "teammate"}
# permissions.can_view_maturity; the action plan (can_view_action_plan) is for the editors only.
READERS = EDITORS | {"board_member"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _readers(readers: set[str] = READERS) -> dict[str, int]:
    return _expect(404, **dict.fromkeys(readers, 200))


def _editors(readers: set[str] = READERS) -> dict[str, int]:
    return _expect(404, **{name: 200 if name in EDITORS else 403 for name in readers})


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "engagement:maturity-list": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _readers()),
    "engagement:maturity-create": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _editors()),
    "engagement:maturity-detail": (
        "get",
        lambda ctx: {"hit_pk": ctx["hit"].pk, "pk": ctx["assessment"].pk},
        _readers(),
    ),
    "engagement:action-list": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _readers(EDITORS)),
    "engagement:action-create": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _editors(EDITORS)),
    "engagement:action-edit": (
        "get",
        lambda ctx: {"hit_pk": ctx["hit"].pk, "pk": ctx["item"].pk},
        _editors(EDITORS),
    ),
}


@pytest.fixture
def ctx(hit):
    """`hit` with an assessment and an action."""
    assessment = ef.MaturityAssessmentFactory(hit=hit)
    for code in MATURITY_ELEMENTS:
        ef.MaturityRatingFactory(assessment=assessment, element=code, level=1)
    item = ef.ActionPlanItemFactory(hit=hit)
    return {"hit": hit, "assessment": assessment, "item": item}


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

    response = getattr(client, method)(url)

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


# Posting is refused exactly as opening the form is, and nothing is stored.
POSTS = {
    "engagement:maturity-create": lambda ctx: {
        "assessed_on": timezone.localdate().isoformat(),
        "participants": "Forged",
        **{f"level_{code}": "3" for code in MATURITY_ELEMENTS},
        **{f"rationale_{code}": "Forged." for code in MATURITY_ELEMENTS},
    },
    "engagement:action-create": lambda ctx: {
        "title": "Forged",
        "owner": str(ctx["item"].owner_id),
        "due_on": timezone.localdate().isoformat(),
        "status": "planned",
    },
    "engagement:action-edit": lambda ctx: {"status": "done", "due_on": ctx["item"].due_on.isoformat()},
}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [
        (url_name, name, MATRIX[url_name][2][name])
        for url_name in POSTS
        for name in ALL
        if MATRIX[url_name][2][name] != 200
    ],
    indirect=["persona"],
)
def test_refused_posts_change_nothing(client, ctx, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)
    url = reverse(url_name, kwargs=MATRIX[url_name][1](ctx))

    response = client.post(url, POSTS[url_name](ctx))

    assert response.status_code == expected
    assert MaturityAssessment.objects.count() == 1
    assert ActionPlanItem.objects.count() == 1
    assert ActionPlanItem.objects.get().status == "planned"


@pytest.mark.parametrize("persona", ["chair", "lay_reviewer"], indirect=True)
def test_panel_members_not_assigned_to_the_hit_do_not_see_it(client, ctx, persona):
    client.force_login(persona)

    response = client.get(reverse("engagement:maturity-list", kwargs={"hit_pk": ctx["hit"].pk}))

    assert response.status_code == 404


def test_board_member_reading_the_maturity_matrix_gets_no_link_to_the_action_plan(client, ctx, board_member):
    client.force_login(board_member)

    response = client.get(reverse("engagement:maturity-list", kwargs={"hit_pk": ctx["hit"].pk}))

    assert response.status_code == 200
    assert (
        reverse("engagement:action-list", kwargs={"hit_pk": ctx["hit"].pk}) not in response.content.decode()
    )


def test_director_finds_the_action_plan_from_the_maturity_matrix(client, ctx, director):
    client.force_login(director)

    response = client.get(reverse("engagement:maturity-list", kwargs={"hit_pk": ctx["hit"].pk}))

    assert reverse("engagement:action-list", kwargs={"hit_pk": ctx["hit"].pk}) in response.content.decode()
