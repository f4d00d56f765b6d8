"""Within-group agreement rWG(J) is stored with each released result from ten respondents up, shown beside n
on the results page and in the export, and flagged below 0.70 (docs/domain.md section 7.2)."""

from __future__ import annotations

import pytest

from engagement.models import ReadinessResult
from engagement.selectors.surveys import wave_results
from engagement.services.releases import readiness_release
from tests.factories import engagement as ef


def _wave_with(answers: list[tuple[int, int]]):
    """A closed wave whose respondents (all clinical) answered the two trust items as given."""
    wave = ef.WaveFactory(closed=True)
    items = [ef.ItemFactory(instrument=wave.instrument, dimension="trust") for _ in range(2)]
    for first, second in answers:
        response = ef.ResponseFactory(wave=wave, role_group="clinical")
        ef.AnswerFactory(response=response, item=items[0], value=first)
        ef.AnswerFactory(response=response, item=items[1], value=second)
    return wave


# Ten respondents. Item 1: eight 4s, a 5 and a 3: mean 4, SS 2, variance 2/9. Item 2: all 3: variance 0.
# s2 = (2/9 + 0) / 2 = 1/9; s2/sE2 = 1/18; rWG = 2 * 17/18 / (2 * 17/18 + 1/18) = 34/35 = 0.971429.
AGREEING = [(4, 3)] * 8 + [(5, 3), (3, 3)]


def test_release_stores_the_agreement_of_each_group_of_ten_or_more(db):
    wave = _wave_with(AGREEING)

    readiness_release()

    stored = ReadinessResult.objects.filter(wave=wave, dimension="trust").order_by("group_type")
    assert [(r.group_type, r.n) for r in stored] == [("overall", 10), ("role", 10)]
    assert [r.rwg for r in stored] == pytest.approx([34 / 35, 34 / 35], abs=1e-6)


def test_a_group_under_ten_keeps_no_agreement(db):
    wave = _wave_with(AGREEING[:9])

    readiness_release()

    assert [r.rwg for r in ReadinessResult.objects.filter(wave=wave)] == [None, None]


def test_a_group_that_does_not_agree_is_flagged_beside_its_score(db):
    # Each item: five 1s and five 5s: variance 40/9, above the 2 of answers at random: rWG 0.
    wave = _wave_with([(1, 1), (5, 5)] * 5)
    readiness_release()
    wave.refresh_from_db()

    row = wave_results(wave=wave).overall[0]

    assert row.rwg == 0.0
    assert "the group does not agree; one score hides it" in row.flags
    agreeing = _wave_with(AGREEING)
    readiness_release()
    agreeing.refresh_from_db()
    row = wave_results(wave=agreeing).overall[0]
    assert row.rwg == 0.97 and "the group does not agree; one score hides it" not in row.flags
