"""Persona x page matrix of the reporting pages (collected by tests/test_access_matrix.py, which
checks that every URL pattern has an entry somewhere).

The scene: the active "Dementia HIT" of the conftest director, sponsor and teammate, with a
reporting schedule and a draft progress report; the outsider directs another HIT. Readers of a
HIT's reports are its members, programme managers and board members; everybody else gets 404.
Board members open a report only once it is accepted (docs/domain.md section 4): the draft does not
exist for them. Readers who may not act get 403 with the reason.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PERSONAS
from tests.factories import reporting as rf
from tests.url_names import url_names

ALL = [*PERSONAS, "anonymous"]
TEAM = {"director", "sponsor", "teammate"}
READERS = {*TEAM, "programme_manager", "board_member"}
# reporting.permissions.can_read_report, for a report not yet accepted.
DRAFT_READERS = {*TEAM, "programme_manager"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _seen(allowed: set[str], status: int = 200, readers: set[str] = READERS) -> dict[str, int]:
    """404 for those who cannot see the HIT's reports, 403 for readers who may not act."""
    return _expect(404, **{**dict.fromkeys(readers, 403), **dict.fromkeys(allowed, status)})


def _hit(ctx) -> dict:
    return {"hit_pk": ctx["hit"].pk}


def _report(ctx) -> dict:
    return {"pk": ctx["report"].pk}


# url name -> (method, kwargs builder, POST data, expected status per persona)
MATRIX = {
    "reporting:report-list": (
        "get",
        lambda ctx: {},
        None,
        _expect(403, **dict.fromkeys([*READERS, "outsider"], 200)),
    ),
    "reporting:report-schedule": ("get", _hit, None, _seen({"programme_manager"})),
    "reporting:report-create": ("get", _hit, None, _seen(TEAM)),
    "reporting:report-detail": ("get", _report, None, _seen(DRAFT_READERS, readers=DRAFT_READERS)),
    "reporting:report-edit": ("get", _report, None, _seen(TEAM, readers=DRAFT_READERS)),
    # A team member's submit is refused by the guard (nothing rated yet): a message and a redirect.
    "reporting:report-transition": (
        "post",
        _report,
        {"action": "submit", "expected_status": "draft"},
        _seen(TEAM, 302, readers=DRAFT_READERS),
    ),
    "reporting:report-due-date": (
        "post",
        _report,
        {"due_on": "", "reason": ""},
        _seen({"programme_manager"}, 302, readers=DRAFT_READERS),
    ),
    "reporting:setup-checklist": ("get", lambda ctx: {"pk": ctx["hit"].pk}, None, _seen(READERS)),
    "reporting:setup-activate": (
        "post",
        lambda ctx: {"pk": ctx["hit"].pk},
        {"expected_status": "active"},
        _seen({"programme_manager"}, 302),
    ),
    "reporting:stage-assess": ("get", _hit, None, _seen({*TEAM, "programme_manager"})),
    "reporting:stage-history": ("get", _hit, None, _seen(READERS)),
}


@pytest.fixture
def ctx(hit, director, sponsor, teammate):
    rf.ReportScheduleFactory(hit=hit)
    return {
        "hit": hit,
        "report": rf.ProgressReportFactory(hit=hit),
        "accepted": rf.ProgressReportFactory(hit=hit, accepted=True, due_on=timezone.localdate()),
    }


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(url_name, name, spec[3][name]) for url_name, spec in MATRIX.items() for name in ALL],
    indirect=["persona"],
)
def test_reporting_persona_matrix(client, ctx, url_name, persona, expected):
    method, kwargs, data, _ = MATRIX[url_name]
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(ctx)), data)

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


def test_matrix_covers_every_reporting_url():
    # Exports and dashboards have matrices of their own (tests/reporting/test_access_*.py).
    from reporting import urls
    from reporting.views import reports, schedule, setup, stage

    assert url_names(urls, reports, schedule, setup, stage) == set(MATRIX)


def test_matrix_lists_every_persona():
    assert all(set(spec[3]) == set(ALL) for spec in MATRIX.values())


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(name, 200 if name in READERS else 404) for name in ALL],
    indirect=["persona"],
)
def test_an_accepted_report_is_read_by_every_reader_of_the_hits_reports(client, ctx, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse("reporting:report-detail", kwargs={"pk": ctx["accepted"].pk}))

    assert response.status_code == (302 if persona is None else expected)


@pytest.mark.parametrize("status", ["draft", "submitted", "changes_requested", "skipped"])
def test_board_member_does_not_open_a_report_before_it_is_accepted(client, ctx, board_member, status):
    ctx["report"].status = status
    ctx["report"].save(update_fields=["status"])
    client.force_login(board_member)

    response = client.get(reverse("reporting:report-detail", kwargs=_report(ctx)))

    assert response.status_code == 404


def test_board_member_sees_every_report_listed_and_opens_only_the_accepted(client, ctx, board_member):
    client.force_login(board_member)

    response = client.get(reverse("reporting:report-list") + "?status=")

    content = response.content.decode()
    assert [(r.pk, r.can_read) for r in response.context["page"].object_list] == [
        (ctx["accepted"].pk, True),
        (ctx["report"].pk, False),
    ]
    assert reverse("reporting:report-detail", kwargs={"pk": ctx["accepted"].pk}) in content
    assert reverse("reporting:report-detail", kwargs=_report(ctx)) not in content


def test_board_member_finds_no_link_to_an_open_report_on_the_hit_pages(client, ctx, board_member):
    client.force_login(board_member)
    draft_url = reverse("reporting:report-detail", kwargs=_report(ctx))

    hit_page = client.get(reverse("teams:hit-detail", kwargs={"pk": ctx["hit"].pk})).content.decode()
    dashboard = client.get(reverse("reporting:hit-dashboard", kwargs={"pk": ctx["hit"].pk})).content.decode()

    assert (draft_url in hit_page, draft_url in dashboard) == (False, False)
    assert reverse("reporting:report-detail", kwargs={"pk": ctx["accepted"].pk}) in dashboard


def test_forbidden_pages_give_the_reason(client, ctx, board_member, programme_manager):
    client.force_login(board_member)

    response = client.get(reverse("reporting:report-edit", kwargs={"pk": ctx["accepted"].pk}))

    assert response.status_code == 403
    assert "Only the HIT&#x27;s members write its progress reports." in response.content.decode()
    client.force_login(programme_manager)
    response = client.post(
        reverse("reporting:report-transition", kwargs=_report(ctx)),
        {"action": "submit", "expected_status": "draft"},
    )
    assert response.status_code == 403
    assert (
        "Only the HIT&#x27;s members can &#x27;submit&#x27; a progress report." in response.content.decode()
    )


def test_get_only_pages_refuse_post_and_post_only_pages_refuse_get(client, ctx, programme_manager):
    client.force_login(programme_manager)

    assert client.post(reverse("reporting:report-list")).status_code == 405
    assert client.post(reverse("reporting:setup-checklist", kwargs={"pk": ctx["hit"].pk})).status_code == 405
    assert client.get(reverse("reporting:setup-activate", kwargs={"pk": ctx["hit"].pk})).status_code == 405
    assert client.get(reverse("reporting:report-transition", kwargs=_report(ctx))).status_code == 405
