"""The formulas of docs/domain.md section 5 against hand-computed cases (no database)."""

import pytest

from engagement.domain import scoring
from engagement.domain.scoring import CategorySpec, ItemSpec

SEVEN = [
    CategorySpec("PROV", "Providers"),
    CategorySpec("COMM", "Commissioners"),
    CategorySpec("STAFF", "Staff"),
    CategorySpec("PUBLIC", "Public"),
    CategorySpec("OPS", "Other public sector"),
    CategorySpec("NONNHS", "Non-NHS"),
    CategorySpec("RESEARCH", "Research"),
]
DEPTHS = {"PROV": 3, "STAFF": 2, "PUBLIC": 1, "RESEARCH": 3}


def test_coverage_hand_computed():
    result = scoring.coverage(categories=SEVEN, depths=DEPTHS)

    # 4 of 7 covered; W = (3+0+2+1+0+0+3) / (3 x 7); L = 2 of 7 at depth 3
    assert result.breadth == pytest.approx(4 / 7, abs=1e-6)
    assert result.degrees == pytest.approx(360 * 4 / 7, abs=1e-3)
    assert result.weighted == pytest.approx(9 / 21, abs=1e-6)
    assert result.leadership == pytest.approx(2 / 7, abs=1e-6)
    assert result.commissioner_in_leadership is False
    assert [(g["code"], g["stressed"]) for g in result.gaps] == [
        ("COMM", True),
        ("OPS", False),
        ("NONNHS", False),
    ]


def test_coverage_disabled_category_is_left_out_of_every_ratio():
    categories = [*SEVEN[:6], CategorySpec("RESEARCH", "Research", counts=False)]

    result = scoring.coverage(categories=categories, depths=DEPTHS)

    assert result.breadth == 0.5
    assert result.degrees == 180.0
    assert result.weighted == pytest.approx(6 / 18, abs=1e-6)
    assert result.leadership == pytest.approx(1 / 6, abs=1e-6)
    assert "RESEARCH" not in result.category_depths


def test_coverage_weights():
    categories = [CategorySpec(c.code, c.name, weight=2.0 if c.code == "COMM" else 1.0) for c in SEVEN]

    result = scoring.coverage(categories=categories, depths={"COMM": 3})

    # sum of weights 8; W = 2 x 3 / (3 x 8)
    assert result.weighted == 0.25
    assert result.commissioner_in_leadership is True


def test_coverage_names_blind_spots_even_when_category_is_covered():
    result = scoring.coverage(
        categories=SEVEN,
        depths={c.code: 2 for c in SEVEN},
        has_mental_health_provider=False,
        has_local_authority=False,
    )

    assert result.breadth == 1.0
    assert [g["code"] for g in result.gaps] == ["mental_health", "local_authority"]
    assert all(g["stressed"] for g in result.gaps)


def test_coverage_with_no_enabled_category_is_zero():
    result = scoring.coverage(
        categories=[CategorySpec("PROV", "Providers", counts=False)], depths={"PROV": 3}
    )

    assert (result.breadth, result.weighted, result.leadership) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("public_depth", "forum", "expected"),
    [
        (0, None, 0),
        (1, "none", 1),
        (0, "delivery", 1),
        (2, "delivery", 2),
        (1, "commissioning", 3),
        (3, None, 3),
    ],
)
def test_ppi_depth_takes_the_deeper_of_map_and_log(public_depth, forum, expected):
    assert scoring.ppi_depth(public_stakeholder_depth=public_depth, best_forum=forum) == expected


TRUST = [ItemSpec("TR1", "trust"), ItemSpec("TR2", "trust", reverse=True), ItemSpec("TR3", "trust")]


def test_respondent_mean_reverse_codes_and_ignores_dont_know():
    means = scoring.respondent_means(answers={"TR1": 4, "TR2": 2, "TR3": None}, items=TRUST)

    # TR2 reverse-coded: 6 - 2 = 4; two of three answered (>= 50%)
    assert means == {"trust": 4.0}


