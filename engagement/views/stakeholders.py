"""The stakeholder map and the engagement coverage pages (docs/domain.md section 5; docs/domain.md R4.4).

Access: `selectors.hit_for_engagement` 404s anyone who may not see the named map
(`permissions.can_view_stakeholder_map`) or the coverage (`permissions.can_view_coverage`); writes
need `permissions.can_edit_engagement` (the HIT's members and programme managers), otherwise 403
with its reason. Pages read the stored CoverageScore and CoverageSnapshot rows and never compute a score:
writes ask the worker to recompute (`services.request_recompute`), and the pages say "as of" and
"recalculating" meanwhile.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from core import versions
from core.concurrency import StaleEdit, conflict_for
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from engagement import permissions
from engagement.enums import Depth, ScoreKind, StakeholderSource
from engagement.forms.stakeholders import StakeholderEndForm, StakeholderFilterForm, StakeholderForm
from engagement.models import CoverageScore, CoverageSnapshot, Stakeholder
from engagement.selectors import stakeholders as stakeholders_selectors
from engagement.selectors.hits import hit_for_engagement
from engagement.selectors.stakeholders import coverage_history
from engagement.services import stakeholders as stakeholders_services
from engagement.services.score_requests import (
    recompute_now,
    score_request_overdue,
    score_request_pending_since,
)
from engagement.services.stakeholders import stakeholder_save, stakeholders_sync_memberships
from teams import permissions as team_permissions
from teams.forms.lookup import search_as
from teams.models import HIT, StakeholderCategory

#: Rows of the stakeholder map a page (the largest HIT has 420).
PAGE_SIZE = 50

# docs/domain.md R8.7 F4, in words for the summary.
PPI_DEPTH_MEANINGS = {
    0: "no patient or public involvement recorded",
    1: "involvement limited to service logistics or satisfaction",
    2: "public members inside HIT groups",
    3: "public members in decision-making, commissioning or policy forums",
}

# Where a row that did not start on the map is changed instead.
SOURCE_NOTES = {
    StakeholderSource.MEMBERSHIP: "From the HIT's membership: change it there, then update from memberships.",
    StakeholderSource.APPLICATION: "From the accredited application's stakeholder table: change it there.",
}


def _can_open_hit(request: HttpRequest, hit: HIT) -> bool:
    """Whether the breadcrumb links to the HIT's page: a reviewer sees the coverage, not the page."""
    return bool(team_permissions.can_view_hit(request.user, hit))


def _editable_row(hit: HIT, pk: int) -> Stakeholder:
    """A row of this HIT's map (404 for another HIT's row) that was entered on the map (else 403)."""
    stakeholder = get_object_or_404(Stakeholder.objects.select_related("category"), pk=pk, hit=hit)
    if stakeholder.source != StakeholderSource.MANUAL:
        raise PermissionDenied(SOURCE_NOTES[stakeholder.source])
    return stakeholder


def _coverage_summary(hit: HIT) -> dict:
    """Context of templates/engagement/_coverage_summary.html: the stored score, never computed here."""
    try:
        score: CoverageScore | None = hit.coverage
    except CoverageScore.DoesNotExist:
        score = None
    pending_since = score_request_pending_since(hit_id=hit.pk, kind=ScoreKind.COVERAGE)
    return {
        "coverage": score,
        "ppi_meaning": PPI_DEPTH_MEANINGS.get(score.ppi_depth, "") if score else "",
        "recalculating": pending_since is not None,
        "recalculation_asked_at": pending_since,
        # Overdue: most likely lost; "Recalculate now" sends it again instead of waiting for ever.
        "recalculation_overdue": score_request_overdue(pending_since),
    }


