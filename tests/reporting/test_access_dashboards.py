"""Persona x page matrix of the dashboards and the board report pack (collected by
tests/test_access_matrix.py, which checks that every URL pattern has an entry somewhere).

The scene: the active "Dementia HIT" of the conftest director, sponsor and teammate; the outsider
directs another HIT. The board dashboard and the pack are for board members, programme managers and
PPI facilitators (403 with the reason for everyone else). The HIT dashboard is for whoever sees the
HIT's page: its members and the three portfolio roles (404 for everyone else, reviewers of the HIT's
application included, before and after the decision: docs/domain.md section 4).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.factories import engagement as ef
from tests.url_names import url_names

ALL = [*PERSONAS, "anonymous"]
PORTFOLIO = {"programme_manager", "board_member", "ppi_facilitator"}
ENGAGEMENT_READERS = {*PORTFOLIO, "director", "sponsor", "teammate"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _portfolio() -> dict[str, int]:
    return _expect(403, **dict.fromkeys(PORTFOLIO, 200))


# url name -> (method, kwargs builder, expected status per persona)
MATRIX = {
    "reporting:board-dashboard": ("get", lambda ctx: {}, _portfolio()),
    "reporting:board-pack": ("get", lambda ctx: {}, _portfolio()),
    "reporting:board-pack-pdf": ("get", lambda ctx: {}, _portfolio()),
    "reporting:hit-dashboard": (
        "get",
        lambda ctx: {"pk": ctx["hit"].pk},
        _expect(404, **dict.fromkeys(ENGAGEMENT_READERS, 200)),
    ),
}


@pytest.fixture
def ctx(hit, director, sponsor, teammate):
    return {"hit": hit}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[2][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_dashboard_persona_matrix(client, ctx, url_name, persona, expected):
    method, kwargs, _ = MATRIX[url_name]
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(ctx)))

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


def test_matrix_covers_every_dashboard_url():
    from reporting import urls
    from reporting.views import dashboards

    assert url_names(urls, dashboards) == set(MATRIX)


def test_matrix_lists_every_persona():
    assert all(set(spec[2]) == set(ALL) for spec in MATRIX.values())


@pytest.mark.parametrize(
    "url_name", ["reporting:board-dashboard", "reporting:board-pack", "reporting:board-pack-pdf"]
)
def test_refusals_give_the_reason(client, director, url_name):
    client.force_login(director)

    response = client.get(reverse(url_name))

    assert response.status_code == 403
    assert (
        "The portfolio dashboard is for board members, programme managers and PPI facilitators."
        in response.content.decode()
    )


def test_ppi_facilitator_sees_the_coverage_and_ppi_but_not_readiness_or_maturity(
    client, hit, ppi_facilitator
):
    ef.CoverageScoreFactory(hit=hit)
    wave = ef.WaveFactory(hit=hit, title="Spring wave")
    ef.ReadinessResultFactory(wave=wave)
    client.force_login(ppi_facilitator)

    response = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["data"].latest_wave is None
    assert response.context["data"].maturity is None
    assert "Readiness survey results are shown to the HIT's members" in content
    assert "The maturity matrix is shown to the HIT's members" in content
    assert "Spring wave" not in content
    assert reverse("engagement:wave-list", kwargs={"hit_pk": hit.pk}) not in content
    assert reverse("engagement:maturity-list", kwargs={"hit_pk": hit.pk}) not in content
    assert reverse("engagement:ppi-log", kwargs={"hit_pk": hit.pk}) in content
    assert reverse("engagement:coverage-detail", kwargs={"hit_pk": hit.pk}) in content


def test_board_member_sees_no_link_to_the_ppi_log(client, hit, board_member):
    client.force_login(board_member)

    response = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk}))

    assert response.status_code == 200
    assert reverse("engagement:ppi-log", kwargs={"hit_pk": hit.pk}) not in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["reporting:board-dashboard", "reporting:board-pack", "reporting:board-pack-pdf"]
)
def test_dashboard_pages_refuse_post(client, programme_manager, url_name):
    client.force_login(programme_manager)

    assert client.post(reverse(url_name)).status_code == 405


def test_hit_dashboard_of_a_missing_hit_is_not_found(client, programme_manager):
    client.force_login(programme_manager)

    assert client.get(reverse("reporting:hit-dashboard", kwargs={"pk": 999999})).status_code == 404
