"""Progress reports of the demo data (tables in demo/data_reports.py): reporting schedules for every
running HIT, and the Dementia HIT's reports from its first to the one now waiting for the programme
manager.

Everything is illustrative. The Dementia HIT's reports go through ``reporting.services`` as the acting
logins (director@ writes and submits, pm@ accepts or asks for changes), then their dates are moved
back, as the HIT status histories are. The other HITs' directors have no login: their schedules are
set, and the nightly reminder run (``report_reminders_send``, what beat does every morning) opens
the reports whose reminders have begun, so some are due soon and some are overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Max
from django.utils import timezone

from demo.data_reports import (
    DEMENTIA_NEXT_DUE_IN_DAYS,
    DEMENTIA_REPORTS,
    INTERVAL_MONTHS,
    NEXT_DUE_IN_DAYS,
    ReportSpec,
)
from reporting.models import ProgressReport, ReportEvent, ReportSchedule, add_months
from reporting.selectors.reports import report_period
from reporting.services.reports import (
    report_capacity_save,
    report_create,
    report_milestones_save,
    report_ratings_save,
    report_reminders_send,
    report_rows_save,
    report_snapshots_save,
    report_transition,
)
from reporting.services.schedules import schedule_save
from teams.enums import HITStatus
from teams.models import HIT, OutcomeDomain, User


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def load_reports(
    *, hits: dict[str, HIT], users: dict[str, User], today: datetime.date, say: Callable
) -> None:
    """Reporting schedules and reports, once: HITs that already have a schedule are left alone."""
    scheduled = set(ReportSchedule.objects.values_list("hit__slug", flat=True))
    before = len(scheduled)
    pm, director = users["pm"], users["director"]
    if "dementia" in hits and "dementia" not in scheduled:
        _dementia_reports(hits["dementia"], pm=pm, director=director, today=today)
    for slug, days in NEXT_DUE_IN_DAYS.items():
        hit = hits.get(slug)
        if hit is None or slug in scheduled:
            continue
        hit.refresh_from_db(fields=["status"])
        if hit.status not in (HITStatus.SET_UP, HITStatus.ACTIVE, HITStatus.SUSPENDED):
            continue
        schedule = schedule_save(
            actor=pm,
            hit_id=hit.pk,
            interval_months=INTERVAL_MONTHS,
            first_due_on=max(today, today + datetime.timedelta(days=days)),
            is_active=hit.status != HITStatus.SUSPENDED,
        )
        if days < 0:  # a schedule that began before the portal held the HIT's reports
            ReportSchedule.objects.filter(pk=schedule.pk).update(
                first_due_on=today + datetime.timedelta(days=days)
            )
    if ReportSchedule.objects.count() == before:
        return
    last_pk = ProgressReport.objects.aggregate(last=Max("pk"))["last"] or 0
    report_reminders_send(today=today)
    opened = list(ProgressReport.objects.filter(pk__gt=last_pk, hit__in=list(hits.values())))
    # The nightly run opened each of them when its first reminder was due, 14 days before the due date.
    for report in opened:
        moment = min(_at(report.due_on - datetime.timedelta(days=14), hour=6), timezone.now())
        ProgressReport.objects.filter(pk=report.pk).update(created_at=moment, updated_at=moment)
        ReportEvent.objects.filter(report=report, action="create").update(created_at=moment)
    say(f"Reporting schedules set; the nightly run opened {len(opened)} progress reports.")


def _dementia_reports(hit: HIT, *, pm: User, director: User, today: datetime.date) -> None:
    current_due = today + datetime.timedelta(days=DEMENTIA_NEXT_DUE_IN_DAYS)
    count = len(DEMENTIA_REPORTS)
    first_due = add_months(current_due, -INTERVAL_MONTHS * (count - 1))
    schedule = schedule_save(actor=pm, hit_id=hit.pk, interval_months=INTERVAL_MONTHS, first_due_on=today)
    ReportSchedule.objects.filter(pk=schedule.pk).update(first_due_on=first_due)
    domains = {d.code: d for d in OutcomeDomain.objects.all()}
    for n, spec in enumerate(DEMENTIA_REPORTS):
        due = add_months(first_due, n * INTERVAL_MONTHS)
        _dementia_report(hit, spec, due=due, pm=pm, director=director, today=today, domains=domains)


def _dementia_report(
    hit: HIT,
    spec: ReportSpec,
    *,
    due: datetime.date,
    pm: User,
    director: User,
    today: datetime.date,
    domains: dict[str, OutcomeDomain],
) -> None:
    """One report: opened and written by the director, submitted, sent back and accepted as `spec`
    says, then dated back to when each step happened."""
    start, end = report_period(hit=hit, due_on=due, interval=INTERVAL_MONTHS)
    # Opened with a due date the service accepts today; the real dates are put back below.
    report = report_create(
        actor=director, hit_id=hit.pk, period_start=start, period_end=end, due_on=max(due, today)
    )
    _write_report(report, spec, due=due, director=director, domains=domains)
    _decide_report(report, spec, due=due, pm=pm, director=director)


def _write_report(
    report: ProgressReport,
    spec: ReportSpec,
    *,
    due: datetime.date,
    director: User,
    domains: dict[str, OutcomeDomain],
) -> None:
    """Every section of a report, as the director fills it in (dates relative to the due date)."""

    def day(offset: int) -> datetime.date:
        return due + datetime.timedelta(days=offset)

    carried = list(report.risks.order_by("pk"))
    report_ratings_save(actor=director, report_id=report.pk, ratings=spec.ratings)
    report_capacity_save(
        actor=director,
        report_id=report.pk,
        funding_status=spec.funding,
        funding_notes=spec.funding_notes,
        capacity_notes=spec.capacity_notes,
    )
    if spec.milestones:
        report_milestones_save(
            actor=director,
            report_id=report.pk,
            rows=[
                {"title": title, "due_on": day(d), "met_on": day(m) if m is not None else None}
                for title, d, m in spec.milestones
            ],
        )
    if spec.quick_wins:
        report_rows_save(
            actor=director,
            report_id=report.pk,
            section="quick_wins",
            rows=[
                {"title": title, "delivered_on": day(d), "description": text}
                for title, d, text in spec.quick_wins
            ],
        )
    if spec.outcomes:
        report_rows_save(
            actor=director,
            report_id=report.pk,
            section="outcomes",
            rows=[
                {"domain": domains[code], "description": text, "intended": intended}
                for code, text, intended in spec.outcomes
            ],
        )
    risk_rows = [
        {
            "id": risk.pk,
            "kind": risk.kind,
            "description": risk.description,
            "how_handled": risk.how_handled,
            "opened_on": risk.opened_on,
            "resolved_on": day(spec.resolve_carried) if spec.resolve_carried is not None else None,
        }
        for risk in carried
    ] + [
        {"kind": kind, "description": text, "how_handled": how, "opened_on": day(raised), "resolved_on": None}
        for kind, text, how, raised in spec.risks
    ]
    if risk_rows:
        report_rows_save(actor=director, report_id=report.pk, section="risks", rows=risk_rows)
    if spec.snapshots:
        report_snapshots_save(
            actor=director, report_id=report.pk, ppi_standards=True, readiness=True, maturity=True
        )


def _decide_report(
    report: ProgressReport, spec: ReportSpec, *, due: datetime.date, pm: User, director: User
) -> None:
    """Submitted (and sent back once, if `spec` says so) and accepted, each event then dated back:
    opened a month before the due date, submitted a few days before it, decided after it."""
    submitted = due - datetime.timedelta(days=spec.submitted_days_before_due)
    moments = [_at(due - datetime.timedelta(days=30))]  # opened, a month before it was due
    report_transition(actor=director, report_id=report.pk, action="submit")
    moments.append(_at(submitted))
    if spec.changes_requested:
        report_transition(
            actor=pm, report_id=report.pk, action="request_changes", comment=spec.changes_requested
        )
        report_transition(actor=director, report_id=report.pk, action="submit")
        moments += [_at(submitted + datetime.timedelta(days=4)), _at(submitted + datetime.timedelta(days=9))]
    if spec.accepted:
        report_transition(actor=pm, report_id=report.pk, action="accept", comment="Thank you: accepted.")
        moments.append(_at(max(submitted + datetime.timedelta(days=14), due + datetime.timedelta(days=5))))
    moments = [min(moment, timezone.now()) for moment in moments]

    events = list(ReportEvent.objects.filter(report=report).order_by("created_at", "pk"))
    for event, moment in zip(events, moments, strict=True):
        event.created_at = moment
    ReportEvent.objects.bulk_update(events, ["created_at"])
    submits = [m for e, m in zip(events, moments, strict=True) if e.action == "submit"]
    ProgressReport.objects.filter(pk=report.pk).update(
        due_on=due,
        created_at=moments[0],
        updated_at=moments[-1],
        submitted_at=submits[-1],
        decided_at=moments[-1] if spec.accepted else None,
    )
