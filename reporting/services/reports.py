"""Writes of progress reports: schedules, creating and editing reports, the one transition service of the report workflow (reporting.workflow), due dates and reminders."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Field, Max, Model, QuerySet
from django.utils import timezone

from accreditation.domain.criteria import CRITERIA
from core.batch import BatchOutcome, each_row
from core.concurrency import check_version
from core.mail import send_after_commit
from core.permissions import require as _require
from core.workflow import InvalidTransition, Move, Rule, perform, record_event, recorded_actor
from reporting import permissions, workflow
from reporting.enums import OPEN_STATUSES, WITH_TEAM, FundingStatus, MilestoneStatus, ReportStatus
from reporting.models import (
    IndicatorRating,
    Milestone,
    Outcome,
    ProgressReport,
    QuickWin,
    ReminderLog,
    ReportRisk,
    ReportSchedule,
    default_reminder_offsets,
)
from reporting.selectors import reports as selectors
from reporting.services.schedules import MAX_OFFSET_DAYS
from reporting.workflow import REPORT_WORKFLOW
from teams.enums import HITStatus, MembershipRole, ProgrammeRole
from teams.models import HIT, RoleAssignment, User
from teams.selectors.hits import current_memberships

logger = logging.getLogger(__name__)
# The daily task opens a scheduled report once its earliest reminder is due (at the latest on the
# due date), so the team is reminded about a report it has not started yet.
SYSTEM_OPENED = "Opened by the reporting schedule."
CRITERION_CODES = frozenset(c.code for c in CRITERIA)


# --- Creating a report -------------------------------------------------------------------------------


def _create_report(
    *,
    actor: User | None,
    hit: HIT,
    period_start: datetime.date,
    period_end: datetime.date,
    due_on: datetime.date,
    comment: str = "",
) -> ProgressReport:
    """The shared part of opening a report: the row, the risks carried forward, the event. `actor`
    is None when the reporting schedule opens it."""
    previous = (
        ProgressReport.objects.filter(hit=hit)
        .exclude(status=ReportStatus.SKIPPED)
        .order_by("-due_on", "-pk")
        .first()
    )
    report = ProgressReport(
        hit=hit,
        period_start=period_start,
        period_end=period_end,
        due_on=due_on,
        created_by=recorded_actor(actor),
        funding_status=previous.funding_status if previous else "",
    )
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(
            {"__all__": "This HIT already has a report in progress; finish that one first."}
        ) from None
    if previous is not None:
        # Open risks and conflicts carry forward, so the team updates them rather than retyping them.
        ReportRisk.objects.bulk_create(
            ReportRisk(
                report=report,
                kind=risk.kind,
                description=risk.description,
                how_handled=risk.how_handled,
                opened_on=risk.opened_on,
            )
            for risk in previous.risks.filter(resolved_on__isnull=True).order_by("pk")
        )
    record_event(
        report.events, actor=actor, action="create", from_status="", to_status=report.status, comment=comment
    )
    return report


@transaction.atomic
def report_create(
    *,
    actor: User,
    hit_id: int,
    period_start: datetime.date,
    period_end: datetime.date,
    due_on: datetime.date,
) -> ProgressReport:
    """A member starts the HIT's next report.

    Side effects: the ProgressReport (draft), copies of the previous report's open risks and
    conflicts, a "create" ReportEvent. Refused when the due date is in the past, the period is
    upside down, or the HIT already has a report in progress.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    _require(permissions.can_start_report(actor, hit))
    errors: dict[str, str] = {}
    if due_on < timezone.localdate():
        errors["due_on"] = "The due date cannot be in the past."
    if period_end < period_start:
        errors["period_end"] = "The period must end on or after the day it starts."
    if errors:
        raise ValidationError(errors)
    current = ProgressReport.objects.filter(hit=hit, status__in=[s.value for s in OPEN_STATUSES]).first()
    if current is not None:
        raise ValidationError(
            {
                "__all__": f"This HIT already has a report in progress (due {current.due_on:%d %b %Y}, "
                f"{current.get_status_display().lower()}); finish that one first."
            }
        )
    return _create_report(
        actor=actor, hit=hit, period_start=period_start, period_end=period_end, due_on=due_on
    )


