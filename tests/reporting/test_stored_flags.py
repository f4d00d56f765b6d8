"""Stored early-warning flags (docs/domain.md section 5.1a): the worker stores what flags_for_hits
computes, a change to what feeds them queues the recompute, the nightly run is scheduled, and pages
read the stored rows with their "as of" (never computing); the board dashboard is cached per version
of what it shows."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reporting import tasks
from reporting.enums import FundingStatus
from reporting.models import HITFlagState
from reporting.selectors import flags
from reporting.services import flags as flag_services
from teams.enums import HITStatus
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories.accreditation_eoi import ExpressionOfInterestFactory
from tests.reporting.test_flags import NOW, TODAY, _report, _sponsor_contact, _troubled


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _never_on_a_page(*args, **kwargs):
    raise AssertionError("pages read the stored flags; only the worker computes them")


@pytest.fixture
def no_computing_on_pages(monkeypatch):
    monkeypatch.setattr(flags, "flags_for_hits", _never_on_a_page)


# --- The worker's computation -----------------------------------------------------------------------


def test_stored_flags_equal_what_flags_for_hits_computes(db, monkeypatch):
    troubled = [f.HITFactory(status=HITStatus.ACTIVE) for _ in range(3)]
    for hit in troubled:
        _troubled(hit)
    quiet = f.HITFactory(status=HITStatus.ACTIVE)
    _sponsor_contact(quiet, TODAY - datetime.timedelta(days=10))
    pending = f.HITFactory(status=HITStatus.ACTIVE)
    _report(pending, due_on=TODAY, funding=FundingStatus.NONE)
    closed = f.HITFactory(status=HITStatus.CLOSED)
    hits = [*troubled, quiet, pending, closed]
    monkeypatch.setattr(flag_services, "BATCH_SIZE", 2)  # several batches

    assert flag_services.hit_flags_recompute() == len(hits)

    expected = flags.flags_for_hits([h.pk for h in hits], today=TODAY)
    for hit in hits:
        stored = flags.stored_flags_for_hit(hit.pk)
        assert stored is not None
        assert stored.flags == expected[hit.pk]
        assert (stored.as_of, stored.computed_at) == (TODAY, NOW)
    assert [flag.code for flag in flags.stored_flags_for_hit(troubled[0].pk).flags] == list(flags.LABELS)
    assert flags.stored_flags_for_hit(quiet.pk).flags == []
    assert HITFlagState.objects.get(hit=troubled[0]).flag_count == len(flags.LABELS)


def test_a_recompute_replaces_the_stored_flags(db):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _sponsor_contact(hit, TODAY - datetime.timedelta(days=10))
    eoi = ExpressionOfInterestFactory(hit=hit, known_risks="Rivalry between the trusts.")
    flag_services.hit_flags_recompute(hit_ids=[hit.pk])
    assert [flag.code for flag in flags.stored_flags_for_hit(hit.pk).flags] == [flags.RIVALRY_HISTORY]

    eoi.known_risks = "None known."
    eoi.save()
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        flag_services.hit_flags_recompute(hit_ids=[hit.pk])

    stored = flags.stored_flags_for_hit(hit.pk)
    assert stored.flags == [] and stored.computed_at == later
    assert HITFlagState.objects.filter(hit=hit).count() == 1


def test_a_hit_never_computed_has_no_stored_flags(db):
    hit = f.HITFactory(status=HITStatus.ACTIVE)

    assert flags.stored_flags_for_hit(hit.pk) is None


def test_the_stored_ppi_flag_equals_the_caseloads(db):
    from engagement.selectors.ppi import caseload

    never = f.HITFactory(status=HITStatus.ACTIVE)
    recent = f.HITFactory(status=HITStatus.ACTIVE)
    ef.InvolvementActivityFactory(hit=recent, happened_on=TODAY - datetime.timedelta(days=10))
    long_ago = f.HITFactory(status=HITStatus.SET_UP)
    ef.InvolvementActivityFactory(hit=long_ago, happened_on=TODAY - datetime.timedelta(days=90))
    f.HITFactory(status=HITStatus.CLOSED)

    flag_services.hit_flags_recompute()

    expected = [(h.pk, h.last_activity_on) for h in caseload(today=TODAY) if h.flagged]
    stored = flags.stored_ppi_quiet(limit=10)
    assert [(row.pk, row.last_activity_on) for row in stored.rows] == expected
    assert [row.pk for row in stored.rows] == [never.pk, long_ago.pk]
    assert (stored.total, stored.not_computed, stored.oldest) == (2, 0, NOW)


# --- Asking for a recompute ---------------------------------------------------------------------------


def _as_after_a_commit() -> None:
    """The test's own transaction never commits: forget the recompute its set-up queued (a real
    commit would have sent it), so the change under test queues its own inside the capture."""
    flag_services._pending.dispatch = None


@pytest.fixture
def queued():
    with mock.patch.object(tasks.recompute_hit_flags, "apply_async") as apply_async:
        yield apply_async


def _calls(apply_async) -> list[dict]:
    return [call.kwargs["kwargs"] for call in apply_async.call_args_list]


def test_changes_in_one_transaction_queue_one_recompute_after_commit(
    db, queued, django_capture_on_commit_callbacks
):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _as_after_a_commit()
    queued.reset_mock()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        f.MembershipFactory(hit=hit, organisation=f.OrganisationFactory())
        report = _report(hit, due_on=TODAY)
        rf.ReportRiskFactory(report=report, conflict=True, opened_on=TODAY)
        assert not queued.called  # not before the commit

    (call,) = _calls(queued)
    assert hit.pk in call["hit_ids"] and report.pk in call["report_ids"]
    # Queued at once by default: no task waits in the worker for a countdown (see FLAGS_DEBOUNCE_SECONDS).
    assert queued.call_args.kwargs.get("countdown") is None


def test_nothing_is_queued_when_the_change_rolls_back(db, queued, django_capture_on_commit_callbacks):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _as_after_a_commit()
    queued.reset_mock()

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                ExpressionOfInterestFactory(hit=hit, known_risks="Rivalry.")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not queued.called

    # The next change still queues its own recompute.
    with django_capture_on_commit_callbacks(execute=True):
        _sponsor_contact(hit, TODAY)
    (call,) = _calls(queued)
    assert hit.pk in call["hit_ids"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda hit: _report(hit, due_on=TODAY, funding=FundingStatus.AT_RISK), id="report"),
        pytest.param(lambda hit: f.MembershipFactory(hit=hit), id="membership"),
        pytest.param(lambda hit: _sponsor_contact(hit, TODAY), id="sponsor interaction"),
        pytest.param(lambda hit: ExpressionOfInterestFactory(hit=hit), id="expression of interest"),
        pytest.param(lambda hit: hit.save(), id="the HIT itself"),
        pytest.param(lambda hit: ef.InvolvementActivityFactory(hit=hit), id="PPI log entry"),
    ],
)
def test_each_input_of_the_flags_queues_the_hits_recompute(
    db, queued, django_capture_on_commit_callbacks, change
):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _as_after_a_commit()
    queued.reset_mock()

    with django_capture_on_commit_callbacks(execute=True):
        change(hit)

    assert hit.pk in _calls(queued)[0]["hit_ids"]


def test_a_stored_coverage_queues_the_hits_recompute(db, queued, django_capture_on_commit_callbacks):
    """The worker stores coverage in bulk (no model signal): its task's end asks for the flags."""
    from engagement import tasks as engagement_tasks

    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _as_after_a_commit()
    queued.reset_mock()

    with django_capture_on_commit_callbacks(execute=True):
        engagement_tasks.compute_coverage.apply(kwargs={"hit_id": hit.pk})
    # Run eagerly (the suite's Celery), the coverage task's end computes the flags at once.
    assert flags.stored_flags_for_hit(hit.pk) is not None

    # Run by a worker, it queues their recompute.
    from reporting.receivers import flags_after_coverage

    with mock.patch.object(flag_services, "flags_recompute_request") as request:
        worker_task = mock.Mock(request=mock.Mock(is_eager=False))
        worker_task.name = "engagement.compute_coverage"
        flags_after_coverage(task=worker_task, kwargs={"hit_id": hit.pk}, state="SUCCESS")
    request.assert_called_once_with(hit_id=hit.pk)


