"""The home page (hitportal/views.py home) and the programme manager's reporting panels on it
(reporting/views/home.py): drawn once per version of what they show and kept in the cache, never
computed again until a recompute or an edit changes it, and never served to another viewer."""

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

    # The session, the user and one version query: nothing on the page is computed again.
    with (
        mock.patch("reporting.views.home.pm_home_panels", side_effect=_never),
        mock.patch("hitportal.views._programme_manager_attention", side_effect=_never),
        mock.patch("hitportal.views._accreditation_attention", side_effect=_never),
        django_assert_max_num_queries(3),
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


def test_the_pm_panels_are_drawn_once_for_every_programme_manager(client, programme_manager):
    """The whole page is kept per viewer; reporting's panels, the same for every programme manager, once."""
    f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE)
    other = f.UserFactory(full_name="Quinn Other")
    f.RoleAssignmentFactory(user=other, role="programme_manager")
    client.force_login(programme_manager)
    client.get(HOME)

    client.force_login(other)
    with mock.patch("reporting.views.home.pm_home_panels", side_effect=_never):
        html = client.get(HOME).content.decode()

    assert "Welcome, Quinn" in html and "Pat" not in html.split("<h1>")[1].split("</h1>")[0]


def test_one_viewers_home_is_never_served_to_another(client, director, hit, programme_manager):
    client.force_login(director)
    mine = client.get(HOME).content.decode()
    assert hit.name in mine

    client.force_login(programme_manager)
    response = client.get(HOME)

    assert response.context["roles"].has("programme_manager")  # drawn afresh for this viewer
    assert 'id="pm-flags-heading"' in response.content.decode() and 'id="pm-flags-heading"' not in mine


def test_a_new_membership_draws_the_home_page_again(client, hit, other_hit):
    person = f.PersonFactory(user=f.UserFactory(full_name="Mo Member"))
    f.MembershipFactory(hit=hit, person=person)
    client.force_login(person.user)
    assert other_hit.name not in client.get(HOME).content.decode()

    f.MembershipFactory(hit=other_hit, person=person)

    assert other_hit.name in client.get(HOME).content.decode()


def test_a_board_members_home_reads_only_the_hits_and_shows_a_status_change_at_once(client, board_member):
    from hitportal.views import home_sources
    from teams.models import HIT
    from teams.roles import roles_of

    assert home_sources(roles_of(board_member)) == [HIT]
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    client.force_login(board_member)
    first = client.get(HOME).context["status_counts"]
    assert ("active", "Active", 1) in first

    with _later(5):
        hit.status = HITStatus.SUSPENDED
        hit.save()
        counts = client.get(HOME).context["status_counts"]

    assert ("suspended", "Suspended", 1) in counts and ("active", "Active", 0) in counts


def test_a_deleted_report_other_than_the_newest_is_gone_from_the_home_page_at_the_next_request(
    client, programme_manager
):
    gone = ProgressReportFactory(
        hit=f.HITFactory(name="Alpha HIT", status=HITStatus.ACTIVE),
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    ProgressReportFactory(
        hit=f.HITFactory(name="Beta HIT", status=HITStatus.ACTIVE),
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    client.force_login(programme_manager)
    assert "Alpha HIT" in _panels(client.get(HOME))
    with mock.patch("reporting.views.home.pm_home_panels", side_effect=_never):
        assert "Alpha HIT" in _panels(client.get(HOME))  # served from the cache

    gone.delete()  # not the highest id, and no edit time moves
    html = _panels(client.get(HOME))

    assert "Alpha HIT" not in html and "Beta HIT" in html


def test_a_deleted_hit_other_than_the_newest_is_gone_from_a_members_home_at_the_next_request(
    client, hit, other_hit
):
    person = f.PersonFactory(user=f.UserFactory(full_name="Mo Member"))
    gone = f.MembershipFactory(hit=hit, person=person)
    f.MembershipFactory(hit=other_hit, person=person)
    client.force_login(person.user)
    assert hit.name in client.get(HOME).content.decode()

    gone.delete()

    assert hit.name not in client.get(HOME).content.decode()
