"""XmR charts and their special-cause rules (reporting.domain.spc) on series worked by hand here."""

from __future__ import annotations

import pytest

from reporting.domain import spc

# Twelve points alternating 10 and 12: mean 11; every moving range 2, mean 2; limits 11 +- 5.32.
STEADY = [10, 12] * 6


def test_centre_and_limits_from_the_mean_moving_range():
    chart = spc.xmr(STEADY)

    assert chart.mean == pytest.approx(11)
    assert (chart.lower, chart.upper) == pytest.approx((5.68, 16.32))
    assert all(rules == () for rules in chart.signals)


def test_fewer_than_twelve_points_give_no_limits():
    chart = spc.xmr(STEADY[:11])

    assert (chart.mean, chart.lower, chart.upper) == (None, None, None)
    assert chart.signals == ((),) * 11


def test_a_point_beyond_a_limit():
    # Eleven alternating points (six 10s, five 12s: 120) then 40: mean 160 / 12; moving ranges ten of 2 and
    # 10 -> 40 = 30: mean 50 / 11.
    values = [*STEADY[:11], 40]
    chart = spc.xmr(values)

    assert chart.mean == pytest.approx(160 / 12)
    assert chart.upper == pytest.approx(160 / 12 + 2.66 * 50 / 11)
    assert spc.BEYOND in chart.signals[-1]
    assert all(spc.BEYOND not in rules for rules in chart.signals[:-1])


def test_seven_in_a_row_on_one_side_of_the_mean():
    # Five points of 10, then seven of 12: mean (50 + 84) / 12 = 11.1667; the seven 12s are all above it.
    chart = spc.xmr([10] * 5 + [12] * 7)

    assert [spc.SHIFT in rules for rules in chart.signals] == [False] * 5 + [True] * 7
    # Six in a row (six 10s below the mean of 11, six 12s above) are not enough.
    six = spc.xmr([10] * 6 + [12] * 6)
    assert all(spc.SHIFT not in rules for rules in six.signals)


def test_seven_points_rising_make_a_trend():
    # 10 12 10 12 10 then 11 12 13 14 15 16 17: the last seven points rise (six rises from 11).
    values = [10, 12, 10, 12, 10, 11, 12, 13, 14, 15, 16, 17]
    chart = spc.xmr(values)

    marked = [i for i, rules in enumerate(chart.signals) if spc.TREND in rules]
    # 10 (index 4) -> 11 is a rise too: the rising run is points 4..11, eight points.
    assert marked == list(range(4, 12))


def test_two_of_three_beyond_two_thirds_of_the_way_to_a_limit():
    # Sum 142, mean 11.833; moving ranges below; two thirds of the way to the upper limit is 16.02.
    values = [10, 12, 10, 12, 10, 12, 15, 12, 15, 12, 10, 12]
    chart = spc.xmr(values)
    mean = sum(values) / 12  # 142 / 12 = 11.833
    moving = [2, 2, 2, 2, 2, 3, 3, 3, 3, 2, 2]  # |differences| by hand, mean 26 / 11
    assert chart.mean == pytest.approx(mean)
    assert chart.upper - chart.mean == pytest.approx(2.66 * sum(moving) / 11)
    # Two thirds of the way: 2/3 * 2.66 * 26/11 = 4.19 above 11.833 = 16.02: 15 is not beyond it.
    assert all(spc.NEAR_LIMIT not in rules for rules in chart.signals)
    values[6] = values[8] = 17  # the limits move with them: recomputed by hand below
    chart = spc.xmr(values)
    # mean 146/12 = 12.167; moving ranges 2,2,2,2,2,5,5,5,5,2,2 = 34, mean 34/11 = 3.0909;
    # two thirds of the way: 2/3 * 2.66 * 3.0909 = 5.481 -> 17.648: 17 is not beyond; a third point at 18 is.
    assert all(spc.NEAR_LIMIT not in rules for rules in chart.signals)
    values = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 19, 19]
    chart = spc.xmr(values)
    # mean 148/12 = 12.333; moving ranges 2,2,2,2,2,2,2,2,2,7,0 = 25, mean 2.2727; limit distance 6.045;
    # two thirds of it 4.03 -> 16.36: both 19s are beyond it (and beyond the upper limit, 18.38).
    assert spc.NEAR_LIMIT in chart.signals[10] and spc.NEAR_LIMIT in chart.signals[11]
    assert spc.BEYOND in chart.signals[10]


def test_each_signal_carries_its_direction():
    # Eleven points alternating 10, 16 and a last point of 40: beyond the upper limit, above the mean.
    values = [10.0 if i % 2 == 0 else 16.0 for i in range(11)] + [40.0]
    chart = spc.xmr(values)

    assert chart.directions[-1] == ((spc.BEYOND, 1),)
    assert all(not d for d in chart.directions[:-1])
    # Falling by one each month: a trend of twelve falling points, the first six above the mean.
    falling = spc.xmr([float(12 - i) for i in range(12)])
    assert dict(falling.directions[0])[spc.TREND] == -1
    assert dict(falling.directions[-1])[spc.TREND] == -1
    # A run of seven below the mean: 0 x 7 then 10 x 5 (mean 50 / 12 = 4.17).
    shifted = spc.xmr([0.0] * 7 + [10.0] * 5)
    assert dict(shifted.directions[0])[spc.SHIFT] == -1
    assert spc.xmr([1.0] * 11).directions == tuple(() for _ in range(11))  # a run chart: no rules
