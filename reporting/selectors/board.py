"""The board dashboard and the board report pack, assembled from the portfolio selectors."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import (
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber

from accreditation.models import Accreditation, Application, Condition, ExpressionOfInterest, Round
from engagement.enums import Dimension
from engagement.models import (
    CoverageScore,
    CoverageSnapshot,
    MaturityAssessment,
    MaturityRating,
    NetworkResult,
    ReadinessResult,
    Stakeholder,
    Wave,
)
from reporting.enums import WITH_TEAM, ReportStatus
from reporting.models import PortfolioStatistic, ProgressReport
from reporting.selectors.portfolio import (
    DEFAULT_SORT,
    PAGE_SIZE,
    SORTS,
    CategoryColumn,
    Filters,
    HITRow,
    Listing,
    PipelineRow,
    PortfolioCounts,
    _restrict,
    filtered_hits,
    heat_map_categories,
    hit_rows,
    maturity_summaries,
    overdue_conditions,
    overdue_reports,
    pipeline_by_round,
    portfolio_counts,
    readiness_summaries,
    renewals_due,
    with_latest_scores,
)
from reporting.selectors.trends import Trends, trends
from teams.models import HIT, Membership, Organisation, PortfolioSnapshot, StakeholderCategory

LATEST_REPORTS = 5


# --- The board dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkRow:
    """One HIT's partnership network on the board dashboard: density and articulation points, no
    names (the named network is for the HIT's members and programme managers). `source` is empty
    when the worker has not computed the HIT's network yet."""

    hit: HIT
    source: str
    as_of: datetime.date | None
    nodes: int | None
    density: float | None
    articulation_points: int | None


NETWORK_COLUMNS = ("source", "as_of", "nodes", "density", "articulation_points")


def with_latest_network(hits: QuerySet[HIT]) -> QuerySet[HIT]:
    """Each HIT annotated with its network to report (engagement.selectors.network.network_summaries
    as correlated subqueries, so the page's HIT query reads them): its latest closed round's stored
    network, else its co-membership network. "round" sorts after "co_membership", so descending
    puts round results first."""
    latest = NetworkResult.objects.filter(hit=OuterRef("pk")).order_by("-source", "-as_of", "-pk")
    return hits.annotate(
        **{f"network_{column}": Subquery(latest.values(column)[:1]) for column in NETWORK_COLUMNS}
    )


@dataclass
class BoardDashboard:
    filters: Filters
    sort: str
    pipeline: list[PipelineRow]
    counts: PortfolioCounts
    categories: list[CategoryColumn]
    page: Page[HIT]
    rows: list[HITRow]
    overdue_reports: Listing
    overdue_conditions: Listing
    renewals: Listing
    trends: Trends
    today: datetime.date
    networks: list[NetworkRow] = field(default_factory=list)

    @property
    def dimensions(self) -> list[tuple[str, str]]:
        return list(Dimension.choices)


def board_dashboard(
    *,
    filters: Filters,
    sort: str,
    page_number: str | int | None,
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
    paginator.count = counts.total
    page = paginator.get_page(page_number)
    # One query: the inner one sorts every HIT and keeps the page's ids, the outer one looks up
    # the latest wave and assessment of those 50 only (not of every HIT before the sort).
    page_ids = ordered.values("pk")[page.start_index() - 1 : page.end_index()] if counts.total else []
    page_hits = list(
        with_latest_scores(with_latest_network(HIT.objects.filter(pk__in=page_ids))).order_by(*order)
    )
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
        networks=_network_rows(page_hits),
    )


def _network_rows(page_hits: Sequence[HIT]) -> list[NetworkRow]:
    return [
        NetworkRow(
            hit,
            source=getattr(hit, "network_source", None) or "",
            as_of=getattr(hit, "network_as_of", None),
            nodes=getattr(hit, "network_nodes", None),
            density=getattr(hit, "network_density", None),
            articulation_points=getattr(hit, "network_articulation_points", None),
        )
        for hit in page_hits
    ]


# --- The board report pack ---------------------------------------------------------------------------


class LatestReport(TypedDict):
    """A HIT's latest progress report, as the pack lists it."""

    pk: int
    hit_id: int
    due_on: datetime.date
    status: str
    status_label: str
    overdue: bool


class OpenCondition(TypedDict):
    """An accreditation condition not closed yet, as the pack lists it."""

    pk: int
    text: str
    due_on: datetime.date
    decision__application__hit_id: int
    overdue: bool


@dataclass
class PackSection:
    """One HIT of the pack."""

    row: HITRow
    latest_report: LatestReport | None
    open_conditions: list[OpenCondition] = field(default_factory=list)

    @property
    def hit(self) -> HIT:
        return self.row.hit

    @property
    def overdue_conditions(self) -> list[OpenCondition]:
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


def _latest_reports(hits: QuerySet[HIT] | None, *, today: datetime.date) -> dict[int, LatestReport]:
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
    found: dict[int, LatestReport] = {}
    for row in rows:
        found[row["hit_id"]] = LatestReport(
            pk=row["pk"],
            hit_id=row["hit_id"],
            due_on=row["due_on"],
            status=row["status"],
            status_label=labels.get(row["status"], row["status"]),
            overdue=row["due_on"] < today and row["status"] in WITH_TEAM,
        )
    return found


def _open_conditions(hits: QuerySet[HIT] | None, *, today: datetime.date) -> dict[int, list[OpenCondition]]:
    qs = _restrict(Condition.objects.filter(closed_at__isnull=True), hits, "decision__application__hit")
    found: dict[int, list[OpenCondition]] = {}
    for row in qs.order_by("due_on", "pk").values("pk", "text", "due_on", "decision__application__hit_id"):
        hit_id = row["decision__application__hit_id"]
        found.setdefault(hit_id, []).append(
            OpenCondition(
                pk=row["pk"],
                text=row["text"],
                due_on=row["due_on"],
                decision__application__hit_id=hit_id,
                overdue=row["due_on"] < today,
            )
        )
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


# --- The version of what the board dashboard shows ---------------------------------------------------


def _dashboard_sources(filters: Filters) -> list[type[models.Model]]:
    """Every table whose rows the board dashboard shows or counts (portfolio, trends, pipeline, the
    stored scores and snapshots, the overdue lists); with the organisation filter, the tables it
    searches too."""
    sources: list[type[models.Model]] = [
        HIT,
        ProgressReport,
        Condition,
        Accreditation,
        Application,
        ExpressionOfInterest,
        Round,
        CoverageScore,
        CoverageSnapshot,
        Wave,
        ReadinessResult,
        MaturityAssessment,
        MaturityRating,
        PortfolioSnapshot,
        StakeholderCategory,
        PortfolioStatistic,
        NetworkResult,
    ]
    if filters.organisation:
        sources += [Organisation, Membership, Stakeholder]
    return sources


#: Rows the worker writes once and never changes (released results are final, snapshots are history).
WRITTEN_ONCE: tuple[type[models.Model], ...] = (ReadinessResult, CoverageSnapshot)


def board_dashboard_version(filters: Filters) -> str:
    """A fingerprint of the stored results the board dashboard shows, in one query: per source table
    its highest id and its latest writes (updated_at, computed_at, released_at; only the id for the
    rows written once, WRITTEN_ONCE). Any save, recompute, release or snapshot moves it on, so a dashboard cached
    under it is never shown after what it shows changed. A deletion of a row other than the newest
    does not move it: the cache's timeout (BOARD_DASHBOARD_CACHE_SECONDS) bounds that."""
    quote = connection.ops.quote_name
    parts = []
    for model in _dashboard_sources(filters):
        table = quote(model._meta.db_table)
        names = {field.name: field for field in model._meta.concrete_fields}
        # Only the models' own table and column names, quoted, go into the SQL: nothing from a request.
        parts.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})")  # noqa: S608
        if model in WRITTEN_ONCE:
            continue  # a new row has a new, higher id: the index answers, no scan of a large table
        for name in ("updated_at", "computed_at", "released_at"):
            if name in names:
                parts.append(f"(SELECT MAX({quote(names[name].column)}) FROM {table})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return hashlib.sha256(repr(tuple(row or ())).encode()).hexdigest()[:32]
