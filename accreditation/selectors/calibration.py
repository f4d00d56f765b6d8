"""The round board's reviewer calibration, as the worker stored it (accreditation.services.calibration)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from accreditation.domain.review_stats import Calibrated
from accreditation.models import RoundCalibration


@dataclass(frozen=True)
class StoredCalibration:
    """Per application id its Calibrated result; computed_at None: never computed yet."""

    results: dict[int, Calibrated] = field(default_factory=dict)
    computed_at: datetime.datetime | None = None


def stored_calibration(*, round_id: int) -> StoredCalibration:
    """One query: the stored calibration of a round (empty, with no time, when never computed)."""
    stored = RoundCalibration.objects.filter(round_id=round_id).only("results", "computed_at").first()
    if stored is None:
        return StoredCalibration()
    return StoredCalibration(
        results={
            int(row["application"]): Calibrated(
                application=int(row["application"]),
                raw=row["raw"],
                calibrated=row["calibrated"],
                reviews=int(row["reviews"]),
                calibrated_reviews=int(row["calibrated_reviews"]),
            )
            for row in stored.results
        },
        computed_at=stored.computed_at,
    )