def test_a_change_is_stored_once_the_queued_task_runs(db, django_capture_on_commit_callbacks):
    """End to end, with the suite's eager Celery: the change commits, the task stores the flags."""
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    _sponsor_contact(hit, TODAY - datetime.timedelta(days=10))
    flag_services.hit_flags_recompute(hit_ids=[hit.pk])
    assert flags.stored_flags_for_hit(hit.pk).flags == []
    _as_after_a_commit()

    with django_capture_on_commit_callbacks(execute=True):
        ExpressionOfInterestFactory(hit=hit, known_risks="A history of competition between partners.")

    assert [flag.code for flag in flags.stored_flags_for_hit(hit.pk).flags] == [flags.RIVALRY_HISTORY]


def test_the_task_finds_the_hits_of_changed_reports(db):
    hit = f.HITFactory(status=HITStatus.ACTIVE)
    report = _report(hit, due_on=TODAY, funding=FundingStatus.NONE)

    assert tasks.recompute_hit_flags(report_ids=[report.pk], hit_ids=[]) == 1
    assert flags.CAPACITY in [flag.code for flag in flags.stored_flags_for_hit(hit.pk).flags]
    assert tasks.recompute_hit_flags(hit_ids=[999_999]) == 0  # a HIT since deleted


def test_every_hit_is_recomputed_nightly(db):
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reporting.recompute_all_flags"
    ]
    assert len(entries) == 1
    assert tasks.recompute_all_flags.name == "reporting.recompute_all_flags"
    hits = [f.HITFactory(status=status) for status in (HITStatus.ACTIVE, HITStatus.SET_UP, HITStatus.CLOSED)]

    assert tasks.recompute_all_flags() == len(hits)
    assert HITFlagState.objects.filter(as_of=TODAY).count() == len(hits)


