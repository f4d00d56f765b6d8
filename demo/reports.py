"""Progress reports of the demo data (demo.loader): reporting schedules for every running HIT, and
the Dementia HIT's reports from its first to the one now waiting for the programme manager.

Everything is illustrative. The Dementia HIT's reports go through ``reporting.services`` as the acting
logins (director@ writes and submits, pm@ accepts or asks for changes), then their dates are moved
back, as the HIT status histories are. The other HITs' directors have no login: their schedules are
set, and the nightly reminder run (``report_reminders_send``, what beat does every morning) opens
the reports whose reminders have begun, so some are due soon and some are overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from reporting.enums import FundingStatus, RiskKind
from reporting.models import ProgressReport, ReportEvent, ReportSchedule, add_months
from reporting.selectors import report_period
from reporting.services import (
    report_capacity_save,
    report_create,
    report_milestones_save,
    report_ratings_save,
    report_reminders_send,
    report_rows_save,
    report_snapshots_save,
    report_transition,
    schedule_save,
)
from teams.enums import HITStatus
from teams.models import HIT, OutcomeDomain, User

INTERVAL_MONTHS = 6

# Days from today to each HIT's next (first) due date. Negative: the report is overdue; within 14
# days: the reminder run has opened it; later: not opened yet. A suspended HIT's schedule is paused.
NEXT_DUE_IN_DAYS = {
    "stroke": -20,  # overdue, and its director's post is vacant (DELIBERATE_GAPS)
    "drugs-and-alcohol": -35,  # overdue
    "avoidable-admissions": 9,
    "pain-management": 12,
    "child-injury-prevention": 40,
    "frailty": 55,
    "chronic-kidney-disease": 70,
    "young-peoples-mental-health": 85,
    "diabetes": 100,
    "maternity": 120,
    "sexual-health": 160,
    "copd": 30,
}
# The Dementia HIT's current report falls due this many days from today; the earlier ones one
# interval apart before it.
DEMENTIA_NEXT_DUE_IN_DAYS = 10


@dataclass(frozen=True)
class ReportSpec:
    """One Dementia HIT report. Dates are in days relative to the report's due date."""

    ratings: dict[str, tuple[int, str]]
    funding: str
    funding_notes: str
    capacity_notes: str
    milestones: tuple[tuple[str, int, int | None], ...] = ()  # (title, due, met: None if not yet)
    quick_wins: tuple[tuple[str, int, str], ...] = ()  # (title, delivered, description)
    outcomes: tuple[tuple[str, str, bool], ...] = ()  # (domain code, description, intended)
    risks: tuple[tuple[str, str, str, int], ...] = ()  # (kind, description, how handled, raised)
    resolve_carried: int | None = None  # days (from due) the risks carried forward were resolved
    changes_requested: str = ""  # the programme manager's comment before the resubmission
    accepted: bool = True
    submitted_days_before_due: int = 3
    snapshots: bool = False


