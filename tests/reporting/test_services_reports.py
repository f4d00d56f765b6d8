"""reporting.services for progress reports: creation, sections, the workflow's side effects and its
role x action matrix against the database, and bad input."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.workflow import InvalidTransition, StaleState
from reporting.enums import FundingStatus, MilestoneStatus, ReportStatus, RiskKind
from reporting.models import (
    IndicatorRating,
    Milestone,
    ProgressReport,
    ReportEvent,
    ReportRisk,
    ReportSchedule,
)
from reporting.services.reports import (
    report_create,
    report_due_date_move,
    report_milestones_save,
    report_ratings_save,
    report_rows_save,
    report_snapshots_save,
    report_transition,
)
from reporting.services.schedules import schedule_save
from teams.enums import HITStatus
from teams.models import HIT
from tests.factories import engagement as ef
from tests.factories import reporting as rf
from tests.factories.teams import OutcomeDomainFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _ready(report):
    rf.IndicatorRatingFactory(report=report)
    report.funding_status = FundingStatus.SECURED
    report.save(update_fields=["funding_status"])
    return report


# --- Creating ----------------------------------------------------------------------------------------


def test_report_create_opens_a_draft_with_an_event(director, hit):
    report = report_create(
        actor=director,
        hit_id=hit.pk,
        period_start=datetime.date(2025, 9, 1),
        period_end=datetime.date(2026, 2, 28),
        due_on=datetime.date(2026, 3, 31),
    )

    assert (report.status, report.version, report.created_by) == (ReportStatus.DRAFT, 1, director)
    event = report.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "create",
        "",
        "draft",
        director,
    )


def test_report_create_refuses_a_due_date_in_the_past_and_stores_nothing(director, hit):
    with pytest.raises(ValidationError) as exc:
        report_create(
            actor=director,
            hit_id=hit.pk,
            period_start=datetime.date(2025, 9, 1),
            period_end=datetime.date(2026, 2, 28),
            due_on=datetime.date(2026, 3, 1),
        )

    assert exc.value.message_dict == {"due_on": ["The due date cannot be in the past."]}
    assert ProgressReport.objects.count() == 0


def test_report_create_refuses_a_second_open_report(director, hit):
    rf.ProgressReportFactory(hit=hit, due_on=datetime.date(2026, 4, 1))

    with pytest.raises(ValidationError, match="already has a report in progress"):
        report_create(
            actor=director,
            hit_id=hit.pk,
            period_start=TODAY,
            period_end=TODAY,
            due_on=datetime.date(2026, 9, 1),
        )

    assert ProgressReport.objects.count() == 1


def test_one_open_report_per_hit_is_a_database_constraint(hit):
    from django.db import IntegrityError

    rf.ProgressReportFactory(hit=hit)
    with pytest.raises(IntegrityError):
        rf.ProgressReportFactory(hit=hit, status=ReportStatus.SUBMITTED)


def test_report_create_refuses_non_members(programme_manager, outsider, hit):
    for actor in (programme_manager, outsider):
        with pytest.raises(PermissionDenied):
            report_create(actor=actor, hit_id=hit.pk, period_start=TODAY, period_end=TODAY, due_on=TODAY)


def test_report_create_carries_open_risks_forward(director, hit):
    previous = rf.ProgressReportFactory(hit=hit, accepted=True, due_on=datetime.date(2026, 1, 1))
    rf.ReportRiskFactory(report=previous, conflict=True, opened_on=datetime.date(2025, 11, 1))
    rf.ReportRiskFactory(
        report=previous, resolved_on=datetime.date(2025, 12, 1), opened_on=datetime.date(2025, 11, 1)
    )

    report = report_create(
        actor=director, hit_id=hit.pk, period_start=datetime.date(2026, 1, 1), period_end=TODAY, due_on=TODAY
    )

    carried = list(report.risks.values_list("kind", "opened_on", "resolved_on"))
    assert carried == [(RiskKind.CONFLICT, datetime.date(2025, 11, 1), None)]
    assert report.funding_status == FundingStatus.SECURED


# --- Sections ----------------------------------------------------------------------------------------


def test_ratings_save_creates_updates_and_clears(director, hit):
    report = rf.ProgressReportFactory(hit=hit)

    report_ratings_save(
        actor=director,
        report_id=report.pk,
        ratings={"W1": (2, " Table agreed "), "I1": (3, ""), "N3": (None, "")},
    )
    report_ratings_save(
        actor=director, report_id=report.pk, ratings={"W1": (3, "Table agreed"), "I1": (None, "")}
    )

    rows = list(IndicatorRating.objects.values_list("indicator", "concept", "rating", "evidence"))
    assert rows == [("W1", "WSE", 3, "Table agreed")]


def test_ratings_save_refuses_evidence_without_a_rating(director, hit):
    report = rf.ProgressReportFactory(hit=hit)

    with pytest.raises(ValidationError):
        report_ratings_save(actor=director, report_id=report.pk, ratings={"W1": (None, "Some evidence")})

    assert IndicatorRating.objects.count() == 0


def test_sections_of_a_submitted_report_cannot_be_edited(director, hit):
    report = rf.ProgressReportFactory(hit=hit, submitted=True)

    with pytest.raises(PermissionDenied, match="submitted"):
        report_ratings_save(actor=director, report_id=report.pk, ratings={"W1": (2, "")})


@pytest.mark.parametrize(
    ("due", "met", "status"),
    [
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 1), MilestoneStatus.MET_ON_TIME),
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 10), MilestoneStatus.LATE),
        (datetime.date(2026, 2, 1), None, MilestoneStatus.MISSED),
        (datetime.date(2026, 4, 1), None, MilestoneStatus.PLANNED),
    ],
)
def test_milestone_status_is_derived_from_the_dates(director, hit, due, met, status):
    report = rf.ProgressReportFactory(hit=hit)

    report_milestones_save(
        actor=director,
        report_id=report.pk,
        rows=[{"id": None, "title": "Pathway agreed", "due_on": due, "met_on": met}],
    )

    milestone = Milestone.objects.get()
    assert (milestone.status, milestone.report, milestone.hit) == (status, report, hit)


def test_milestones_recorded_in_an_earlier_report_cannot_be_removed(director, hit):
    earlier = rf.ProgressReportFactory(hit=hit, accepted=True, due_on=datetime.date(2025, 9, 1))
    milestone = rf.MilestoneFactory(hit=hit, report=earlier, due_on=datetime.date(2026, 5, 1))
    report = rf.ProgressReportFactory(hit=hit)

    with pytest.raises(ValidationError, match="Only milestones first recorded in this report"):
        report_milestones_save(
            actor=director, report_id=report.pk, rows=[{"id": milestone.pk, "delete": True}]
        )

    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_rows_save_refuses_a_row_of_another_report(director, hit):
    other = rf.ReportRiskFactory()
    report = rf.ProgressReportFactory(hit=hit)

    with pytest.raises(ValidationError, match="does not belong"):
        report_rows_save(
            actor=director, report_id=report.pk, section="risks", rows=[{"id": other.pk, "description": "x"}]
        )


def test_rows_save_outcomes_intended_and_unintended(director, hit):
    report = rf.ProgressReportFactory(hit=hit)
    domain = OutcomeDomainFactory()

    report_rows_save(
        actor=director,
        report_id=report.pk,
        section="outcomes",
        rows=[
            {"domain": domain, "description": "Shorter waits", "intended": True},
            {"domain": domain, "description": "Longer travel for some patients", "intended": False},
        ],
    )

    assert list(report.outcomes.values_list("description", "intended")) == [
        ("Shorter waits", True),
        ("Longer travel for some patients", False),
    ]


def test_rows_save_bad_row_stores_nothing(director, hit):
    report = rf.ProgressReportFactory(hit=hit)

    with pytest.raises(ValidationError) as exc:
        report_rows_save(
            actor=director,
            report_id=report.pk,
            section="risks",
            rows=[
                {"kind": "risk", "description": "Fine", "opened_on": TODAY},
                {"kind": "risk", "description": "", "opened_on": TODAY},
            ],
        )

    assert "1-description" in exc.value.message_dict
    assert ReportRisk.objects.count() == 0


def test_snapshots_store_copies_of_the_latest_scores(director, hit):
    assessment = ef.StandardsAssessmentFactory(hit=hit, assessed_on=datetime.date(2026, 2, 1))
    ef.StandardRatingRowFactory(
        assessment=assessment, standard="impact", rating=2, note="Reported to the board"
    )
    report = rf.ProgressReportFactory(hit=hit)

    report_snapshots_save(
        actor=director, report_id=report.pk, ppi_standards=True, readiness=True, maturity=False
    )

    report.refresh_from_db()
    assert report.ppi_standards_snapshot == {
        "assessed_on": "2026-02-01",
        "ratings": [
            {
                "standard": "impact",
                "label": "Impact",
                "rating": 2,
                "rating_label": "Established",
                "note": "Reported to the board",
            }
        ],
    }
    assert report.readiness_snapshot is None  # no wave with results
    assert report.maturity_snapshot is None


# --- The workflow ------------------------------------------------------------------------------------


def test_submit_freezes_progress_counts_and_the_ppi_snapshot(
    director, hit, programme_manager, django_capture_on_commit_callbacks
):
    report = _ready(rf.ProgressReportFactory(hit=hit, due_on=datetime.date(2026, 3, 31)))
    rf.MilestoneFactory(hit=hit, due_on=datetime.date(2026, 1, 10), met_on_time=True)
    rf.MilestoneFactory(hit=hit, due_on=datetime.date(2026, 2, 10), late=True)
    rf.MilestoneFactory(hit=hit, due_on=datetime.date(2026, 2, 20), missed=True)
    rf.MilestoneFactory(hit=hit, due_on=datetime.date(2026, 3, 20))  # not yet due
    ef.StandardsAssessmentFactory(hit=hit)

    with django_capture_on_commit_callbacks(execute=True):
        report_transition(actor=director, report_id=report.pk, action="submit", expected_status="draft")

    report.refresh_from_db()
    assert (report.status, report.submitted_by, report.submitted_at) == (
        ReportStatus.SUBMITTED,
        director,
        timezone.now(),
    )
    assert (report.milestones_due, report.milestones_met_on_time) == (3, 1)
    assert report.ppi_standards_snapshot["ratings"] == []
    event = report.events.first()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "submit",
        "draft",
        "submitted",
        director,
    )
    assert [m.to for m in mail.outbox] == [[programme_manager.email]]
    assert "submitted its progress report" in mail.outbox[0].subject


def test_submit_guard_lists_what_is_missing_and_changes_nothing(director, hit):
    report = rf.ProgressReportFactory(hit=hit)

    with pytest.raises(ValidationError) as exc:
        report_transition(actor=director, report_id=report.pk, action="submit")

    assert exc.value.messages == [
        "Say where the HIT's funding stands (capacity and funding).",
        "Rate at least one indicator of the four concepts, with evidence.",
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert not ReportEvent.objects.filter(action="submit").exists()


def test_a_second_submit_says_who_submitted_and_when_and_changes_nothing(director, teammate, hit):
    report = _ready(rf.ProgressReportFactory(hit=hit))
    report_transition(actor=director, report_id=report.pk, action="submit")

    with pytest.raises(InvalidTransition) as exc:
        report_transition(actor=teammate, report_id=report.pk, action="submit")

    assert (
        str(exc.value)
        == "This report was already submitted by Dana Director on 02 Mar 2026 at 09:00; nothing was changed."
    )
    report.refresh_from_db()
    assert (report.submitted_by, report.events.filter(action="submit").count()) == (director, 1)


def test_a_stale_page_is_refused_with_who_moved_it(director, teammate, hit):
    report = _ready(rf.ProgressReportFactory(hit=hit))
    report_transition(actor=director, report_id=report.pk, action="submit", expected_status="draft")

    with pytest.raises(StaleState, match="already submitted by Dana Director"):
        report_transition(actor=teammate, report_id=report.pk, action="submit", expected_status="draft")


def test_request_changes_keeps_the_comment_and_resubmit_makes_version_two(
    director, programme_manager, hit, django_capture_on_commit_callbacks
):
    report = _ready(rf.ProgressReportFactory(hit=hit))
    report_transition(actor=director, report_id=report.pk, action="submit")

    with pytest.raises(ValidationError):
        report_transition(actor=programme_manager, report_id=report.pk, action="request_changes", comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(
            actor=programme_manager,
            report_id=report.pk,
            action="request_changes",
            comment="Add the outcomes.",
        )
    report_transition(actor=director, report_id=report.pk, action="submit")
    report_transition(actor=programme_manager, report_id=report.pk, action="accept")

    report.refresh_from_db()
    assert (report.status, report.version, report.decided_by) == (ReportStatus.ACCEPTED, 2, programme_manager)
    history = list(report.events.order_by("pk").values_list("action", "comment"))
    assert history == [
        ("submit", ""),
        ("request_changes", "Add the outcomes."),
        ("submit", ""),
        ("accept", ""),
    ]
    assert mail.outbox[0].to == [director.email]
    assert "Add the outcomes." in mail.outbox[0].body


def test_skip_needs_a_reason(programme_manager, hit):
    report = rf.ProgressReportFactory(hit=hit)

    report_transition(actor=programme_manager, report_id=report.pk, action="skip", comment="HIT paused")

    report.refresh_from_db()
    assert report.status == ReportStatus.SKIPPED
    assert report.events.get().comment == "HIT paused"


ROLE_ACTION = [
    # (persona, source state, action, allowed)
    ("director", "draft", "submit", True),
    ("teammate", "draft", "submit", True),
    ("sponsor", "changes_requested", "submit", True),
    ("programme_manager", "draft", "submit", False),
    ("board_member", "draft", "submit", False),
    ("outsider", "draft", "submit", False),
    ("programme_manager", "submitted", "accept", True),
    ("director", "submitted", "accept", False),
    ("board_member", "submitted", "accept", False),
    ("programme_manager", "submitted", "request_changes", True),
    ("teammate", "submitted", "request_changes", False),
    ("programme_manager", "draft", "skip", True),
    ("director", "draft", "skip", False),
]


@pytest.mark.parametrize(("persona", "source", "action", "allowed"), ROLE_ACTION, indirect=["persona"])
def test_role_x_action_against_the_database(
    persona, hit, director, sponsor, teammate, source, action, allowed
):
    report = _ready(rf.ProgressReportFactory(hit=hit, status=source))

    if allowed:
        report_transition(actor=persona, report_id=report.pk, action=action, comment="Because.")
        assert ProgressReport.objects.get(pk=report.pk).status != source
    else:
        with pytest.raises(PermissionDenied):
            report_transition(actor=persona, report_id=report.pk, action=action, comment="Because.")
        assert ProgressReport.objects.get(pk=report.pk).status == source


# --- Due date and schedule ---------------------------------------------------------------------------


def test_due_date_move_records_why(programme_manager, hit):
    report = rf.ProgressReportFactory(hit=hit, due_on=datetime.date(2026, 3, 31))

    report_due_date_move(
        actor=programme_manager,
        report_id=report.pk,
        due_on=datetime.date(2026, 4, 30),
        reason="Board meets late",
    )

    report.refresh_from_db()
    assert report.due_on == datetime.date(2026, 4, 30)
    assert report.events.get().comment == "Due date moved from 31 Mar 2026 to 30 Apr 2026: Board meets late"


def test_due_date_move_refuses_the_past(programme_manager, hit):
    report = rf.ProgressReportFactory(hit=hit)

    with pytest.raises(ValidationError) as exc:
        report_due_date_move(
            actor=programme_manager, report_id=report.pk, due_on=TODAY.replace(day=1), reason="x"
        )

    assert exc.value.message_dict == {"due_on": ["The new due date cannot be in the past."]}


def test_schedule_refuses_a_first_due_date_in_the_past(programme_manager, hit):
    with pytest.raises(ValidationError) as exc:
        schedule_save(
            actor=programme_manager, hit_id=hit.pk, interval_months=6, first_due_on=datetime.date(2026, 3, 1)
        )

    assert exc.value.message_dict == {"first_due_on": ["The first due date cannot be in the past."]}
    assert ReportSchedule.objects.count() == 0


def test_schedule_keeps_an_unchanged_past_first_due_date(programme_manager, hit):
    rf.ReportScheduleFactory(hit=hit, first_due_on=datetime.date(2025, 9, 1))

    schedule = schedule_save(
        actor=programme_manager,
        hit_id=hit.pk,
        interval_months=3,
        first_due_on=datetime.date(2025, 9, 1),
        reminder_offsets=["-7", "0", "7"],
    )

    assert (schedule.interval_months, schedule.reminder_offsets) == (3, [-7, 0, 7])


@pytest.mark.parametrize("offsets", [["91"], ["1", "1"], ["soon"]])
def test_schedule_refuses_bad_offsets(programme_manager, hit, offsets):
    with pytest.raises(ValidationError) as exc:
        schedule_save(
            actor=programme_manager,
            hit_id=hit.pk,
            interval_months=6,
            first_due_on=TODAY,
            reminder_offsets=offsets,
        )

    assert "reminder_offsets" in exc.value.message_dict


def test_schedule_is_for_programme_managers(director, hit):
    with pytest.raises(PermissionDenied):
        schedule_save(actor=director, hit_id=hit.pk, interval_months=6, first_due_on=TODAY)


def test_schedule_slots_keep_to_month_ends():
    schedule = ReportSchedule(first_due_on=datetime.date(2026, 8, 31), interval_months=6)

    assert [schedule.slot(n) for n in range(3)] == [
        datetime.date(2026, 8, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 8, 31),
    ]
    assert schedule.next_due_after(None) == datetime.date(2026, 8, 31)
    assert schedule.next_due_after(datetime.date(2026, 8, 31)) == datetime.date(2027, 2, 28)
    assert schedule.next_due_after(datetime.date(2029, 1, 1)) == datetime.date(2029, 2, 28)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (HITStatus.PROPOSED, "Progress reports start once the HIT is accredited."),
        (HITStatus.CLOSED, "This HIT is closed; it files no more progress reports."),
    ],
)
def test_report_create_only_for_accredited_hits_that_are_not_closed(director, hit, status, reason):
    HIT.objects.filter(pk=hit.pk).update(status=status)

    with pytest.raises(PermissionDenied, match=reason):
        report_create(actor=director, hit_id=hit.pk, period_start=TODAY, period_end=TODAY, due_on=TODAY)