# --- Pages read the stored flags ----------------------------------------------------------------------


def _portfolio(count: int) -> None:
    for _ in range(count):
        hit = f.HITFactory(status=HITStatus.ACTIVE)
        _report(hit, due_on=TODAY, funding=FundingStatus.AT_RISK)
        f.HITFactory(status=HITStatus.SET_UP)


@pytest.mark.parametrize("count", [1, 12])
def test_the_pm_home_page_reads_stored_flags_in_constant_queries(
    client, programme_manager, count, no_computing_on_pages, django_assert_max_num_queries
):
    _portfolio(count)
    flag_services.hit_flags_recompute()  # the worker's run (it imported the real computation)
    client.force_login(programme_manager)

    with django_assert_max_num_queries(45):
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.context["flagged_hits_total"] == count
    assert "Flags as of" in html and "10:00 today" in html  # 09:00 UTC, London summer time
    assert "not computed yet" not in html
    assert html.count("funding as at risk") == count


def test_the_pm_home_page_says_which_hits_are_not_computed_yet(
    client, programme_manager, no_computing_on_pages
):
    _portfolio(2)
    client.force_login(programme_manager)

    html = client.get(reverse("home")).content.decode()

    assert "4 live HITs not computed yet" in html
    assert "No live HIT has an early-warning flag." not in html


