"""The stored change of each dimension between a HIT's two latest released waves (docs/domain.md section 7.3),
as the wave results page and the HIT dashboard show it: read only, the worker computed it at release."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from engagement.domain import quality
from engagement.enums import Dimension
from engagement.models import ReadinessChange, Wave

#: Shown where a HIT has one released wave only.
ONE_WAVE_MESSAGE = "Change appears after a second closed survey."
#: The sentence that explains the interval, beside every table of changes.
INTERVAL_EXPLAINED = (
    "The change is the later score minus the earlier one (0 to 100). The 95% interval is the range the "
    "true change most likely lies in, given how far respondents differ and how many answered: only when "
    "the whole interval lies above 0 (or below 0) has the dimension improved (or declined); otherwise "
    "the surveys cannot tell a change from chance."
)


def _signed(value: float) -> str:
    whole = round(value)
    return f"+{whole}" if whole > 0 else f"{whole}" if whole < 0 else "0"


@dataclass(frozen=True)
class ChangeRow:
    dimension: str
    label: str  # the dimension's name
    n1: int
    n2: int
    difference: float | None
    low: float | None
    high: float | None
    verdict: str  # improved, declined, no detectable change; or why nothing can be said

    @property
    def compared(self) -> bool:
        return self.difference is not None

    @property
    def css(self) -> str:
        return {quality.IMPROVED: "improved", quality.DECLINED: "declined"}.get(self.verdict, "unchanged")

    @property
    def text(self) -> str:
        """E.g. "Trust: +12 (95% interval -3 to +27): no detectable change"."""
        if self.difference is None or self.low is None or self.high is None:
            return f"{self.label}: not compared, {self.verdict}"
        return (
            f"{self.label}: {_signed(self.difference)} (95% interval {_signed(self.low)} to "
            f"{_signed(self.high)}): {self.verdict}"
        )


@dataclass(frozen=True)
class WaveChanges:
    """The change into one wave from the HIT's previous released wave (rows empty: none stored)."""

    wave: Wave | None
    previous: Wave | None
    rows: list[ChangeRow]
    computed_at: datetime.datetime | None
    explained: str = INTERVAL_EXPLAINED
    one_wave: str = ONE_WAVE_MESSAGE


def _rows(changes: list[ReadinessChange]) -> list[ChangeRow]:
    labels = dict(Dimension.choices)
    order = list(Dimension.values)
    return [
        ChangeRow(c.dimension, str(labels[c.dimension]), c.n1, c.n2, c.difference, c.low, c.high, c.label)
        for c in sorted(changes, key=lambda c: order.index(c.dimension))
    ]


def _of(changes: list[ReadinessChange]) -> WaveChanges:
    if not changes:
        return WaveChanges(None, None, [], None)
    first = changes[0]
    return WaveChanges(first.wave, first.previous_wave, _rows(changes), max(c.computed_at for c in changes))


def wave_changes(*, wave: Wave) -> WaveChanges:
    """The stored change into a released wave from the one before it (one query; none before release)."""
    if wave.released_at is None:
        return WaveChanges(None, None, [], None)
    return _of(
        list(
            ReadinessChange.objects.filter(wave=wave, previous_wave__released_at__isnull=False)
            .select_related("wave", "previous_wave")
            .order_by()
        )
    )


def latest_changes(*, wave_id: int) -> WaveChanges:
    """The stored change into the HIT's latest released wave (its id, as the HIT dashboard found it) from
    the previous one (one query)."""
    return _of(
        list(
            ReadinessChange.objects.filter(wave_id=wave_id, previous_wave__released_at__isnull=False)
            .select_related("wave", "previous_wave")
            .order_by()
        )
    )
