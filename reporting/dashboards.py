"""Reads behind the board dashboard, the HIT dashboard and the board report pack (GitHub issue 6).

Everything here reads what the worker stored: engagement.CoverageScore and CoverageSnapshot,
engagement.ReadinessResult (overall group only), the maturity ratings, progress reports and the
accreditation rows. Nothing aggregates raw data beyond grouped counts and averages the database
does in one statement, and nothing reads a survey response or answer: a board member sees no
respondent-level data, and a suppressed group (fewer than 5 counted respondents) carries no figure
because the stored row has none and this module never selects its n.

Query budget of the board dashboard, whatever the number of HITs (see `board_dashboard`): the
pipeline, the status and stage counts (which also give the paginator its count), one page of HITs,
the page's readiness results, the page's maturity ratings, the stakeholder categories, the overdue
reports, the overdue conditions, the renewals and the three trend lines (one union query): 10.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, RowNumber, TruncMonth

from accreditation.models import Accreditation, Application, Condition, ExpressionOfInterest
from accreditation.workflow import ApplicationStatus, EOIStatus
from core.permissions import ALLOW, Verdict
from engagement import matrix
from engagement import permissions as engagement_permissions
from engagement.enums import MATURITY_ELEMENTS, Depth, Dimension, MaturityLevel
from engagement.models import (
    CoverageScore,
    CoverageSnapshot,
    InvolvementActivity,
    MaturityAssessment,
    MaturityRating,
    ReadinessResult,
    Stakeholder,
    Wave,
)
from engagement.scoring import shown_score
from engagement.selectors_maturity import Profile, profile_of
from reporting import permissions as report_permissions
from reporting.enums import WITH_TEAM, MilestoneStatus, ReportStatus
from reporting.models import Milestone, ProgressReport, add_months
from teams.enums import HITStatus, LifecycleStage, Role
from teams.models import HIT, Membership, Organisation, PortfolioSnapshot, StakeholderCategory
from teams.roles import roles_of

PAGE_SIZE = 50  # HITs per page of the heat maps: the page stays fast at 1,000 HITs
LIST_LIMIT = 20  # rows shown of each "needs attention" list; the count covers them all
TREND_QUARTERS = 8
PPI_MONTHS = 12
RENEWAL_WINDOW_MONTHS = 6
LATEST_REPORTS = 5
OVERALL = ReadinessResult.GROUP_OVERALL
SUPPRESSED = "suppressed"

DASHBOARD_ROLES = (Role.BOARD_MEMBER, Role.PROGRAMME_MANAGER, Role.PPI_FACILITATOR)


# --- Access ------------------------------------------------------------------------------------------


def can_view_board_dashboard(user: object) -> Verdict:
    """The portfolio dashboard and the board report pack."""
    if roles_of(user).has(*DASHBOARD_ROLES):
        return ALLOW
    return Verdict(
        False, "The portfolio dashboard is for board members, programme managers and PPI facilitators."
    )


# --- Filters and sorting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The board dashboard's filters, already validated (reporting.views.dashboards)."""

    round_id: int | None = None
    status: str = ""
    stage: str = ""
    focus: str = ""
    organisation: str = ""

    @property
    def active(self) -> bool:
        return bool(self.round_id or self.status or self.stage or self.focus or self.organisation)


# sort key -> (label, ORDER BY). HITs without a stored coverage score come last either way.
SORTS: dict[str, tuple[str, tuple]] = {
    "name": ("HIT name, A to Z", (F("name").asc(),)),
    "-name": ("HIT name, Z to A", (F("name").desc(),)),
    "degrees": (
        "coverage, lowest first",
        (F("coverage__degrees").asc(nulls_last=True), F("name").asc()),
    ),
    "-degrees": (
        "coverage, highest first",
        (F("coverage__degrees").desc(nulls_last=True), F("name").asc()),
    ),
    "commissioner": (
        "commissioner in leadership, HITs without one first",
        (F("coverage__commissioner_in_leadership").asc(nulls_last=True), F("name").asc()),
    ),
    "-commissioner": (
        "commissioner in leadership, HITs with one first",
        (F("coverage__commissioner_in_leadership").desc(nulls_last=True), F("name").asc()),
    ),
}
DEFAULT_SORT = "name"


