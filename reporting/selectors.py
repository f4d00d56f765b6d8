"""Reads of the reporting app: permission-aware, with their joins applied, a fixed number of
queries per page. Overdue is derived from the dates here, never stored."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accreditation.criteria import CONCEPTS, CRITERIA, Criterion
from engagement import selectors_maturity, selectors_ppi, selectors_surveys
from engagement.enums import Dimension
from engagement.models import ReadinessResult
from engagement.scoring import shown_score
from reporting import checklist, flags, permissions
from reporting.enums import OPEN_STATUSES, WITH_TEAM, Concept, MilestoneStatus, ReportStatus
from reporting.models import (
    DEFAULT_INTERVAL_MONTHS,
    Milestone,
    ProgressReport,
    ReportEvent,
    ReportSchedule,
    StageAssessment,
    add_months,
)
from teams.enums import HITStatus, Role
from teams.models import HIT
from teams.roles import roles_of

# accreditation.criteria names each concept in words; the report stores the short code.
CONCEPT_OF_CRITERION: dict[str, str] = {
    criterion.code: Concept.values[CONCEPTS.index(criterion.concept)] for criterion in CRITERIA
}


# --- Access ------------------------------------------------------------------------------------------


def hit_for_reports(*, user: object, pk: int) -> HIT:
    """A HIT whose reports, checklist and stage the user may see, or 404."""
    try:
        hit = HIT.objects.select_related("report_schedule").get(pk=pk)
    except HIT.DoesNotExist:
        raise Http404("No such HIT.") from None
    if not permissions.can_view_reports(user, hit):
        raise Http404("No such HIT.")
    return hit


def report_get_for_user(*, user: object, pk: int) -> ProgressReport:
    """One report the user may read (permissions.can_read_report), or 404: outsiders never learn
    that it exists, and a board member does not open a report before it is accepted."""
    try:
        report = ProgressReport.objects.select_related("hit", "submitted_by", "decided_by", "created_by").get(
            pk=pk
        )
    except ProgressReport.DoesNotExist:
        raise Http404("No such report.") from None
    if not permissions.can_read_report(user, report):
        raise Http404("No such report.")
    return report


def schedule_of(hit: HIT) -> ReportSchedule | None:
    try:
        return hit.report_schedule
    except ReportSchedule.DoesNotExist:
        return None


# --- Lists -------------------------------------------------------------------------------------------


def overdue_condition(today: datetime.date) -> Q:
    """Due date passed and still with the team (not submitted, accepted or skipped)."""
    return Q(due_on__lt=today, status__in=[s.value for s in WITH_TEAM])


def report_list_for_user(*, user: object, today: datetime.date | None = None) -> QuerySet[ProgressReport]:
    """Every report for programme managers and board members, the reports of their HITs for members,
    with `is_overdue` annotated from the dates; overdue first, then by due date."""
    today = today or timezone.localdate()
    roles = roles_of(user)
    qs = ProgressReport.objects.select_related("hit", "submitted_by")
    if not roles.has(*permissions.READERS):
        qs = qs.filter(hit_id__in=roles.hit_ids)
    return qs.annotate(
        is_overdue=Case(
            When(overdue_condition(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by("-is_overdue", "due_on", "hit__name", "pk")


def hits_for_report_filter(*, user: object) -> QuerySet[HIT]:
    roles = roles_of(user)
    qs = HIT.objects.order_by("name")
    if not roles.has(*permissions.READERS):
        qs = qs.filter(pk__in=roles.hit_ids)
    return qs


def hit_reports(*, hit: HIT) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(hit=hit).select_related("submitted_by").order_by("-due_on", "-pk")


def open_report(*, hit: HIT) -> ProgressReport | None:
    return ProgressReport.objects.filter(
        hit=hit, status__in=[ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.CHANGES_REQUESTED]
    ).first()


@dataclass(frozen=True)
class NextReport:
    due_on: datetime.date | None
    period_start: datetime.date | None
    period_end: datetime.date | None


def next_report_defaults(*, hit: HIT, today: datetime.date | None = None) -> NextReport:
    """The next due report's dates: the next scheduled due date on or after today (none without a
    schedule), covering the time since the last report's period (or one interval)."""
    today = today or timezone.localdate()
    schedule = schedule_of(hit)
    if schedule is None:
        return NextReport(None, None, None)
    due_on = schedule.next_due_after(today - datetime.timedelta(days=1))
    return NextReport(due_on, *report_period(hit=hit, due_on=due_on, interval=schedule.interval_months))


