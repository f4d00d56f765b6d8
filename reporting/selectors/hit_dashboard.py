"""One HIT's dashboard: its coverage, last two survey waves, PPI by month and maturity."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Sum,
)
from django.db.models.functions import TruncMonth

from engagement import permissions as engagement_permissions
from engagement.models import (
    CoverageScore,
    InvolvementActivity,
    MaturityAssessment,
    MaturityRating,
    ReadinessChange,
    ReadinessResult,
    Wave,
)
from engagement.selectors.changes import WaveChanges, latest_changes
from reporting import permissions as report_permissions
from reporting.enums import MilestoneStatus
from reporting.models import Milestone, ProgressReport, add_months
from reporting.selectors.board import LATEST_REPORTS
from reporting.selectors.portfolio import (
    OVERALL,
    MaturitySummary,
    ReadinessCell,
    ReadinessSummary,
    _coverage_of,
    maturity_summaries,
    readiness_summaries,
)
from reporting.selectors.trends import _as_date
from teams.models import HIT, StakeholderCategory
from teams.roles import AnyUser

PPI_MONTHS = 12

#: What the HIT dashboard shows (its rendering is cached per viewer and version of these tables:
#: core.versions): the HIT, its stored coverage and the categories' names, released waves with their
#: results and changes, maturity assessments and ratings, milestones, reports and the PPI log. Writes
#: that send no signal bump them (engagement.services.releases, engagement.services.scores).
HIT_DASHBOARD_SOURCES: tuple[type[Model], ...] = (
    HIT,
    CoverageScore,
    StakeholderCategory,
    Wave,
    ReadinessResult,
    ReadinessChange,
    MaturityAssessment,
    MaturityRating,
    Milestone,
    ProgressReport,
    InvolvementActivity,
)


# --- The HIT dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageSlice:
    code: str
    name: str
    depth: int | None


@dataclass(frozen=True)
class RadarRow:
    dimension: str
    label: str
    latest: ReadinessCell | None
    previous: ReadinessCell | None


@dataclass(frozen=True)
class MonthPoint:
    start: datetime.date
    activities: int
    people: int
    hours: float

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}"


@dataclass(frozen=True)
class ReportRow:
    """One of the HIT's latest progress reports as the dashboard lists it."""

    report: ProgressReport
    is_overdue: bool
    # A board member opens a report once it is accepted; the others are listed, not linked.
    can_read: bool


@dataclass
class HITDashboard:
    hit: HIT
    coverage: CoverageScore | None
    coverage_slices: list[CoverageSlice]
    latest_wave: ReadinessSummary | None
    previous_wave: ReadinessSummary | None
    maturity: MaturitySummary | None
    milestones: list[Milestone] | None  # None: the user may not see the HIT's reports
    ppi_months: list[MonthPoint]
    reports: list[ReportRow] | None  # None: the user may not see the HIT's reports
    today: datetime.date
    # The stored change of the latest wave against the previous one (None: readiness not shown).
    changes: WaveChanges | None = None
    # What of the HIT's engagement the user may see (engagement.permissions): a section the user
    # may not see is never read, and a page the user may not open is never linked.
    shows_readiness: bool = True
    shows_maturity: bool = True
    links_ppi_log: bool = True

    @property
    def radar_rows(self) -> list[RadarRow]:
        """Dimensions reported in the latest wave, with the previous wave's figure beside them."""
        if self.latest_wave is None:
            return []
        rows = []
        for cell in self.latest_wave.shown:
            previous = self.previous_wave.cell(cell.dimension) if self.previous_wave else None
            rows.append(RadarRow(cell.dimension, cell.label, cell, previous))
        return rows

    @property
    def left_out(self) -> list[ReadinessCell]:
        return self.latest_wave.suppressed if self.latest_wave else []

    @property
    def milestone_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(MilestoneStatus.values, 0)
        for milestone in self.milestones or []:
            counts[milestone.status] += 1
        return counts

    @property
    def next_milestone(self) -> Milestone | None:
        upcoming = [m for m in self.milestones or [] if m.met_on is None and m.due_on >= self.today]
        return upcoming[0] if upcoming else None

    @property
    def ppi_total(self) -> int:
        return sum(month.activities for month in self.ppi_months)