def filtered_hits(filters: Filters, *, today: datetime.date) -> QuerySet[HIT]:
    """Every HIT matching the filters (the dashboard roles see every HIT of the programme).

    Organisation: HITs whose active stakeholder map or current memberships name an organisation
    whose name or short name contains the text. Round: HITs with an application to that round.
    Focus: the focus or the name contains the text.
    """
    qs = HIT.objects.all()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.focus:
        qs = qs.filter(Q(focus__icontains=filters.focus) | Q(name__icontains=filters.focus))
    # Uncorrelated IN subqueries: the database finds the few matching rows once, instead of
    # probing every HIT's applications or stakeholders (and the filter is repeated by each list).
    if filters.round_id:
        qs = qs.filter(pk__in=Application.objects.filter(round_id=filters.round_id).values("hit_id"))
    if filters.organisation:
        text = filters.organisation
        # The organisations first (a few hundred names), then their links through the FK indexes.
        named = Organisation.objects.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
        on_map = Stakeholder.objects.filter(organisation__in=named.values("pk")).exclude(end_date__lt=today)
        members = Membership.objects.filter(organisation__in=named.values("pk"), start_date__lte=today)
        on_map, members = on_map.values("hit_id"), members.exclude(end_date__lt=today).values("hit_id")
        qs = qs.filter(Q(pk__in=on_map) | Q(pk__in=members))
    return qs


def _restrict(qs: QuerySet, hits: QuerySet[HIT] | None, path: str = "hit") -> QuerySet:
    """Limit rows of another table to the filtered HITs (no restriction when nothing is filtered)."""
    if hits is None:
        return qs
    return qs.filter(**{f"{path}__in": hits.values("pk")})


# --- Pipeline by round -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineRow:
    round_id: int
    name: str
    opens_on: datetime.date
    eois_submitted: int
    eois_invited: int
    applications: int
    under_review: int
    accredited: int


EOIS_SUBMITTED = (EOIStatus.SUBMITTED, EOIStatus.INVITED, EOIStatus.DECLINED)
APPLICATIONS_UNDER_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)
APPLICATIONS_ACCREDITED = (ApplicationStatus.ACCREDITED, ApplicationStatus.ACCREDITED_WITH_CONDITIONS)