def _open_scheduled_reports(today: datetime.date) -> BatchOutcome:
    """Open the next scheduled report of every active schedule whose HIT has none in progress, once
    the report's earliest reminder is due. `done` counts the reports opened; a schedule that cannot
    be handled is logged and skipped (core.batch), so it cannot stop the others."""
    schedules = list(
        ReportSchedule.objects.filter(is_active=True, hit__status__in=[HITStatus.SET_UP, HITStatus.ACTIVE])
        .exclude(hit__progress_reports__status__in=[s.value for s in OPEN_STATUSES])
        .select_related("hit")
    )
    if not schedules:
        return BatchOutcome()
    last_due = dict(
        ProgressReport.objects.filter(hit_id__in=[s.hit_id for s in schedules])
        .order_by()
        .values("hit_id")
        .annotate(last=Max("due_on"))
        .values_list("hit_id", "last")
    )
    return each_row(
        schedules,
        lambda schedule: _open_scheduled_report(schedule, last_due.get(schedule.hit_id), today),
        row_id=lambda schedule: schedule.pk,
        what="Opening the scheduled report of schedule",
        logger=logger,
    )


def _open_scheduled_report(
    schedule: ReportSchedule, last_due: datetime.date | None, today: datetime.date
) -> int:
    due_on = schedule.next_due_after(last_due)
    lead = min([0, *schedule.reminder_offsets])
    if due_on + datetime.timedelta(days=lead) > today:
        return 0
    start, end = selectors.report_period(
        hit=schedule.hit_id, due_on=due_on, interval=schedule.interval_months
    )
    try:
        with transaction.atomic():
            _create_report(
                actor=None,
                hit=schedule.hit,
                period_start=start,
                period_end=end,
                due_on=due_on,
                comment=SYSTEM_OPENED,
            )
    except ValidationError:
        return 0  # a member opened one at the same moment
    return 1


# --- Editing a report's sections ---------------------------------------------------------------------


def _lock_editable(actor: User, report_id: int, expected_version: str | None = None) -> ProgressReport:
    """The report, locked, if the actor may edit it and it is still at `expected_version`.

    Every section's save touches the report, so its version is the version of all its sections:
    a section form opened before any other change to the report is refused (StaleEdit).
    """
    report = ProgressReport.objects.select_for_update(of=("self",)).select_related("hit").get(pk=report_id)
    _require(permissions.can_edit_report(actor, report))
    check_version(report, expected_version)
    return report


def _touch(report: ProgressReport) -> None:
    report.save(update_fields=["updated_at"])


@transaction.atomic
def report_ratings_save(
    *,
    actor: User,
    report_id: int,
    ratings: Mapping[str, tuple[int | None, str]],
    expected_version: str | None = None,
) -> ProgressReport:
    """Store the four-concept indicator ratings: code -> (rating 0-3 or None to clear, evidence).

    Side effects: IndicatorRating rows created, updated or deleted (a None rating deletes).
    Refused with StaleEdit when the report is no longer at `expected_version` (_lock_editable).
    """
    report = _lock_editable(actor, report_id, expected_version)
    unknown = set(ratings) - CRITERION_CODES
    if unknown:
        raise ValidationError({"__all__": f"Unknown indicators: {', '.join(sorted(unknown))}."})
    stored = {r.indicator: r for r in report.ratings.all()}
    for code, (rating, evidence) in ratings.items():
        evidence = (evidence or "").strip()
        row = stored.get(code)
        if rating is None:
            if evidence:
                raise ValidationError({code: "Rate the indicator before giving evidence for it."})
            if row is not None:
                row.delete()
            continue
        if not 0 <= int(rating) <= 3:
            raise ValidationError({code: "Rate from 0 to 3."})
        if row is None:
            row = IndicatorRating(
                report=report,
                indicator=code,
                concept=selectors.CONCEPT_OF_CRITERION[code],
                rating=rating,
                evidence=evidence,
            )
            row.full_clean()
            row.save()
        elif (row.rating, row.evidence) != (rating, evidence):
            row.rating, row.evidence = rating, evidence
            row.save(update_fields=["rating", "evidence"])
    _touch(report)
    return report


def milestone_status(*, due_on: datetime.date, met_on: datetime.date | None, as_of: datetime.date) -> str:
    """Met on or before the due date: on time; after it: late; not met and past due: missed."""
    if met_on is not None:
        return MilestoneStatus.MET_ON_TIME if met_on <= due_on else MilestoneStatus.LATE
    return MilestoneStatus.MISSED if due_on < as_of else MilestoneStatus.PLANNED


