"""The HIT dashboard's body is kept rendered per viewer and version of what it shows (core.versions,
reporting.selectors.hit_dashboard.HIT_DASHBOARD_SOURCES): an edit shows at the next request, one
viewer's dashboard is never served to another."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.versions import fingerprint
from engagement.models import ReadinessChange, ReadinessResult, Wave
from engagement.services.releases import readiness_release
from reporting.enums import ReportStatus
from tests.factories import engagement as ef
from tests.factories import reporting as rf

pytestmark = pytest.mark.django_db


def _url(hit) -> str:
    return reverse("reporting:hit-dashboard", kwargs={"pk": hit.pk})


def _kept(response) -> bool:
    return "data" not in (response.context or {})


def test_a_new_milestone_shows_at_the_next_request(client, director, hit):
    client.force_login(director)
    client.get(_url(hit))
    assert _kept(client.get(_url(hit)))

    rf.MilestoneFactory(hit=hit, title="Open the memory clinic")
    response = client.get(_url(hit))

    assert not _kept(response)
    assert "Open the memory clinic" in response.content.decode()


def test_a_report_edit_shows_at_the_next_request(client, director, hit):
    report = rf.ProgressReportFactory(hit=hit, due_on=timezone.localdate() + datetime.timedelta(days=9))
    client.force_login(director)
    assert "Draft" in client.get(_url(hit)).content.decode()

    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.save()

    assert "Submitted" in client.get(_url(hit)).content.decode()


def test_a_release_renews_the_version_of_the_released_results(hit):
    """The release writes with update() and a fast insert, which send no signal: it bumps itself."""
    wave = ef.WaveFactory(hit=hit, closed=True)
    before = fingerprint([Wave, ReadinessResult, ReadinessChange])

    readiness_release(wave_ids=[wave.pk])

    assert fingerprint([Wave, ReadinessResult, ReadinessChange]) != before


def test_a_reader_without_report_rights_never_gets_the_directors_dashboard(
    client, director, ppi_facilitator, hit
):
    rf.ProgressReportFactory(hit=hit, due_on=timezone.localdate() + datetime.timedelta(days=9))
    client.force_login(director)
    client.get(_url(hit))
    assert _kept(client.get(_url(hit)))

    client.force_login(ppi_facilitator)
    response = client.get(_url(hit))

    assert not _kept(response)
    assert "Progress reports are shown to the HIT's members" in response.content.decode()
