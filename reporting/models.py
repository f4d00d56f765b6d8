"""Progress reports and their schedule, milestones, outcomes, risks, reminders and life-cycle stage
assessments (docs/domain.md section 3.7, R6.6, R6.10 and R8.7 F8, F14, F15).

Rows change only through reporting.services. Overdue is derived from the dates, never stored.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import StatusEvent, TimeStampedModel, choices_constraint
from core.validators import LONG_TEXT, SHORT_TEXT, validate_date_in_range
from reporting.enums import (
    OPEN_STATUSES,
    Concept,
    ExportFormat,
    ExportKind,
    ExportStatus,
    FundingStatus,
    IndicatorRatingValue,
    MilestoneStatus,
    ReportStatus,
    RiskKind,
)
from reporting.workflow import REPORT_WORKFLOW
from teams.enums import LifecycleStage

DEFAULT_INTERVAL_MONTHS = 6


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months (negative goes back), clamped to the end of a shorter month."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def default_reminder_offsets() -> list[int]:
    """14 days before the due date, then 1 and 14 days after it (docs/domain.md section 3)."""
    return [-14, 1, 14]


class ReportSchedule(TimeStampedModel):
    """When a HIT's progress reports fall due: the first due date, then every N months."""

    hit = models.OneToOneField("teams.HIT", on_delete=models.CASCADE, related_name="report_schedule")
    interval_months = models.PositiveSmallIntegerField(
        "every (months)",
        default=DEFAULT_INTERVAL_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    first_due_on = models.DateField("first report due on", validators=[validate_date_in_range])
    reminder_offsets = models.JSONField(
        default=default_reminder_offsets,
        blank=True,
        help_text="Days relative to the due date; negative numbers are before it.",
    )
    is_active = models.BooleanField("active", default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["hit"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__gte=1) & Q(interval_months__lte=24),
                name="reporting_schedule_interval_1_24",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hit}: every {self.interval_months} months from {self.first_due_on}"

    def slot(self, n: int) -> datetime.date:
        """The n-th scheduled due date (0 is the first), always counted from the first due date so
        that a schedule starting on the 31st keeps returning to month ends."""
        return add_months(self.first_due_on, n * self.interval_months)

    def next_due_after(self, day: datetime.date | None) -> datetime.date:
        """The first scheduled due date after `day` (the first due date when `day` is None)."""
        if day is None or day < self.first_due_on:
            return self.first_due_on
        n = max(
            0,
            ((day.year - self.first_due_on.year) * 12 + day.month - self.first_due_on.month)
            // self.interval_months
            - 1,
        )
        while self.slot(n) <= day:
            n += 1
        return self.slot(n)


class ReportScheduleChange(models.Model):
    """A HIT's reporting schedule created or changed (reporting/services/schedules.py schedule_save):
    who, when, and the schedule as saved (`detail`). The audit log lists these rows."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="+")
    created = models.BooleanField(default=False)
    detail = models.TextField(blank=True, max_length=SHORT_TEXT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.hit_id}: {self.detail}"


class ProgressReport(TimeStampedModel):
    """One periodic report of a HIT, structured by the four concepts. Moves only through
    reporting.services.report_transition; each move is a ReportEvent."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="progress_reports")
    period_start = models.DateField("period from", validators=[validate_date_in_range])
    period_end = models.DateField("period to", validators=[validate_date_in_range])
    due_on = models.DateField("due on", validators=[validate_date_in_range])
    status = models.CharField(max_length=24, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField(
        default=1, help_text="Counts the submissions: a report sent back and submitted again is version 2."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Capacity and funding (docs/domain.md R8.5 item 42).
    funding_status = models.CharField(max_length=16, choices=FundingStatus.choices, blank=True)
    funding_notes = models.TextField(blank=True, max_length=LONG_TEXT)
    capacity_notes = models.TextField(
        blank=True,
        help_text="Committed time, staff and resources, and where they fall short.",
        max_length=LONG_TEXT,
    )
    # F14, frozen at each submission: milestones due in the period so far, and those met on time.
    milestones_due = models.PositiveSmallIntegerField(null=True, blank=True)
    milestones_met_on_time = models.PositiveSmallIntegerField(null=True, blank=True)
    # Stored copies (not links) of the scores as they stood, so a later recompute never rewrites a
    # report that was already read and accepted.
    ppi_standards_snapshot = models.JSONField(null=True, blank=True)
    readiness_snapshot = models.JSONField(null=True, blank=True)
    maturity_snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-pk"]
        constraints = [
            choices_constraint("status", ReportStatus, "reporting_report_status_valid"),
            models.CheckConstraint(
                condition=Q(funding_status="") | Q(funding_status__in=FundingStatus.values),
                name="reporting_report_funding_valid",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="reporting_report_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(milestones_met_on_time__isnull=True)
                | Q(milestones_met_on_time__lte=F("milestones_due")),
                name="reporting_report_met_within_due",
            ),
            # "The next due report": one report per HIT is being written or read at a time.
            models.UniqueConstraint(
                fields=["hit"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="reporting_report_one_open_per_hit",
            ),
        ]
        indexes = [
            # The programme manager's list: open reports by due date (overdue derived from it).
            models.Index(fields=["status", "due_on"], name="rep_report_status_due_idx"),
            # A HIT's reports newest first; the flags read each HIT's latest submitted reports.
            models.Index(fields=["hit", "-due_on"], name="rep_report_hit_due_idx"),
            # The latest edit is one index step (MAX(updated_at): reporting.selectors.board_dashboard_version).
            models.Index(fields=["updated_at"], name="rep_report_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.hit}: report due {self.due_on:%d %b %Y}"

    def is_overdue_on(self, day: datetime.date) -> bool:
        """Past its due date and still with the team (neither submitted, accepted nor skipped)."""
        return self.due_on < day and self.status in (ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED)

    @property
    def progress_index(self) -> float | None:
        """F14: milestones met on time / milestones due in the period (None when none were due)."""
        if not self.milestones_due:
            return None
        return (self.milestones_met_on_time or 0) / self.milestones_due


class ReportEvent(StatusEvent):
    """One recorded move of a report: actor, action, from, to, comment (reviewer comments), time.
    Besides the moves it records the report's creation and a moved due date."""

    workflow = REPORT_WORKFLOW

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} -> {self.to_status}"


class IndicatorRating(models.Model):
    """One indicator of the four concepts rated 0-3 with evidence (F8; codes of accreditation/domain/criteria.py)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="ratings")
    concept = models.CharField(max_length=8, choices=Concept.choices)
    indicator = models.CharField(max_length=8)
    rating = models.PositiveSmallIntegerField(choices=IndicatorRatingValue.choices)
    evidence = models.TextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["report", "pk"]
        constraints = [
            choices_constraint("concept", Concept, "reporting_rating_concept_valid"),
            models.CheckConstraint(condition=Q(rating__lte=3), name="reporting_rating_0_3"),
            models.UniqueConstraint(fields=["report", "indicator"], name="reporting_rating_unique_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.rating}"


class Milestone(TimeStampedModel):
    """A dated milestone of the HIT. Its status is derived from the dates when it is recorded in a
    report (met on or before the due date: on time; after it: late; not met and past due: missed)."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField("due on", validators=[validate_date_in_range])
    met_on = models.DateField("met on", null=True, blank=True, validators=[validate_date_in_range])
    status = models.CharField(max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED)
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        help_text="The report its status was last recorded in.",
    )

    class Meta:
        ordering = ["hit", "due_on", "pk"]
        constraints = [
            choices_constraint("status", MilestoneStatus, "reporting_milestone_status_valid"),
            models.CheckConstraint(
                condition=Q(met_on__isnull=True, status__in=[MilestoneStatus.PLANNED, MilestoneStatus.MISSED])
                | Q(met_on__isnull=False, status__in=[MilestoneStatus.MET_ON_TIME, MilestoneStatus.LATE]),
                name="reporting_milestone_status_matches_met_on",
            ),
        ]
        indexes = [
            # F14 counts a HIT's milestones due within a report's period.
            models.Index(fields=["hit", "due_on"], name="rep_milestone_hit_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class QuickWin(TimeStampedModel):
    """An early, visible result that keeps the perception of progress alive (docs/domain.md R8.5 item 40)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="quick_wins")
    title = models.CharField(max_length=200)
    delivered_on = models.DateField(
        "delivered on", null=True, blank=True, validators=[validate_date_in_range]
    )
    description = models.TextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.title


class Outcome(TimeStampedModel):
    """An outcome coded by performance domain, intended or not (docs/domain.md R6.10)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="outcomes")
    domain = models.ForeignKey("teams.OutcomeDomain", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(max_length=SHORT_TEXT)
    intended = models.BooleanField(default=True, help_text="Untick for an unintended effect.")

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class ReportRisk(TimeStampedModel):
    """A risk or a conflict, and how the HIT handles it. Open ones carry forward to the next report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField(max_length=16, choices=RiskKind.choices, default=RiskKind.RISK)
    description = models.TextField(max_length=SHORT_TEXT)
    how_handled = models.TextField(blank=True, max_length=SHORT_TEXT)
    opened_on = models.DateField("raised on", validators=[validate_date_in_range])
    resolved_on = models.DateField("resolved on", null=True, blank=True, validators=[validate_date_in_range])

    class Meta:
        ordering = ["report", "pk"]
        constraints = [
            choices_constraint("kind", RiskKind, "reporting_risk_kind_valid"),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("opened_on")),
                name="reporting_risk_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:50]}"


class ReminderLog(models.Model):
    """One reminder sent for one offset of one report. The unique pair makes sending exactly once."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.IntegerField()
    due_on = models.DateField(
        help_text="The due date the reminder was computed from.", validators=[validate_date_in_range]
    )
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "offset_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "offset_days"], name="reporting_reminder_once_per_offset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.offset_days:+d} days"


class StageAssessment(TimeStampedModel):
    """A tick-list of life-cycle behaviours (docs/domain.md R6.6), the F15 suggestion and the stage a
    person confirmed. Rows are never changed: the list is the HIT's stage history."""

    hit = models.ForeignKey("teams.HIT", on_delete=models.CASCADE, related_name="stage_assessments")
    behaviours = models.JSONField(
        default=list, blank=True, help_text="Codes of the behaviours ticked (reporting.domain.lifecycle)."
    )
    suggested_stage = models.CharField(
        max_length=16,
        choices=LifecycleStage.choices,
        blank=True,
        help_text="Empty when no stage is evidenced.",
    )
    confirmed_stage = models.CharField(max_length=16, choices=LifecycleStage.choices)
    note = models.TextField(blank=True, max_length=SHORT_TEXT)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["hit", "-created_at", "-pk"]
        constraints = [
            choices_constraint("confirmed_stage", LifecycleStage, "reporting_stage_confirmed_valid"),
            models.CheckConstraint(
                condition=Q(suggested_stage="") | Q(suggested_stage__in=LifecycleStage.values),
                name="reporting_stage_suggested_valid",
            ),
        ]
        indexes = [models.Index(fields=["hit", "-created_at"], name="rep_stage_hit_idx")]

    def __str__(self) -> str:
        return f"{self.hit}: {self.confirmed_stage}"


class ExportJob(TimeStampedModel):
    """A large export written by the worker (reporting.tasks_exports.run_export) into
    MEDIA_ROOT/exports/, which is never served directly: only its owner downloads it, through a view.

    Small exports are written within the request and leave no row. `filters` holds the list page's
    GET filters (and, for one HIT's lists, the HIT, wave or round), exactly as the page received
    them; the worker applies them to the owner's own selector again, so visibility is checked when
    the rows are read, not when the job was asked for."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent written, 0-100.")
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file_path = models.CharField(
        max_length=255, blank=True, help_text="Relative to MEDIA_ROOT, always under exports/."
    )
    download_name = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("kind", ExportKind, "reporting_export_kind_valid"),
            choices_constraint("format", ExportFormat, "reporting_export_format_valid"),
            choices_constraint("status", ExportStatus, "reporting_export_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reporting_export_progress_0_100"),
        ]
        indexes = [
            # "Your exports": one user's jobs, newest first.
            models.Index(fields=["requested_by", "-created_at"], name="rep_export_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_format_display()}) #{self.pk}"

    @property
    def is_finished(self) -> bool:
        """Done or failed: the progress page stops polling."""
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class HITFlagState(models.Model):
    """The worker's early-warning flags of one HIT (docs/domain.md section 5.1a), as pages read them.

    Written only by reporting.services.flags.hit_flags_recompute, for one HIT when something that
    feeds its flags changes and for every HIT nightly. `flags` is the list of {"code", "detail"} in
    the order pages show them; `as_of` is the day the date-driven thresholds were measured against.
    A HIT without a row has never been computed: pages say so instead of showing "no flags".
    """

    hit = models.OneToOneField("teams.HIT", on_delete=models.CASCADE, related_name="flag_state")
    flags = models.JSONField(default=list, help_text='[{"code": ..., "detail": ...}] in display order.')
    flag_count = models.PositiveSmallIntegerField(default=0)
    # The PPI caseload's flag (engagement.selectors.ppi): no involvement logged for FLAG_AFTER_DAYS, or never.
    ppi_last_activity_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    ppi_quiet = models.BooleanField(default=False)
    as_of = models.DateField(validators=[validate_date_in_range])
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["flag_count"], name="reporting_flagstate_count_idx"),
            models.Index(fields=["computed_at"], name="reporting_flagstate_at_idx"),
            models.Index(fields=["ppi_quiet"], name="reporting_flagstate_ppi_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.hit_id}: {self.flag_count} flag(s) as of {self.as_of}"


class PortfolioStatistic(models.Model):
    """A portfolio-wide statistic of the board dashboard as the worker computed it (docs/domain.md
    section 7.4): the funnel plot of readiness ("funnel") and the monthly XmR charts ("overdue",
    "coverage", "readiness"). `data` holds the chart's inputs and results (points, limits, signals)
    so pages only read; `fingerprint` is the hash of the inputs, `as_of` the day measured against.

    Written only by reporting.services.portfolio_statistics.portfolio_statistics_recompute, nightly
    and when a wave's results are released.
    """

    kind = models.CharField(max_length=16, unique=True)
    data = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    as_of = models.DateField(validators=[validate_date_in_range])
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} as of {self.as_of}"
