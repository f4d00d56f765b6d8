"""Measurement quality of the readiness survey and change with its uncertainty (docs/domain.md section 7):
pure formulas on plain numbers, for the worker to compute and store (engagement.services) and the pages to read.

- `reliability`: Cronbach's alpha of one dimension's items with its Feldt 95% interval, each item's corrected
  item-total correlation and the alpha if that item were deleted, on the respondents who answered every item
  (listwise); flags: alpha under 0.70 or over 0.95, an item-total r under 0.30.
- `agreement`: within-group agreement rWG(J) of one group on one dimension's J items; flag under 0.70.
- `change`: the change between two closed waves' scores of a dimension with a Welch 95% interval on the R
  scale (0-100) and its label: improved, declined, or no detectable change.
- `funnel_limits`: a funnel plot's centre and limits for comparing HITs without ranking them.

Sample (n-1) variances throughout. The distributions are scipy's (BSD). Every function returns None, or a
result saying why nothing can be said, where the data cannot carry the figure (too few respondents, no
variance, a single item), never a number that only looks like one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# numpy and scipy are imported by the functions that compute (in the worker), not with the module:
# the models import its flag rules, and a web process need not carry them.

#: Respondents with every item of a dimension answered needed for its alpha.
MIN_RELIABILITY_N = 30
ALPHA_LOW, ALPHA_HIGH, ITEM_TOTAL_LOW = 0.70, 0.95, 0.30
RWG_LOW = 0.70
#: The expected variance of a uniform ("no agreement") answer on an A-point scale: (A^2 - 1) / 12.
FIVE_POINT_NULL_VARIANCE = (5**2 - 1) / 12
MIN_CHANGE_N = 5
#: A respondent mean on the 1-5 scale becomes R on 0-100 as (mean - 1) * 25.
R_PER_POINT = 25
ALERT_Z, ALARM_Z = 1.96, 3.09

IMPROVED, DECLINED, NO_CHANGE = "improved", "declined", "no detectable change"


# --- Reliability of the item bank --------------------------------------------------------------------


@dataclass(frozen=True)
class ItemQuality:
    item: int  # the position of the item in the dimension, as given
    item_total_r: float | None  # None: the item or the rest has no variance
    alpha_if_deleted: float | None  # None: fewer than 3 items, or no variance left

    @property
    def flags(self) -> tuple[str, ...]:
        return item_flags(self.item_total_r)


@dataclass(frozen=True)
class Reliability:
    n: int  # respondents who answered every item
    k: int  # items
    alpha: float | None
    low: float | None  # Feldt 95% interval
    high: float | None
    items: tuple[ItemQuality, ...]
    reason: str = ""  # why there is no alpha

    @property
    def flags(self) -> tuple[str, ...]:
        return reliability_flags(self.alpha)


def reliability_flags(alpha: float | None) -> tuple[str, ...]:
    """The flags of a dimension's alpha (also of a stored one): under 0.70, over 0.95."""
    if alpha is None:
        return ()
    if alpha < ALPHA_LOW:
        return ("alpha under 0.70: the items may not measure one thing",)
    if alpha > ALPHA_HIGH:
        return ("alpha over 0.95: some items may repeat each other",)
    return ()


def item_flags(item_total_r: float | None) -> tuple[str, ...]:
    """The flag of an item's corrected item-total correlation: under 0.30."""
    if item_total_r is not None and item_total_r < ITEM_TOTAL_LOW:
        return ("item-total correlation under 0.30",)
    return ()


def cronbach_alpha(matrix: np.ndarray) -> float | None:
    """Alpha of an n x k matrix of complete answers: k/(k-1) * (1 - sum of item variances / variance of the
    totals). None for fewer than two items or totals without variance."""
    import numpy as np

    n, k = matrix.shape
    if k < 2 or n < 2:
        return None
    total_variance = float(np.var(matrix.sum(axis=1), ddof=1))
    if total_variance == 0:
        return None
    item_variances = float(np.var(matrix, axis=0, ddof=1).sum())
    return k / (k - 1) * (1 - item_variances / total_variance)


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's interval: [1 - (1 - a) F(1 - p/2; n-1, (n-1)(k-1)), 1 - (1 - a) F(p/2; ...)]."""
    from scipy import stats  # type: ignore[import-untyped]

    tail = (1 - level) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * float(stats.f.ppf(1 - tail, df1, df2))
    high = 1 - (1 - alpha) * float(stats.f.ppf(tail, df1, df2))
    return low, high


