"""The board dashboard, the HIT dashboard and the board report pack (HTML and PDF).

Access: the board dashboard and the pack are for board members, programme managers and PPI
facilitators (anyone else: 403 with the reason). The HIT dashboard is for whoever may see the
HIT's page (`reporting.permissions.can_view_hit_dashboard`, 404 otherwise); its readiness and
maturity sections only for those who may see them on their own pages, its milestones and reports
only for those who may read the HIT's reports.

Every figure comes from reporting.selectors, which reads the worker's stored scores; these views
only turn them into sentences, tables and chart data (`json_script`, drawn by static/js/charts.js).
The board dashboard's content is rendered once per version of what it shows, per day, query string
and viewer scope, and kept in the cache (docs/architecture.md, "The worker").
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from core.permissions import require as _require
from core.versions import cached_render
from engagement.domain import quality
from engagement.selectors import hits as engagement_selectors
from reporting import permissions as report_permissions
from reporting.domain import pack
from reporting.forms.dashboards import DashboardFilterForm
from reporting.models import PortfolioStatistic
from reporting.permissions import DASHBOARD_ROLES, can_view_board_dashboard
from reporting.selectors import board as board_dashboards
from reporting.selectors import hit_dashboard as hit_dashboard_dashboards
from reporting.selectors.board import BoardDashboard, BoardPack
from reporting.selectors.hit_dashboard import HITDashboard
from reporting.selectors.portfolio import (
    DEFAULT_SORT,
    SORTS,
    Filters,
    HITRow,
    PipelineRow,
    PortfolioCounts,
    pipeline_by_round,
)
from reporting.selectors.portfolio_statistics import stored_statistics
from reporting.selectors.trends import PortfolioPoint, QuarterPoint
from teams.roles import roles_of, viewer_scope


def _filters(request: HttpRequest, pipeline: list[PipelineRow]) -> tuple[DashboardFilterForm, Filters]:
    keys = ("round", "status", "stage", "focus", "organisation")
    data = request.GET if any(request.GET.get(key) for key in keys) else None
    form = DashboardFilterForm(data, rounds=pipeline)
    return form, form.filters()


def _shown_pipeline(pipeline: list[PipelineRow], filters: Filters) -> list[PipelineRow]:
    if filters.round_id:
        return [row for row in pipeline if row.round_id == filters.round_id]
    return pipeline


# --- Sentences ---------------------------------------------------------------------------------------


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _listed(parts: list[str]) -> str:
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _of_page(part: int, whole: int) -> str:
    """The start of "3 of the 20 HITs on this page have ...", the verb agreeing with the count."""
    return f"{part} of the {_plural(whole, 'HIT')} on this page {'has' if part == 1 else 'have'}"


def pipeline_summary(rows: list[PipelineRow]) -> str:
    if not rows:
        return "There are no rounds yet."
    where = f"In {rows[0].name}" if len(rows) == 1 else f"Across {len(rows)} rounds"
    return (
        f"{where}: {_plural(sum(r.eois_submitted for r in rows), 'expression')} of interest submitted, "
        f"{sum(r.eois_invited for r in rows)} invited to apply, "
        f"{_plural(sum(r.applications for r in rows), 'application')}, "
        f"{sum(r.under_review for r in rows)} with the panel and {sum(r.accredited for r in rows)} accredited."
    )


def counts_summary(counts: PortfolioCounts, kind: str) -> str:
    rows = counts.by_status if kind == "status" else counts.by_stage
    parts = [f"{row.count} {row.label.lower()}" for row in rows if row.count]
    if not counts.total:
        return "No HIT matches."
    noun = "status" if kind == "status" else "life-cycle stage"
    return f"{_plural(counts.total, 'HIT')} by {noun}: {_listed(parts)}."


def coverage_map_summary(rows: list[HITRow], dashboard: BoardDashboard) -> str:
    if not rows:
        return "No HIT matches."
    calculated = [row for row in rows if row.coverage]
    full = sum(1 for row in calculated if row.coverage and row.coverage.degrees >= 360)
    no_commissioner = sum(
        1 for row in calculated if row.coverage and not row.coverage.commissioner_in_leadership
    )
    text = (
        f"{_plural(len(rows), 'HIT')} shown, sorted by {SORTS[dashboard.sort][0]}: "
        f"{full} cover every stakeholder category and {no_commissioner} have no commissioner in a "
        "leadership role"
    )
    missing = len(rows) - len(calculated)
    if missing:
        text += f"; coverage is not calculated yet for {missing}"
    return text + "."


def readiness_map_summary(rows: list[HITRow]) -> str:
    surveyed = [row for row in rows if row.readiness]
    if not surveyed:
        return "No HIT on this page has readiness survey results yet."
    suppressed = sum(len(row.readiness.suppressed) for row in surveyed if row.readiness)
    low = sum(
        1 for row in surveyed if row.readiness for cell in row.readiness.shown if (cell.score or 0) < 50
    )
    return (
        f"{_of_page(len(surveyed), len(rows))} readiness survey results; "
        f"{_plural(low, 'dimension score')} below 50, and {_plural(suppressed, 'dimension result')} "
        "suppressed because fewer than 5 people answered."
    )


def maturity_summary(rows: list[HITRow]) -> str:
    assessed = [row for row in rows if row.maturity]
    if not assessed:
        return "No HIT on this page has a maturity assessment yet."
    weakest = Counter(name for row in assessed if row.maturity for name in row.maturity.weakest_names)
    name, times = weakest.most_common(1)[0]
    return (
        f"{_of_page(len(assessed), len(rows))} a maturity assessment; "
        f"the element most often weakest is {name} ({times} of them)."
    )


def trend_summary(points: list[QuarterPoint], *, what: str, unit: str) -> str:
    known = [p for p in points if p.average is not None]
    if not known:
        return f"No {what} stored in the last {len(points)} quarters."
    first, last = known[0], known[-1]
    if first is last:
        return f"The {what} averaged {last.average:.0f}{unit} in {last.label}, the only quarter with data."
    change = (last.average or 0) - (first.average or 0)
    direction = "rose" if change > 0 else "fell" if change < 0 else "stayed level"
    return (
        f"The {what} {direction} from an average of {first.average:.0f}{unit} in {first.label} "
        f"to {last.average:.0f}{unit} in {last.label}."
    )


# --- Chart data (json_script; static/js/charts.js draws it) -------------------------------------------


def _bar(title: str, labels: list[str], series: list[tuple[str, list]]) -> dict:
    return {
        "kind": "bar",
        "title": title,
        "labels": labels,
        "series": [{"label": label, "values": values} for label, values in series],
        "min": 0,
        "integer": True,
    }


def _line(title: str, points: list[QuarterPoint], label: str, maximum: int, unit: str) -> dict:
    return {
        "kind": "line",
        "title": title,
        "labels": [p.label for p in points],
        "series": [{"label": label, "values": [p.average for p in points]}],
        "min": 0,
        "max": maximum,
        "unit": unit,
        "spanGaps": True,
    }


def portfolio_trend_summary(points: list[PortfolioPoint]) -> str:
    known = [p for p in points if p.taken_on is not None]
    if not known:
        return f"No nightly portfolio snapshot stored in the last {len(points)} quarters."
    first, last = known[0], known[-1]
    if last.live:  # today's count: the same figures as "HITs by status" without filters
        text = (
            f"As of {_day(last.taken_on)} the programme has {_plural(last.total or 0, 'HIT')}, "
            f"{last.active} of them active"
        )
    else:
        text = (
            f"On {_day(last.taken_on)} the programme had {_plural(last.total or 0, 'HIT')}, "
            f"{last.active} of them active"
        )
    if first is not last:
        text += f" (at the end of {first.label}: {first.total}, {first.active} active)"
    return text + "."


def board_charts(dashboard: BoardDashboard, pipeline: list[PipelineRow]) -> dict:
    return {
        "pipeline": _bar(
            "Pipeline by round",
            [r.name for r in pipeline],
            [
                ("EOIs submitted", [r.eois_submitted for r in pipeline]),
                ("Invited to apply", [r.eois_invited for r in pipeline]),
                ("Applications", [r.applications for r in pipeline]),
                ("With the panel", [r.under_review for r in pipeline]),
                ("Accredited", [r.accredited for r in pipeline]),
            ],
        ),
        "status": _bar(
            "HITs by status",
            [r.label for r in dashboard.counts.by_status],
            [("HITs", [r.count for r in dashboard.counts.by_status])],
        ),
        "stage": _bar(
            "HITs by life-cycle stage",
            [r.label for r in dashboard.counts.by_stage],
            [("HITs", [r.count for r in dashboard.counts.by_stage])],
        ),
        "coverage_trend": _line(
            "Average engagement coverage per quarter (degrees of 360)",
            dashboard.trends.coverage,
            "Average degrees",
            360,
            "°",
        ),
        "readiness_trend": _line(
            "Average readiness score per quarter (0 to 100)",
            dashboard.trends.readiness,
            "Average score",
            100,
            "",
        ),
        "portfolio_trend": {
            "kind": "line",
            "title": "HITs in the programme at the end of each quarter (this quarter: today)",
            "labels": [p.label for p in dashboard.trends.portfolio],
            "series": [
                {"label": "All HITs", "values": [p.total for p in dashboard.trends.portfolio]},
                {"label": "Active HITs", "values": [p.active for p in dashboard.trends.portfolio]},
            ],
            "min": 0,
            "integer": True,
            "spanGaps": True,
        },
    }


# --- The stored portfolio statistics: the funnel plot and the XmR charts -----------------------------

XMR_TITLES = {
    "overdue": ("HITs with an overdue progress report at each month's end (%)", "Overdue %", "%"),
    "coverage": ("Mean engagement coverage at each month's end (degrees of 360)", "Mean degrees", "°"),
    "readiness": ("Mean collaboration readiness at each month's end (0 to 100)", "Mean readiness", ""),
}


def statistic_charts(statistics: dict[str, PortfolioStatistic]) -> dict:
    """The chart data of the stored funnel plot and XmR charts (charts.js draws them)."""
    charts: dict[str, dict] = {}
    stored = statistics.get("funnel")
    if stored is not None and stored.data.get("points"):
        data = stored.data
        curve = data["curve"]
        charts["funnel"] = {
            "kind": "funnel",
            "title": "Overall readiness (R) against the number of respondents (n)",
            "xLabel": "Respondents (n)",
            "yLabel": "Overall readiness (R)",
            "points": [{"x": p["n"], "y": round(p["score"], 1), "label": p["label"]} for p in data["points"]],
            "lines": [
                {"label": label, "values": [{"x": c["n"], "y": round(value(c), 2)} for c in curve]}
                for label, value in (
                    ("Upper alarm limit (99.8%)", lambda c: c["upper_alarm"]),
                    ("Upper alert limit (95%)", lambda c: c["upper_alert"]),
                    ("Centre", lambda _c: data["centre"]),
                    ("Lower alert limit (95%)", lambda c: c["lower_alert"]),
                    ("Lower alarm limit (99.8%)", lambda c: c["lower_alarm"]),
                )
            ],
        }
    for kind, (title, label, unit) in XMR_TITLES.items():
        stored = statistics.get(kind)
        if stored is None:
            continue
        data = stored.data
        points = data["points"]
        series = [{"label": label, "values": [p["value"] for p in points]}]
        if data["mean"] is not None:
            for name, value in (
                ("Mean", data["mean"]),
                ("Upper limit", data["upper"]),
                ("Lower limit", data["lower"]),
            ):
                series.append({"label": name, "values": [round(value, 2)] * len(points)})
        charts[f"xmr_{kind}"] = {
            "kind": "line",
            "title": title,
            "labels": [p["label"] for p in points],
            "series": series,
            "signals": [bool(p["signals"]) for p in points],
            "unit": unit,
            "spanGaps": True,
        }
    return charts


XMR_HEADINGS = {
    "overdue": "HITs with an overdue progress report (%)",
    "coverage": "Mean engagement coverage (degrees)",
    "readiness": "Mean collaboration readiness",
}


def xmr_panels(statistics: dict[str, PortfolioStatistic]) -> list[dict]:
    """One panel per monthly indicator: its heading, stored row (or None) and chart data."""
    charts = statistic_charts(statistics)
    return [
        {"kind": kind, "title": title, "stored": statistics.get(kind), "chart": charts.get(f"xmr_{kind}")}
        for kind, title in XMR_HEADINGS.items()
    ]


# --- The heat maps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatRow:
    """One HIT of the heat maps with its cells rendered here: seventeen cells for each of fifty HITs
    cost tens of milliseconds through the template engine's variable lookups, one string per row
    next to nothing. The markup is the same the template would write."""

    row: HITRow
    url: str
    coverage_cells: SafeString
    readiness_cells: SafeString


# Constant markup, no input in it.
NOT_CALCULATED = mark_safe('&ndash;<span class="visually-hidden">not calculated</span>')  # nosec B308
NOT_ASKED = mark_safe(  # nosec B308
    '<td class="text-center readiness-none">&ndash;<span class="visually-hidden">not asked</span></td>'
)
SUPPRESSED_CELL = mark_safe('<td class="text-center readiness-suppressed">suppressed</td>')  # nosec B308
NO = mark_safe("<strong>No</strong>")  # nosec B308


def _whole(score: float) -> str:
    """A score rounded half up to a whole number, as the template's floatformat:0 would."""
    return str(math.floor(score + 0.5))


