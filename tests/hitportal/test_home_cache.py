"""The programme manager's reporting panels on the home page (reporting/views/home.py): drawn once per
version of what they show and kept in the cache, never computed again until a recompute or an edit
changes it, and never served to anyone but a programme manager."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reporting.enums import ReportStatus
from reporting.services import flags as flag_services
from teams.enums import HITStatus
from tests import factories as f
from tests.factories.reporting import ProgressReportFactory

HOME = reverse("home")


def _panels(response) -> str:
    html = response.content.decode()
    start = html.index('id="pm-flags-heading"')
    return html[start : html.index('id="pm-overdue-heading"', start)]


def _never(*args, **kwargs):
    raise AssertionError("the panels were computed, not read from the cache")


def _later(minutes: int):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


@pytest.mark.parametrize("rows", [1, 12])
def test_the_panels_are_served_from_the_cache_in_constant_queries(
    client, programme_manager, django_assert_max_num_queries, rows
):
    for hit in f.HITFactory.create_batch(rows, status=HITStatus.ACTIVE):
        ProgressReportFactory(hit=hit, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
    flag_services.hit_flags_recompute()
    client.force_login(programme_manager)
    first = client.get(HOME)
    assert len(first.context["reports_to_review"]) == rows

    # The signed-in floor, the other attention items and one version query: the panels are not computed.
    with (
        mock.patch("reporting.views.home.pm_home_panels", side_effect=_never),
        django_assert_max_num_queries(20),
    ):
        again = client.get(HOME)

    assert _panels(again) == _panels(first)
    assert "Progress reports waiting for you" in again.content.decode()


def test_a_newly_submitted_report_shows_at_once(client, programme_manager):
    hit = f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE)
    report = ProgressReportFactory(hit=hit, status=ReportStatus.DRAFT)
    client.force_login(programme_manager)
    assert "Alpha HIT" not in _panels(client.get(HOME))

    with _later(5):
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.save()
        html = _panels(client.get(HOME))

    assert "Alpha HIT" in html


def test_a_recompute_of_the_flags_shows_at_once(client, programme_manager):
    f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE)
    client.force_login(programme_manager)
    before = client.get(HOME).content.decode()
    assert 'id="pm-flags-not-computed"' in before

    with _later(5):
        flag_services.hit_flags_recompute()
        after = client.get(HOME).content.decode()

    assert 'id="pm-flags-not-computed"' not in after and 'id="pm-flags-as-of"' in after


def test_the_panels_are_never_served_to_anyone_but_a_programme_manager(
    client, programme_manager, board_member, hit
):
    client.force_login(programme_manager)
    assert 'id="pm-flags-heading"' in client.get(HOME).content.decode()

    client.force_login(board_member)
    html = client.get(HOME).content.decode()

    assert 'id="pm-flags-heading"' not in html and "Progress reports waiting for you" not in html


def test_a_new_day_draws_the_panels_again(client, programme_manager):
    """Overdue is measured against the day: a report due today is overdue tomorrow."""
    late = datetime.datetime(2026, 3, 2, 22, 30, tzinfo=datetime.UTC)
    with time_machine.travel(late, tick=False):
        hit = f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE)
        ProgressReportFactory(hit=hit, status=ReportStatus.DRAFT, due_on=timezone.localdate())
        client.force_login(programme_manager)
        assert "Alpha HIT" not in _overdue(client.get(HOME))

    with time_machine.travel(late + datetime.timedelta(hours=2), tick=False):
        assert "Alpha HIT" in _overdue(client.get(HOME))


def _overdue(response) -> str:
    html = response.content.decode()
    start = html.index('id="pm-overdue-heading"')
    return html[start : html.index("All due and overdue reports", start)]
