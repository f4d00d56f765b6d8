"""Persona x page matrix for the maturity matrix and action plan pages.

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to engagement/views/maturity.py must be listed here.

Who: everyone who may see the HIT's engagement reads (its members, programme managers, board
members, PPI facilitators, and a cleared reviewer of its application); only members and programme
managers record assessments and actions (403 for the other readers); anyone else gets 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation.models import ReviewAssignment
from engagement.enums import MATURITY_ELEMENTS
from engagement.models import ActionPlanItem, MaturityAssessment
from tests.conftest import PERSONAS
from tests.factories import engagement as ef
from tests.factories.accreditation_applications import ApplicationFactory

ALL = [*PERSONAS, "anonymous"]
EDITORS = {"programme_manager", "director", "sponsor", "teammate"}
READERS = EDITORS | {"board_member", "ppi_facilitator", "reviewer"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _readers() -> dict[str, int]:
    return _expect(404, **dict.fromkeys(READERS, 200))


def _editors() -> dict[str, int]:
    return _expect(404, **{name: 200 if name in EDITORS else 403 for name in READERS})


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "engagement:maturity-list": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _readers()),
    "engagement:maturity-create": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _editors()),
    "engagement:maturity-detail": (
        "get",
        lambda ctx: {"hit_pk": ctx["hit"].pk, "pk": ctx["assessment"].pk},
        _readers(),
    ),
    "engagement:action-list": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _readers()),
    "engagement:action-create": ("get", lambda ctx: {"hit_pk": ctx["hit"].pk}, _editors()),
    "engagement:action-edit": (
        "get",
        lambda ctx: {"hit_pk": ctx["hit"].pk, "pk": ctx["item"].pk},
        _editors(),
    ),
}


@pytest.fixture
def ctx(hit, panel, reviewer):
    """`hit` with an assessment and an action; `reviewer` cleared to review its application."""
    application = ApplicationFactory(hit=hit, round=panel.round, submitted=True)
    ReviewAssignment.objects.create(application=application, reviewer=reviewer, declaration="none")
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


def test_a_reviewer_with_an_undeclared_conflict_check_does_not_see_it(client, ctx, reviewer):
    ReviewAssignment.objects.filter(reviewer=reviewer).update(declaration="pending")
    client.force_login(reviewer)

    response = client.get(reverse("engagement:maturity-list", kwargs={"hit_pk": ctx["hit"].pk}))

    assert response.status_code == 404