def reliability(answers: Sequence[Sequence[int | None]], *, min_n: int = MIN_RELIABILITY_N) -> Reliability:
    """The reliability of one dimension from each respondent's answers to its k items (None: not answered;
    such a respondent is left out: listwise)."""
    import numpy as np

    complete = [row for row in answers if row and all(value is not None for value in row)]
    k = len(answers[0]) if answers else 0
    if k < 2:
        return Reliability(
            len(complete), k, None, None, None, (), "a single item has no internal consistency"
        )
    if len(complete) < min_n:
        return Reliability(
            len(complete), k, None, None, None, (), f"fewer than {min_n} respondents answered every item"
        )
    matrix = np.array(complete, dtype=float)
    alpha = cronbach_alpha(matrix)
    if alpha is None:
        return Reliability(len(complete), k, None, None, None, (), "the answers do not vary")
    low, high = feldt_interval(alpha, len(complete), k)
    totals = matrix.sum(axis=1)
    items = []
    for index in range(k):
        rest = totals - matrix[:, index]
        items.append(
            ItemQuality(
                item=index,
                item_total_r=_correlation(matrix[:, index], rest),
                alpha_if_deleted=cronbach_alpha(np.delete(matrix, index, axis=1)) if k > 2 else None,
            )
        )
    return Reliability(len(complete), k, alpha, low, high, tuple(items))


def _correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    import numpy as np

    if float(np.std(x)) == 0 or float(np.std(y)) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


# --- Agreement within a group ------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    rwg: float | None  # None: fewer than two respondents
    n: int

    @property
    def flags(self) -> tuple[str, ...]:
        if self.rwg is not None and self.rwg < RWG_LOW:
            return ("the group does not agree; one score hides it",)
        return ()


def agreement(
    answers: Sequence[Sequence[int | None]], *, null_variance: float = FIVE_POINT_NULL_VARIANCE
) -> Agreement:
    """rWG(J) of a group on J items: s2 = the mean of the items' sample variances (each over the members who
    answered it), rWG = J(1 - s2/sE2) / (J(1 - s2/sE2) + s2/sE2); 0 when s2 >= sE2."""
    import numpy as np

    n = len(answers)
    items = len(answers[0]) if answers else 0
    variances = []
    for index in range(items):
        values = [row[index] for row in answers if row[index] is not None]
        if len(values) >= 2:
            variances.append(float(np.var(np.array(values, dtype=float), ddof=1)))
    if n < 2:
        return Agreement(None, n)
    return Agreement(rwg(variances, null_variance=null_variance), n)


def rwg(variances: Sequence[float], *, null_variance: float = FIVE_POINT_NULL_VARIANCE) -> float | None:
    """rWG(J) from the J items' sample variances within the group (None without any)."""
    if not variances:
        return None
    j = len(variances)
    s2 = sum(variances) / j
    if s2 >= null_variance:
        return 0.0
    share = 1 - s2 / null_variance
    return j * share / (j * share + s2 / null_variance)


def sample_variance(n: int, total: float, squares: float) -> float | None:
    """The sample variance of n values from their sum and sum of squares (None under two values)."""
    if n < 2:
        return None
    return max(0.0, (squares - total * total / n) / (n - 1))


# --- Change between two waves ------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    difference: float | None  # R2 - R1 on the 0-100 scale
    low: float | None
    high: float | None
    label: str  # improved, declined, no detectable change; or why nothing can be said
    df: float | None = None


def change(before: Sequence[float], after: Sequence[float], *, min_n: int = MIN_CHANGE_N) -> Change:
    """The change of a dimension between two closed waves from each respondent's mean (1-5) in each: the
    difference of the means on the R scale with a Welch 95% interval (Welch-Satterthwaite degrees of freedom)."""
    import numpy as np
    from scipy import stats  # type: ignore[import-untyped]

    n1, n2 = len(before), len(after)
    if n1 < min_n or n2 < min_n:
        return Change(None, None, None, f"fewer than {min_n} respondents in a wave: no comparison")
    m1, m2 = float(np.mean(before)), float(np.mean(after))
    v1, v2 = float(np.var(before, ddof=1)), float(np.var(after, ddof=1))
    difference = (m2 - m1) * R_PER_POINT
    se2 = v1 / n1 + v2 / n2
    if se2 == 0:
        label = NO_CHANGE if difference == 0 else (IMPROVED if difference > 0 else DECLINED)
        return Change(difference, difference, difference, label)
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    half = float(stats.t.ppf(0.975, df)) * math.sqrt(se2) * R_PER_POINT
    low, high = difference - half, difference + half
    label = IMPROVED if low > 0 else DECLINED if high < 0 else NO_CHANGE
    return Change(difference, low, high, label, df)


# --- Comparing HITs: the funnel plot -----------------------------------------------------------------


@dataclass(frozen=True)
class FunnelPoint:
    n: int
    alert_low: float
    alert_high: float
    alarm_low: float
    alarm_high: float


def funnel_limits(
    points: Sequence[tuple[float, int]], pooled_sd: float, ns: Sequence[int]
) -> tuple[float, list[FunnelPoint]]:
    """The centre (the n-weighted mean of the plotted scores) and, for each n in `ns`, the limits
    centre +- z * s / sqrt(n) (z 1.96: alert, 3.09: alarm) with s the pooled SD on the R scale."""
    total = sum(n for _score, n in points)
    centre = sum(score * n for score, n in points) / total if total else 0.0
    limits = []
    for n in ns:
        spread = pooled_sd / math.sqrt(n)
        limits.append(
            FunnelPoint(
                n,
                centre - ALERT_Z * spread,
                centre + ALERT_Z * spread,
                centre - ALARM_Z * spread,
                centre + ALARM_Z * spread,
            )
        )
    return centre, limits