_SectionRow = TypeVar("_SectionRow", bound=Model)

#: One posted row of a repeating section: field name -> value, and "id" and "delete" (reporting.forms).
PostedRow = Mapping[str, object]


def _save_rows(
    *,
    report: ProgressReport,
    model: type[_SectionRow],
    queryset: QuerySet[_SectionRow],
    rows: Sequence[PostedRow],
    fields: Sequence[str],
    prepare: Callable[[_SectionRow], None] | None = None,
    prepared_fields: Sequence[str] = (),
) -> None:
    """Create, update or delete the rows of one repeating section. A row with "id" updates that row
    (which must belong to this report), "delete" removes it; a row without "id" is new.
    `prepare` sets what the caller derives (listed in `prepared_fields`, saved with the row)."""
    existing: dict[int, _SectionRow] = {obj.pk: obj for obj in queryset}
    for index, row in enumerate(rows):
        pk = row.get("id")
        obj = existing.get(pk) if isinstance(pk, int) else None
        if pk is not None and obj is None:
            raise ValidationError({"__all__": f"Row {index + 1} does not belong to this report."})
        if row.get("delete"):
            if obj is not None:
                obj.delete()
            continue
        if obj is None:
            obj = model()
        for name in fields:
            if name not in row:
                continue  # not posted: an existing row keeps its value, a new one the default
            value = row[name]
            field = model._meta.get_field(name)
            assert isinstance(field, Field)  # `fields` names columns of the model, never relations
            if value is None and not field.null:
                value = "" if field.empty_strings_allowed else field.get_default()
            setattr(obj, name, value)
        if prepare:
            prepare(obj)
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                {f"{index}-{key}": messages for key, messages in exc.message_dict.items()}
            ) from None
        if obj.pk is None:
            obj.save()
        else:
            obj.save(update_fields=[*fields, *prepared_fields, "updated_at"])


@transaction.atomic
def report_milestones_save(
    *, actor: User, report_id: int, rows: Sequence[PostedRow], expected_version: str | None = None
) -> ProgressReport:
    """Record the HIT's milestones in this report: title, due date, the date met (if met).

    Side effects: Milestone rows of the HIT created, updated or deleted (only those recorded in this
    report can be deleted); each gets its status derived from the dates (as of today) and this report.
    Refused with StaleEdit when the report is no longer at `expected_version` (_lock_editable).
    """
    report = _lock_editable(actor, report_id, expected_version)
    today = timezone.localdate()
    deletable = set(Milestone.objects.filter(report=report).values_list("pk", flat=True))
    for row in rows:
        if row.get("delete") and row.get("id") is not None and row["id"] not in deletable:
            raise ValidationError(
                {"__all__": "Only milestones first recorded in this report can be removed."}
            )

    def prepare(milestone: Milestone) -> None:
        milestone.hit_id = report.hit_id
        milestone.report = report
        milestone.status = milestone_status(due_on=milestone.due_on, met_on=milestone.met_on, as_of=today)

    _save_rows(
        report=report,
        model=Milestone,
        queryset=selectors.report_milestones(report),
        rows=rows,
        fields=("title", "due_on", "met_on"),
        prepare=prepare,
        prepared_fields=("report", "status"),
    )
    _touch(report)
    return report


_ROW_SECTIONS: dict[str, tuple[type[QuickWin] | type[Outcome] | type[ReportRisk], tuple[str, ...]]] = {
    "quick_wins": (QuickWin, ("title", "delivered_on", "description")),
    "outcomes": (Outcome, ("domain", "description", "intended")),
    "risks": (ReportRisk, ("kind", "description", "how_handled", "opened_on", "resolved_on")),
}


@transaction.atomic
def report_rows_save(
    *,
    actor: User,
    report_id: int,
    section: str,
    rows: Sequence[PostedRow],
    expected_version: str | None = None,
) -> ProgressReport:
    """Save one repeating section of the report: quick wins, outcomes (by performance domain,
    intended or not) or risks and conflicts (with how they are handled).

    Side effects: the section's rows created, updated or deleted. Refused with StaleEdit when the
    report is no longer at `expected_version` (_lock_editable).
    """
    report = _lock_editable(actor, report_id, expected_version)
    model, fields = _ROW_SECTIONS[section]

    def prepare(obj: QuickWin | Outcome | ReportRisk) -> None:
        obj.report = report

    _save_rows(
        report=report,
        model=model,
        queryset=model.objects.filter(report=report),
        rows=rows,
        fields=fields,
        prepare=prepare,
    )
    _touch(report)
    return report


