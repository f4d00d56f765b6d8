"""The board dashboard's portfolio statistics (docs/domain.md section 7.4), computed by the worker and
stored in PortfolioStatistic rows; pages only read them (reporting.selectors.portfolio_statistics).

- "funnel": each HIT's latest released wave, its overall R (the mean of its reported overall
  dimension scores) against its n (the largest n of those dimensions), with the alert and alarm
  limits around the n-weighted centre. The pooled SD is pooled over every released overall
  dimension result of the portfolio with a stored SD (stored only from n >= 10): no group under ten
  enters it, and it is an aggregate over every such group, never one HIT's.
- "overdue", "coverage", "readiness": the last MONTHS months (this one included), oldest first:
  of the HITs with a progress report due by the month's end (today for this month), the share with
  one overdue that day (due before it and not submitted by it); the mean degrees of each HIT's latest "map"
  coverage snapshot at the month's end; the mean over HITs of their latest released wave's overall
  R at the month's end. An XmR chart from 12 points (reporting.domain.spc), a run chart before.

Recomputed nightly (beat: reporting.recompute_portfolio_statistics) and after each release of
wave results. Idempotent; a row whose inputs have not changed is left alone.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from engagement.models import CoverageSnapshot, ReadinessResult
from reporting.domain.comparison import chart_summary, control_chart, funnel, funnel_summary, pooled_sd
from reporting.models import PortfolioStatistic, ProgressReport, add_months

MONTHS = 24
OVERALL = ReadinessResult.GROUP_OVERALL


def month_label(day: datetime.date) -> str:
    return day.strftime("%b %Y")


def _month_ends(today: datetime.date, months: int) -> list[tuple[datetime.date, datetime.date]]:
    first = add_months(datetime.date(today.year, today.month, 1), -(months - 1))
    spans = []
    for i in range(months):
        start = add_months(first, i)
        end = add_months(start, 1) - datetime.timedelta(days=1)
        spans.append((start, min(end, today)))
    return spans


def _wave_scores() -> list[dict[str, Any]]:
    """Every released wave with a reported overall score: hit, name, released_at, R, n."""
    waves: dict[int, dict[str, Any]] = {}
    rows = (
        ReadinessResult.objects.released()
        .filter(group_type=OVERALL, suppressed=False, score__isnull=False)
        .order_by()
        .values_list("wave_id", "wave__hit_id", "wave__hit__name", "wave__released_at", "score", "n")
    )
    for wave_id, hit_id, name, released_at, score, n in rows:
        wave = waves.setdefault(
            wave_id,
            {"wave": wave_id, "hit": hit_id, "name": name, "released": released_at, "scores": [], "n": 0},
        )
        wave["scores"].append(score)
        wave["n"] = max(wave["n"], n)
    for wave in waves.values():
        wave["score"] = sum(wave["scores"]) / len(wave["scores"])
    return sorted(waves.values(), key=lambda w: (w["released"], w["wave"]))


def funnel_data(waves: list[dict[str, Any]]) -> dict[str, Any]:
    latest: dict[int, dict[str, Any]] = {}
    for wave in waves:  # oldest release first: the last one seen is the latest
        latest[wave["hit"]] = wave
    groups = [
        (n, sd)
        for n, sd in ReadinessResult.objects.released()
        .filter(group_type=OVERALL, sd__isnull=False)
        .order_by()
        .values_list("n", "sd")
        if sd is not None
    ]
    pooled = pooled_sd(groups)
    plotted = sorted(latest.values(), key=lambda w: (w["name"].casefold(), w["hit"]))
    if pooled is None or not plotted:
        return {
            "centre": None,
            "pooled_sd": pooled,
            "groups": len(groups),
            "points": [],
            "curve": [],
            "summary": "Not enough released readiness results for a funnel plot yet.",
        }
    centre, entries = funnel([(w["name"], w["score"], w["n"]) for w in plotted], pooled)
    points = [asdict(e) | {"hit": w["hit"]} for e, w in zip(entries, plotted, strict=True)]
    # The limit curves, drawn over the range of n plotted.
    low, high = min(w["n"] for w in plotted), max(w["n"] for w in plotted)
    ns = sorted({low, high, *range(max(low, 2), high + 1, max(1, (high - low) // 20 or 1))})
    _c, curve = funnel([("", centre, n) for n in ns], pooled)
    return {
        "centre": centre,
        "pooled_sd": pooled,
        "groups": len(groups),
        "points": points,
        "curve": [asdict(c) for c in curve],
        "summary": funnel_summary(entries),
    }


def _overdue_series(
    spans: list[tuple[datetime.date, datetime.date]],
) -> list[float | None]:
    """At each month's end (today for this month): of the HITs with a progress report due by then,
    the percentage with one overdue that day (due before it and not submitted by it)."""
    rows = list(
        ProgressReport.objects.filter(due_on__lte=spans[-1][1])
        .order_by()
        .values_list("hit_id", "due_on", "submitted_at")
    )
    reports = [
        (hit, due_on, None if submitted is None else timezone.localdate(submitted))
        for hit, due_on, submitted in rows
    ]
    values: list[float | None] = []
    for _start, end in spans:
        due = {hit for hit, due_on, _s in reports if due_on <= end}
        late = {
            hit
            for hit, due_on, submitted in reports
            if due_on < end and (submitted is None or submitted > end)
        }
        values.append(100 * len(late) / len(due) if due else None)
    return values


def _coverage_series(spans: list[tuple[datetime.date, datetime.date]]) -> list[float | None]:
    rows = (
        CoverageSnapshot.objects.filter(label="map", taken_on__lte=spans[-1][1])
        .order_by("taken_on", "pk")
        .values_list("hit_id", "taken_on", "degrees")
    )
    latest: dict[int, float] = {}
    values: list[float | None] = []
    rows_iter = iter(rows)
    pending = next(rows_iter, None)
    for _start, end in spans:
        while pending is not None and pending[1] <= end:
            latest[pending[0]] = pending[2]
            pending = next(rows_iter, None)
        values.append(sum(latest.values()) / len(latest) if latest else None)
    return values


def _readiness_series(
    spans: list[tuple[datetime.date, datetime.date]], waves: list[dict[str, Any]]
) -> list[float | None]:
    values: list[float | None] = []
    for _start, end in spans:
        latest: dict[int, float] = {}
        for wave in waves:
            if timezone.localdate(wave["released"]) <= end:
                latest[wave["hit"]] = wave["score"]
        values.append(sum(latest.values()) / len(latest) if latest else None)
    return values


#: kind -> (what, unit, whether a higher value is better: it names each special cause an improvement or a concern).
INDICATORS = {
    "overdue": ("HITs with an overdue progress report", "%", False),
    "coverage": ("mean engagement coverage", " degrees", True),
    "readiness": ("mean collaboration readiness", "", True),
}


def chart_data(kind: str, labels: list[str], values: list[float | None]) -> dict[str, Any]:
    what, unit, higher_is_better = INDICATORS[kind]
    chart = control_chart(list(zip(labels, values, strict=True)), higher_is_better=higher_is_better)
    return {
        "mean": chart.mean,
        "lower": chart.lower,
        "upper": chart.upper,
        "points": [asdict(p) for p in chart.points],
        "summary": chart_summary(what, chart, unit),
    }


def portfolio_statistics_recompute(*, today: datetime.date | None = None) -> int:
    """Compute the funnel and the three monthly charts and store them. Idempotent.

    Side effects, in one transaction: one PortfolioStatistic row per kind inserted, or updated when
    its inputs' fingerprint or day changed (data, fingerprint, as_of, computed_at). Not audited:
    derived data, recomputed from audited inputs. Returns how many rows were written.
    """
    today = today or timezone.localdate()
    waves = _wave_scores()
    spans = _month_ends(today, MONTHS)
    labels = [month_label(start) for start, _end in spans]
    computed = {
        "funnel": funnel_data(waves),
        "overdue": chart_data("overdue", labels, _overdue_series(spans)),
        "coverage": chart_data("coverage", labels, _coverage_series(spans)),
        "readiness": chart_data("readiness", labels, _readiness_series(spans, waves)),
    }
    return _store(computed, today)


@transaction.atomic
def _store(computed: dict[str, dict[str, Any]], today: datetime.date) -> int:
    now = timezone.now()
    existing = {row.kind: row for row in PortfolioStatistic.objects.select_for_update()}
    written = 0
    for kind, data in computed.items():
        encoded = json.loads(json.dumps(data, default=str))
        fingerprint = hashlib.sha256(json.dumps(encoded, sort_keys=True).encode()).hexdigest()
        row = existing.get(kind)
        if row is not None and row.fingerprint == fingerprint and row.as_of == today:
            continue
        PortfolioStatistic.objects.update_or_create(
            kind=kind,
            defaults={"data": encoded, "fingerprint": fingerprint, "as_of": today, "computed_at": now},
        )
        written += 1
    return written