def test_respondent_counts_only_with_half_the_items_answered():
    assert scoring.respondent_means(answers={"TR1": 5, "TR3": None}, items=TRUST) == {}


def test_respondent_answer_out_of_range_is_refused():
    with pytest.raises(ValueError, match="outside 1-5"):
        scoring.respondent_means(answers={"TR1": 6, "TR2": 1}, items=TRUST)


def test_dimension_result_four_respondents_is_suppressed():
    result = scoring.dimension_result("trust", [4, 4, 3, 2])

    assert result == scoring.DimensionResult(dimension="trust", n=4, suppressed=True)


def test_dimension_result_five_respondents_hand_computed_without_spread():
    result = scoring.dimension_result("trust", [4, 4, 3, 2, 5])

    # mean 3.6; R = (3.6 - 1) / 4 x 100 = 65 -> bureaucratic; no SD or % agreeing below ten
    assert result.n == 5
    assert result.suppressed is False
    assert result.mean == pytest.approx(3.6)
    assert result.sd is None
    assert result.pct_agree is None
    assert result.score == pytest.approx(65.0)
    assert result.level == 2


def test_dimension_result_nine_respondents_keeps_no_spread():
    result = scoring.dimension_result("trust", [4, 4, 3, 2, 5, 4, 4, 3, 2])

    assert (result.n, result.sd, result.pct_agree) == (9, None, None)


def test_dimension_result_ten_respondents_hand_computed_with_spread():
    result = scoring.dimension_result("trust", [4, 4, 3, 2, 5, 4, 4, 3, 2, 5])

    # mean 3.6; squared deviations 2 x (0.16 + 0.16 + 0.36 + 2.56 + 1.96) = 10.4, sample SD
    # sqrt(10.4 / 9); 6 of 10 at >= 4
    assert result.n == 10
    assert result.sd == pytest.approx((10.4 / 9) ** 0.5, abs=1e-6)
    assert result.pct_agree == 60.0
    assert result.score == pytest.approx(65.0)


@pytest.mark.parametrize(
    ("score", "shown"), [(None, None), (64.5, 65), (64.499999, 64), (65.0, 65), (0.4, 0), (99.5, 100)]
)
def test_shown_score_rounds_half_up_to_a_whole_number(score, shown):
    assert scoring.shown_score(score) == shown


def test_shown_spread_rounds_sd_to_one_decimal_and_percent_to_whole():
    assert (scoring.shown_sd(0.355605), scoring.shown_sd(0.25), scoring.shown_sd(None)) == (0.4, 0.3, None)
    assert (scoring.shown_percent(73.333333), scoring.shown_percent(12.5)) == (73, 13)


@pytest.mark.parametrize(("score", "level"), [(0, 1), (33.3, 1), (33.34, 2), (66.6, 2), (66.67, 3), (100, 3)])
def test_indicative_level_boundaries(score, level):
    assert scoring.indicative_level(score) == level


def test_group_results_counts_only_respondents_with_the_dimension():
    respondents = [{"trust": 5.0, "faith": 1.0}, *({"trust": 3.0} for _ in range(4))]

    results = scoring.group_results(respondents, ["trust", "faith"])

    assert results["trust"].n == 5
    assert results["trust"].score == pytest.approx((3.4 - 1) / 4 * 100)
    assert results["faith"].suppressed is True


def test_divergence_needs_two_unsuppressed_groups():
    assert scoring.divergence([70.0, None, 40.0]) == 30.0
    assert scoring.divergence([70.0, None]) is None


def test_maturity_profile_median_and_weakest():
    profile = scoring.maturity_profile(
        {"trust": 1, "faith": 2, "clarity": 3, "sharedness": 1, "legitimacy": 3}
    )

    assert profile == {"median": 2, "weakest": ["sharedness", "trust"], "weakest_level": 1}


def test_fingerprint_is_stable_and_order_independent():
    assert scoring.fingerprint({"a": 1, "b": [1, 2]}) == scoring.fingerprint({"b": [1, 2], "a": 1})
    assert scoring.fingerprint({"a": 1}) != scoring.fingerprint({"a": 2})
