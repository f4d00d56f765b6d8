"""Persona x page matrix of the export pages (collected by tests/test_access_matrix.py), and each
kind of export against the list page it comes from: an export answers exactly as its page does.

The scene: the active "Dementia HIT" of the conftest director, sponsor and teammate, with an
application to the round the conftest chair chairs, a progress report, a stakeholder and a survey
wave with results; the outsider directs another HIT. Export jobs belong to the director alone:
everybody else gets 404 for every page of one.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.models import PanelMember
from tests.conftest import PERSONAS
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories.accreditation_applications import ApplicationFactory
from tests.factories.reporting_exports import ExportJobFactory, write_job_file
from tests.url_names import url_names

ALL = [*PERSONAS, "anonymous"]
TEAM = {"director", "sponsor", "teammate"}
PORTFOLIO = {"programme_manager", "board_member", "ppi_facilitator"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _job(ctx) -> dict:
    return {"pk": ctx["job"].pk}


def _done_job(ctx) -> dict:
    return {"pk": ctx["done_job"].pk}


# url name -> (method, kwargs builder, POST data, expected status per persona)
MATRIX = {
    "reporting:export-list": ("get", lambda ctx: {}, None, _expect(200)),
    # The HIT list's export: 200 (a CSV) for those who see the HIT list, 403 like the page otherwise.
    "reporting:export-create": (
        "post",
        lambda ctx: {},
        {"kind": "hits", "format": "csv"},
        _expect(403, **dict.fromkeys([*TEAM, *PORTFOLIO, "outsider"], 200)),
    ),
    "reporting:export-detail": ("get", _job, None, _expect(404, director=200)),
    "reporting:export-progress": ("get", _job, None, _expect(404, director=200)),
    "reporting:export-download": ("get", _done_job, None, _expect(404, director=200)),
}


@pytest.fixture
def ctx(hit, director, sponsor, teammate, outsider, chair, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    done_job = ExportJobFactory(requested_by=director, done=True)
    write_job_file(done_job)
    return {
        "hit": hit,
        "job": ExportJobFactory(requested_by=director, running=True),
        "done_job": done_job,
    }


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[3][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_export_persona_matrix(client, ctx, url_name, persona, expected):
    method, kwargs, data, _ = MATRIX[url_name]
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(ctx)), data)
    response.close()  # a download streams its file: close it

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


def test_matrix_covers_every_export_url():
    from reporting import urls
    from reporting.views import exports

    assert url_names(urls, exports) == set(MATRIX)


def test_matrix_lists_every_persona():
    assert all(set(spec[3]) == set(ALL) for spec in MATRIX.values())


def test_get_only_pages_refuse_post_and_create_refuses_get(client, ctx, director):
    client.force_login(director)

    assert client.get(reverse("reporting:export-create")).status_code == 405
    assert client.post(reverse("reporting:export-list")).status_code == 405
    assert client.post(reverse("reporting:export-detail", kwargs=_job(ctx))).status_code == 405
    assert client.post(reverse("reporting:export-download", kwargs=_done_job(ctx))).status_code == 405


# --- Every kind of export answers as its page does ------------------------------------------------------


@pytest.fixture
def scene(
    hit, other_hit, director, sponsor, teammate, outsider, chair, reviewer, lay_reviewer, review_application
):
    round_ = PanelMember.objects.get(user=chair).panel.round
    ApplicationFactory(hit=other_hit, round=round_, submitted=True)
    rf.ProgressReportFactory(hit=hit)
    ef.StakeholderFactory(hit=hit)
    wave = ef.WaveFactory(hit=hit, released=True)
    ef.ReadinessResultFactory(wave=wave)
    return {"hit": hit, "round": round_, "wave": wave}


def _page_and_export(scene) -> dict[str, tuple[str, dict, dict]]:
    """kind -> (the list page's URL, the export's POST data)."""
    hit, round_, wave = scene["hit"], scene["round"], scene["wave"]
    return {
        "hits": (reverse("teams:hit-list"), {"kind": "hits"}),
        "applications": (reverse("accreditation:application-list"), {"kind": "applications"}),
        "board": (
            reverse("accreditation:round-board", kwargs={"pk": round_.pk}),
            {"kind": "applications", "scope_round": round_.pk},
        ),
        "reports": (reverse("reporting:report-list"), {"kind": "reports"}),
        "stakeholders": (
            reverse("engagement:stakeholder-map", kwargs={"hit_pk": hit.pk}),
            {"kind": "stakeholders", "scope_hit": hit.pk},
        ),
        "readiness": (
            reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
            {"kind": "readiness", "scope_hit": hit.pk, "scope_wave": wave.pk},
        ),
    }


KINDS = ["hits", "applications", "board", "reports", "stakeholders", "readiness"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_export_answers_like_its_list_page(client, scene, kind, persona):
    page_url, data = _page_and_export(scene)[kind]
    client.force_login(persona)

    page = client.get(page_url)
    export = client.post(reverse("reporting:export-create"), {**data, "format": "csv"})

    assert page.status_code in (200, 403, 404)
    assert export.status_code == page.status_code
    if export.status_code == 200:
        assert export["Content-Type"] == "text/csv; charset=utf-8"


# Who may export what, spelt out (the test above checks it against the pages).
EXPECTED = {
    "hits": _expect(403, **dict.fromkeys([*TEAM, *PORTFOLIO, "outsider"], 200)),
    "applications": _expect(403, **dict.fromkeys([*TEAM, "outsider"], 200)),
    "board": _expect(403, programme_manager=200, chair=200),
    "reports": _expect(403, **dict.fromkeys([*TEAM, "outsider", "programme_manager", "board_member"], 200)),
    # The named map: the team and programme managers only; readiness results: also the board.
    "stakeholders": _expect(404, **dict.fromkeys([*TEAM, "programme_manager"], 200)),
    "readiness": _expect(404, **dict.fromkeys([*TEAM, "programme_manager", "board_member"], 200)),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", ALL, indirect=True)
def test_export_of_each_kind_per_persona(client, scene, kind, persona, request):
    _, data = _page_and_export(scene)[kind]
    name = request.node.callspec.params["persona"]
    if persona is not None:
        client.force_login(persona)

    response = client.post(reverse("reporting:export-create"), {**data, "format": "xlsx"})

    assert response.status_code == EXPECTED[kind][name]
