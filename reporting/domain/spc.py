"""Statistical process control for the portfolio's indicators over time (docs/domain.md section 7.4, NHS
England's "Making Data Count"): an XmR chart's centre and limits, and the points that signal a special
cause. Pure: a list of numbers in, what the chart shows out.

- Centre: the mean of the points; limits: mean +- 2.66 x the mean moving range (the mean absolute difference
  of consecutive points). Only with at least MIN_POINTS points; before that, a run chart with no limits.
- Special causes (each point lists the rules it breaks):
  "beyond a limit"; "a run of 7 or more on one side of the mean" (every point of the run);
  "a trend of 7 or more rising or falling" (each point higher, or lower, than the one before; every point of
  the run); "2 of 3 beyond two thirds of the way to a limit" on the same side (the points out there).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

MIN_POINTS = 12
SCALE = 2.66
RUN = 7
BEYOND = "beyond a limit"
SHIFT = "a run of 7 or more on one side of the mean"
TREND = "a trend of 7 or more rising or falling"
NEAR_LIMIT = "2 of 3 beyond two thirds of the way to a limit"


@dataclass(frozen=True)
class XmR:
    mean: float | None  # None: fewer than MIN_POINTS points
    lower: float | None
    upper: float | None
    signals: tuple[tuple[str, ...], ...]  # per point, the rules it breaks
    # Per point, each rule it breaks with its direction: +1 above the mean (or a rising trend), -1 below
    # (or falling). Sorted by rule; the same rules as `signals`.
    directions: tuple[tuple[tuple[str, int], ...], ...] = ()


def xmr(values: Sequence[float]) -> XmR:
    points = list(values)
    if len(points) < MIN_POINTS:
        return XmR(None, None, None, tuple(() for _ in points), tuple(() for _ in points))
    mean = sum(points) / len(points)
    moving = [abs(b - a) for a, b in itertools.pairwise(points)]
    spread = SCALE * sum(moving) / len(moving)
    lower, upper = mean - spread, mean + spread
    found: list[dict[str, int]] = [{} for _ in points]
    sides = [_sign(value - mean) for value in points]
    for index, value in enumerate(points):
        if value > upper or value < lower:
            found[index][BEYOND] = sides[index]
    for first, last in _runs(sides):
        if last - first + 1 >= RUN:
            for i in range(first, last + 1):
                found[i][SHIFT] = sides[first]
    # Direction i is from point i to point i + 1; a run of directions i..j spans points i..j + 1.
    # A point where a falling run meets a rising one keeps the later run's direction.
    steps = [_sign(b - a) for a, b in itertools.pairwise(points)]
    for first, last in _runs(steps):
        if last - first + 2 >= RUN:
            for i in range(first, last + 2):
                found[i][TREND] = steps[first]
    two_thirds = 2 / 3 * spread
    for side in (1, -1):
        out = [side * (value - mean) > two_thirds for value in points]
        for start in range(len(points) - 2):
            window = range(start, start + 3)
            if sum(out[i] for i in window) >= 2:
                for i in window:
                    if out[i]:
                        found[i][NEAR_LIMIT] = side
    return XmR(
        mean,
        lower,
        upper,
        tuple(tuple(sorted(rules)) for rules in found),
        tuple(tuple(sorted(rules.items())) for rules in found),
    )


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _runs(keys: list[int]) -> list[tuple[int, int]]:
    """The (first, last) index of each maximal run of equal non-zero keys."""
    runs = []
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            if keys[start] != 0:
                runs.append((start, index - 1))
            start = index
    return runs