def report_period(
    *, hit: HIT | int, due_on: datetime.date, interval: int = DEFAULT_INTERVAL_MONTHS
) -> tuple[datetime.date, datetime.date]:
    """A report due on `due_on` covers the days after the previous report's period, up to the day
    before it is due; the first report covers one interval."""
    end = due_on - datetime.timedelta(days=1)
    previous_end = (
        ProgressReport.objects.filter(hit=hit, period_end__lt=end)
        .exclude(status=ReportStatus.SKIPPED)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    start = previous_end + datetime.timedelta(days=1) if previous_end else add_months(due_on, -interval)
    return min(start, end), end


# --- One report --------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    criterion: Criterion
    concept: str
    rating: int | None
    evidence: str
    # The edit page attaches the row's two form fields here.
    rating_field: object = None
    evidence_field: object = None


@dataclass
class ConceptBlock:
    concept: str
    label: str
    rows: list[IndicatorRow]

    @property
    def rated(self) -> int:
        return sum(1 for row in self.rows if row.rating is not None)

    @property
    def score(self) -> float | None:
        """F8 over the rated indicators: sum of ratings / (3 x rated); None when none is rated."""
        ratings = [row.rating for row in self.rows if row.rating is not None]
        return sum(ratings) / (3 * len(ratings)) if ratings else None

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


def concept_blocks(report: ProgressReport) -> list[ConceptBlock]:
    """The four concepts with each indicator's rating and evidence (one query)."""
    stored = {r.indicator: r for r in report.ratings.all()}
    blocks = []
    for value, label in Concept.choices:
        rows = [
            IndicatorRow(
                criterion=c,
                concept=value,
                rating=stored[c.code].rating if c.code in stored else None,
                evidence=stored[c.code].evidence if c.code in stored else "",
            )
            for c in CRITERIA
            if CONCEPT_OF_CRITERION[c.code] == value
        ]
        blocks.append(ConceptBlock(concept=value, label=label, rows=rows))
    return blocks


def report_milestones(report: ProgressReport) -> QuerySet[Milestone]:
    """The HIT's milestones the report speaks about: those recorded in it, those due in its period,
    and those still to be met."""
    return (
        Milestone.objects.filter(hit_id=report.hit_id)
        .filter(
            Q(report=report)
            | Q(due_on__range=(report.period_start, report.period_end))
            | Q(met_on__isnull=True)
        )
        .order_by("due_on", "pk")
    )


def report_events(report: ProgressReport) -> QuerySet[ReportEvent]:
    return report.events.select_related("actor")


def milestone_summary(milestones) -> dict[str, int]:
    counts = dict.fromkeys(MilestoneStatus.values, 0)
    for milestone in milestones:
        counts[milestone.status] += 1
    return counts


# --- Snapshots of the engagement scores (stored copies, not links) ------------------------------------


def ppi_standards_snapshot(hit: HIT) -> dict | None:
    """The latest UK Standards for Public Involvement self-assessment, as a plain dictionary."""
    assessment = selectors_ppi.latest_standards(hit)
    if assessment is None:
        return None
    return {
        "assessed_on": assessment.assessed_on.isoformat(),
        "ratings": [
            {
                "standard": row.standard,
                "label": row.get_standard_display(),
                "rating": row.rating,
                "rating_label": row.get_rating_display(),
                "note": row.note,
            }
            for row in assessment.ratings.all()
        ],
    }


def readiness_snapshot(hit: HIT) -> dict | None:
    """The overall stored results of the HIT's latest readiness wave with results. Suppressed
    dimensions keep no figures here either (the stored rows have none)."""
    wave = selectors_surveys.latest_released_wave(hit=hit)
    if wave is None:
        return None
    rows = (
        ReadinessResult.objects.released()
        .filter(wave=wave, group_type=ReadinessResult.GROUP_OVERALL)
        .order_by("dimension")
    )
    dimensions = []
    computed_at = None
    for row in rows:
        computed_at = max(computed_at, row.computed_at) if computed_at else row.computed_at
        dimensions.append(
            {
                "dimension": row.dimension,
                "label": Dimension(row.dimension).label,
                "suppressed": row.suppressed,
                "n": None if row.suppressed else row.n,
                # Stored in the report, so rounded as every page shows it (engagement.scoring).
                "score": None if row.suppressed else shown_score(row.score),
            }
        )
    return {
        "wave": wave.title,
        "opens_on": wave.opens_on.isoformat(),
        "closes_on": wave.closes_on.isoformat(),
        "computed_at": computed_at.isoformat() if computed_at else None,
        "dimensions": dimensions,
    }


def maturity_snapshot(hit: HIT) -> dict | None:
    """The latest maturity matrix assessment as a profile: levels, median and weakest elements."""
    row = selectors_maturity.latest_assessment(hit=hit)
    if row is None:
        return None
    return {
        "assessed_on": row.assessment.assessed_on.isoformat(),
        "levels": [
            {"element": cell.code, "label": cell.name, "level": cell.level, "level_label": cell.level_name}
            for cell in row.cells
        ],
        "median": row.profile.median_name if row.profile else "",
        "weakest": row.profile.weakest_names if row.profile else [],
    }


# --- Life-cycle stage --------------------------------------------------------------------------------


def stage_history(*, hit: HIT) -> QuerySet[StageAssessment]:
    return (
        StageAssessment.objects.filter(hit=hit).select_related("assessed_by").order_by("-created_at", "-pk")
    )


def latest_stage_assessment(*, hit: HIT) -> StageAssessment | None:
    return stage_history(hit=hit).first()


# --- Panels for the HIT page and the programme manager's home page -----------------------------------


def hit_panels(user: object, hit: HIT) -> dict:
    """What the HIT page shows from reporting: early-warning flags, the set-up checklist (while the
    HIT is in set-up), the open report and the confirmed life-cycle stage. Empty for users who may
    not see the HIT's reports. A fixed number of queries."""
    if not permissions.can_view_reports(user, hit):
        return {}
    today = timezone.localdate()
    current = open_report(hit=hit)
    return {
        "reporting_hit": hit,
        "open_report_readable": bool(current and permissions.can_read_report(user, current)),
        "reporting_flags": flags.flags_for_hit(hit, today=today),
        "setup_checklist": checklist.checklist_for(hit) if hit.status == HITStatus.SET_UP else None,
        "open_report": current,
        "open_report_overdue": bool(current and current.is_overdue_on(today)),
        "latest_stage": latest_stage_assessment(hit=hit),
        "can_start_report": bool(permissions.can_start_report(user, hit)) and current is None,
        "can_manage_schedule": bool(permissions.can_manage_schedule(user, hit)),
        "can_assess_stage": bool(permissions.can_assess_stage(user, hit)),
    }


@dataclass(frozen=True)
class FlaggedHIT:
    hit: HIT
    flags: list[flags.Flag]


def member_home_panels(user: object) -> dict:
    """A HIT member's home page: the open progress report of each of their HITs (one query)."""
    roles = roles_of(user)
    if not roles.hit_ids:
        return {}
    today = timezone.localdate()
    reports = list(
        ProgressReport.objects.filter(hit_id__in=roles.hit_ids, status__in=[s.value for s in OPEN_STATUSES])
        .select_related("hit")
        .order_by("due_on", "hit__name")
    )
    for report in reports:
        report.overdue = report.is_overdue_on(today)
        report.with_team = report.status in WITH_TEAM
    return {"member_panels": True, "my_reports": reports}


def pm_home_panels(user: object, *, limit: int = 50) -> dict:
    """The programme manager's home page: live HITs with early-warning flags, reports submitted and
    waiting for a decision, overdue reports and the checklist of HITs waiting in set-up. A fixed
    number of queries whatever the number of HITs."""
    if not roles_of(user).has(Role.PROGRAMME_MANAGER):
        return {}
    today = timezone.localdate()
    live = list(
        HIT.objects.filter(status__in=[HITStatus.SET_UP, HITStatus.ACTIVE, HITStatus.SUSPENDED]).order_by(
            "name"
        )
    )
    by_hit = flags.flags_for_hits([h.pk for h in live], today=today)
    flagged = [FlaggedHIT(h, by_hit[h.pk]) for h in live if by_hit.get(h.pk)]
    setup = [h for h in live if h.status == HITStatus.SET_UP]
    lists = checklist.checklists_for([h.pk for h in setup])
    return {
        "pm_panels": True,
        "flagged_hits": flagged[:limit],
        "flagged_hits_total": len(flagged),
        "setup_checklists": [(h, lists[h.pk]) for h in setup],
        # Oldest submission first: the team has waited longest for those.
        "reports_to_review": list(
            ProgressReport.objects.filter(status=ReportStatus.SUBMITTED)
            .select_related("hit", "submitted_by")
            .order_by("submitted_at", "pk")[:limit]
        ),
        "overdue_reports": list(
            ProgressReport.objects.filter(overdue_condition(today))
            .select_related("hit")
            .order_by("due_on")[:limit]
        ),
    }