def _count_in_round(model: type, **conditions: object) -> Coalesce:
    rows = (
        model.objects.filter(round=OuterRef("pk"), **conditions)
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def pipeline_by_round() -> list[PipelineRow]:
    """Per round, newest first: EOIs submitted (ever: still submitted, invited or declined), EOIs
    invited, applications (any status), applications with the panel (submitted or under review)
    and applications accredited (with or without conditions). One query; each count is a grouped
    subquery on the (round, status) indexes."""
    from accreditation.models import Round

    rows = (
        Round.objects.annotate(
            eois_submitted=_count_in_round(ExpressionOfInterest, status__in=EOIS_SUBMITTED),
            eois_invited=_count_in_round(ExpressionOfInterest, status=EOIStatus.INVITED),
            applications_total=_count_in_round(Application),
            under_review=_count_in_round(Application, status__in=APPLICATIONS_UNDER_REVIEW),
            accredited=_count_in_round(Application, status__in=APPLICATIONS_ACCREDITED),
        )
        .order_by("-opens_on", "name")
        .values_list(
            "pk",
            "name",
            "opens_on",
            "eois_submitted",
            "eois_invited",
            "applications_total",
            "under_review",
            "accredited",
        )
    )
    return [PipelineRow(*row) for row in rows]


# --- HITs by status and stage ------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class PortfolioCounts:
    total: int
    by_status: list[CountRow]
    by_stage: list[CountRow]


def portfolio_counts(hits: QuerySet[HIT]) -> PortfolioCounts:
    """HITs by status and by life-cycle stage, in the workflow's order (one grouped query)."""
    status_counts = dict.fromkeys(HITStatus.values, 0)
    stage_counts = dict.fromkeys(LifecycleStage.values, 0)
    for status, stage, n in hits.order_by().values_list("status", "stage").annotate(n=Count("pk")):
        status_counts[status] = status_counts.get(status, 0) + n
        stage_counts[stage] = stage_counts.get(stage, 0) + n
    return PortfolioCounts(
        total=sum(status_counts.values()),
        by_status=[CountRow(v, label, status_counts[v]) for v, label in HITStatus.choices],
        by_stage=[CountRow(v, label, stage_counts[v]) for v, label in LifecycleStage.choices],
    )


# --- One row per HIT: coverage, readiness and maturity -----------------------------------------------


@dataclass(frozen=True)
class CategoryColumn:
    code: str
    name: str


def heat_map_categories() -> list[CategoryColumn]:
    """The stakeholder categories that count towards coverage, in the vocabulary's order."""
    return [
        CategoryColumn(code, name)
        for code, name in StakeholderCategory.objects.filter(counts_toward_coverage=True, is_active=True)
        .order_by("position", "name")
        .values_list("code", "name")
    ]


@dataclass(frozen=True)
class DepthCell:
    category: str
    depth: int | None  # None: not in the stored score (not calculated, or added since)

    @property
    def css_class(self) -> str:
        return "depth-none" if self.depth is None else f"depth-{self.depth}"

    @property
    def label(self) -> str:
        return "not calculated" if self.depth is None else Depth(self.depth).label


@dataclass(frozen=True)
class ReadinessCell:
    """One dimension's overall result as shown: a whole-number score (engagement.scoring.shown_score)."""

    dimension: str
    label: str
    suppressed: bool
    score: int | None
    level: int | None

    @property
    def css_class(self) -> str:
        if self.suppressed:
            return "readiness-suppressed"
        return f"readiness-{self.level}" if self.level else "readiness-none"

    @property
    def level_label(self) -> str:
        return MaturityLevel(self.level).label if self.level else ""


@dataclass
class ReadinessSummary:
    """The overall results of one wave: no figure of a suppressed dimension ever enters here."""

    wave_id: int
    title: str
    opens_on: datetime.date
    cells: list[ReadinessCell]

    @property
    def shown(self) -> list[ReadinessCell]:
        return [cell for cell in self.cells if not cell.suppressed and cell.score is not None]

    @property
    def suppressed(self) -> list[ReadinessCell]:
        return [cell for cell in self.cells if cell.suppressed]

    @property
    def strongest(self) -> ReadinessCell | None:
        return max(self.shown, key=lambda c: c.score or 0) if self.shown else None

    @property
    def weakest(self) -> ReadinessCell | None:
        return min(self.shown, key=lambda c: c.score or 0) if self.shown else None

    def cell(self, dimension: str) -> ReadinessCell | None:
        return next((cell for cell in self.cells if cell.dimension == dimension), None)

    @property
    def headline(self) -> str:
        """One sentence for the pack: figures of reported dimensions only."""
        opened = f"{self.title} (opened {self.opens_on.day} {self.opens_on:%b %Y})"
        total = len(self.cells)
        if not self.shown:
            return f"{opened}: every dimension suppressed (fewer than 5 responses)."
        strongest, weakest = self.strongest, self.weakest
        parts = [f"{len(self.shown)} of {total} dimensions reported"]
        if strongest and weakest and strongest.dimension != weakest.dimension:
            parts.append(
                f"strongest {strongest.label} ({strongest.score}), weakest {weakest.label} ({weakest.score})"
            )
        elif strongest:
            parts.append(f"{strongest.label} {strongest.score}")
        if self.suppressed:
            names = ", ".join(cell.label for cell in self.suppressed)
            parts.append(f"suppressed (fewer than 5 responses): {names}")
        return f"{opened}: " + "; ".join(parts) + "."


@dataclass
class MaturitySummary:
    assessment_id: int
    assessed_on: datetime.date
    levels: dict[str, int]
    profile: Profile

    @property
    def median_name(self) -> str:
        return self.profile.median_name

    @property
    def weakest_names(self) -> list[str]:
        return self.profile.weakest_names

    @property
    def elements(self) -> list[tuple[str, int | None, str]]:
        """(element name, level, level name) in the matrix's order."""
        return [
            (element.name, self.levels.get(element.code), matrix.level_name(self.levels.get(element.code)))
            for element in matrix.ELEMENTS
        ]


@dataclass
class HITRow:
    hit: HIT
    coverage: CoverageScore | None
    depths: list[DepthCell]
    readiness: ReadinessSummary | None
    maturity: MaturitySummary | None

    @property
    def readiness_cells(self) -> list[ReadinessCell | None]:
        if self.readiness is None:
            return []
        return [self.readiness.cell(d) for d in Dimension.values]


def _latest_wave_id() -> Subquery:
    """Per HIT: its latest wave (by opening date) with released overall results."""
    with_results = ReadinessResult.objects.released().filter(wave=OuterRef("pk"), group_type=OVERALL)
    return Subquery(
        Wave.objects.filter(hit=OuterRef("pk"), released_at__isnull=False)
        .filter(Exists(with_results))
        .order_by("-opens_on", "-pk")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def _latest_assessment_id() -> Subquery:
    return Subquery(
        MaturityAssessment.objects.filter(hit=OuterRef("pk"))
        .order_by("-assessed_on", "-pk")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def with_latest_scores(hits: QuerySet[HIT]) -> QuerySet[HIT]:
    """HITs with their stored coverage joined and the ids of their latest wave and assessment."""
    return hits.select_related("coverage").annotate(
        latest_wave_id=_latest_wave_id(), latest_assessment_id=_latest_assessment_id()
    )


def readiness_summaries(wave_ids: Iterable[int] | QuerySet) -> dict[int, ReadinessSummary]:
    """The overall results of these waves, by wave id (one query). The n of a suppressed
    dimension is a number too, so n is never selected here."""
    labels = dict(Dimension.choices)
    order = {d: i for i, d in enumerate(Dimension.values)}
    found: dict[int, ReadinessSummary] = {}
    rows = (
        ReadinessResult.objects.released()
        .filter(wave_id__in=wave_ids, group_type=OVERALL)
        .order_by()
        .values_list("wave_id", "wave__title", "wave__opens_on", "dimension", "suppressed", "score", "level")
    )
    for wave_id, title, opens_on, dimension, suppressed, score, level in rows:
        summary = found.setdefault(wave_id, ReadinessSummary(wave_id, title, opens_on, []))
        summary.cells.append(
            ReadinessCell(
                dimension=dimension,
                label=labels.get(dimension, dimension),
                suppressed=suppressed,
                score=None if suppressed else shown_score(score),
                level=None if suppressed else level,
            )
        )
    for summary in found.values():
        summary.cells.sort(key=lambda cell: order.get(cell.dimension, len(order)))
    return found


def maturity_summaries(assessment_ids: Iterable[int] | QuerySet) -> dict[int, MaturitySummary]:
    """Median level and weakest element(s) of these assessments, by assessment id (one query)."""
    levels: dict[int, dict[str, int]] = {}
    dates: dict[int, datetime.date] = {}
    rows = (
        MaturityRating.objects.filter(assessment_id__in=assessment_ids, element__in=MATURITY_ELEMENTS)
        .order_by()
        .values_list("assessment_id", "assessment__assessed_on", "element", "level")
    )
    for assessment_id, assessed_on, element, level in rows:
        levels.setdefault(assessment_id, {})[element] = level
        dates[assessment_id] = assessed_on
    return {
        pk: MaturitySummary(pk, dates[pk], element_levels, profile_of(element_levels))
        for pk, element_levels in levels.items()
    }


def _coverage_of(hit: HIT) -> CoverageScore | None:
    try:
        return hit.coverage
    except CoverageScore.DoesNotExist:
        return None


def hit_rows(
    hits: Sequence[HIT],
    categories: Sequence[CategoryColumn],
    *,
    readiness: dict[int, ReadinessSummary],
    maturity: dict[int, MaturitySummary],
) -> list[HITRow]:
    """Rows of HITs annotated by `with_latest_scores`, with the summaries already read."""
    rows = []
    for hit in hits:
        coverage = _coverage_of(hit)
        depths = coverage.category_depths if coverage else {}
        rows.append(
            HITRow(
                hit=hit,
                coverage=coverage,
                depths=[DepthCell(c.code, depths.get(c.code) if coverage else None) for c in categories],
                readiness=readiness.get(hit.latest_wave_id),  # type: ignore[attr-defined]
                maturity=maturity.get(hit.latest_assessment_id),  # type: ignore[attr-defined]
            )
        )
    return rows


# --- Lists that need attention -----------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """The first `LIST_LIMIT` rows of a list and how many there are in all."""

    total: int
    rows: list[dict]

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _listing(qs: QuerySet, fields: Sequence[str], limit: int) -> Listing:
    """One query: the window count gives the total before the LIMIT cuts the rows."""
    rows = list(qs.annotate(total_rows=Window(Count("pk"))).values(*fields, "total_rows")[:limit])
    return Listing(total=rows[0]["total_rows"] if rows else 0, rows=rows)


def overdue_condition(today: datetime.date) -> Q:
    """Past its due date and still with the team (reporting.selectors says the same)."""
    return Q(due_on__lt=today, status__in=[s.value for s in WITH_TEAM])


def overdue_reports(hits: QuerySet[HIT] | None, *, today: datetime.date, limit: int = LIST_LIMIT) -> Listing:
    qs = _restrict(ProgressReport.objects.filter(overdue_condition(today)), hits).order_by("due_on", "pk")
    return _listing(qs, ["pk", "hit_id", "hit__name", "due_on", "status"], limit)


def overdue_conditions(
    hits: QuerySet[HIT] | None, *, today: datetime.date, limit: int = LIST_LIMIT
) -> Listing:
    qs = Condition.objects.filter(closed_at__isnull=True, due_on__lt=today)
    qs = _restrict(qs, hits, "decision__application__hit").order_by("due_on", "pk")
    return _listing(
        qs,
        ["pk", "text", "due_on", "decision__application__hit_id", "decision__application__hit__name"],
        limit,
    )


def renewals_due(hits: QuerySet[HIT] | None, *, today: datetime.date, limit: int = LIST_LIMIT) -> Listing:
    """Accreditations ending within six months that no later accreditation of the HIT replaces,
    with whether a renewal application has been started (and not withdrawn)."""
    later = Accreditation.objects.filter(hit=OuterRef("hit"), valid_until__gt=OuterRef("valid_until"))
    renewal = Application.objects.filter(renewal_of=OuterRef("pk")).exclude(
        status=ApplicationStatus.WITHDRAWN
    )
    qs = (
        Accreditation.objects.filter(
            valid_until__gte=today, valid_until__lte=add_months(today, RENEWAL_WINDOW_MONTHS)
        )
        .exclude(Exists(later))
        .annotate(renewal_started=Exists(renewal))
    )
    qs = _restrict(qs, hits).order_by("valid_until", "pk")
    return _listing(qs, ["pk", "hit_id", "hit__name", "valid_until", "renewal_started"], limit)


# --- Trends per quarter ------------------------------------------------------------------------------


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class QuarterPoint:
    start: datetime.date
    average: float | None  # None: nothing stored in that quarter
    points: int

    @property
    def label(self) -> str:
        return quarter_label(self.start)


@dataclass(frozen=True)
class PortfolioPoint:
    """The worker's last portfolio snapshot (teams.PortfolioSnapshot) of a quarter."""

    start: datetime.date
    taken_on: datetime.date | None  # None: no snapshot in that quarter
    total: int | None
    active: int | None

    @property
    def label(self) -> str:
        return quarter_label(self.start)


@dataclass(frozen=True)
class Trends:
    coverage: list[QuarterPoint]
    readiness: list[QuarterPoint]
    portfolio: list[PortfolioPoint]


def _as_date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite may hand back a computed date as text
        return datetime.date.fromisoformat(value[:10])
    assert isinstance(value, datetime.date)
    return value


def trends(hits: QuerySet[HIT] | None, *, today: datetime.date, quarters: int = TREND_QUARTERS) -> Trends:
    """The last `quarters` quarters (this one included), oldest first:

    - coverage: the average degrees of the "map" coverage snapshots taken in the quarter;
    - readiness: the average over the waves opening in the quarter of each wave's overall score,
      a wave's overall score being the mean of its reported (unsuppressed) overall dimension scores;
    - portfolio: the number of HITs, and of active ones, in the quarter's last nightly portfolio
      snapshot. The snapshot counts the whole programme, so the filters do not apply to it.

    One union query. The database sums the snapshots per day and averages each wave's results;
    Python adds the days and waves up into quarters (a date truncation in SQLite is a Python
    callback per row).
    """
    start = add_months(quarter_start(today), -3 * (quarters - 1))
    one = Value(1, output_field=IntegerField())
    coverage = (
        _restrict(
            CoverageSnapshot.objects.filter(label="map", taken_on__gte=start, taken_on__lte=today), hits
        )
        .order_by()
        .values("taken_on")
        .annotate(kind=Value("coverage"), day=F("taken_on"), total=Sum("degrees"), n=Count("pk"))
        .values_list("kind", "day", "total", "n")
    )
    # A wave's mean as a plain AVG subquery (no GROUP BY), read once per wave of the period.
    wave_mean = Subquery(
        ReadinessResult.objects.released()
        .filter(wave=OuterRef("pk"), group_type=OVERALL, suppressed=False, score__isnull=False)
        .order_by()
        .annotate(average=Func(F("score"), function="AVG", output_field=FloatField()))
        .values("average")[:1]
    )
    readiness = (
        _restrict(
            Wave.objects.filter(opens_on__gte=start, opens_on__lte=today, released_at__isnull=False), hits
        )
        .order_by()
        .annotate(kind=Value("readiness"), day=F("opens_on"), total=wave_mean, n=one)
        .values_list("kind", "day", "total", "n")
    )
    portfolio = (
        PortfolioSnapshot.objects.filter(taken_on__gte=start, taken_on__lte=today)
        .order_by()
        .annotate(
            kind=Value("portfolio"),
            day=F("taken_on"),
            total=Cast("hits_total", FloatField()),
            n=Cast(KeyTextTransform(HITStatus.ACTIVE, "by_status"), IntegerField()),
        )
        .values_list("kind", "day", "total", "n")
    )
    sums: dict[tuple[str, datetime.date], list[float]] = {}
    latest: dict[datetime.date, tuple[datetime.date, int, int]] = {}
    for kind, day, total, n in coverage.union(readiness, portfolio, all=True):
        day = _as_date(day)
        if kind == "portfolio":
            quarter = quarter_start(day)
            if quarter not in latest or day > latest[quarter][0]:
                latest[quarter] = (day, int(total), int(n or 0))
            continue
        if total is None:  # a wave without results, or with every dimension suppressed
            continue
        entry = sums.setdefault((kind, quarter_start(day)), [0.0, 0])
        entry[0] += total
        entry[1] += n
    starts = [add_months(start, 3 * n) for n in range(quarters)]

    def series(kind: str) -> list[QuarterPoint]:
        points = []
        for day in starts:
            total, n = sums.get((kind, day), (0.0, 0))
            if not n:
                value = None
            elif kind == "readiness":
                value = shown_score(total / n)  # readiness figures are shown as whole numbers
            else:
                value = round(total / n, 1)
            points.append(QuarterPoint(day, value, int(n)))
        return points

    return Trends(
        coverage=series("coverage"),
        readiness=series("readiness"),
        portfolio=[PortfolioPoint(day, *latest.get(day, (None, None, None))) for day in starts],
    )


# --- The board dashboard -----------------------------------------------------------------------------


@dataclass
class BoardDashboard:
    filters: Filters
    sort: str
    pipeline: list[PipelineRow]
    counts: PortfolioCounts
    categories: list[CategoryColumn]
    page: Page
    rows: list[HITRow]
    overdue_reports: Listing
    overdue_conditions: Listing
    renewals: Listing
    trends: Trends
    today: datetime.date

    @property
    def dimensions(self) -> list[tuple[str, str]]:
        return list(Dimension.choices)


def board_dashboard(
    *,
    filters: Filters,
    sort: str,
    page_number: object,
    today: datetime.date,
    pipeline: list[PipelineRow] | None = None,
) -> BoardDashboard:
    """Every figure of the board dashboard in 10 queries, whatever the number of HITs (9 when the
    caller already read the pipeline, which the filter form needs for its round choices)."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    hits = filtered_hits(filters, today=today)
    restrict = hits if filters.active else None
    counts = portfolio_counts(hits)
    order = (*SORTS[sort][1], F("pk").asc())
    ordered = hits.select_related("coverage").order_by(*order)
    paginator = Paginator(ordered, PAGE_SIZE)
    # The grouped counts already know how many HITs match: spare the paginator its COUNT query.
    paginator.count = counts.total  # type: ignore[misc]
    page = paginator.get_page(page_number)
    # One query: the inner one sorts every HIT and keeps the page's ids, the outer one looks up
    # the latest wave and assessment of those 50 only (not of every HIT before the sort).
    page_ids = ordered.values("pk")[page.start_index() - 1 : page.end_index()] if counts.total else []
    page_hits = list(with_latest_scores(HIT.objects.filter(pk__in=page_ids)).order_by(*order))
    categories = heat_map_categories()
    readiness = readiness_summaries([h.latest_wave_id for h in page_hits if h.latest_wave_id])
    maturity = maturity_summaries([h.latest_assessment_id for h in page_hits if h.latest_assessment_id])
    return BoardDashboard(
        filters=filters,
        sort=sort,
        pipeline=pipeline_by_round() if pipeline is None else pipeline,
        counts=counts,
        categories=categories,
        page=page,
        rows=hit_rows(page_hits, categories, readiness=readiness, maturity=maturity),
        overdue_reports=overdue_reports(restrict, today=today),
        overdue_conditions=overdue_conditions(restrict, today=today),
        renewals=renewals_due(restrict, today=today),
        trends=trends(restrict, today=today),
        today=today,
    )


# --- The board report pack ---------------------------------------------------------------------------


@dataclass
class PackSection:
    """One HIT of the pack."""

    row: HITRow
    latest_report: dict | None
    open_conditions: list[dict] = field(default_factory=list)

    @property
    def hit(self) -> HIT:
        return self.row.hit

    @property
    def overdue_conditions(self) -> list[dict]:
        return [c for c in self.open_conditions if c["overdue"]]


@dataclass
class BoardPack:
    filters: Filters
    pipeline: list[PipelineRow]
    counts: PortfolioCounts
    categories: list[CategoryColumn]
    sections: list[PackSection]
    overdue_reports: Listing
    overdue_conditions: Listing
    renewals: Listing
    trends: Trends
    today: datetime.date


def _latest_reports(hits: QuerySet[HIT] | None, *, today: datetime.date) -> dict[int, dict]:
    """Each HIT's latest progress report (by due date), with `overdue` derived (one query)."""
    rows = (
        _restrict(ProgressReport.objects.all(), hits)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("hit_id")], order_by=[F("due_on").desc(), F("pk").desc()]
            )
        )
        .filter(position=1)
        .values("pk", "hit_id", "due_on", "status")
    )
    labels = dict(ReportStatus.choices)
    found = {}
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["overdue"] = row["due_on"] < today and row["status"] in WITH_TEAM
        found[row["hit_id"]] = row
    return found


