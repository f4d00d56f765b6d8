"""The audit log a page at a time (hitportal/audit/selectors.py AuditLog) and its cache
(hitportal/audit/views.py): each source gives only its newest rows for a page, and the page is the
same as a slice of the whole log; a rendering is served until what it shows changes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from hitportal.audit import selectors as audit
from tests import factories as f
from tests.factories.reporting import ProgressReportFactory, ReportEventFactory

DAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LOG = reverse("audit:log")


def _key(row: dict) -> tuple:
    return (row["log_kind"], row["log_pk"])


def _interleaved(actor, *, hits: int, reports: int) -> None:
    """HIT status changes every 2 minutes and report events every 3, some at the same minute."""
    hit = f.HITFactory()
    for n in range(hits):
        f.HITStatusChangeFactory(hit=hit, actor=actor, created_at=DAY + datetime.timedelta(minutes=2 * n))
    for n in range(reports):
        ReportEventFactory(actor=actor, created_at=DAY + datetime.timedelta(minutes=3 * n))


@pytest.mark.parametrize(("start", "stop"), [(0, 50), (50, 100), (100, 150), (120, 170), (0, 500)])
def test_a_slice_of_the_log_is_that_slice_of_the_whole_log_newest_first(programme_manager, start, stop):
    _interleaved(programme_manager, hits=70, reports=70)
    log = audit.audit_entries(user=programme_manager)

    whole = list(log)

    assert log.count() == len(whole) == 70 + 70
    assert [_key(row) for row in log[start:stop]] == [_key(row) for row in whole[start:stop]]
    times = [row["log_when"] for row in whole]
    assert times == sorted(times, reverse=True)


def test_a_filtered_slice_counts_and_pages_only_the_matching_events(programme_manager, hit):
    _interleaved(programme_manager, hits=30, reports=30)
    log = audit.audit_entries(user=programme_manager, filters=audit.AuditFilter(kind="report"))

    assert log.count() == 30
    assert {row["log_kind"] for row in log[0:50]} == {"report"}
    assert [_key(row) for row in log[10:20]] == [_key(row) for row in list(log)[10:20]]


def test_the_log_is_empty_for_anyone_but_a_programme_manager(programme_manager, board_member):
    _interleaved(programme_manager, hits=3, reports=3)
    log = audit.audit_entries(user=board_member)

    assert (log.count(), list(log), log[0:50]) == (0, [], [])


def _log(response) -> str:
    html = response.content.decode()
    return html[html.index("<h1>Audit log</h1>") : html.index("</main>")]


def test_a_new_event_shows_at_once_though_the_page_is_cached(client, programme_manager, hit):
    f.HITStatusChangeFactory(hit=hit, actor=programme_manager, created_at=DAY)
    client.force_login(programme_manager)
    first = client.get(LOG)
    assert client.get(LOG).context.get("entries") is None  # served from the cache

    ReportEventFactory(actor=programme_manager, report__hit=hit, created_at=DAY - datetime.timedelta(days=1))
    after = client.get(LOG)

    assert after.context["entries"] is not None  # rendered afresh
    assert "Progress report of" in _log(after) and "Progress report of" not in _log(first)


def test_a_renamed_actor_shows_at_once_though_the_page_is_cached(client, programme_manager, hit):
    actor = f.UserFactory(full_name="Old Name")
    f.HITStatusChangeFactory(hit=hit, actor=actor, created_at=DAY)
    client.force_login(programme_manager)
    assert "Old Name" in _log(client.get(LOG))

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=1)):
        actor.full_name = "New Name"
        actor.save()
    html = _log(client.get(LOG))

    assert "New Name" in html and "Old Name" not in html


def test_each_filter_and_page_is_cached_apart(client, programme_manager, hit):
    for n in range(60):
        f.HITStatusChangeFactory(
            hit=hit, actor=programme_manager, created_at=DAY + datetime.timedelta(minutes=n)
        )
    client.force_login(programme_manager)
    client.get(LOG)

    second = client.get(LOG, {"page": 2})
    filtered = client.get(LOG, {"kind": "report"})

    assert second.context["page"].number == 2
    assert filtered.context["entries"] == []
    assert client.get(LOG, {"page": 2}).context.get("entries") is None  # now cached too


def test_a_search_typed_into_the_hit_field_is_never_served_from_the_cache(client, programme_manager, hit):
    client.force_login(programme_manager)
    client.get(LOG, {"hit__q": hit.name})

    assert client.get(LOG, {"hit__q": hit.name}).context["entries"] is not None


def test_the_log_refuses_others_before_reading_the_cache(client, programme_manager, board_member, hit):
    f.HITStatusChangeFactory(hit=hit, actor=programme_manager, created_at=DAY)
    client.force_login(programme_manager)
    client.get(LOG)

    client.force_login(board_member)
    response = client.get(LOG)

    assert response.status_code == 403
    assert hit.name not in response.content.decode()


def test_a_deleted_event_other_than_the_newest_is_gone_at_the_next_request(client, programme_manager, hit):
    report = ProgressReportFactory(hit=hit)
    older = ReportEventFactory(
        actor=programme_manager, report=report, created_at=DAY - datetime.timedelta(days=2)
    )
    ReportEventFactory(actor=programme_manager, report=report, created_at=DAY)  # the newest, kept
    client.force_login(programme_manager)
    assert _log(client.get(LOG)).count("Progress report of") == 2
    assert client.get(LOG).context.get("entries") is None  # served from the cache

    older.delete()  # neither the highest id nor the latest time of any table moves
    after = client.get(LOG)

    assert after.context["entries"] is not None  # rendered afresh
    assert _log(after).count("Progress report of") == 1
