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


# --- Reviewer calibration (docs/domain.md section 7.5) ---------------------------------------------------

#: A reviewer's totals are put on their own scale only from this many reviews in the round.
MIN_REVIEWS = 3


@dataclass(frozen=True)
class Calibrated:
    """One application's raw mean total and calibrated score (None: no reviewer could be calibrated)."""

    application: int
    raw: float | None  # mean of its reviewers' totals
    calibrated: float | None  # mean of its calibrated reviewers' z-scores
    reviews: int  # totals counted in `raw`
    calibrated_reviews: int  # z-scores counted in `calibrated`


def reviewer_z_scores(totals: Sequence[tuple[int, int, float]]) -> dict[tuple[int, int], float]:
    """(reviewer, application, total) -> z-score of each total against the reviewer's own mean and
    sample SD in the round, for reviewers with at least MIN_REVIEWS totals.

    A reviewer whose totals are all equal (SD 0) gave no spread to calibrate against: each of their
    totals is at their mean, so their z-scores are 0 (they neither lift nor sink an application)."""
    by_reviewer: dict[int, list[tuple[int, float]]] = {}
    for reviewer, application, total in totals:
        by_reviewer.setdefault(reviewer, []).append((application, total))
    found: dict[tuple[int, int], float] = {}
    for reviewer, given in by_reviewer.items():
        if len(given) < MIN_REVIEWS:
            continue
        values = [total for _application, total in given]
        mean = statistics.fmean(values)
        sd = statistics.stdev(values)
        for application, total in given:
            found[(reviewer, application)] = (total - mean) / sd if sd > 0 else 0.0
    return found


def calibrate(totals: Sequence[tuple[int, int, float]]) -> dict[int, Calibrated]:
    """Per application: the raw mean of its totals and the mean of its reviewers' z-scores
    (reviewers with fewer than MIN_REVIEWS reviews in the round count in the raw mean only)."""
    z_scores = reviewer_z_scores(totals)
    raw: dict[int, list[float]] = {}
    calibrated: dict[int, list[float]] = {}
    for reviewer, application, total in totals:
        raw.setdefault(application, []).append(total)
        if (reviewer, application) in z_scores:
            calibrated.setdefault(application, []).append(z_scores[(reviewer, application)])
    return {
        application: Calibrated(
            application=application,
            raw=statistics.fmean(values),
            calibrated=statistics.fmean(calibrated[application]) if application in calibrated else None,
            reviews=len(values),
            calibrated_reviews=len(calibrated.get(application, [])),
        )
        for application, values in raw.items()
    }


def order(results: Mapping[int, Calibrated], *, calibrated: bool) -> list[int]:
    """Application ids from the highest score down (raw or calibrated); applications without that
    score last; ties by id. An aid to the chair's discussion: the decisions stay with people."""

    def key(application: int) -> tuple[bool, float, int]:
        value = results[application].calibrated if calibrated else results[application].raw
        return (value is None, -(value or 0.0), application)

    return sorted(results, key=key)
