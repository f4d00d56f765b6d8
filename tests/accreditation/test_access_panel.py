"""Persona x page matrix for the panel's pages (accreditation/views/reviews.py and decisions.py).

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to the panel's views must be listed here.

The scene: one application of the "Dementia HIT" under review by the conftest panel, with an
assigned reviewer (declared no conflict, no review yet), a lay reviewer (declared, review
submitted), a conflicted reviewer (flagged affiliation, declared none, chair not decided yet) and
an unassigned panel member; plus an earlier accredited application of the same HIT with a
condition owned by its director. For an assignment's pages, a reviewer opens their own
assignment and everyone else tries the assigned reviewer's.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.enums import ApplicationStatus, DecisionOutcome, PanelRole
from accreditation.models import Application
from teams.models import Person
from tests.factories import PanelMemberFactory, RoundFactory
from tests.factories.accreditation_panel import (
    AccreditationFactory,
    ConditionFactory,
    DecisionFactory,
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    submitted_review,
)
from tests.url_names import url_names

PERSONAS = [
    "director",
    "teammate",
    "outsider",
    "assigned_reviewer",
    "unassigned_reviewer",
    "conflicted_reviewer",
    "lay_reviewer",
    "chair",
    "board_member",
    "programme_manager",
]
ALL = [*PERSONAS, "anonymous"]
REVIEWERS = {"assigned_reviewer", "lay_reviewer", "conflicted_reviewer"}
PANEL = {*REVIEWERS, "unassigned_reviewer", "chair"}
# Who may open the application at all (permissions.can_view_application): the team, the round's
# chair, programme managers and assigned reviewers who declared and have no open conflict.
APPLICATION_VIEWERS = {
    "director",
    "teammate",
    "chair",
    "programme_manager",
    "assigned_reviewer",
    "lay_reviewer",
}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _seen_not_allowed(allowed: dict[str, int]) -> dict[str, int]:
    """404 for those who cannot open the application, 403 for those who can but may not act."""
    return _expect(404, **{**dict.fromkeys(APPLICATION_VIEWERS, 403), **allowed})


def _own_assignment(ctx: dict, persona: str) -> dict:
    assignments = ctx["assignments"]
    return {"pk": assignments.get(persona, assignments["assigned_reviewer"]).pk}


# url name -> (method, kwargs builder (ctx, persona name), POST data, expected status per persona)
MATRIX = {
    "accreditation:round-board": (
        "get",
        lambda ctx, who: {"pk": ctx["round"].pk},
        None,
        _expect(403, chair=200, programme_manager=200),
    ),
    "accreditation:assignment-manage": (
        "get",
        lambda ctx, who: {"pk": ctx["application"].pk},
        None,
        _seen_not_allowed({"chair": 200, "programme_manager": 200}),
    ),
    "accreditation:assignment-suggest-accept": (
        "post",
        lambda ctx, who: {"pk": ctx["application"].pk},
        {"due_on": ""},
        _seen_not_allowed({"chair": 302, "programme_manager": 302}),
    ),
    # Deciding on a conflict is the chair's alone; the conflicted reviewer cannot see the application.
    "accreditation:conflict-resolve": (
        "post",
        lambda ctx, who: {"pk": ctx["assignments"]["conflicted_reviewer"].pk},
        {"resolution": "dismissed", "note": ""},
        _seen_not_allowed({"chair": 302}),
    ),
    "accreditation:assignment-list": (
        "get",
        lambda ctx, who: {},
        None,
        _expect(403, **dict.fromkeys(PANEL, 200)),
    ),
    "accreditation:conflict-declare": (
        "get",
        _own_assignment,
        None,
        _expect(404, **dict.fromkeys(REVIEWERS, 200)),
    ),
    # The conflicted reviewer gets the reason (403) on their own assignment, never the content.
    "accreditation:review-edit": (
        "get",
        _own_assignment,
        None,
        _expect(404, assigned_reviewer=200, lay_reviewer=200, conflicted_reviewer=403),
    ),
    # The chair sees every review; the lay reviewer submitted, so sees the others'; the assigned
    # reviewer has not submitted yet (403 "Submit your own review first"); nobody else sees reviews.
    "accreditation:review-summary": (
        "get",
        lambda ctx, who: {"pk": ctx["application"].pk},
        None,
        _expect(404, chair=200, lay_reviewer=200, assigned_reviewer=403),
    ),
    "accreditation:feedback-edit": (
        "get",
        lambda ctx, who: {"pk": ctx["application"].pk},
        None,
        _seen_not_allowed({"chair": 200}),
    ),
    "accreditation:decision-create": (
        "get",
        lambda ctx, who: {"pk": ctx["application"].pk},
        None,
        _seen_not_allowed({"chair": 200}),
    ),
    # Releasing feedback is the chair's (the guard then refuses: no feedback written, so a message
    # and a redirect); a programme manager may start reviews but not release feedback.
    "accreditation:decision-transition": (
        "post",
        lambda ctx, who: {"pk": ctx["application"].pk},
        {"action": "issue_feedback", "expected_status": "under_review", "return_to": "board"},
        _seen_not_allowed({"chair": 302}),
    ),
    "accreditation:condition-list": (
        "get",
        lambda ctx, who: {},
        None,
        _expect(403, programme_manager=200, director=200, teammate=200, outsider=200),
    ),
    # The owner (the director) and programme managers close; the teammate sees it but may not.
    "accreditation:condition-close": (
        "get",
        lambda ctx, who: {"pk": ctx["condition"].pk},
        None,
        _expect(404, director=200, programme_manager=200, teammate=403),
    ),
    # Only programme managers accept or send back; the owner and the teammate see it but may not.
    "accreditation:condition-review": (
        "get",
        lambda ctx, who: {"pk": ctx["condition"].pk},
        None,
        _expect(404, programme_manager=200, director=403, teammate=403),
    ),
    # Whoever sees the HIT sees its accreditation; only its director or a programme manager renews.
    # (The service then refuses, as the HIT has an application in progress: message and redirect.)
    "accreditation:renewal-start": (
        "post",
        lambda ctx, who: {"pk": ctx["accreditation"].pk},
        "renewal",
        _expect(404, director=302, programme_manager=302, teammate=403, board_member=403),
    ),
}


@pytest.fixture
def unassigned_reviewer(panel):
    return PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user


@pytest.fixture
def conflicted_reviewer(panel):
    return PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user


@pytest.fixture
def assigned_reviewer(reviewer):
    return reviewer


@pytest.fixture
def ctx(
    panel,
    hit,
    chair,
    reviewer,
    lay_reviewer,
    unassigned_reviewer,
    conflicted_reviewer,
    director,
    teammate,
    outsider,
    board_member,
    programme_manager,
):
    application = PanelApplicationFactory(hit=hit, round=panel.round)
    PanelRevisionFactory(application=application)
    assignments = {
        "assigned_reviewer": ReviewAssignmentFactory(
            application=application, reviewer=reviewer, declared_none=True
        ),
        "lay_reviewer": ReviewAssignmentFactory(
            application=application, reviewer=lay_reviewer, lay=True, declared_none=True
        ),
        "conflicted_reviewer": ReviewAssignmentFactory(
            application=application, reviewer=conflicted_reviewer, flagged=True, declared_none=True
        ),
    }
    submitted_review(assignments["lay_reviewer"], 2)
    earlier = PanelApplicationFactory(hit=hit, round=RoundFactory(closed=True), accredited=True)
    decision = DecisionFactory(
        application=earlier, outcome=DecisionOutcome.ACCREDITED_WITH_CONDITIONS, decided_by=chair
    )
    return {
        "round": panel.round,
        "application": application,
        "assignments": assignments,
        "accreditation": AccreditationFactory(decision=decision),
        "condition": ConditionFactory(decision=decision, owner=Person.objects.get(user=director)),
    }


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[3][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_panel_persona_matrix(client, ctx, url_name, persona, expected, request):
    method, kwargs, data, _ = MATRIX[url_name]
    name = request.node.callspec.params["persona"]
    if persona is not None:
        client.force_login(persona)
    url = reverse(url_name, kwargs=kwargs(ctx, name))
    if data == "renewal":
        data = {"round": ctx["round"].pk}

    response = getattr(client, method)(url, data)

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


def test_matrix_covers_every_panel_url():
    from accreditation import urls
    from accreditation.views import decisions, reviews

    assert url_names(urls, decisions, reviews) == set(MATRIX)


def test_matrix_lists_every_persona():
    assert {name for spec in MATRIX.values() for name in spec[3]} == set(ALL)


# --- After the decision: the assignment's pages close to the reviewers --------------------------------


@pytest.fixture
def decided(ctx):
    Application.objects.filter(pk=ctx["application"].pk).update(status=ApplicationStatus.ACCREDITED)
    return ctx


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [
        ("accreditation:conflict-declare", "assigned_reviewer", 404),
        ("accreditation:conflict-declare", "lay_reviewer", 404),
        ("accreditation:review-edit", "assigned_reviewer", 404),
        ("accreditation:review-edit", "lay_reviewer", 404),
        ("accreditation:review-summary", "lay_reviewer", 404),
        ("accreditation:review-summary", "chair", 200),
    ],
    indirect=["persona"],
)
def test_after_the_decision_reviewers_no_longer_open_their_assignment(
    client, decided, url_name, persona, expected, request
):
    name = request.node.callspec.params["persona"]
    client.force_login(persona)

    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][1](decided, name)))

    assert response.status_code == expected


def test_after_the_decision_the_assignment_list_links_nothing_of_it(client, decided, lay_reviewer):
    client.force_login(lay_reviewer)

    response = client.get(reverse("accreditation:assignment-list"))

    content = response.content.decode()
    assert [row.next_step for row in response.context["rows"]] == ["decided"]
    assert "Accredited: the application is closed to reviewers" in content
    assert reverse("accreditation:review-summary", kwargs={"pk": decided["application"].pk}) not in content