def _coverage_cells(row: HITRow, columns: int) -> SafeString:
    if row.coverage is None:
        return format_html('<td colspan="{}">Not calculated yet</td>', columns + 2)
    cells = [
        format_html(
            '<td class="text-center {}" title="{}">{}</td>',
            cell.css_class,
            cell.label,
            NOT_CALCULATED if cell.depth is None else cell.depth,
        )
        for cell in row.depths
    ]
    cells.append(format_html('<td class="text-end">{}</td>', _whole(row.coverage.degrees)))
    commissioner = "Yes" if row.coverage.commissioner_in_leadership else NO
    cells.append(format_html("<td>{}</td>", commissioner))
    return format_html_join("", "{}", ((cell,) for cell in cells))  # each cell built by format_html


def _readiness_cells(row: HITRow, columns: int) -> SafeString:
    if row.readiness is None:
        return format_html('<td colspan="{}">No survey results yet</td>', columns + 1)
    wave = row.readiness
    cells = [
        format_html(
            '<td>{}, <time datetime="{}">{}</time></td>',
            wave.title,
            wave.opens_on.isoformat(),
            f"{wave.opens_on:%b %Y}",
        )
    ]
    for cell in row.readiness_cells:
        if cell is None:
            cells.append(NOT_ASKED)
        elif cell.suppressed or cell.score is None:
            cells.append(SUPPRESSED_CELL)
        else:
            cells.append(
                format_html(
                    '<td class="text-center {}" title="{}">{}</td>',
                    cell.css_class,
                    cell.level_label,
                    _whole(cell.score),
                )
            )
    return format_html_join("", "{}", ((cell,) for cell in cells))  # each cell built by format_html


