"""The portfolio of the board dashboard: the HITs a filter selects, the pipeline of rounds, the counts, the heat maps of stored scores, and the lists that need attention. Stored scores only: nothing here aggregates raw answers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce

from accreditation.enums import ApplicationStatus, EOIStatus
from accreditation.models import Accreditation, Application, Condition, ExpressionOfInterest, Round
from engagement.domain import matrix
from engagement.domain.scoring import shown_score
from engagement.enums import MATURITY_ELEMENTS, Depth, Dimension, MaturityLevel
from engagement.models import (
    CoverageScore,
    MaturityAssessment,
    MaturityRating,
    ReadinessResult,
    Stakeholder,
    Wave,
)
from engagement.selectors.maturity import Profile, profile_of
from reporting.models import ProgressReport, add_months
from reporting.selectors.home import overdue_condition
from teams.enums import HITStatus, LifecycleStage
from teams.models import HIT, Membership, Organisation, StakeholderCategory

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

_M = TypeVar("_M", bound=Model)

PAGE_SIZE = 50  # HITs per page of the heat maps: the page stays fast at 1,000 HITs
LIST_LIMIT = 20  # rows shown of each "needs attention" list; the count covers them all
RENEWAL_WINDOW_MONTHS = 6
OVERALL = ReadinessResult.GROUP_OVERALL
SUPPRESSED = "suppressed"


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


# sort key -> (label, ORDER BY). No league tables (docs/domain.md section 7.4): nothing sorts by a
# score; the commissioner flag groups HITs (by name within each group). HITs without a stored
# coverage score come last either way.
SORTS: dict[str, tuple[str, tuple[OrderBy, ...]]] = {
    "name": ("HIT name, A to Z", (F("name").asc(),)),
    "-name": ("HIT name, Z to A", (F("name").desc(),)),
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
        on_map_hits, member_hits = (
            on_map.values("hit_id"),
            members.exclude(end_date__lt=today).values("hit_id"),
        )
        qs = qs.filter(Q(pk__in=on_map_hits) | Q(pk__in=member_hits))
    return qs


def _restrict(qs: QuerySet[_M], hits: QuerySet[HIT] | None, path: str = "hit") -> QuerySet[_M]:
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


def _count_in_round(rows_of: QuerySet[_M], **conditions: object) -> Coalesce:
    rows = (
        rows_of.filter(round=OuterRef("pk"), **conditions)
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
    eois, applications = ExpressionOfInterest.objects.all(), Application.objects.all()
    rows = (
        Round.objects.annotate(
            eois_submitted=_count_in_round(eois, status__in=EOIS_SUBMITTED),
            eois_invited=_count_in_round(eois, status=EOIStatus.INVITED),
            applications_total=_count_in_round(applications),
            under_review=_count_in_round(applications, status__in=APPLICATIONS_UNDER_REVIEW),
            accredited=_count_in_round(applications, status__in=APPLICATIONS_ACCREDITED),
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
    released_at: datetime.datetime | None = None  # when the worker stored these results: their "as of"

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


#: One column of ids (`.values("<id>")`), read as a subquery rather than a list.
IdColumn = QuerySet[Model, Mapping[str, object]]


class LatestScoreIds(TypedDict):
    """What `with_latest_scores` adds to each HIT."""

    latest_wave_id: int | None
    latest_assessment_id: int | None


def with_latest_scores(hits: QuerySet[HIT]) -> QuerySet[WithAnnotations[HIT, LatestScoreIds]]:
    """HITs with their stored coverage joined and the ids of their latest wave and assessment."""
    return hits.select_related("coverage").annotate(
        latest_wave_id=_latest_wave_id(), latest_assessment_id=_latest_assessment_id()
    )


def readiness_summaries(wave_ids: Iterable[int] | IdColumn) -> dict[int, ReadinessSummary]:
    """The overall results of these waves, by wave id (one query). The n of a suppressed
    dimension is a number too, so n is never selected here."""
    labels = dict(Dimension.choices)
    order = {d: i for i, d in enumerate(Dimension.values)}
    found: dict[int, ReadinessSummary] = {}
    rows = (
        ReadinessResult.objects.released()
        .filter(wave_id__in=wave_ids, group_type=OVERALL)
        .order_by()
        .values_list(
            "wave_id",
            "wave__title",
            "wave__opens_on",
            "wave__released_at",
            "dimension",
            "suppressed",
            "score",
            "level",
        )
    )
    for wave_id, title, opens_on, released_at, dimension, suppressed, score, level in rows:
        summary = found.setdefault(wave_id, ReadinessSummary(wave_id, title, opens_on, [], released_at))
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


def maturity_summaries(assessment_ids: Iterable[int] | IdColumn) -> dict[int, MaturitySummary]:
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
    hits: Sequence[WithAnnotations[HIT, LatestScoreIds]],
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
                readiness=readiness.get(hit.latest_wave_id) if hit.latest_wave_id else None,
                maturity=maturity.get(hit.latest_assessment_id) if hit.latest_assessment_id else None,
            )
        )
    return rows


# --- Lists that need attention -----------------------------------------------------------------------


#: One row of `.values(...)`: column name -> value, as django-stubs types a row of columns named at
#: run time.
ValuesRow = dict[str, Any]


@dataclass(frozen=True)
class Listing:
    """The first `LIST_LIMIT` rows of a list and how many there are in all."""

    total: int
    rows: list[ValuesRow]

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _listing(qs: QuerySet[_M], fields: Sequence[str], limit: int) -> Listing:
    """One query: the window count gives the total before the LIMIT cuts the rows."""
    rows = list(qs.annotate(total_rows=Window(Count("pk"))).values(*fields, "total_rows")[:limit])
    return Listing(total=rows[0]["total_rows"] if rows else 0, rows=rows)


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
