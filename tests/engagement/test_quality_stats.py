"""The measurement-quality formulas (engagement.domain.quality) against fixtures computed by hand in the
comments here (docs/domain.md section 7), including the edge cases: too few respondents, no variance, a
single item, missing answers."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from engagement.domain import quality

# Five respondents, three items (1-5). Worked by hand:
#   item 1: 1 2 3 4 5  mean 3    SS 10   var 2.5
#   item 2: 2 2 3 4 4  mean 3    SS 4    var 1.0
#   item 3: 2 3 3 5 4  mean 3.4  SS 5.2  var 1.3      sum of item variances 4.8
#   totals: 5 7 9 13 13  mean 9.4  SS 51.2  var 12.8
#   alpha = 3/2 * (1 - 4.8/12.8) = 0.9375
#   without item 1: items 2+3 = 4 5 6 9 8, var 4.3; alpha = 2 * (1 - 2.3/4.3) = 0.930233
#   item 1 against the rest (4 5 6 9 8): SP 12, SSx 10, SSy 17.2; r = 12 / sqrt(172) = 0.914991
FIVE = [[1, 2, 2], [2, 2, 3], [3, 3, 3], [4, 4, 5], [5, 4, 4]]


def test_cronbach_alpha_item_total_and_alpha_if_deleted():
    result = quality.reliability(FIVE, min_n=5)

    assert (result.n, result.k) == (5, 3)
    assert result.alpha == pytest.approx(0.9375)
    assert result.items[0].alpha_if_deleted == pytest.approx(0.930233, abs=1e-6)
    assert result.items[0].item_total_r == pytest.approx(0.914991, abs=1e-6)
    assert result.flags == ()  # 0.70 <= alpha <= 0.95


def test_feldt_interval_is_the_f_quantiles_of_its_definition():
    result = quality.reliability(FIVE, min_n=5)
    df1, df2 = 4, 8  # n - 1, (n - 1)(k - 1)

    # 1 - low = (1 - alpha) * F(0.975); 1 - high = (1 - alpha) * F(0.025)
    assert stats.f.cdf((1 - result.low) / (1 - 0.9375), df1, df2) == pytest.approx(0.975)
    assert stats.f.cdf((1 - result.high) / (1 - 0.9375), df1, df2) == pytest.approx(0.025)
    assert result.low < 0.9375 < result.high


def test_missing_answers_leave_the_respondent_out_and_too_few_give_no_alpha():
    with_gap = [*FIVE, [5, None, 4]]

    assert quality.reliability(with_gap, min_n=5).n == 5
    too_few = quality.reliability(with_gap)  # needs 30 complete respondents
    assert too_few.alpha is None and "fewer than 30" in too_few.reason


def test_a_single_item_or_no_variance_gives_no_alpha():
    assert "single item" in quality.reliability([[3]] * 40).reason
    flat = quality.reliability([[3, 3, 3]] * 40)
    assert flat.alpha is None and flat.reason == "the answers do not vary"


def test_alpha_flags_low_and_high():
    # Two items that disagree: 1 5 / 5 1 / 3 3 / 2 4 / 4 2: totals all 6, so no total variance: no alpha;
    # add one varying row pair to get a low alpha: worked below by sign only.
    opposed = [[1, 5], [5, 1], [3, 3], [2, 4], [4, 2], [3, 4]]
    low = quality.reliability(opposed, min_n=5)
    assert low.alpha is not None and low.alpha < 0.70 and "under 0.70" in low.flags[0]
    # Identical items: alpha = 1 (> 0.95).
    same = [[v, v, v] for v in (1, 2, 3, 4, 5)]
    assert quality.reliability(same, min_n=5).alpha == pytest.approx(1.0)
    assert "over 0.95" in quality.reliability(same, min_n=5).flags[0]


# rWG(J), three members, two items. By hand:
#   item 1: 3 3 4  var (1/9 + 1/9 + 4/9) / 2 = 1/3;  item 2: 2 4 3  var 1
#   s2 = (1/3 + 1) / 2 = 2/3; sE2 = 2; s2/sE2 = 1/3; rWG = 2 * 2/3 / (2 * 2/3 + 1/3) = 0.8
def test_rwg_of_a_group():
    result = quality.agreement([[3, 2], [3, 4], [4, 3]])

    assert result.rwg == pytest.approx(0.8)
    assert result.flags == ()


def test_rwg_is_zero_when_the_group_varies_more_than_chance_and_flags_it():
    result = quality.agreement([[1, 1], [5, 5]])  # each item: var 8 >= 2

    assert result.rwg == 0.0
    assert result.flags == ("the group does not agree; one score hides it",)
    assert quality.agreement([[3, 3]]).rwg is None  # one member: nothing to agree


# Welch change. Before: 2 3 3 4 3 (mean 3, var 0.5); after: 3 4 4 5 4 (mean 4, var 0.5).
#   d = 1 * 25 = 25; se2 = 0.5/5 + 0.5/5 = 0.2; df = 0.04 / (0.01/4 + 0.01/4) = 8; t(0.975, 8) = 2.306 (table);
#   half = 2.306 * sqrt(0.2) * 25 = 25.782: the interval (-0.78, 50.78) holds 0: no detectable change.
def test_change_with_an_interval_that_holds_zero_is_no_detectable_change():
    result = quality.change([2, 3, 3, 4, 3], [3, 4, 4, 5, 4])

    assert result.difference == pytest.approx(25)
    assert result.df == pytest.approx(8)
    assert result.low == pytest.approx(25 - 25.782, abs=0.01)
    assert result.high == pytest.approx(25 + 25.782, abs=0.01)
    assert result.label == quality.NO_CHANGE


# After: 4 4.5 4.5 5 4.5 (mean 4.5, var 0.125). d = 37.5; se2 = 0.1 + 0.025 = 0.125;
#   df = 0.015625 / (0.01/4 + 0.000625/4) = 5.882; t(0.975, 5.88) is about 2.46, half about 21.8: low > 0.
def test_change_whose_interval_is_above_zero_is_an_improvement_and_below_a_decline():
    up = quality.change([2, 3, 3, 4, 3], [4, 4.5, 4.5, 5, 4.5])

    assert up.difference == pytest.approx(37.5)
    assert up.df == pytest.approx(5.882, abs=0.001)
    assert up.label == quality.IMPROVED and up.low > 0
    down = quality.change([4, 4.5, 4.5, 5, 4.5], [2, 3, 3, 4, 3])
    assert down.label == quality.DECLINED and down.high < 0


def test_change_needs_five_respondents_in_each_wave_and_handles_zero_variance():
    assert quality.change([3, 3, 3, 3], [4, 4, 4, 4, 4]).difference is None
    flat = quality.change([3] * 5, [3] * 5)
    assert (flat.difference, flat.label) == (0, quality.NO_CHANGE)


# Funnel: HITs at R 60 (n 10) and R 40 (n 30): centre (600 + 1200) / 40 = 45. Pooled SD 20, at n 25 the
# spread is 20 / 5 = 4: alert 45 +- 7.84, alarm 45 +- 12.36.
def test_funnel_limits():
    centre, limits = quality.funnel_limits([(60, 10), (40, 30)], 20, [25])

    assert centre == pytest.approx(45)
    (point,) = limits
    assert (point.alert_low, point.alert_high) == pytest.approx((37.16, 52.84))
    assert (point.alarm_low, point.alarm_high) == pytest.approx((32.64, 57.36))
    assert math.isclose(point.n, 25)
