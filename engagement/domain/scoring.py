"""The score formulas of docs/domain.md section 5, as pure functions over plain data.

No database access here: engagement.services gathers the inputs with set-based queries and
stores what these functions return, so the formulas are tested against hand-computed cases.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SUPPRESSION_THRESHOLD = 5  # groups with fewer counted respondents are suppressed everywhere
SPREAD_THRESHOLD = 10  # a group's SD and share agreeing are kept only from this many respondents up
LOW_SCORE_FLAG = 50.0
DIVERGENCE_FLAG = 25.0
AGREE_THRESHOLD = 4.0
MIN_ANSWERED_SHARE = 0.5

COMMISSIONERS = "COMM"
PUBLIC = "PUBLIC"
STAFF = "STAFF"  # professionals and front-line staff


# --- Engagement coverage (F1-F4) ---------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    weight: float = 1.0
    counts: bool = True  # switched-off categories are left out of every ratio


@dataclass(frozen=True)
class Coverage:
    breadth: float
    degrees: float
    weighted: float
    leadership: float
    commissioner_in_leadership: bool
    ppi_depth: int
    category_depths: dict[str, int]
    gaps: list[dict] = field(default_factory=list)


def coverage(
    *,
    categories: Sequence[CategorySpec],
    depths: Mapping[str, int],
    ppi_depth: int = 0,
    has_mental_health_provider: bool = True,
    has_local_authority: bool = True,
) -> Coverage:
    """Breadth B, degrees 360B, depth-weighted W, leadership L, flags and named gaps.

    `depths` maps a category code to the maximum depth over its active stakeholders (missing = 0).
    Only enabled categories count: B = covered / enabled, W = sum(w x depth) / (3 x sum w),
    L = categories at depth 3 / enabled.
    """
    enabled = [c for c in categories if c.counts]
    if not enabled:
        return Coverage(0.0, 0.0, 0.0, 0.0, False, ppi_depth, {}, [])
    category_depths = {c.code: int(depths.get(c.code, 0)) for c in enabled}
    covered = sum(1 for c in enabled if category_depths[c.code] >= 1)
    total_weight = sum(c.weight for c in enabled)
    weighted = (
        sum(c.weight * category_depths[c.code] for c in enabled) / (3 * total_weight)
        if total_weight > 0
        else 0.0
    )
    leaders = sum(1 for c in enabled if category_depths[c.code] == 3)
    breadth = covered / len(enabled)
    gaps = [
        {"code": c.code, "name": c.name, "stressed": c.code == COMMISSIONERS}
        for c in enabled
        if category_depths[c.code] == 0
    ]
    # The typical blind spots (docs/domain.md R4.3 d) are named even when their category is covered.
    if not has_mental_health_provider:
        gaps.append({"code": "mental_health", "name": "Mental health providers", "stressed": True})
    if not has_local_authority:
        gaps.append({"code": "local_authority", "name": "Local authority", "stressed": True})
    return Coverage(
        breadth=round(breadth, 6),
        degrees=round(360 * breadth, 3),
        weighted=round(weighted, 6),
        leadership=round(leaders / len(enabled), 6),
        # A switched-off category counts nowhere, this flag included (docs/domain.md section 5.1).
        commissioner_in_leadership=category_depths.get(COMMISSIONERS, 0) == 3,
        ppi_depth=ppi_depth,
        category_depths=category_depths,
        gaps=gaps,
    )


LOCAL_GOVERNMENT_SECTOR = "local_government"  # teams.enums.Sector.LOCAL_GOVERNMENT


def planned_coverage(*, categories: Sequence[CategorySpec], rows: Iterable[Mapping[str, object]]) -> Coverage:
    """Coverage of a planned stakeholder table (an application revision): rows of {"category": code,
    "depth": 1 to 3 (1 when left out), "sector": the organisation type's sector ("" without an
    organisation), "mental_health": whether the organisation is a mental health provider}.

    A category's depth is the deepest of its rows; the public category's depth is the PPI depth;
    the blind spots are named unless a row is a mental health provider or local government.
    """
    rows = list(rows)
    depths: dict[str, int] = {}
    for row in rows:
        code = str(row["category"])
        depth = row.get("depth", 1)
        depths[code] = max(depths.get(code, 0), int(depth) if isinstance(depth, (int, str)) else 1)
    return coverage(
        categories=categories,
        depths=depths,
        ppi_depth=depths.get(PUBLIC, 0),
        has_mental_health_provider=any(row.get("mental_health") for row in rows),
        has_local_authority=any(row.get("sector") == LOCAL_GOVERNMENT_SECTOR for row in rows),
    )


# Decision forums of the PPI log on the F4 ladder.
FORUM_PPI_DEPTH = {"none": 0, "delivery": 1, "hit_group": 2, "hit_leadership": 3, "commissioning": 3}


def ppi_depth(*, public_stakeholder_depth: int, best_forum: str | None) -> int:
    """F4: 0 none; 1 logistics or satisfaction only; 2 public members in HIT groups; 3 in decisions.

    The deeper of what the map shows (public members' depth) and what the PPI log shows (the
    highest decision forum that involvement reached).
    """
    return max(int(public_stakeholder_depth or 0), FORUM_PPI_DEPTH.get(best_forum or "none", 0))


# --- Readiness (F9-F11) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    code: str
    dimension: str
    reverse: bool = False


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    n: int
    suppressed: bool
    mean: float | None = None
    sd: float | None = None
    pct_agree: float | None = None
    score: float | None = None
    level: int | None = None


def respondent_means(*, answers: Mapping[str, int | None], items: Sequence[ItemSpec]) -> dict[str, float]:
    """One respondent's mean per dimension after reverse-coding (x' = 6 - x).

    "Don't know" (None) and missing answers are unanswered; a dimension counts only if at least
    half of its items are answered.
    """
    by_dimension: dict[str, list[ItemSpec]] = {}
    for item in items:
        by_dimension.setdefault(item.dimension, []).append(item)
    means: dict[str, float] = {}
    for dimension, dim_items in by_dimension.items():
        values = []
        for item in dim_items:
            value = answers.get(item.code)
            if value is None:
                continue
            if not 1 <= value <= 5:
                raise ValueError(f"Answer {value!r} to {item.code} is outside 1-5.")
            values.append(6 - value if item.reverse else value)
        if values and len(values) >= MIN_ANSWERED_SHARE * len(dim_items):
            means[dimension] = sum(values) / len(values)
    return means


#: The level thresholds of R, and the places R is rounded to before it is compared with them.
PATHOLOGICAL_BELOW, BUREAUCRATIC_BELOW, LEVEL_PLACES = 100 / 3, 200 / 3, 6


def indicative_level(score: float) -> int:
    """F11: R < 100/3 pathological (1), < 200/3 bureaucratic (2), else generative (3).

    Levels are decided on exact values (docs/domain.md section 5.1): every answer is an integer, so a true R
    differs from a threshold by far more than a millionth unless it equals it; R and the thresholds are
    rounded to 6 decimals before they are compared, so an R of exactly 100/3 is bureaucratic however the
    floating-point sums of its respondents came out. Display rounding (shown_score) never decides a level.
    """
    exact = round(score, LEVEL_PLACES)
    if exact < round(PATHOLOGICAL_BELOW, LEVEL_PLACES):
        return 1
    if exact < round(BUREAUCRATIC_BELOW, LEVEL_PLACES):
        return 2
    return 3


def dimension_result(dimension: str, means: Sequence[float]) -> DimensionResult:
    """n, mean, R = (mean - 1) / 4 x 100 and level; suppressed when n < 5.

    The sample SD and % agreeing describe how the group's members differ, which in a small group
    says too much about each of them: they are kept only when n >= 10 (docs/domain.md section 6).
    """
    n = len(means)
    if n < SUPPRESSION_THRESHOLD:
        return DimensionResult(dimension=dimension, n=n, suppressed=True)
    # Plain float arithmetic: the statistics module's exact fractions are slow at full scale.
    mean = sum(means) / n
    score = (mean - 1) / 4 * 100
    spread = n >= SPREAD_THRESHOLD
    sd = math.sqrt(sum((m - mean) ** 2 for m in means) / (n - 1)) if spread else None
    agreeing = 100 * sum(1 for m in means if m >= AGREE_THRESHOLD) / n if spread else None
    return DimensionResult(
        dimension=dimension,
        n=n,
        suppressed=False,
        mean=round(mean, 6),
        sd=round(sd, 6) if sd is not None else None,
        pct_agree=round(agreeing, 6) if agreeing is not None else None,
        score=round(score, 6),
        level=indicative_level(score),
    )


def group_results(
    respondents: Iterable[Mapping[str, float]], dimensions: Iterable[str]
) -> dict[str, DimensionResult]:
    """Results per dimension for one group of respondents (each a mapping dimension -> mean)."""
    respondents = list(respondents)
    return {d: dimension_result(d, [r[d] for r in respondents if d in r]) for d in dimensions}


def divergence(scores: Iterable[float | None]) -> float | None:
    """F10: max - min of the unsuppressed group scores of one dimension (None if fewer than two)."""
    values = [s for s in scores if s is not None]
    if len(values) < 2:
        return None
    return round(max(values) - min(values), 6)


# --- What is shown ---------------------------------------------------------------------------------
# Pages, exports, the API and stored report snapshots show readiness figures rounded, never the
# stored six decimals: a rounded figure gives away far less to anyone comparing two of them.
# Levels and flags are decided on the exact values, so rounding never changes them.


def _half_up(value: float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shown_score(score: float | None) -> int | None:
    """R as shown: a whole number from 0 to 100."""
    return None if score is None else int(_half_up(score, 0))


def shown_sd(sd: float | None) -> float | None:
    """The SD of respondent means as shown: one decimal."""
    return None if sd is None else float(_half_up(sd, 1))


def shown_percent(percent: float | None) -> int | None:
    """A share of respondents as shown: a whole percentage."""
    return None if percent is None else int(_half_up(percent, 0))


# --- Maturity profile (F12) --------------------------------------------------------------------------


def maturity_profile(levels: Mapping[str, int]) -> dict:
    """Median level and the weakest element(s); never a single averaged number."""
    if not levels:
        return {"median": None, "weakest": [], "weakest_level": None}
    lowest = min(levels.values())
    return {
        "median": statistics.median(levels.values()),
        "weakest": sorted(element for element, level in levels.items() if level == lowest),
        "weakest_level": lowest,
    }


# --- Fingerprints ------------------------------------------------------------------------------------


def fingerprint(payload: object) -> str:
    """A stable digest of a score's inputs, so a stored score says what it was computed from."""
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value