def _add_service_errors(form: StakeholderForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- The stakeholder map -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryGroup:
    """The rows of one category on a page of the map, and how many the category holds in all (the
    filter applied: the map's summary counts), which is more when the category runs over pages."""

    category: StakeholderCategory
    total: int
    rows: list[Stakeholder]

    @property
    def split(self) -> bool:
        return self.total > len(self.rows)


def _category_groups(rows: Iterable[Stakeholder], counts: dict[int, int]) -> list[CategoryGroup]:
    """The page's rows by category (they come ordered by category), each with its category's count."""
    groups: list[CategoryGroup] = []
    for _category_id, members in itertools.groupby(rows, key=attrgetter("category_id")):
        listed = list(members)
        category = listed[0].category
        groups.append(CategoryGroup(category, counts.get(category.pk, len(listed)), listed))
    return groups


#: The name of the map's cached rows (core.versions) and the query names they read.
MAP_ROWS_PART = "engagement:stakeholder-map"
MAP_PARAMS = ("category", "include_ended", "page")
#: Between the filter and the rows in the cached part: each goes to its own column of the page.
SPLIT = "<!-- stakeholder-map: rows -->"


@login_required
def stakeholder_map(request: HttpRequest, hit_pk: int) -> HttpResponse:
    """The map's stored coverage, drawn per request; its filter and rows (the count, export buttons,
    rows and page links) rendered once per version of what they show (core.versions over
    STAKEHOLDER_MAP_SOURCES), day (what has ended), query string and scope: the HIT and what this viewer
    may do on it (edit or not, open the HIT's page or not). Access is checked before the cache is read."""
    hit = hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_stakeholder_map)
    can_edit = permissions.can_edit_engagement(request.user, hit)
    can_open_hit = _can_open_hit(request, hit)
    filter_form = StakeholderFilterForm(request.GET or None)
    category, include_ended = None, False
    if filter_form.is_valid():
        category = filter_form.cleaned_data["category"]
        include_ended = filter_form.cleaned_data["include_ended"]

    def draw(extra: dict) -> str:
        rows = stakeholders_selectors.stakeholder_map(hit=hit, include_ended=include_ended)
        if category is not None:
            rows = rows.filter(category=category)
        # The total and each category's count from one query; the paginator reuses the total.
        counts = stakeholders_selectors.stakeholder_counts(rows)
        paginator = Paginator(rows, PAGE_SIZE)
        paginator.count = sum(counts.values())
        page = paginator.get_page(request.GET.get("page"))
        context = {
            "hit": hit,
            "filter_form": filter_form,
            "page": page,
            "category_groups": _category_groups(page.object_list, counts),
            "filtered": category is not None or include_ended,
            "today": timezone.localdate(),
            "can_edit": bool(can_edit),
            **extra,
        }
        return render_to_string("engagement/_stakeholder_map_rows.html", context, request=request)

    cached = versions.cached_render(
        request,
        name=MAP_ROWS_PART,
        scope=f"hit={hit.pk}|edit={bool(can_edit)}",
        sources=stakeholders_selectors.STAKEHOLDER_MAP_SOURCES,
        render=draw,
        params=MAP_PARAMS,
    )
    filter_html, _split, rows_html = cached.partition(SPLIT)
    return render(
        request,
        "engagement/stakeholder_map.html",
        {
            "hit": hit,
            "filter_html": mark_safe(filter_html),  # noqa: S308 - our own rendering
            "rows_html": mark_safe(rows_html),  # noqa: S308 - our own rendering
            "can_edit": bool(can_edit),
            "edit_reason": can_edit.reason,
            "can_open_hit": can_open_hit,
            **_coverage_summary(hit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HttpRequest, hit_pk: int, pk: int | None = None) -> HttpResponse:
    hit = hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_stakeholder_map)
    _require(permissions.can_edit_engagement(request.user, hit))
    stakeholder = _editable_row(hit, pk) if pk else Stakeholder(hit=hit, source=StakeholderSource.MANUAL)
    form = StakeholderForm(request.POST if request.method == "POST" else None, instance=stakeholder)
    search_as(form, request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        row = form.save(commit=False)
        row.hit = hit
        row.source = StakeholderSource.MANUAL
        map_url = reverse("engagement:stakeholder-map", kwargs={"hit_pk": hit.pk})
        try:
            if pk is None:
                with once(form, user=request.user) as claim:
                    stakeholder_save(actor=request.user, stakeholder=row)
                    claim.done(map_url)
            else:
                stakeholder_save(actor=request.user, stakeholder=row, expected_version=form.started_from)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or map_url)
        except StaleEdit as stale:
            conflict = conflict_for(
                form, theirs=StakeholderForm(instance=stale.current), current=stale.current
            )
        else:
            messages.success(request, f"{row} was saved. The coverage will be recalculated shortly.")
            return redirect("engagement:stakeholder-map", hit_pk=hit.pk)
    return render(
        request,
        "engagement/stakeholder_form.html",
        {
            "hit": hit,
            "form": form,
            "stakeholder": stakeholder if pk else None,
            "conflict": conflict,
            "can_open_hit": _can_open_hit(request, hit),
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def stakeholder_end(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit = hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_stakeholder_map)
    _require(permissions.can_edit_engagement(request.user, hit))
    stakeholder = _editable_row(hit, pk)
    form = StakeholderEndForm(request.POST)
    today = timezone.localdate()
    if not form.is_valid():
        messages.error(request, "Give the last day of involvement as a date, or leave it empty for today.")
    elif stakeholder.end_date is not None and stakeholder.end_date < today:
        messages.error(
            request,
            f"{stakeholder} already ended on {stakeholder.end_date:%d %B %Y}; edit the row to change the date.",
        )
    else:
        try:
            stakeholders_services.stakeholder_end(
                actor=request.user, stakeholder_id=stakeholder.pk, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, f"The involvement of {stakeholder} was ended. It stays in the history.")
    return redirect("engagement:stakeholder-map", hit_pk=hit.pk)


@login_required
@require_POST
def stakeholder_sync(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_stakeholder_map)
    _require(permissions.can_edit_engagement(request.user, hit))
    changed = stakeholders_sync_memberships(hit_id=hit.pk)
    if changed:
        messages.success(
            request,
            f"Updated from memberships: {changed} row{'s' if changed != 1 else ''} changed. "
            "The coverage will be recalculated shortly.",
        )
    else:
        messages.info(request, "The map already matches the HIT's memberships; nothing changed.")
    return redirect("engagement:stakeholder-map", hit_pk=hit.pk)


# --- Coverage ----------------------------------------------------------------------------------------


def _category_rows(score: CoverageScore | None) -> list[dict]:
    """Every active category with its stored depth, in the vocabulary's order.

    `depth` is None when the stored score does not cover the category: switched off for coverage,
    or added after the score was computed.
    """
    depths = score.category_depths if score else {}
    labels = dict(Depth.choices)
    rows = []
    for category in StakeholderCategory.objects.order_by("position", "name"):
        if category.code not in depths and not category.is_active:
            continue
        depth = depths.get(category.code)
        rows.append(
            {
                "code": category.code,
                "name": category.name,
                "depth": depth,
                "depth_label": labels.get(depth, ""),
                "counted": category.code in depths,
                "counts_toward_coverage": category.counts_toward_coverage,
            }
        )
    return rows


def _percent(value: float) -> float:
    return round(100 * value, 1)


def _radar_data(hit: HIT, rows: list[dict]) -> dict:
    counted = [row for row in rows if row["counted"]]
    return {
        "kind": "radar",
        "title": f"Engagement depth of {hit.name} by stakeholder category",
        "labels": [row["name"] for row in counted],
        "series": [{"label": "Deepest engagement (0 to 3)", "values": [row["depth"] for row in counted]}],
        "min": 0,
        "max": 3,
        "step": 1,
    }


def _history_data(hit: HIT, snapshots: list[CoverageSnapshot]) -> dict:
    return {
        "kind": "line",
        "title": f"Engagement coverage of {hit.name} over time and across application versions",
        "labels": [f"{s.taken_on:%d %b %Y}, {s.label}" for s in snapshots],
        "series": [
            {"label": "Breadth (% of categories)", "values": [_percent(s.breadth) for s in snapshots]},
            {"label": "Depth-weighted coverage (%)", "values": [_percent(s.weighted) for s in snapshots]},
            {
                "label": "Leadership (% of categories at depth 3)",
                "values": [_percent(s.leadership) for s in snapshots],
            },
        ],
        "min": 0,
        "max": 100,
        "unit": "%",
    }


@login_required
def coverage_detail(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_coverage)
    can_edit = permissions.can_edit_engagement(request.user, hit)
    summary = _coverage_summary(hit)
    score = summary["coverage"]
    rows = _category_rows(score)
    snapshots = list(coverage_history(hit=hit))
    counted = [row for row in rows if row["counted"]]
    return render(
        request,
        "engagement/coverage_detail.html",
        {
            "hit": hit,
            "category_rows": rows,
            "covered": [row for row in counted if row["depth"] >= 1],
            "uncovered": [row for row in counted if row["depth"] == 0],
            "counted_total": len(counted),
            "radar_data": _radar_data(hit, rows) if score else None,
            "snapshots": snapshots,
            "history_data": _history_data(hit, snapshots) if snapshots else None,
            "can_edit": bool(can_edit),
            "edit_reason": can_edit.reason,
            "can_view_map": bool(permissions.can_view_stakeholder_map(request.user, hit)),
            "can_open_hit": _can_open_hit(request, hit),
            **summary,
        },
    )


@login_required
@require_POST
def coverage_recalculate(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_coverage)
    _require(permissions.can_edit_engagement(request.user, hit))
    result = recompute_now(actor=request.user, hit_id=hit.pk, kind=ScoreKind.COVERAGE)
    if result.outcome == "under_way":
        messages.info(request, "A recalculation is already under way.")
    elif result.dispatch is not None and result.dispatch.sent is False:
        messages.warning(
            request,
            "The recalculation is recorded, but the portal's background service cannot be reached just "
            "now. The portal asks again by itself every few minutes; the figures update once it answers.",
        )
    elif result.outcome == "resent":
        messages.success(
            request,
            "The earlier recalculation had not finished, so it was asked for again. "
            "The figures update within a minute.",
        )
    else:
        messages.success(request, "A recalculation was requested. The figures update within a minute.")
    return redirect("engagement:coverage-detail", hit_pk=hit.pk)