def coverage_slices(coverage: CoverageScore | None) -> list[CoverageSlice]:
    """Every category of the stored score, in the vocabulary's order (one query)."""
    if coverage is None:
        return []
    depths = coverage.category_depths
    return [
        CoverageSlice(code, name, depths.get(code))
        for code, name in StakeholderCategory.objects.filter(code__in=list(depths))
        .order_by("position", "name")
        .values_list("code", "name")
    ]


def last_two_waves(hit: HIT) -> tuple[ReadinessSummary | None, ReadinessSummary | None]:
    """The HIT's latest and previous waves with released overall results (two queries)."""
    with_results = ReadinessResult.objects.released().filter(wave=OuterRef("pk"), group_type=OVERALL)
    ids = list(
        Wave.objects.filter(hit=hit, released_at__isnull=False)
        .filter(Exists(with_results))
        .order_by("-opens_on", "-pk")
        .values_list("pk", flat=True)[:2]
    )
    summaries = readiness_summaries(ids) if ids else {}
    found = [summaries.get(pk) for pk in ids] + [None, None]
    return found[0], found[1]


def ppi_by_month(hit: HIT, *, today: datetime.date, months: int = PPI_MONTHS) -> list[MonthPoint]:
    """PPI log entries, people involved and hours per month over the last `months` months (this
    one included), oldest first, months without activity as zeros (one grouped query)."""
    start = add_months(today.replace(day=1), -(months - 1))
    rows = (
        InvolvementActivity.objects.filter(hit=hit, happened_on__gte=start, happened_on__lte=today)
        .annotate(month=TruncMonth("happened_on"))
        .order_by()
        .values("month")
        .annotate(
            activities=Count("pk"),
            people=Sum(F("patients") + F("carers") + F("public")),
            hours=Sum("hours"),
        )
    )
    found = {_as_date(row["month"]): row for row in rows}
    points = []
    for n in range(months):
        day = add_months(start, n)
        row = found.get(day)
        points.append(
            MonthPoint(
                day,
                row["activities"] if row else 0,
                int(row["people"] or 0) if row else 0,
                float(row["hours"] or 0) if row else 0.0,
            )
        )
    return points


def latest_maturity(hit: HIT) -> MaturitySummary | None:
    """The latest maturity assessment's profile (one query; an assessment without ratings has none)."""
    latest = MaturityAssessment.objects.filter(hit=hit).order_by("-assessed_on", "-pk").values("pk")[:1]
    summaries = maturity_summaries(latest)
    return next(iter(summaries.values()), None)


def hit_dashboard(*, hit: HIT, user: AnyUser, today: datetime.date) -> HITDashboard:
    """What the HIT dashboard shows. `hit` comes from engagement.selectors.hit_for_engagement
    (coverage joined). Readiness, maturity, milestones and reports only for those who may see them
    on their own pages (a PPI facilitator sees the coverage and the PPI figures)."""
    coverage = _coverage_of(hit)
    shows_readiness = bool(engagement_permissions.can_view_readiness(user, hit))
    shows_maturity = bool(engagement_permissions.can_view_maturity(user, hit))
    latest_wave, previous_wave = last_two_waves(hit) if shows_readiness else (None, None)
    may_read_reports = report_permissions.can_view_reports(user, hit)
    milestones: list[Milestone] | None = None
    reports: list[ReportRow] | None = None
    if may_read_reports:
        milestones = list(Milestone.objects.filter(hit=hit).order_by("due_on", "pk"))
        reports = [
            ReportRow(
                report,
                is_overdue=report.is_overdue_on(today),
                can_read=bool(report_permissions.can_read_report(user, report)),
            )
            for report in ProgressReport.objects.filter(hit=hit).order_by("-due_on", "-pk")[:LATEST_REPORTS]
        ]
    return HITDashboard(
        hit=hit,
        coverage=coverage,
        coverage_slices=coverage_slices(coverage),
        latest_wave=latest_wave,
        previous_wave=previous_wave,
        maturity=latest_maturity(hit) if shows_maturity else None,
        milestones=milestones,
        ppi_months=ppi_by_month(hit, today=today),
        reports=reports,
        today=today,
        changes=latest_changes(wave_id=latest_wave.wave_id) if latest_wave else None,
        shows_readiness=shows_readiness,
        shows_maturity=shows_maturity,
        links_ppi_log=bool(engagement_permissions.can_view_ppi(user, hit)),
    )