def heat_rows(dashboard: BoardDashboard) -> list[HeatRow]:
    columns, dimensions = len(dashboard.categories), len(dashboard.dimensions)
    return [
        HeatRow(
            row=row,
            url=reverse("reporting:hit-dashboard", args=[row.hit.pk]),
            coverage_cells=_coverage_cells(row, columns),
            readiness_cells=_readiness_cells(row, dimensions),
        )
        for row in dashboard.rows
    ]


# --- The board dashboard -----------------------------------------------------------------------------


def _sort_links(current: str) -> dict[str, str]:
    """For each sortable column, the sort its header link asks for (toggling the current one)."""
    toggled = {"name": "-name", "-name": "name"}
    toggled |= {"commissioner": "-commissioner", "-commissioner": "commissioner"}
    return {
        "name": toggled[current] if current.lstrip("-") == "name" else "name",
        "commissioner": toggled[current] if current.lstrip("-") == "commissioner" else "commissioner",
    }


@login_required
@require_GET
def board_dashboard(request: HttpRequest) -> HttpResponse:
    """Rendered once per version of what it shows and kept in the cache (see _board_cache_key)."""
    _require(can_view_board_dashboard(request.user))
    today = timezone.localdate()
    key = _board_cache_key(request, today)
    body = cache.get(key)
    if body is None:
        body = _board_dashboard_body(request, today)
        cache.set(key, body, settings.BOARD_DASHBOARD_CACHE_SECONDS)
    return render(request, "reporting/dashboard_board.html", {"dashboard_body": mark_safe(body)})  # noqa: S308