@transaction.atomic
def report_capacity_save(
    *,
    actor: User,
    report_id: int,
    funding_status: str,
    funding_notes: str = "",
    capacity_notes: str = "",
    expected_version: str | None = None,
) -> ProgressReport:
    """Capacity and funding. Side effect: three fields of the report. Refused with StaleEdit when
    the report is no longer at `expected_version` (_lock_editable)."""
    report = _lock_editable(actor, report_id, expected_version)
    if funding_status not in FundingStatus.values:
        raise ValidationError({"funding_status": "Choose the state of the HIT's funding."})
    report.funding_status = funding_status
    report.funding_notes = funding_notes.strip()
    report.capacity_notes = capacity_notes.strip()
    report.save(update_fields=["funding_status", "funding_notes", "capacity_notes", "updated_at"])
    return report


@transaction.atomic
def report_snapshots_save(
    *,
    actor: User,
    report_id: int,
    ppi_standards: bool,
    readiness: bool,
    maturity: bool,
    expected_version: str | None = None,
) -> ProgressReport:
    """Attach (or remove) stored copies of the latest PPI standards self-assessment, readiness
    survey results and maturity profile. Side effect: the report's three snapshot fields.
    Refused with StaleEdit when the report is no longer at `expected_version` (_lock_editable)."""
    report = _lock_editable(actor, report_id, expected_version)
    hit = report.hit
    report.ppi_standards_snapshot = selectors.ppi_standards_snapshot(hit) if ppi_standards else None
    report.readiness_snapshot = selectors.readiness_snapshot(hit) if readiness else None
    report.maturity_snapshot = selectors.maturity_snapshot(hit) if maturity else None
    report.save(
        update_fields=["ppi_standards_snapshot", "readiness_snapshot", "maturity_snapshot", "updated_at"]
    )
    return report


# --- The workflow ------------------------------------------------------------------------------------


def submission_problems(report: ProgressReport) -> list[str]:
    """What stops the team submitting: the funding state and at least one rated indicator."""
    problems = []
    if not report.funding_status:
        problems.append("Say where the HIT's funding stands (capacity and funding).")
    if not report.ratings.exists():
        problems.append("Rate at least one indicator of the four concepts, with evidence.")
    return problems


def _progress_counts(report: ProgressReport, today: datetime.date) -> tuple[int, int]:
    """F14 inputs: milestones due in the period up to today, and those met on time."""
    until = min(report.period_end, today)
    due = Milestone.objects.filter(hit_id=report.hit_id, due_on__gte=report.period_start, due_on__lte=until)
    return due.count(), due.filter(met_on__isnull=False, met_on__lte=F("due_on")).count()


def _directing_emails(hit_ids: Iterable[int]) -> dict[int, list[str]]:
    """The current directors' and co-directors' addresses per HIT (one query)."""
    found: dict[int, set[str]] = {}
    for hit_id, person_email, user_email in (
        current_memberships()
        .filter(hit_id__in=list(hit_ids), role__in=[MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR])
        .values_list("hit_id", "person__email", "person__user__email")
    ):
        address = person_email or user_email
        if address:
            found.setdefault(hit_id, set()).add(address)
    return {hit_id: sorted(addresses) for hit_id, addresses in found.items()}


