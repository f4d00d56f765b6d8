"""core.db.fast_insert: COPY on PostgreSQL, executemany on SQLite, the same rows stored either way
(./scripts/test.sh runs this on both)."""

from __future__ import annotations

import datetime

from core.db import fast_insert
from engagement.models import ReadinessResult
from engagement.services.releases import READINESS_COLUMNS
from tests.factories import engagement as ef

MOMENT = datetime.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC)
# Text that COPY's formats must escape: its delimiters, quotes, line breaks, its NULL marker and
# end-of-data marker, and characters beyond ASCII.
AWKWARD_LABELS = [
    'A "quoted" name, with a comma',
    "Tab\there, a newline\nthere, a backslash \\N and \\.",
    "Ünïcode — “curly quotes” and ❤",
    "",
]


def _row(wave_id: int, key: str, label: str, *, suppressed: bool = False) -> tuple:
    # score, mean, sd, pct_agree, rwg
    figures = (None, None, None, None, None) if suppressed else (1 / 3, 3.5, 0.25, 50.0, 0.75)
    return (wave_id, "organisation", key, label, "trust", 12, suppressed, *figures, 2, "f" * 64, MOMENT)


def test_fast_insert_stores_awkward_text_nulls_booleans_floats_and_times_as_given(db):
    wave = ef.WaveFactory(released=True)
    rows = [_row(wave.pk, f"k{index}", label) for index, label in enumerate(AWKWARD_LABELS)]
    rows.append(_row(wave.pk, "k9", "Suppressed", suppressed=True))

    written = fast_insert(ReadinessResult, READINESS_COLUMNS, iter(rows))

    assert written == 5
    stored = ReadinessResult.objects.filter(wave=wave).order_by("group_key").values_list(*READINESS_COLUMNS)
    assert list(stored) == rows


def test_fast_insert_with_no_rows_writes_nothing(db):
    wave = ef.WaveFactory(released=True)

    written = fast_insert(ReadinessResult, READINESS_COLUMNS, [])

    assert written == 0
    assert ReadinessResult.objects.filter(wave=wave).count() == 0
