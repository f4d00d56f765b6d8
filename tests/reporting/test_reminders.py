"""Report reminders under a frozen clock: exactly once per offset, caught up once, never a "before"
reminder after the due date, none for accepted, submitted or skipped reports, and a moved due date.

Each day the beat task runs (`reporting.tasks.send_report_reminders`), twice on purpose: the second
run must send nothing.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from reporting.enums import ReportStatus
from reporting.models import ProgressReport, ReminderLog
from reporting.services import reports as services
from reporting.tasks import send_report_reminders
from teams.enums import HITStatus, MembershipRole
from tests import factories as f
from tests.factories import reporting as rf
from tests.factories.accreditation_panel import AccreditationFactory

LONDON = ZoneInfo("Europe/London")
DUE = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def start_of_year():
    """The scene is built on 1 January 2026 (memberships start a month before), then each run travels on."""
    with time_machine.travel(datetime.datetime(2026, 1, 1, 9, tzinfo=LONDON), tick=False):
        yield


def _run(day: datetime.date, capture) -> int:
    """The beat task at 06:30 on `day`, twice; returns the emails the first run sent."""
    before = len(mail.outbox)
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(6, 30), tzinfo=LONDON), tick=False):
        with capture(execute=True):
            send_report_reminders()
        sent = len(mail.outbox) - before
        with capture(execute=True):
            assert send_report_reminders() == {"done": 0, "failed": 0}
    assert len(mail.outbox) - before == sent
    return sent


def _days(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def _sent_on(start, end, capture) -> dict[datetime.date, int]:
    return {day: n for day in _days(start, end) if (n := _run(day, capture))}


@pytest.fixture
def co_director(hit):
    user = f.UserFactory(full_name="Cora Codirector")
    person = f.PersonFactory(user=user, email=user.email)
    f.MembershipFactory(hit=hit, person=person, role=MembershipRole.CO_DIRECTOR)
    return user


@pytest.fixture
def report(hit, director, co_director, teammate):
    rf.ReportScheduleFactory(hit=hit, first_due_on=DUE)
    return rf.ProgressReportFactory(hit=hit, due_on=DUE)


def test_each_offset_is_sent_exactly_once_to_directors(
    report, director, co_director, django_capture_on_commit_callbacks
):
    sent = _sent_on(datetime.date(2026, 3, 1), datetime.date(2026, 5, 1), django_capture_on_commit_callbacks)

    # 14 days before, 1 day after, 14 days after: one email to each of the two directors.
    assert sent == {
        datetime.date(2026, 3, 18): 2,
        datetime.date(2026, 4, 2): 2,
        datetime.date(2026, 4, 15): 2,
    }
    assert sorted(ReminderLog.objects.values_list("offset_days", flat=True)) == [-14, 1, 14]
    assert {tuple(m.to) for m in mail.outbox} == {(director.email,), (co_director.email,)}
    first, overdue = mail.outbox[0], mail.outbox[-1]
    assert first.subject == "Dementia HIT progress report due on 1 April 2026"
    assert "in 14 days" in first.body
    assert overdue.subject == "Overdue: Dementia HIT progress report was due on 1 April 2026"
    assert "14 days ago" in overdue.body
    assert overdue.alternatives[0][1] == "text/html"


def test_a_missed_reminder_is_caught_up_once_but_never_a_before_reminder_after_the_due_date(
    report, django_capture_on_commit_callbacks
):
    # The worker is down until 5 April: the -14 reminder is not sent late, the +1 one is caught up.
    sent = _sent_on(datetime.date(2026, 4, 5), datetime.date(2026, 4, 20), django_capture_on_commit_callbacks)

    assert sent == {datetime.date(2026, 4, 5): 2, datetime.date(2026, 4, 15): 2}
    assert sorted(ReminderLog.objects.values_list("offset_days", flat=True)) == [1, 14]


def test_several_missed_offsets_are_covered_by_one_email(report, django_capture_on_commit_callbacks):
    sent = _sent_on(
        datetime.date(2026, 4, 20), datetime.date(2026, 5, 20), django_capture_on_commit_callbacks
    )

    assert sent == {datetime.date(2026, 4, 20): 2}
    assert "19 days ago" in mail.outbox[0].body
    assert sorted(ReminderLog.objects.values_list("offset_days", flat=True)) == [1, 14]


def test_a_before_reminder_caught_up_before_the_due_date(report, django_capture_on_commit_callbacks):
    sent = _sent_on(datetime.date(2026, 3, 25), datetime.date(2026, 4, 1), django_capture_on_commit_callbacks)

    assert sent == {datetime.date(2026, 3, 25): 2}
    assert "in 7 days" in mail.outbox[0].body


@pytest.mark.parametrize("status", [ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.SKIPPED])
def test_no_reminder_once_the_report_left_the_team(report, status, django_capture_on_commit_callbacks):
    ProgressReport.objects.filter(pk=report.pk).update(status=status)

    sent = _sent_on(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), django_capture_on_commit_callbacks)

    assert sent == {}
    assert ReminderLog.objects.count() == 0


def test_no_reminder_after_acceptance_midway(
    report, director, programme_manager, django_capture_on_commit_callbacks
):
    assert _run(datetime.date(2026, 3, 18), django_capture_on_commit_callbacks) == 2
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=LONDON), tick=False):
        rf.IndicatorRatingFactory(report=report)
        ProgressReport.objects.filter(pk=report.pk).update(funding_status="secured")
        services.report_transition(actor=director, report_id=report.pk, action="submit")
        services.report_transition(actor=programme_manager, report_id=report.pk, action="accept")
    mail.outbox.clear()

    sent = _sent_on(
        datetime.date(2026, 3, 21), datetime.date(2026, 4, 30), django_capture_on_commit_callbacks
    )

    assert sent == {}


def test_a_paused_schedule_sends_nothing(report, hit, django_capture_on_commit_callbacks):
    hit.report_schedule.is_active = False
    hit.report_schedule.save(update_fields=["is_active"])

    assert (
        _sent_on(datetime.date(2026, 3, 1), datetime.date(2026, 4, 30), django_capture_on_commit_callbacks)
        == {}
    )


def test_a_moved_due_date_keeps_sent_offsets_and_rearms_the_rest(
    report, programme_manager, django_capture_on_commit_callbacks
):
    assert _run(datetime.date(2026, 3, 18), django_capture_on_commit_callbacks) == 2  # -14 for 1 April
    with time_machine.travel(datetime.datetime(2026, 3, 25, 10, tzinfo=LONDON), tick=False):
        services.report_due_date_move(
            actor=programme_manager,
            report_id=report.pk,
            due_on=datetime.date(2026, 5, 1),
            reason="Board date",
        )

    sent = _sent_on(
        datetime.date(2026, 3, 19), datetime.date(2026, 5, 31), django_capture_on_commit_callbacks
    )

    # Nothing on the old dates (2 and 15 April), -14 not repeated for the new date; +1 and +14 follow it.
    assert sent == {datetime.date(2026, 5, 2): 2, datetime.date(2026, 5, 15): 2}
    assert list(ReminderLog.objects.order_by("offset_days").values_list("offset_days", "due_on")) == [
        (-14, DUE),
        (1, datetime.date(2026, 5, 1)),
        (14, datetime.date(2026, 5, 1)),
    ]


def test_a_due_date_moved_before_its_first_reminder_gets_every_reminder_on_the_new_date(
    report, programme_manager, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=LONDON), tick=False):
        services.report_due_date_move(
            actor=programme_manager,
            report_id=report.pk,
            due_on=datetime.date(2026, 6, 1),
            reason="Later start",
        )

    sent = _sent_on(
        datetime.date(2026, 3, 10), datetime.date(2026, 6, 30), django_capture_on_commit_callbacks
    )

    assert sent == {
        datetime.date(2026, 5, 18): 2,
        datetime.date(2026, 6, 2): 2,
        datetime.date(2026, 6, 15): 2,
    }


def test_the_schedule_opens_the_next_report_when_its_first_reminder_is_due(
    hit, director, programme_manager, django_capture_on_commit_callbacks
):
    rf.ReportScheduleFactory(hit=hit, first_due_on=DUE, interval_months=6)

    assert _run(datetime.date(2026, 3, 17), django_capture_on_commit_callbacks) == 0
    assert ProgressReport.objects.count() == 0
    assert _run(datetime.date(2026, 3, 18), django_capture_on_commit_callbacks) == 1

    report = ProgressReport.objects.get()
    assert (report.due_on, report.period_start, report.period_end, report.status) == (
        DUE,
        datetime.date(2025, 10, 1),
        datetime.date(2026, 3, 31),
        ReportStatus.DRAFT,
    )
    assert report.events.get().comment == "Opened by the reporting schedule."
    # Accepted: the next one opens 14 days before 1 October, covering the time since.
    ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED)
    assert _run(datetime.date(2026, 9, 16), django_capture_on_commit_callbacks) == 0
    assert _run(datetime.date(2026, 9, 17), django_capture_on_commit_callbacks) == 1
    following = ProgressReport.objects.exclude(pk=report.pk).get()
    assert (following.due_on, following.period_start) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 4, 1),
    )


def test_the_first_scheduled_report_starts_on_the_day_of_accreditation(
    hit, director, programme_manager, django_capture_on_commit_callbacks
):
    """Regression: the first report covered one interval back from its due date, so it started
    three months before the HIT was accredited."""
    AccreditationFactory(
        decision__application__hit=hit,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2028, 12, 31),
    )
    rf.ReportScheduleFactory(hit=hit, first_due_on=DUE, interval_months=6)

    assert _run(datetime.date(2026, 3, 18), django_capture_on_commit_callbacks) == 1

    report = ProgressReport.objects.get()
    assert (report.period_start, report.period_end) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))


def test_the_schedule_opens_nothing_for_a_closed_hit(hit, director, django_capture_on_commit_callbacks):
    rf.ReportScheduleFactory(hit=hit, first_due_on=DUE)
    hit.status = HITStatus.CLOSING
    hit.closure_reason = "aims_achieved"
    hit.save(update_fields=["status", "closure_reason"])

    assert (
        _sent_on(datetime.date(2026, 3, 1), datetime.date(2026, 4, 30), django_capture_on_commit_callbacks)
        == {}
    )
    assert ProgressReport.objects.count() == 0


@pytest.mark.parametrize(
    ("today", "sent", "expected"),
    [
        (datetime.date(2026, 3, 17), set(), []),
        (datetime.date(2026, 3, 18), set(), [-14]),
        (datetime.date(2026, 4, 1), set(), [-14]),
        (datetime.date(2026, 4, 2), set(), [1]),
        (datetime.date(2026, 4, 30), set(), [1, 14]),
        (datetime.date(2026, 4, 30), {1}, [14]),
        (datetime.date(2026, 4, 30), {1, 14}, []),
    ],
)
def test_offsets_due(today, sent, expected):
    assert services.reminder_offsets_due(due_on=DUE, offsets=[-14, 1, 14], sent=sent, today=today) == expected


# --- One bad row stops nothing -----------------------------------------------------------------------


def _director_of(hit) -> str:
    person = f.PersonFactory()
    f.MembershipFactory(hit=hit, person=person, role=MembershipRole.DIRECTOR)
    return person.email


def test_a_bad_schedule_and_a_bad_report_are_logged_and_skipped_while_the_others_are_reminded(
    report, director, co_director, caplog, django_capture_on_commit_callbacks
):
    # A HIT whose last report is due on 9999-12-31 (stored before dates were bounded): its next
    # due date is past the end of the calendar, which once stopped the reminders of every HIT.
    far = f.HITFactory(active=True)
    _director_of(far)
    far_schedule = rf.ReportScheduleFactory(hit=far, first_due_on=DUE)
    far_report = rf.ProgressReportFactory(hit=far, accepted=True, due_on=DUE)
    ProgressReport.objects.filter(pk=far_report.pk).update(due_on=datetime.date(9999, 12, 31))
    # A report due on 1 January of year 1: its "14 days before" day is before the calendar starts.
    ancient = rf.ProgressReportFactory(hit=f.HITFactory(active=True), due_on=DUE)
    ProgressReport.objects.filter(pk=ancient.pk).update(due_on=datetime.date(1, 1, 1))
    # A HIT whose schedule opens its first report today, after the bad schedule.
    scheduled = f.HITFactory(active=True)
    scheduled_director = _director_of(scheduled)
    rf.ReportScheduleFactory(hit=scheduled, first_due_on=datetime.date(2026, 3, 31))
    mail.outbox.clear()

    at_6_30 = datetime.datetime(2026, 3, 18, 6, 30, tzinfo=LONDON)
    with time_machine.travel(at_6_30, tick=False), django_capture_on_commit_callbacks(execute=True):
        outcome = send_report_reminders()

    assert outcome == {"done": 2, "failed": 2}
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [director.email, co_director.email, scheduled_director]
    )
    assert ProgressReport.objects.filter(hit=scheduled).count() == 1
    assert ProgressReport.objects.filter(hit=far).count() == 1
    assert ReminderLog.objects.filter(report=ancient).count() == 0
    failures = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in failures] == [
        f"Opening the scheduled report of schedule {far_schedule.pk} failed and was skipped; "
        "the other rows carry on.",
        f"Reminding report {ancient.pk} failed and was skipped; the other rows carry on.",
    ]
    assert all(r.exc_info for r in failures)
