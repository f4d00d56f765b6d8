"""Levels are decided on exact values (docs/domain.md section 5.1): an R of exactly 100/3 or 200/3 lands on
the same side whatever order the floating-point sums took."""

from __future__ import annotations

import itertools
from fractions import Fraction

from engagement.domain.scoring import dimension_result, indicative_level


def _sets_of_five(total: int) -> list[tuple[int, ...]]:
    """Every set of five three-item respondents (each a sum of three answers 1-5, so 3..15) whose sums add
    up to `total`, as sorted tuples."""
    return [sums for sums in itertools.combinations_with_replacement(range(3, 16), 5) if sum(sums) == total]


def test_every_set_of_five_with_r_exactly_100_over_3_is_bureaucratic_in_any_order():
    # R = (mean - 1) * 25 = 100/3  <=>  mean = 7/3  <=>  the fifteen answers add up to 35.
    sets = _sets_of_five(35)
    assert len(sets) > 100
    for sums in sets:
        assert (Fraction(sum(sums), 15) - 1) * 25 == Fraction(100, 3)
        for order in (sums, sums[::-1], sums[1:] + sums[:1]):
            result = dimension_result("trust", [s / 3 for s in order])
            assert result.level == 2, order


def test_every_set_of_five_with_r_exactly_200_over_3_is_generative():
    # mean = 11/3: the fifteen answers add up to 55.
    for sums in _sets_of_five(55):
        for order in (sums, sums[::-1]):
            assert dimension_result("trust", [s / 3 for s in order]).level == 3, order


def test_respondent_means_of_7_over_3_and_11_over_3():
    assert dimension_result("trust", [7 / 3] * 5).level == 2
    assert dimension_result("trust", [11 / 3] * 5).level == 3
    # Just below each threshold stays below: one answer less among fifteen.
    assert dimension_result("trust", [7 / 3] * 4 + [6 / 3]).level == 1
    assert dimension_result("trust", [11 / 3] * 4 + [10 / 3]).level == 2


def test_display_rounding_never_decides_the_level():
    assert indicative_level(33.3333334) == 2  # shown as 33
    assert indicative_level(33.3333) == 1  # a true R a ten-thousandth below: pathological
    assert indicative_level(66.666666) == 2 and indicative_level(66.6666667) == 3


def test_a_switched_off_commissioner_category_raises_no_commissioner_flag():
    from engagement.domain.scoring import CategorySpec, coverage

    on = [CategorySpec("COMM", "Commissioners"), CategorySpec("PROV", "Providers")]
    off = [CategorySpec("COMM", "Commissioners", counts=False), CategorySpec("PROV", "Providers")]

    assert coverage(categories=on, depths={"COMM": 3, "PROV": 1}).commissioner_in_leadership is True
    result = coverage(categories=off, depths={"COMM": 3, "PROV": 1})
    assert result.commissioner_in_leadership is False
    assert result.category_depths == {"PROV": 1} and result.breadth == 1.0