def _programme_manager_emails() -> list[str]:
    return list(
        RoleAssignment.objects.filter(role=ProgrammeRole.PROGRAMME_MANAGER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def report_transition(
    *, actor: User, report_id: int, action: str, comment: str = "", expected_status: str | None = None
) -> ProgressReport:
    """Perform one move of the report workflow (reporting.workflow.REPORT_WORKFLOW, performed by
    core.workflow).

    Side effects, in order: locks the report; checks the move and the actor's role; needs a comment
    for request_changes and skip; runs the guard and effect of REPORT_RULES (submit: funding stated
    and an indicator rated; then submitted by/at, version + 1 on a resubmission, the F14 milestone
    counts and the latest PPI standards snapshot frozen; accept / request_changes / skip: decided
    by/at) around the status; appends a ReportEvent with the comment; emails programme managers
    (submit) or the HIT's directors (the other moves) after commit.

    Raises StaleState, InvalidTransition (including "already submitted by ... on ..."),
    PermissionDenied or ValidationError, and changes nothing.
    """
    report = ProgressReport.objects.select_for_update(of=("self",)).select_related("hit").get(pk=report_id)
    REPORT_WORKFLOW.check_unchanged(
        report.status, expected_status, report.events.select_related("actor").first
    )
    try:
        transition = REPORT_WORKFLOW.get(action, report.status)
    except InvalidTransition as exc:
        if (
            action == "submit"
            and report.submitted_at
            and report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        ):
            by = f" by {report.submitted_by}" if report.submitted_by else ""
            raise InvalidTransition(
                f"This report was already submitted{by} on "
                f"{timezone.localtime(report.submitted_at):%d %b %Y at %H:%M}; nothing was changed."
            ) from None
        raise InvalidTransition(f"{exc} Nothing was changed.") from None
    roles = permissions.report_roles(actor, report.hit_id)
    if not transition.roles & roles:
        who = "the HIT's members" if workflow.TEAM in transition.roles else "a programme manager"
        raise PermissionDenied(f"Only {who} can '{transition.label.lower()}' a progress report.")
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ValidationError({"comment": "Write a comment for the team explaining why."})

    perform(
        ReportMove(report, transition, actor=actor, comment=comment),
        REPORT_RULES[action],
        events=report.events,
    )
    if action == "submit":
        recipients = _programme_manager_emails()
    else:
        recipients = _directing_emails([report.hit_id]).get(report.hit_id, [])
        if report.submitted_by and report.submitted_by.email:
            recipients.append(report.submitted_by.email)
    send_after_commit(
        template="reporting/report_submitted" if action == "submit" else "reporting/report_decided",
        recipients=recipients,
        context={
            "report": report,
            "action": action,
            "action_label": transition.label,
            "comment": comment,
            "actor": actor,
        },
    )
    return report


# ProgressReport has the `status` and `save(update_fields=...)` that core.workflow's Move asks for, but
# mypy cannot match a model's fields to a protocol where a class is defined (django-stubs issue 651).
class ReportMove(Move[ProgressReport]):  # type: ignore[type-var]  # a stub limitation, see above
    """A move of the report workflow (it takes no inputs beyond core.workflow.Move's)."""


def _guard_report_submit(move: ReportMove) -> None:
    problems = submission_problems(move.obj)
    if problems:
        raise ValidationError({"__all__": problems})


def _effect_report_submit(move: ReportMove) -> None:
    """Who submitted it and when; a resubmission's new version; the F14 counts and the PPI
    standards as they stand, frozen with the submission."""
    report = move.obj
    if move.from_status == ReportStatus.CHANGES_REQUESTED:
        move.set(version=report.version + 1)
    due, met_on_time = _progress_counts(report, timezone.localdate())
    move.set(
        submitted_at=timezone.now(),
        submitted_by=recorded_actor(move.actor),
        milestones_due=due,
        milestones_met_on_time=met_on_time,
        ppi_standards_snapshot=selectors.ppi_standards_snapshot(report.hit),
    )


def _effect_report_decide(move: ReportMove) -> None:
    move.set(decided_at=timezone.now(), decided_by=recorded_actor(move.actor))


# What each move of REPORT_WORKFLOW checks and does beyond its table row.
REPORT_RULES: dict[str, Rule[ReportMove]] = {
    "submit": Rule(guard=_guard_report_submit, effect=_effect_report_submit),
    "accept": Rule(effect=_effect_report_decide),
    "request_changes": Rule(effect=_effect_report_decide),
    "skip": Rule(effect=_effect_report_decide),
}


@transaction.atomic
def report_due_date_move(
    *,
    actor: User,
    report_id: int,
    due_on: datetime.date,
    reason: str,
    expected_version: str | None = None,
) -> ProgressReport:
    """Move an open report's due date (programme managers).

    Side effects: the report's due date; a "move_due_date" ReportEvent with the reason. Reminders
    already sent stay sent; the reminder offsets not yet sent follow the new date. Refused with
    StaleEdit (nothing saved) when the report is no longer at `expected_version`, the version the
    report's page showed (core.concurrency).
    """
    report = ProgressReport.objects.select_for_update(of=("self",)).get(pk=report_id)
    _require(permissions.can_move_due_date(actor, report))
    check_version(report, expected_version)
    errors: dict[str, str] = {}
    if due_on < timezone.localdate():
        errors["due_on"] = "The new due date cannot be in the past."
    elif due_on == report.due_on:
        errors["due_on"] = "That is the current due date."
    if not reason.strip():
        errors["reason"] = "Say why the due date moves."
    if errors:
        raise ValidationError(errors)
    before = report.due_on
    report.due_on = due_on
    report.save(update_fields=["due_on", "updated_at"])
    record_event(
        report.events,
        actor=actor,
        action="move_due_date",
        to_status=report.status,
        comment=f"Due date moved from {before:%d %b %Y} to {due_on:%d %b %Y}: {reason.strip()}",
    )
    return report


# --- Reminders ---------------------------------------------------------------------------------------


def reminder_offsets_due(
    *, due_on: datetime.date, offsets: Iterable[int], sent: set[int], today: datetime.date
) -> list[int]:
    """The offsets whose reminder should go out today: their day has come (today, or passed without
    a reminder: caught up once), not sent yet, and never a "before" reminder once the due date passed."""
    return sorted(
        offset
        for offset in offsets
        if offset not in sent
        and due_on + datetime.timedelta(days=offset) <= today
        and not (offset < 0 and today > due_on)
    )


def report_reminders_send(*, today: datetime.date | None = None) -> BatchOutcome:
    """Open the scheduled reports whose reminders begin, then remind the directors and co-directors
    of every report still with the team (draft or changes requested) whose reminder day has come.

    Side effects, per report: ReminderLog rows (one per offset; the unique pair claims the offset,
    so a second run or a second worker sends nothing more), then one HTML + text email per recipient
    after commit. When several offsets fell due while no reminder went out, one email (the latest
    offset's) covers them all. Accepted, submitted and skipped reports get none; a report whose
    schedule is paused gets none. Each schedule and each report is handled on its own: one that
    fails is logged with its id and skipped, and the others carry on (core.batch).
    Returns the number of reports reminded (`done`) and the ids of the schedules and reports skipped.
    """
    today = today or timezone.localdate()
    opened = _open_scheduled_reports(today)
    reports = list(
        ProgressReport.objects.filter(
            status__in=[s.value for s in WITH_TEAM],
            due_on__lte=today + datetime.timedelta(days=MAX_OFFSET_DAYS),
        )
        .select_related("hit")
        .order_by("due_on", "pk")
    )
    if not reports:
        return BatchOutcome(failed=opened.failed)
    hit_ids = {r.hit_id for r in reports}
    schedules = {s.hit_id: s for s in ReportSchedule.objects.filter(hit_id__in=hit_ids)}
    sent: dict[int, set[int]] = {}
    for report_id, offset in ReminderLog.objects.filter(report_id__in=[r.pk for r in reports]).values_list(
        "report_id", "offset_days"
    ):
        sent.setdefault(report_id, set()).add(offset)
    recipients = _directing_emails(hit_ids)

    def remind(report: ProgressReport) -> int:
        return _remind_report(
            report,
            schedule=schedules.get(report.hit_id),
            sent=sent.get(report.pk, set()),
            to=recipients.get(report.hit_id, []),
            today=today,
        )

    reminded = each_row(
        reports, remind, row_id=lambda report: report.pk, what="Reminding report", logger=logger
    )
    return BatchOutcome(done=reminded.done, failed=[*opened.failed, *reminded.failed])


def _remind_report(
    report: ProgressReport,
    *,
    schedule: ReportSchedule | None,
    sent: set[int],
    to: list[str],
    today: datetime.date,
) -> int:
    """Send one report's due reminder, if any; 1 when it was sent."""
    if schedule is not None and not schedule.is_active:
        return 0
    offsets = schedule.reminder_offsets if schedule is not None else default_reminder_offsets()
    due = reminder_offsets_due(due_on=report.due_on, offsets=offsets, sent=sent, today=today)
    if not due:
        return 0
    try:
        with transaction.atomic():
            ReminderLog.objects.bulk_create(
                ReminderLog(report=report, offset_days=offset, due_on=report.due_on, recipients=len(to))
                for offset in due
            )
            send_after_commit(
                template="reporting/report_reminder",
                recipients=to,
                context={
                    "report": report,
                    "offset": due[-1],
                    "days": abs((report.due_on - today).days),
                    "overdue": today > report.due_on,
                    "due_today": today == report.due_on,
                },
            )
    except IntegrityError:
        return 0  # another run claimed these offsets first
    return 1