def _open_conditions(hits: QuerySet[HIT] | None, *, today: datetime.date) -> dict[int, list[dict]]:
    qs = _restrict(Condition.objects.filter(closed_at__isnull=True), hits, "decision__application__hit")
    found: dict[int, list[dict]] = {}
    for row in qs.order_by("due_on", "pk").values("pk", "text", "due_on", "decision__application__hit_id"):
        row["overdue"] = row["due_on"] < today
        found.setdefault(row["decision__application__hit_id"], []).append(row)
    return found


def board_pack(
    *, filters: Filters, today: datetime.date, pipeline: list[PipelineRow] | None = None
) -> BoardPack:
    """The dashboard's figures plus one section per HIT (every HIT matching the filters, by name).

    A fixed number of queries whatever the number of HITs: the per-HIT readiness and maturity rows
    are read through subqueries of the filtered HITs, never one query per HIT.
    """
    hits = filtered_hits(filters, today=today)
    restrict = hits if filters.active else None
    annotated = with_latest_scores(hits)
    all_hits = list(annotated.order_by("name", "pk"))
    categories = heat_map_categories()
    readiness = readiness_summaries(annotated.filter(latest_wave_id__isnull=False).values("latest_wave_id"))
    maturity = maturity_summaries(
        annotated.filter(latest_assessment_id__isnull=False).values("latest_assessment_id")
    )
    reports = _latest_reports(restrict, today=today)
    conditions = _open_conditions(restrict, today=today)
    rows = hit_rows(all_hits, categories, readiness=readiness, maturity=maturity)
    return BoardPack(
        filters=filters,
        pipeline=pipeline_by_round() if pipeline is None else pipeline,
        counts=portfolio_counts(hits),
        categories=categories,
        sections=[
            PackSection(
                row=row, latest_report=reports.get(row.hit.pk), open_conditions=conditions.get(row.hit.pk, [])
            )
            for row in rows
        ],
        overdue_reports=overdue_reports(restrict, today=today),
        overdue_conditions=overdue_conditions(restrict, today=today),
        renewals=renewals_due(restrict, today=today),
        trends=trends(restrict, today=today),
        today=today,
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
    reports: list[ProgressReport] | None
    today: datetime.date
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


def hit_dashboard(*, hit: HIT, user: object, today: datetime.date) -> HITDashboard:
    """What the HIT dashboard shows. `hit` comes from engagement.selectors.hit_for_engagement
    (coverage joined). Readiness, maturity, milestones and reports only for those who may see them
    on their own pages (a PPI facilitator sees the coverage and the PPI figures)."""
    coverage = _coverage_of(hit)
    shows_readiness = bool(engagement_permissions.can_view_readiness(user, hit))
    shows_maturity = bool(engagement_permissions.can_view_maturity(user, hit))
    latest_wave, previous_wave = last_two_waves(hit) if shows_readiness else (None, None)
    may_read_reports = report_permissions.can_view_reports(user, hit)
    milestones = reports = None
    if may_read_reports:
        milestones = list(Milestone.objects.filter(hit=hit).order_by("due_on", "pk"))
        reports = list(ProgressReport.objects.filter(hit=hit).order_by("-due_on", "-pk")[:LATEST_REPORTS])
        for report in reports:
            report.is_overdue = report.is_overdue_on(today)  # type: ignore[attr-defined]
            # A board member opens a report once it is accepted; the others are listed, not linked.
            report.can_read = bool(report_permissions.can_read_report(user, report))  # type: ignore[attr-defined]
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
        shows_readiness=shows_readiness,
        shows_maturity=shows_maturity,
        links_ppi_log=bool(engagement_permissions.can_view_ppi(user, hit)),
    )