def test_the_hit_page_shows_the_stored_flags_and_their_as_of(client, director, hit, no_computing_on_pages):
    client.force_login(director)
    url = reverse("teams:hit-detail", kwargs={"pk": hit.pk})

    assert "Not computed yet" in client.get(url).content.decode()

    flag_services.hit_flags_recompute(hit_ids=[hit.pk])
    html = client.get(url).content.decode()

    assert "Flags as of" in html and "15 Jun 2026" in html
    assert "Not computed yet" not in html and "{#" not in html


# --- The board dashboard's cache ----------------------------------------------------------------------

BOARD = reverse("reporting:board-dashboard")


def _body(response) -> str:
    html = response.content.decode()
    return html[html.index("<h1>Portfolio dashboard</h1>") :]


def test_the_board_dashboard_is_served_from_the_cache_until_what_it_shows_changes(
    client, board_member, django_assert_max_num_queries
):
    hit = f.HITFactory(name="Alpha", status=HITStatus.ACTIVE)
    ef.CoverageScoreFactory(hit=hit, degrees=90, computed_at=timezone.now())
    client.force_login(board_member)
    first = client.get(BOARD)
    assert "1 active" in first.content.decode()

    # From the cache: the signed-in floor and the version query only.
    with django_assert_max_num_queries(8):
        again = client.get(BOARD)
    assert "dashboard" not in again.context  # nothing computed
    assert "{%" not in _body(first) and "{#" not in _body(first)
    assert _body(again) == _body(first)

    # A change it shows (a status moved on) changes the version, and so the page.
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        hit.status = HITStatus.SUSPENDED
        hit.save()
        changed = client.get(BOARD).content.decode()
    assert "1 suspended" in changed and "1 active" not in changed


def test_a_recompute_of_the_stored_scores_changes_the_board_dashboard(client, board_member):
    hit = f.HITFactory(name="Alpha", status=HITStatus.ACTIVE)
    score = ef.CoverageScoreFactory(hit=hit, degrees=90, computed_at=timezone.now())
    client.force_login(board_member)
    before = client.get(BOARD)
    assert before.context["rows"][0].coverage.degrees == 90

    later = NOW + datetime.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        score.degrees = 300
        score.computed_at = timezone.now()
        score.save()
        after = client.get(BOARD)

    assert after.context is not None, "served from the cache after a recompute"
    assert after.context["rows"][0].coverage.degrees == 300


def test_the_board_dashboard_cache_is_kept_per_visibility_scope_and_filter(
    client, board_member, ppi_facilitator, programme_manager
):
    f.HITFactory(status=HITStatus.ACTIVE)
    client.force_login(board_member)
    client.get(BOARD)
    assert "dashboard" not in client.get(BOARD).context  # cached for board members

    client.force_login(ppi_facilitator)
    assert "dashboard" in client.get(BOARD).context  # another scope: rendered afresh
    assert "dashboard" in client.get(BOARD, {"status": "active"}).context  # another filter

    client.force_login(programme_manager)
    assert "dashboard" in client.get(BOARD).context


@pytest.mark.parametrize("count", [1, 14])
def test_the_ppi_facilitators_home_reads_stored_flags_in_constant_queries(
    client, ppi_facilitator, count, django_assert_max_num_queries
):
    for _ in range(count):
        f.HITFactory(status=HITStatus.ACTIVE)  # no PPI lead, nothing logged
    flag_services.hit_flags_recompute()
    client.force_login(ppi_facilitator)

    with (
        mock.patch("engagement.selectors.ppi.caseload", side_effect=_never_on_a_page),
        django_assert_max_num_queries(25),
    ):
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert len(response.context["ppi_quiet_hits"]) == min(count, 10)
    assert response.context["ppi_quiet_total"] == count
    assert len(response.context["hits_without_ppi_lead"]) == min(count, 10)
    assert response.context["hits_without_ppi_lead_total"] == count
    assert 'id="ppi-quiet-as-of"' in html
    assert (f"The first 10 of {count}" in html) is (count > 10)