BOARD_CACHE_PREFIX = "reporting:board-dashboard"


def _board_cache_key(request: HttpRequest, today: datetime.date) -> str:
    """The version of the stored results shown (reporting.selectors.board.board_dashboard_version),
    the day (overdue is measured against it), the query string (filters, sort, page) and the viewer's
    visibility scope: the portfolio-wide roles that may open the page. Every one of them sees the
    same portfolio today (docs/domain.md section 4), but a page rendered for one scope is never
    served to another, so a future difference cannot leak through the cache."""
    roles = roles_of(request.user)
    scope = ",".join(sorted(role for role in DASHBOARD_ROLES if roles.has(role)))
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    version = board_dashboards.board_dashboard_version(
        Filters(organisation=request.GET.get("organisation", ""))
    )
    digest = hashlib.sha256(f"{scope}|{today.isoformat()}|{query}|{version}".encode()).hexdigest()
    return f"{BOARD_CACHE_PREFIX}:{digest}"


def _board_dashboard_body(request: HttpRequest, today: datetime.date) -> str:
    pipeline = pipeline_by_round()
    form, filters = _filters(request, pipeline)
    dashboard = board_dashboards.board_dashboard(
        filters=filters,
        sort=request.GET.get("sort", DEFAULT_SORT),
        page_number=request.GET.get("page"),
        today=today,
        pipeline=pipeline,
    )
    shown = _shown_pipeline(pipeline, filters)
    rows = dashboard.rows
    statistics = stored_statistics()
    return render_to_string(
        "reporting/_dashboard_board_body.html",
        {
            "dashboard": dashboard,
            "form": form,
            "pipeline": shown,
            "rows": rows,
            "heat_rows": heat_rows(dashboard),
            "page": dashboard.page,
            "sort_links": _sort_links(dashboard.sort),
            "sort_label": SORTS[dashboard.sort][0],
            "charts": board_charts(dashboard, shown) | statistic_charts(statistics),
            "statistics": statistics,
            "xmr_panels": xmr_panels(statistics),
            "summaries": {
                "pipeline": pipeline_summary(shown),
                "status": counts_summary(dashboard.counts, "status"),
                "stage": counts_summary(dashboard.counts, "stage"),
                "coverage_map": coverage_map_summary(rows, dashboard),
                "readiness_map": readiness_map_summary(rows),
                "maturity": maturity_summary(rows),
                "coverage_trend": trend_summary(
                    dashboard.trends.coverage, what="engagement coverage", unit=" degrees"
                ),
                "readiness_trend": trend_summary(dashboard.trends.readiness, what="readiness score", unit=""),
                "portfolio_trend": portfolio_trend_summary(dashboard.trends.portfolio),
            },
            "querystring": request.GET.urlencode(),
        },
        request=request,
    )


