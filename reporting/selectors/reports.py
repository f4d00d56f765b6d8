"""Reads of progress reports and their schedules, permission-aware."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db import models
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accreditation.domain.criteria import CONCEPTS, CRITERIA, Criterion
from accreditation.models import Accreditation
from engagement.domain.scoring import shown_score
from engagement.enums import Dimension
from engagement.models import ReadinessResult
from engagement.selectors import maturity as selectors_maturity
from engagement.selectors import ppi as selectors_ppi
from engagement.selectors import surveys as selectors_surveys
from reporting import permissions
from reporting.enums import Concept, MilestoneStatus, ReportStatus
from reporting.models import (
    DEFAULT_INTERVAL_MONTHS,
    Milestone,
    ProgressReport,
    ReportEvent,
    ReportSchedule,
    add_months,
)
from reporting.selectors.home import overdue_condition
from teams.models import HIT, User
from teams.roles import AnyUser, roles_of

if TYPE_CHECKING:
    from django.forms import BoundField

# accreditation.domain.criteria names each concept in words; the report stores the short code.
CONCEPT_OF_CRITERION: dict[str, str] = {
    criterion.code: Concept.values[CONCEPTS.index(criterion.concept)] for criterion in CRITERIA
}


# --- Access ------------------------------------------------------------------------------------------


def hit_for_reports(*, user: AnyUser, pk: int) -> HIT:
    """A HIT whose reports, checklist and stage the user may see, or 404."""
    try:
        hit = HIT.objects.select_related("report_schedule").get(pk=pk)
    except HIT.DoesNotExist:
        raise Http404("No such HIT.") from None
    if not permissions.can_view_reports(user, hit):
        raise Http404("No such HIT.")
    return hit


def report_get_for_user(*, user: AnyUser, pk: int) -> ProgressReport:
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


#: What the report list shows (its rendering is cached per version of these tables: core.versions).
REPORT_LIST_SOURCES: tuple[type[models.Model], ...] = (ProgressReport, HIT, User)


def report_list_for_user(*, user: AnyUser, today: datetime.date | None = None) -> QuerySet[ProgressReport]:
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


def hits_for_report_filter(*, user: AnyUser) -> QuerySet[HIT]:
    roles = roles_of(user)
    qs = HIT.objects.order_by("name")
    if not roles.has(*permissions.READERS):
        qs = qs.filter(pk__in=roles.hit_ids)
    return qs


def hit_reports(*, hit: HIT) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(hit=hit).select_related("submitted_by").order_by("-due_on", "-pk")


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
    before it is due. The first report starts on the day the HIT's accreditation starts (the latest
    one begun by the period's end), since nothing before it is the HIT's to report; a HIT without an
    accreditation covers one interval."""
    end = due_on - datetime.timedelta(days=1)
    previous_end = (
        ProgressReport.objects.filter(hit=hit, period_end__lt=end)
        .exclude(status=ReportStatus.SKIPPED)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    if previous_end is not None:
        start = previous_end + datetime.timedelta(days=1)
    else:
        accredited_from = (
            Accreditation.objects.filter(hit=hit, valid_from__lte=end)
            .order_by("-valid_from")
            .values_list("valid_from", flat=True)
            .first()
        )
        start = accredited_from or add_months(due_on, -interval)
    return min(start, end), end


# --- One report --------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    criterion: Criterion
    concept: str
    rating: int | None
    evidence: str
    # The edit page attaches the row's two form fields here.
    rating_field: BoundField | None = None
    evidence_field: BoundField | None = None


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


def milestone_summary(milestones: Iterable[Milestone]) -> dict[str, int]:
    counts = dict.fromkeys(MilestoneStatus.values, 0)
    for milestone in milestones:
        counts[milestone.status] += 1
    return counts


# --- Snapshots of the engagement scores (stored copies, not links) ------------------------------------
# Each is stored as it is in a JSON field of the report (ProgressReport.*_snapshot).


class StandardRatingSnapshot(TypedDict):
    standard: str
    label: str
    rating: int
    rating_label: str
    note: str


class PPIStandardsSnapshot(TypedDict):
    assessed_on: str  # ISO date
    ratings: list[StandardRatingSnapshot]


class DimensionSnapshot(TypedDict):
    dimension: str
    label: str
    suppressed: bool
    n: int | None  # None when suppressed
    score: int | None  # as shown (engagement.domain.scoring.shown_score); None when suppressed


class ReadinessSnapshot(TypedDict):
    wave: str
    opens_on: str  # ISO date
    closes_on: str  # ISO date
    computed_at: str | None  # ISO date and time
    dimensions: list[DimensionSnapshot]


class ElementLevelSnapshot(TypedDict):
    element: str
    label: str
    level: int | None
    level_label: str


class MaturitySnapshot(TypedDict):
    assessed_on: str  # ISO date
    levels: list[ElementLevelSnapshot]
    median: str
    weakest: list[str]


def ppi_standards_snapshot(hit: HIT) -> PPIStandardsSnapshot | None:
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


def readiness_snapshot(hit: HIT) -> ReadinessSnapshot | None:
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
    dimensions: list[DimensionSnapshot] = []
    computed_at: datetime.datetime | None = None
    for row in rows:
        computed_at = max(computed_at, row.computed_at) if computed_at else row.computed_at
        dimensions.append(
            {
                "dimension": row.dimension,
                "label": Dimension(row.dimension).label,
                "suppressed": row.suppressed,
                "n": None if row.suppressed else row.n,
                # Stored in the report, so rounded as every page shows it (engagement.domain.scoring).
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


def maturity_snapshot(hit: HIT) -> MaturitySnapshot | None:
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
