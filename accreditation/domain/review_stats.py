"""Per-criterion statistics of the panel's scores: pure functions, no database.

The chair reads agreement between reviewers from these numbers: the mean and median say where the
panel stands, the spread (highest minus lowest) and the sample standard deviation say how far
apart the reviewers are, so a large spread marks a criterion to discuss before deciding.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from accreditation.domain.criteria import Criterion


@dataclass(frozen=True)
class CriterionStats:
    criterion: Criterion
    scores: tuple[int, ...]
    mean: float | None
    median: float | None
    spread: int | None  # highest minus lowest
    sd: float | None  # sample standard deviation; needs two scores

    @property
    def n(self) -> int:
        return len(self.scores)


def stats_for(criterion: Criterion, scores: Iterable[int | None]) -> CriterionStats:
    """The statistics of one criterion's scores; unscored (None) entries are left out."""
    given = tuple(s for s in scores if s is not None)
    if not given:
        return CriterionStats(criterion, given, None, None, None, None)
    return CriterionStats(
        criterion=criterion,
        scores=given,
        mean=statistics.fmean(given),
        median=float(statistics.median(given)),
        spread=max(given) - min(given),
        sd=statistics.stdev(given) if len(given) >= 2 else None,
    )


def criteria_stats(
    criteria: Sequence[Criterion], scores_by_criterion: Mapping[str, Sequence[int | None]]
) -> list[CriterionStats]:
    """One CriterionStats per criterion, in the criteria's order (missing codes have no scores)."""
    return [stats_for(c, scores_by_criterion.get(c.code, ())) for c in criteria]