# --- The board report pack ---------------------------------------------------------------------------


def _pack(request: HttpRequest) -> tuple[BoardPack, list[PipelineRow]]:
    """The pack of the dashboard's filters (carried in the query string; a bad one is left out)."""
    _require(can_view_board_dashboard(request.user))
    pipeline = pipeline_by_round()
    _form, filters = _filters(request, pipeline)
    data = board_dashboards.board_pack(filters=filters, today=timezone.localdate(), pipeline=pipeline)
    return data, _shown_pipeline(pipeline, filters)


@login_required
@require_GET
def board_pack(request: HttpRequest) -> HttpResponse:
    data, pipeline = _pack(request)
    return render(
        request,
        "reporting/pack_board.html",
        {
            "pack": data,
            "filters_text": pack.filters_text(data.filters, pipeline),
            "sections": [(section, pack.section_facts(section)) for section in data.sections],
            "trend_rows": list(
                zip(data.trends.coverage, data.trends.readiness, data.trends.portfolio, strict=True)
            ),
            "pipeline": pipeline,
            "summaries": {
                "pipeline": pipeline_summary(pipeline),
                "status": counts_summary(data.counts, "status"),
                "stage": counts_summary(data.counts, "stage"),
            },
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def board_pack_pdf(request: HttpRequest) -> HttpResponse:
    data, pipeline = _pack(request)
    content = pack.build_pdf(
        data,
        pipeline=pipeline,
        summaries={
            "pipeline": pipeline_summary(pipeline),
            "status": counts_summary(data.counts, "status"),
            "stage": counts_summary(data.counts, "stage"),
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="board-pack-{data.today:%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The HIT dashboard -------------------------------------------------------------------------------


def hit_summaries(data: HITDashboard) -> dict[str, str]:
    hit = data.hit
    summaries: dict[str, str] = {}
    if data.coverage:
        covered = [s for s in data.coverage_slices if s.depth]
        gaps = [s.name for s in data.coverage_slices if not s.depth]
        text = (
            f"{hit.name} covers {data.coverage.degrees:.0f} of 360 degrees: {len(covered)} of "
            f"{len(data.coverage_slices)} stakeholder categories have an active stakeholder"
        )
        summaries["coverage"] = text + (f"; not covered: {_listed(gaps)}." if gaps else ".")
    latest, previous = data.latest_wave, data.previous_wave
    if latest:
        opened = f"In {latest.title} (opened {_day(latest.opens_on)})"
        strongest, weakest = latest.strongest, latest.weakest
        if strongest and weakest and strongest.dimension != weakest.dimension:
            text = (
                f"{opened}, the strongest dimension is {strongest.label} ({strongest.score}) and the "
                f"weakest {weakest.label} ({weakest.score})"
            )
        elif strongest:
            text = f"{opened}, the one dimension reported is {strongest.label} ({strongest.score})"
        else:
            text = f"{opened}, every dimension is suppressed because fewer than 5 people answered"
        compared = [row for row in data.changes.rows if row.compared] if data.changes else []
        if previous and compared:
            # Never a bare comparison of two numbers: the stored change with its 95% interval decides.
            verdicts = Counter(row.verdict for row in compared)
            text += (
                f"; against {previous.title}, "
                f"{_plural(verdicts[quality.IMPROVED], 'dimension')} improved, {verdicts[quality.DECLINED]} "
                f"declined and {verdicts[quality.NO_CHANGE]} show no detectable change (95% intervals)"
            )
        summaries["readiness"] = text + "."
    if data.maturity:
        summaries["maturity"] = (
            f"Median level {data.maturity.median_name.lower()}; weakest: "
            f"{_listed(data.maturity.weakest_names)} (assessed {_day(data.maturity.assessed_on)})."
        )
    busiest = max(data.ppi_months, key=lambda m: m.activities)
    people = sum(m.people for m in data.ppi_months)
    if data.ppi_total:
        summaries["ppi"] = (
            f"{_plural(data.ppi_total, 'PPI activity', 'PPI activities')} logged in the last "
            f"{len(data.ppi_months)} months, involving {people} patients, carers and members of the public; "
            f"the busiest month was {busiest.label}."
        )
    else:
        summaries["ppi"] = f"No PPI activity logged in the last {len(data.ppi_months)} months."
    if data.milestones is not None:
        counts = data.milestone_counts
        if data.milestones:
            text = (
                f"{_plural(len(data.milestones), 'milestone')}: {counts['met_on_time']} met on time, "
                f"{counts['late']} met late, {counts['missed']} missed and {counts['planned']} planned"
            )
            upcoming = data.next_milestone
            if upcoming:
                text += f"; next: {upcoming.title}, due {_day(upcoming.due_on)}"
            summaries["milestones"] = text + "."
        else:
            summaries["milestones"] = "No milestones recorded yet."
    return summaries


def hit_charts(data: HITDashboard) -> dict:
    charts: dict = {}
    if data.coverage and data.coverage_slices:
        charts["coverage"] = {
            "kind": "polarArea",
            "title": f"360-degree engagement coverage of {data.hit.name}",
            "labels": [s.name for s in data.coverage_slices],
            "series": [
                {
                    "label": "Deepest engagement (0 to 3)",
                    "values": [s.depth or 0 for s in data.coverage_slices],
                }
            ],
            "min": 0,
            "max": 3,
            "step": 1,
        }
    rows = data.radar_rows
    if rows and data.latest_wave:
        series = [
            {"label": data.latest_wave.title, "values": [r.latest.score if r.latest else None for r in rows]}
        ]
        if data.previous_wave:
            series.append(
                {
                    "label": data.previous_wave.title,
                    "values": [
                        r.previous.score if r.previous and not r.previous.suppressed else None for r in rows
                    ],
                }
            )
        charts["readiness"] = {
            "kind": "radar",
            "title": "Readiness by dimension (0 to 100), all respondents",
            "labels": [r.label for r in rows],
            "series": series,
            "min": 0,
            "max": 100,
            "step": 25,
            "spanGaps": True,
        }
    charts["ppi"] = _bar(
        "Patient and public involvement per month",
        [m.label for m in data.ppi_months],
        [
            ("Activities", [m.activities for m in data.ppi_months]),
            ("People involved", [m.people for m in data.ppi_months]),
        ],
    )
    return charts


@login_required
@require_GET
def hit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """The body is rendered once per viewer and version of what it shows (core.versions)."""
    hit = engagement_selectors.hit_for_engagement(
        user=request.user, pk=pk, may_see=report_permissions.can_view_hit_dashboard
    )

    def body(extra: dict[str, object]) -> str:
        data = hit_dashboard_dashboards.hit_dashboard(hit=hit, user=request.user, today=timezone.localdate())
        context = {
            "hit": hit,
            "data": data,
            "summaries": hit_summaries(data),
            "charts": hit_charts(data),
            "today": data.today,
            **extra,
        }
        return render_to_string("reporting/_dashboard_hit_body.html", context, request=request)

    html = cached_render(
        request,
        name="reporting:hit-dashboard",
        scope=viewer_scope(request.user),
        sources=hit_dashboard_dashboards.HIT_DASHBOARD_SOURCES,
        vary=[str(hit.pk)],
        params=(),
        render=body,
    )
    return render(request, "reporting/dashboard_hit.html", {"hit": hit, "body": mark_safe(html)})  # noqa: S308
