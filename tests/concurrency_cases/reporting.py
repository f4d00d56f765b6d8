"""Edit and create pages of the reporting app: progress reports (their sections and due date), the
reporting schedule, the life-cycle stage and exports."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from reporting.enums import FundingStatus
from reporting.models import ExportJob, ProgressReport, QuickWin, ReportSchedule, StageAssessment
from reporting.services import exports
from reporting.services.reports import report_capacity_save, report_due_date_move, report_rows_save
from reporting.services.schedules import schedule_save
from tests.concurrency_cases.base import CREATED, THEIRS, TYPED, CreateCase, EditCase
from tests.factories.reporting import ProgressReportFactory, QuickWinFactory, ReportScheduleFactory


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


# --- Edit pages --------------------------------------------------------------------------------------


def _report(ctx: dict) -> tuple[dict, Any]:
    row = ProgressReportFactory(
        hit=ctx["hit"], funding_status=FundingStatus.SECURED, funding_notes="Core grant to 2027."
    )
    return {"pk": row.pk}, row


def _capacity_post(row: Any) -> dict:
    return {"funding_status": row.funding_status, "funding_notes": TYPED, "capacity_notes": ""}


def _capacity_elsewhere(row: Any, ctx: dict) -> None:
    report_capacity_save(
        actor=ctx["peer"], report_id=row.pk, funding_status=row.funding_status, funding_notes=THEIRS
    )


def _quick_win(ctx: dict) -> tuple[dict, Any]:
    report = ProgressReportFactory(hit=ctx["hit"])
    row = QuickWinFactory(report=report, description="A shared form.")
    return {"pk": report.pk}, row


def _quick_win_post(row: Any) -> dict:
    return {
        "quick_wins-TOTAL_FORMS": "1",
        "quick_wins-INITIAL_FORMS": "1",
        "quick_wins-MIN_NUM_FORMS": "0",
        "quick_wins-MAX_NUM_FORMS": "1000",
        "quick_wins-0-id": row.pk,
        "quick_wins-0-title": row.title,
        "quick_wins-0-delivered_on": "",
        "quick_wins-0-description": TYPED,
    }


def _quick_win_elsewhere(row: Any, ctx: dict) -> None:
    report_rows_save(
        actor=ctx["peer"],
        report_id=row.report_id,
        section="quick_wins",
        rows=[{"id": row.pk, "title": row.title, "delivered_on": None, "description": THEIRS}],
    )


def _schedule(ctx: dict) -> tuple[dict, Any]:
    row = ReportScheduleFactory(hit=ctx["hit"], reminder_offsets=[-14, 1, 14])
    return {"hit_pk": ctx["hit"].pk}, row


def _schedule_post(row: Any) -> dict:
    return {
        "interval_months": row.interval_months,
        "first_due_on": row.first_due_on.isoformat(),
        "reminder_offsets": "-7",
        "is_active": "on",
    }


def _schedule_elsewhere(row: Any, ctx: dict) -> None:
    schedule_save(
        actor=ctx["peer"],
        hit_id=row.hit_id,
        interval_months=row.interval_months,
        first_due_on=row.first_due_on,
        reminder_offsets=[-21],
    )


MOVED_BY_THEM, MOVED_BY_ME = _day(40), _day(50)


def _due_date_post(row: Any) -> dict:
    return {"due_on": MOVED_BY_ME.isoformat(), "reason": TYPED}


def _due_date_elsewhere(row: Any, ctx: dict) -> None:
    report_due_date_move(
        actor=ctx["peer"], report_id=row.pk, due_on=MOVED_BY_THEM, reason="The board meets later."
    )


EDIT_CASES = [
    EditCase(
        "reporting:report-edit",
        "director",
        _report,
        _capacity_post,
        _capacity_elsewhere,
        lambda row: ProgressReport.objects.get(pk=row.pk).funding_notes,
        query="?section=capacity",
    ),
    EditCase(
        "reporting:report-edit",
        "director",
        _quick_win,
        _quick_win_post,
        _quick_win_elsewhere,
        lambda row: QuickWin.objects.get(pk=row.pk).description,
        query="?section=quick-wins",
    ),
    EditCase(
        "reporting:report-schedule",
        "programme_manager",
        _schedule,
        _schedule_post,
        _schedule_elsewhere,
        lambda row: ReportSchedule.objects.get(pk=row.pk).reminder_offsets,
        typed=[-7],
        theirs=[-21],
        shown=("-7", "-21"),
        kept='value="-7"',
        peer="other_programme_manager",
    ),
    EditCase(
        "reporting:report-due-date",
        "programme_manager",
        _report,
        _due_date_post,
        _due_date_elsewhere,
        lambda row: ProgressReport.objects.get(pk=row.pk).due_on,
        typed=MOVED_BY_ME,
        theirs=MOVED_BY_THEM,
        shown=(date_format(MOVED_BY_ME, "j F Y"), date_format(MOVED_BY_THEM, "j F Y")),
        kept=f'value="{MOVED_BY_ME.isoformat()}"',
        peer="other_programme_manager",
        page="reporting:report-detail",  # the form is on the report's page
    ),
]

# --- Create pages ------------------------------------------------------------------------------------


def _export_setup(ctx: dict) -> None:
    # Past the limit, an export is a job for the worker (a row), not a download.
    ctx["fixture"]("monkeypatch").setattr(exports, "SYNC_ROW_LIMIT", 0)


CREATE_CASES = [
    CreateCase(
        "reporting:report-create",
        "director",
        lambda ctx: {"hit_pk": ctx["hit"].pk},
        lambda ctx: {
            "period_start": _day(-180).isoformat(),
            "period_end": _day(-1).isoformat(),
            "due_on": _day(30).isoformat(),
        },
        lambda ctx: ProgressReport.objects.filter(hit=ctx["hit"]).count(),
        repeatable=False,  # one report in progress per HIT
    ),
    CreateCase(
        "reporting:stage-assess",
        "director",
        lambda ctx: {"hit_pk": ctx["hit"].pk},
        lambda ctx: {
            "behaviours": ["connecting.1", "connecting.2"],
            "confirmed_stage": "connecting",
            "note": CREATED,
            "step": "confirm",
        },
        lambda ctx: StageAssessment.objects.filter(note=CREATED).count(),
    ),
    CreateCase(
        "reporting:export-create",
        "programme_manager",
        lambda ctx: {},
        lambda ctx: {"kind": "hits", "format": "csv"},
        lambda ctx: ExportJob.objects.filter(requested_by=ctx["user"]).count(),
        setup=_export_setup,
        form_page=lambda ctx: reverse("teams:hit-list"),  # the export buttons sit on the list
    ),
]
