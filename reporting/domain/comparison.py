"""Comparing HITs without league tables, and the portfolio's indicators over time (docs/domain.md
section 7.4): pure functions, numbers in, what the charts show out.

- `pooled_sd`: the pooled standard deviation of respondent means, sqrt(sum((n_i - 1) s_i^2) /
  sum(n_i - 1)), over groups whose SD is known (stored only from n >= 10, so no group under ten
  contributes, and the result is an aggregate over every such group of the portfolio).
- `funnel`: each HIT's overall R against its n, the centre (the n-weighted mean) and the alert
  (z 1.96) and alarm (z 3.09) limits centre +- z * s / sqrt(n), s = pooled SD x 25; each point is
  placed "above the alarm limit", "above the alert limit", "within", "below the alert limit" or
  "below the alarm limit". Points come back in the order given (the caller sorts them by name).
- `control_chart`: a monthly series as an XmR chart (reporting.domain.spc.xmr) from 12 points,
  a run chart before; months without a value are left out of the limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from engagement.domain.quality import funnel_limits
from reporting.domain.spc import TREND, xmr

#: Respondent means are on the 1-5 scale; R = (mean - 1) / 4 x 100, so one unit is 25 points of R.
R_PER_UNIT = 25.0

ABOVE_ALARM = "above the alarm limit"
ABOVE_ALERT = "above the alert limit"
WITHIN = "within the limits"
BELOW_ALERT = "below the alert limit"
BELOW_ALARM = "below the alarm limit"


def pooled_sd(groups: Sequence[tuple[int, float]]) -> float | None:
    """The pooled SD of (n, sd) groups; None when no group has two or more respondents."""
    dof = sum(n - 1 for n, _sd in groups if n >= 2)
    if dof <= 0:
        return None
    return math.sqrt(sum((n - 1) * sd * sd for n, sd in groups if n >= 2) / dof)


@dataclass(frozen=True)
class FunnelEntry:
    label: str
    score: float
    n: int
    lower_alarm: float
    lower_alert: float
    upper_alert: float
    upper_alarm: float
    position: str


def place(
    score: float, lower_alarm: float, lower_alert: float, upper_alert: float, upper_alarm: float
) -> str:
    if score > upper_alarm:
        return ABOVE_ALARM
    if score > upper_alert:
        return ABOVE_ALERT
    if score < lower_alarm:
        return BELOW_ALARM
    if score < lower_alert:
        return BELOW_ALERT
    return WITHIN


def funnel(points: Sequence[tuple[str, float, int]], pooled: float) -> tuple[float, list[FunnelEntry]]:
    """The centre and each (label, R, n) point with its limits and position; `pooled` is the
    pooled SD of respondent means on the 1-5 scale."""
    centre, limits = funnel_limits(
        [(score, n) for _l, score, n in points], pooled * R_PER_UNIT, [n for *_x, n in points]
    )
    entries = []
    for (label, score, n), limit in zip(points, limits, strict=True):
        entries.append(
            FunnelEntry(
                label,
                score,
                n,
                limit.alarm_low,
                limit.alert_low,
                limit.alert_high,
                limit.alarm_high,
                place(score, limit.alarm_low, limit.alert_low, limit.alert_high, limit.alarm_high),
            )
        )
    return centre, entries


def funnel_summary(entries: Sequence[FunnelEntry]) -> str:
    """'3 HITs above the upper alert limit, 1 below the lower alarm limit; the rest within what
    chance alone would give.' Alarm counts are not counted again as alert."""
    if not entries:
        return "No HIT has a released readiness result yet."
    parts = []
    for position, text in (
        (ABOVE_ALARM, "above the upper alarm limit"),
        (ABOVE_ALERT, "above the upper alert limit"),
        (BELOW_ALERT, "below the lower alert limit"),
        (BELOW_ALARM, "below the lower alarm limit"),
    ):
        count = sum(1 for e in entries if e.position == position)
        if count:
            parts.append(f"{count} HIT{'' if count == 1 else 's'} {text}")
    if not parts:
        return f"All {len(entries)} HITs are within what chance alone would give."
    rest = "the rest" if any(e.position == WITHIN for e in entries) else "none"
    tail = "; the rest within what chance alone would give." if rest == "the rest" else "."
    return ", ".join(parts) + tail


