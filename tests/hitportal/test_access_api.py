"""Persona x endpoint matrix of the API (collected by tests/test_access_matrix.py, which checks that
every URL pattern has an entry somewhere), run twice: signed in with a session, and with
`Authorization: Token <key>` and no session.

The same rules as the pages: a HIT the user may not see is 404 (teams:hit-detail), its scores
follow the coverage page (members, portfolio roles, the round's chair and the cleared full reviewer
of its application while it is open: `hit_reviewer`; not after the decision), with readiness and
maturity only for those who may see their pages, the HIT list refuses users who belong to no HIT (403, as teams:hit-list), the
portfolio figures are for board members, programme managers and PPI facilitators. Anonymous API
calls get 401: TokenAuthentication, the first authentication class, names its scheme in
WWW-Authenticate. The two HTML pages (docs, token) send anonymous visitors to the login page, and a
token does not sign anyone in to them.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accreditation.models import ReviewAssignment
from tests.conftest import PERSONAS
from tests.factories.engagement import (
    CoverageScoreFactory,
    MaturityAssessmentFactory,
    MaturityRatingFactory,
    ReadinessResultFactory,
    WaveFactory,
)

ALL = [*PERSONAS, "anonymous"]
PORTFOLIO = {"programme_manager", "board_member", "ppi_facilitator"}
MEMBERS = {"director", "sponsor", "teammate"}
HIT_READERS = PORTFOLIO | MEMBERS
# engagement.permissions.can_view_coverage: the HIT's readers, the chair and the open reviewer.
SCORE_READERS = HIT_READERS | {"hit_reviewer", "chair"}
# teams:hit-list lists a member's own HITs; users who belong to no HIT are refused with a reason.
LISTERS = HIT_READERS | {"outsider"}


def _expect(default: int, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = anonymous
    expected.update(overrides)
    return expected


def _hit(ctx) -> dict:
    return {"pk": ctx["hit"].pk}


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "api:schema": ("get", lambda ctx: {}, _expect(200)),
    "api:docs": ("get", lambda ctx: {}, _expect(200, anonymous=302)),
    "api:token": ("get", lambda ctx: {}, _expect(200, anonymous=302)),
    "api:hit-list": ("get", lambda ctx: {}, _expect(403, **dict.fromkeys(LISTERS, 200))),
    "api:hit-detail": ("get", _hit, _expect(404, **dict.fromkeys(HIT_READERS, 200))),
    "api:hit-scores": ("get", _hit, _expect(404, **dict.fromkeys(SCORE_READERS, 200))),
    "api:portfolio": ("get", lambda ctx: {}, _expect(403, **dict.fromkeys(PORTFOLIO, 200))),
}
HTML_PAGES = {"api:docs", "api:token"}
API_ENDPOINTS = [name for name in MATRIX if name not in HTML_PAGES]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The user throttle counts in the cache, which outlives a test's database rows (and their ids)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def matrix_ctx(hit, review_application):
    CoverageScoreFactory(hit=hit)
    return {"hit": hit}


@pytest.fixture
def who(request, matrix_ctx):
    name = request.param
    return None if name == "anonymous" else request.getfixturevalue(name)


def _cases(names):
    return [(url_name, name, MATRIX[url_name][2][name]) for url_name in names for name in ALL]


@pytest.mark.parametrize(("url_name", "who", "expected"), _cases(MATRIX), indirect=["who"])
def test_api_persona_matrix_with_session(client, matrix_ctx, url_name, who, expected):
    method, kwargs, _ = MATRIX[url_name]
    if who is not None:
        client.force_login(who)

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(matrix_ctx)))

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "who", "expected"), _cases(MATRIX), indirect=["who"])
def test_api_persona_matrix_with_token(client, matrix_ctx, url_name, who, expected):
    method, kwargs, _ = MATRIX[url_name]
    headers = {}
    if who is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=who).key}"

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(matrix_ctx)), **headers)

    if url_name in HTML_PAGES:
        # A token reads the API; it never signs anyone in to the pages.
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("url_name", API_ENDPOINTS)
def test_anonymous_api_call_is_401_naming_the_token_scheme(client, matrix_ctx, url_name):
    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][1](matrix_ctx)))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_invalid_token_is_401(client, matrix_ctx):
    response = client.get(reverse("api:hit-list"), HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_token_of_an_inactive_user_is_401(client, matrix_ctx, programme_manager):
    key = Token.objects.create(user=programme_manager).key
    programme_manager.is_active = False
    programme_manager.save(update_fields=["is_active"])

    response = client.get(reverse("api:portfolio"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url_name", API_ENDPOINTS)
def test_api_is_read_only(client, matrix_ctx, programme_manager, url_name, method):
    key = Token.objects.create(user=programme_manager).key
    url = reverse(url_name, kwargs=MATRIX[url_name][1](matrix_ctx))

    response = getattr(client, method)(
        url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    assert response.status_code == 405


@pytest.mark.parametrize("method", ["post", "delete"])
def test_api_is_read_only_with_a_session_too(client, matrix_ctx, director, method):
    client.force_login(director)

    response = getattr(client, method)(reverse("api:hit-detail", kwargs={"pk": matrix_ctx["hit"].pk}))

    assert response.status_code == 405


def test_refusals_carry_the_reason(client, matrix_ctx, applicant):
    client.force_login(applicant)

    hits = client.get(reverse("api:hit-list"))
    figures = client.get(reverse("api:portfolio"))

    assert hits.json() == {"detail": "You are not a member of any HIT yet."}
    assert figures.json() == {
        "detail": "Only programme managers, board members and PPI facilitators see the portfolio figures."
    }


def test_hidden_hit_and_missing_hit_answer_alike(client, matrix_ctx, outsider):
    client.force_login(outsider)

    hidden = client.get(reverse("api:hit-detail", kwargs={"pk": matrix_ctx["hit"].pk}))
    missing = client.get(reverse("api:hit-detail", kwargs={"pk": 999_999}))
    hidden_scores = client.get(reverse("api:hit-scores", kwargs={"pk": matrix_ctx["hit"].pk}))

    assert (hidden.status_code, missing.status_code, hidden_scores.status_code) == (404, 404, 404)
    assert hidden.json() == missing.json() == {"detail": "No such HIT."}


def test_reviewer_with_an_open_conflict_cannot_see_scores(client, matrix_ctx, hit_reviewer, hit):
    ReviewAssignment.objects.filter(reviewer=hit_reviewer).update(flagged_organisations="A partner")
    client.force_login(hit_reviewer)

    response = client.get(reverse("api:hit-scores", kwargs={"pk": hit.pk}))

    assert response.status_code == 404


@pytest.fixture
def every_score(hit):
    wave = WaveFactory(hit=hit, released=True)
    ReadinessResultFactory(wave=wave)
    assessment = MaturityAssessmentFactory(hit=hit)
    MaturityRatingFactory(assessment=assessment, element="trust", level=2)
    return hit


@pytest.mark.parametrize(
    ("who", "shows_readiness_and_maturity"),
    [("director", True), ("board_member", True), ("ppi_facilitator", False), ("hit_reviewer", False)],
    indirect=["who"],
)
def test_scores_give_readiness_and_maturity_only_to_who_may_see_their_pages(
    client, matrix_ctx, every_score, who, shows_readiness_and_maturity
):
    client.force_login(who)

    body = client.get(reverse("api:hit-scores", kwargs={"pk": every_score.pk})).json()

    assert body["coverage"] is not None
    assert (body["readiness"] is not None, body["maturity"] is not None) == (
        shows_readiness_and_maturity,
        shows_readiness_and_maturity,
    )