DEMENTIA_REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        ratings={
            "W1": (2, "Stakeholder table agreed with the memory service, GPs and the carers' centre."),
            "W2": (2, "Six of seven stakeholder categories take part; industry does not yet."),
            "W3": (1, "The CCG's mental health commissioner attends the management group as an observer."),
            "W4": (2, "Two carers sit on the management group and co-chair the living well group."),
            "C1": (2, "The executive sponsor chairs the quarterly steering group."),
            "C2": (3, "All three working groups have an academic and a service lead."),
            "C10": (2, "A carers' reference group meets before each management group."),
            "I1": (1, "A shared referral form is drafted; not yet in use."),
            "N3": (1, "The six-week diagnosis pilot is designed; ethics review under way."),
        },
        funding=FundingStatus.PENDING,
        funding_notes="Bid to the regional innovation fund for the diagnosis pilot submitted.",
        capacity_notes="Programme manager time funded by the host trust; no analyst yet.",
        milestones=(
            ("Referral pathway agreed by the memory service and GPs", -60, -75),
            ("Carers' reference group set up", -40, -30),
        ),
        quick_wins=(
            (
                "Memory café directory published",
                -50,
                "One list of the twelve memory cafés across the area, given out at diagnosis.",
            ),
        ),
        risks=(
            (
                RiskKind.RISK,
                "The memory nurse post in the north locality is vacant, so diagnosis waits may rise there.",
                "Recruitment under way; the central team covers two clinics a week.",
                -90,
            ),
        ),
    ),
    ReportSpec(
        ratings={
            "W1": (2, "Stakeholder table reviewed; the ambulance service joined the hospital care group."),
            "W2": (
                3,
                "Every stakeholder category now takes part, industry through a digital reminders firm.",
            ),
            "W3": (2, "The commissioner became a full member of the management group."),
            "W4": (2, "Carers shaped the post-diagnostic support offer; see the reference group's minutes."),
            "C1": (3, "The sponsor secured joint funding for the support worker (see conflicts)."),
            "C2": (3, "Dual leadership held through a change of academic lead in hospital care."),
            "C8": (2, "Information-governance leads named; the data-sharing agreement is in draft."),
            "C10": (2, "Reference group members trained as co-reviewers of service changes."),
            "I1": (2, "The shared referral form is used by 31 of 48 practices."),
            "N3": (2, "The diagnosis pilot started in two localities, with an evaluation plan."),
        },
        funding=FundingStatus.SECURED,
        funding_notes="Regional innovation fund: two years for the diagnosis pilot and its evaluation.",
        capacity_notes="A 0.4 analyst joined from the university in month four.",
        milestones=(("Six-week diagnosis pilot starts in two localities", -100, -80),),
        outcomes=(
            (
                "organisational-efficiency",
                "Median wait from referral to diagnosis in the pilot localities down from 14 to 9 weeks.",
                True,
            ),
        ),
        risks=(
            (
                RiskKind.CONFLICT,
                "Two partners disagreed on who funds the post-diagnostic support worker.",
                "Taken to the executive sponsor; joint funding agreed until the end of the financial year.",
                -120,
            ),
        ),
        resolve_carried=-45,
        changes_requested="Please add the evidence behind the commissioner rating (W3) and the pilot's wait "
        "figures before I accept the report.",
    ),
    ReportSpec(
        ratings={
            "W1": (3, "Every stakeholder in the table has a named role and outcome; reviewed each quarter."),
            "W2": (3, "All categories take part; the council's public health team leads on prevention."),
            "W3": (2, "The commissioner co-leads the business case for rolling out the pilot."),
            "W4": (3, "Carers vote on the management group; two co-authored the evaluation protocol."),
            "C1": (3, "The sponsor presented the pilot to the trust board."),
            "C2": (3, "Dual leadership in all three groups."),
            "C8": (3, "Data-sharing agreement signed by both Caldicott guardians."),
            "C10": (3, "The public review group found PPI built into every structure."),
            "I1": (2, "Shared referral form in 44 of 48 practices; support plans shared with GPs."),
            "I3": (2, "Business case for area-wide roll-out with the commissioner."),
            "N3": (2, "Pilot evaluation at six months: see outcomes."),
            "N6": (1, "Delirium awareness training for ward staff being piloted on two wards."),
        },
        funding=FundingStatus.SECURED,
        funding_notes="Innovation fund in its second year; roll-out depends on the business case.",
        capacity_notes="Analyst time extended; a second carers' co-ordinator funded by the council.",
        milestones=(
            ("Data-sharing agreement signed", -80, -70),
            ("Delirium screening on two acute wards", -30, -10),
        ),
        quick_wins=(
            (
                "Delirium screening on two acute wards",
                -10,
                "The 4AT screen is now part of admission for over-75s on two medical wards.",
            ),
        ),
        outcomes=(
            (
                "cultural-efficacy",
                "Carers report feeling part of planning: 18 of 21 reference group members in the annual check.",
                True,
            ),
            (
                "organisational-efficiency",
                "More referrals than expected from practices outside the pilot, lengthening waits there.",
                False,
            ),
        ),
        risks=(
            (
                RiskKind.RISK,
                "Referrals from outside the pilot localities may swamp the two pilot clinics.",
                "Referral criteria re-sent to all practices; weekly wait monitoring by the analyst.",
                -40,
            ),
        ),
    ),
    # The current report: submitted early, waiting for the programme manager.
    ReportSpec(
        ratings={
            "W1": (3, "Stakeholder table reviewed at the last management group."),
            "W2": (3, "All categories take part."),
            "W3": (3, "The commissioner now chairs the roll-out board."),
            "W4": (3, "Carers co-designed the roll-out's support plan template."),
            "C1": (3, "The sponsor is leading the renewal of the HIT's accreditation."),
            "C2": (3, "Dual leadership in all three groups."),
            "C10": (3, "Carers sit on the roll-out board."),
            "I1": (3, "Support plans shared with GPs and community nursing through the shared record."),
            "I3": (2, "Roll-out business case approved in principle; funding decision due next quarter."),
            "N3": (3, "Pilot evaluation published as a preprint with the university."),
            "N6": (2, "Delirium training extended to four wards and two care homes."),
        },
        funding=FundingStatus.AT_RISK,
        funding_notes="The innovation fund ends in four months; roll-out funding not yet confirmed.",
        capacity_notes="The analyst's contract ends with the innovation fund.",
        milestones=(
            ("Pilot evaluation published", -20, -25),
            ("Roll-out business case approved", 60, None),
        ),
        quick_wins=(
            (
                "Support plan template co-designed with carers",
                -30,
                "Carers and nurses wrote it together; in use in both pilot localities.",
            ),
        ),
        outcomes=(
            (
                "organisational-efficiency",
                "Median wait from referral to diagnosis in the pilot localities: 6.5 weeks (target six).",
                True,
            ),
            (
                "technological-effectiveness",
                "Support plans reach GPs through the shared care record instead of letters.",
                True,
            ),
        ),
        resolve_carried=-15,
        accepted=False,
        submitted_days_before_due=12,
        snapshots=True,
    ),
)


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
    def day(offset: int) -> datetime.date:
        return due + datetime.timedelta(days=offset)

    start, end = report_period(hit=hit, due_on=due, interval=INTERVAL_MONTHS)
    # Opened with a due date the service accepts today; the real dates are put back below.
    report = report_create(
        actor=director, hit_id=hit.pk, period_start=start, period_end=end, due_on=max(due, today)
    )
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

    submitted = day(-spec.submitted_days_before_due)
    moments = [_at(day(-30))]  # opened, a month before it was due
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
