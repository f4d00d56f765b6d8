"""Quarterly trends of the portfolio for the board dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from engagement.domain.scoring import shown_score
from engagement.models import (
    CoverageSnapshot,
    ReadinessResult,
    Wave,
)
from reporting.models import add_months
from reporting.selectors.portfolio import OVERALL, _restrict
from teams.enums import HITStatus
from teams.models import HIT, PortfolioSnapshot

TREND_QUARTERS = 8


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
    """The HITs of the programme, and the active ones, in a quarter: for a past quarter the worker's
    last portfolio snapshot of it (teams.PortfolioSnapshot); for the current quarter the HIT table
    itself as of today (`live`), counted as the board dashboard's "HITs by status" counts it, so the
    chart's last point and the counts beside it never disagree."""

    start: datetime.date
    taken_on: datetime.date | None  # None: no snapshot in that quarter; today for the live point
    total: int | None
    active: int | None
    live: bool = False

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
      snapshot; for the current quarter, the HITs as of today (a snapshot taken last night, or
      before a HIT was added, would contradict the live counts shown beside it). Both count the
      whole programme, so the filters do not apply to them.

    One union query. The database sums the snapshots per day and averages each wave's results;
    Python adds the days and waves up into quarters (a date truncation in SQLite is a Python
    callback per row).
    """
    start = add_months(quarter_start(today), -3 * (quarters - 1))
    rows = _coverage_days(hits, start=start, today=today).union(
        _readiness_waves(hits, start=start, today=today),
        _portfolio_days(start=start, today=today),
        _portfolio_today(today=today),
        all=True,
    )
    sums, latest = _by_quarter(rows)
    starts = [add_months(start, 3 * n) for n in range(quarters)]
    return Trends(
        coverage=_series(sums, "coverage", starts),
        readiness=_series(sums, "readiness", starts),
        portfolio=[_portfolio_point(day, latest.get(day), live=day == starts[-1]) for day in starts],
    )


def _portfolio_point(
    start: datetime.date, latest: tuple[datetime.date, int, int] | None, *, live: bool
) -> PortfolioPoint:
    if latest is None:
        return PortfolioPoint(start, None, None, None)
    return PortfolioPoint(start, *latest, live=live)


# Each part of the union: rows of (kind, day, total, n).
_TrendRows = QuerySet[Model, tuple[str, object, float | None, int | None]]


def _coverage_days(hits: QuerySet[HIT] | None, *, start: datetime.date, today: datetime.date) -> _TrendRows:
    """Per day: the sum of the degrees of the "map" coverage snapshots taken that day, and their number."""
    return (
        _restrict(
            CoverageSnapshot.objects.filter(label="map", taken_on__gte=start, taken_on__lte=today), hits
        )
        .order_by()
        .values("taken_on")
        .annotate(kind=Value("coverage"), day=F("taken_on"), total=Sum("degrees"), n=Count("pk"))
        .values_list("kind", "day", "total", "n")
    )


def _readiness_waves(hits: QuerySet[HIT] | None, *, start: datetime.date, today: datetime.date) -> _TrendRows:
    """Per wave opening in the period: its overall score (None without a reported result), and 1."""
    # A wave's mean as a plain AVG subquery (no GROUP BY), read once per wave of the period.
    wave_mean = Subquery(
        ReadinessResult.objects.released()
        .filter(wave=OuterRef("pk"), group_type=OVERALL, suppressed=False, score__isnull=False)
        .order_by()
        .annotate(average=Func(F("score"), function="AVG", output_field=FloatField()))
        .values("average")[:1]
    )
    return (
        _restrict(
            Wave.objects.filter(opens_on__gte=start, opens_on__lte=today, released_at__isnull=False), hits
        )
        .order_by()
        .annotate(
            kind=Value("readiness"),
            day=F("opens_on"),
            total=wave_mean,
            n=Value(1, output_field=IntegerField()),
        )
        .values_list("kind", "day", "total", "n")
    )


def _portfolio_days(*, start: datetime.date, today: datetime.date) -> _TrendRows:
    """Per nightly portfolio snapshot: the number of HITs, and of active ones."""
    return (
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


def _portfolio_today(*, today: datetime.date) -> _TrendRows:
    """One row: every HIT of the programme and the active ones, as of today. The same definition as
    reporting.selectors.portfolio.portfolio_counts (unfiltered) and teams' nightly snapshot: every
    HIT row, whatever its status; active means status "active"."""
    return (
        HIT.objects.order_by()
        .annotate(kind=Value("portfolio_today"))
        .values("kind")  # a constant: no GROUP BY, one row even without HITs
        .annotate(
            day=Value(today, output_field=DateField()),
            total=Cast(Count("pk"), FloatField()),
            n=Count("pk", filter=Q(status=HITStatus.ACTIVE)),
        )
        .values_list("kind", "day", "total", "n")
    )


def _by_quarter(
    rows: _TrendRows,
) -> tuple[dict[tuple[str, datetime.date], list[float]], dict[datetime.date, tuple[datetime.date, int, int]]]:
    """The union's rows added up: (kind, quarter) -> [total, n] for coverage and readiness, and
    quarter -> (day, HITs, active HITs) of the quarter's last portfolio snapshot, today's count
    standing in for the current quarter's snapshots."""
    sums: dict[tuple[str, datetime.date], list[float]] = {}
    latest: dict[datetime.date, tuple[datetime.date, int, int]] = {}
    today_row: tuple[datetime.date, int, int] | None = None
    for kind, raw_day, total, n in rows:
        day = _as_date(raw_day)
        if kind == "portfolio_today":
            today_row = (day, int(total or 0), int(n or 0))
            continue
        if kind == "portfolio":
            quarter = quarter_start(day)
            if quarter not in latest or day > latest[quarter][0]:
                latest[quarter] = (day, int(total or 0), int(n or 0))
            continue
        if total is None:  # a wave without results, or with every dimension suppressed
            continue
        entry = sums.setdefault((kind, quarter_start(day)), [0.0, 0])
        entry[0] += total
        entry[1] += n or 0
    if today_row is not None:
        latest[quarter_start(today_row[0])] = today_row
    return sums, latest


def _series(
    sums: dict[tuple[str, datetime.date], list[float]], kind: str, starts: list[datetime.date]
) -> list[QuarterPoint]:
    points = []
    for day in starts:
        total, n = sums.get((kind, day), (0.0, 0))
        value: float | None
        if not n:
            value = None
        elif kind == "readiness":
            value = shown_score(total / n)  # readiness figures are shown as whole numbers
        else:
            value = round(total / n, 1)
        points.append(QuarterPoint(day, value, int(n)))
    return points