@dataclass(frozen=True)
class ChartPoint:
    label: str
    value: float | None
    signals: tuple[str, ...]
    # Each rule with its direction, and whether that is good where the chart knows which way is better:
    # "beyond a limit (above the mean: a concern)".
    causes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ControlChart:
    mean: float | None
    lower: float | None
    upper: float | None
    points: list[ChartPoint]

    @property
    def is_xmr(self) -> bool:
        return self.mean is not None


def control_chart(
    series: Sequence[tuple[str, float | None]], *, higher_is_better: bool | None = None
) -> ControlChart:
    """An XmR chart of the months with a value (from 12 of them; a run chart before). With
    `higher_is_better` known, each special cause also says whether it is an improvement or a concern
    (Making Data Count's two colours); None: only its direction."""
    known = [(label, value) for label, value in series if value is not None]
    chart = xmr([value for _label, value in known])
    labels = [label for label, _v in known]
    signals = dict(zip(labels, chart.signals, strict=True))
    causes = {
        label: tuple(cause(rule, direction, higher_is_better) for rule, direction in rules)
        for label, rules in zip(labels, chart.directions, strict=True)
    }
    return ControlChart(
        chart.mean,
        chart.lower,
        chart.upper,
        [ChartPoint(label, value, signals.get(label, ()), causes.get(label, ())) for label, value in series],
    )


def cause(rule: str, direction: int, higher_is_better: bool | None = None) -> str:
    """A special cause as a reader needs it: which rule, which way, and (where known) good or bad."""
    if rule == TREND:
        way = "rising" if direction > 0 else "falling"
    else:
        way = "above the mean" if direction > 0 else "below the mean"
    if higher_is_better is None:
        return f"{rule} ({way})"
    good = (direction > 0) == higher_is_better
    return f"{rule} ({way}: {'an improvement' if good else 'a concern'})"


def chart_summary(what: str, chart: ControlChart, unit: str = "") -> str:
    """The text beside the chart, naming each special cause and the months showing it."""
    known = [p for p in chart.points if p.value is not None]
    if not known:
        return f"No {what} recorded yet."
    if not chart.is_xmr:
        return (
            f"{_first_up(what)}: {len(known)} monthly point{'' if len(known) == 1 else 's'}, shown as a run "
            f"chart; control limits need at least 12."
        )
    assert chart.mean is not None and chart.lower is not None and chart.upper is not None
    text = (
        f"{_first_up(what)} over {len(known)} months: mean {chart.mean:.1f}{unit}, "
        f"limits {chart.lower:.1f}{unit} to {chart.upper:.1f}{unit}"
    )
    rules: dict[str, list[str]] = {}
    for point in known:
        for rule in point.causes or point.signals:
            rules.setdefault(rule, []).append(point.label)
    if not rules:
        return text + "; no special cause: only common-cause variation."
    named = "; ".join(
        f"{rule}: {_months(months)}" for rule, months in sorted(rules.items(), key=lambda item: item[0])
    )
    return text + f". Special causes: {named}."


def _months(months: list[str]) -> str:
    """'Mar 2026' / 'Jan 2026 and Mar 2026' / '5 months, Jan 2025 to Jun 2025'."""
    if len(months) == 1:
        return months[0]
    if len(months) == 2:
        return f"{months[0]} and {months[1]}"
    return f"{len(months)} months, {months[0]} to {months[-1]}"


def _first_up(text: str) -> str:
    """The first letter in capitals, the rest untouched ("HITs with ..." stays "HITs")."""
    return text[:1].upper() + text[1:]
