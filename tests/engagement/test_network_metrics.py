"""The partnership network's metrics on small hand-drawn networks whose answers are worked out here
(docs/domain.md section 8)."""

from __future__ import annotations

import pytest

from engagement.domain.network import (
    Node,
    Rating,
    Tie,
    asymmetric_pairs,
    co_membership_ties,
    compare,
    fingerprint,
    layout,
    network_metrics,
    ties_from_ratings,
    validate_rating,
)


def nodes(*spec: str) -> list[Node]:
    """nodes("1P", "2C") -> organisation 1 in category P, 2 in category C."""
    return [Node(int(s[:-1]), f"Org {s[:-1]}", s[-1]) for s in spec]


def both_ways(a: int, b: int, level: int = 3) -> list[Rating]:
    return [Rating(a, b, level), Rating(b, a, level)]


def test_star_of_five():
    # Hub 1 tied to 2, 3, 4 and 5; nothing else. Everyone answered about everyone.
    net = nodes("1P", "2C", "3C", "4P", "5R")
    ratings = [r for leaf in (2, 3, 4, 5) for r in both_ways(1, leaf)]
    ratings += [Rating(a, b, 0) for a in (2, 3, 4, 5) for b in (2, 3, 4, 5) if a != b]
    m = network_metrics(net, ratings, respondents=[1, 2, 3, 4, 5])
    assert m.nodes == 5
    assert m.response_rate == 1.0
    assert m.ties == 4
    # 4 ties of 10 possible pairs.
    assert m.density == pytest.approx(0.4)
    # Degrees 4,1,1,1,1: sum(4 - d) = 12, over (n-1)(n-2) = 12.
    assert m.degree_centralization == pytest.approx(1.0)
    # The hub lies on every path between leaves: the most centralized network there is.
    assert m.betweenness_centralization == pytest.approx(1.0)
    assert m.components == 1
    assert m.isolates == ()
    assert m.articulation_points == (1,)
    # Ties: P-C, P-C, P-P, P-R; internal 1 (1-4), external 3.
    assert m.category_matrix == {"C|P": 2, "P|P": 1, "P|R": 1}
    assert m.ei_index == pytest.approx((3 - 1) / 4)
    assert m.asymmetric_pairs == ()
    hub = next(n for n in m.node_metrics if n.id == 1)
    assert hub.degree == 4 and hub.articulation and hub.betweenness == pytest.approx(1.0)


def test_chain_with_one_articulation_point():
    # 1 - 2 - 3: organisation 2 holds the chain together.
    net = nodes("1P", "2P", "3P")
    ratings = [*both_ways(1, 2), *both_ways(2, 3), Rating(1, 3, 0), Rating(3, 1, 0)]
    m = network_metrics(net, ratings, respondents=[1, 2, 3])
    assert m.ties == 2
    assert m.density == pytest.approx(2 / 3)
    assert m.articulation_points == (2,)
    assert m.components == 1
    # A chain of three is a star of two leaves.
    assert m.degree_centralization == pytest.approx(1.0)
    assert m.betweenness_centralization == pytest.approx(1.0)
    # Every tie inside one category.
    assert m.ei_index == pytest.approx(-1.0)


def test_chain_of_four_has_two_articulation_points():
    # 1 - 2 - 3 - 4: degrees 1,2,2,1 -> sum(2 - d) = 2 over (3)(2) = 6.
    net = nodes("1P", "2P", "3P", "4P")
    ratings = [*both_ways(1, 2), *both_ways(2, 3), *both_ways(3, 4)]
    m = network_metrics(net, ratings, respondents=[1, 2, 3, 4])
    assert m.articulation_points == (2, 3)
    assert m.degree_centralization == pytest.approx(2 / 6)
    # Normalised betweenness: 2 and 3 each lie on 2 of the 3 pairs -> 2/3; ends 0.
    # sum(2/3 - b) = 2 * 2/3 = 4/3, over n - 1 = 3.
    assert m.betweenness_centralization == pytest.approx(4 / 9)


def test_two_components_and_an_isolate():
    # 1 - 2 and 3 - 4, with 5 rating no one and rated by no one: three pieces.
    net = nodes("1P", "2C", "3C", "4C", "5R")
    ratings = [*both_ways(1, 2), *both_ways(3, 4), Rating(5, 1, 0), Rating(1, 5, 0)]
    m = network_metrics(net, ratings, respondents=[1, 2, 3, 4])
    assert m.components == 3
    assert m.component_sizes == (2, 2, 1)
    assert m.isolates == (5,)
    assert m.articulation_points == ()
    assert m.response_rate == pytest.approx(4 / 5)
    assert m.density == pytest.approx(2 / 10)
    # One tie P-C (external), one C-C (internal).
    assert m.ei_index == pytest.approx(0.0)


def test_asymmetric_pair_and_tie_strength():
    # 1 says coalition (4) with 2; 2 says networking (1) with 1: they differ by 3 levels.
    # 1 and 3 differ by one level only; 3 says cooperation with 4, who did not answer.
    ratings = [
        Rating(1, 2, 4, 3, 3),
        Rating(2, 1, 1, 2, 2),
        Rating(1, 3, 2),
        Rating(3, 1, 1),
        Rating(3, 4, 2),
    ]
    assert asymmetric_pairs(ratings) == [(1, 2)]
    ties = ties_from_ratings([1, 2, 3, 4], ratings)
    assert ties == [Tie(1, 2, 2.5), Tie(1, 3, 1.5), Tie(3, 4, 2.0)]
    m = network_metrics(nodes("1P", "2P", "3P", "4P"), ratings, respondents=[1, 2, 3])
    assert m.asymmetric_pairs == ((1, 2),)
    assert m.mean_trust == pytest.approx(2.5)


def test_a_tie_needs_one_side_at_level_one():
    # Both say "none": no tie. One says networking, the other none: a tie of strength 0.5.
    ties = ties_from_ratings([1, 2, 3], [*both_ways(1, 2, 0), Rating(2, 3, 1), Rating(3, 2, 0)])
    assert ties == [Tie(2, 3, 0.5)]


def test_ratings_about_an_organisation_need_three_raters():
    net = nodes("1P", "2P", "3P", "4P", "5P")
    two = [Rating(2, 1, 4, 4, 4), Rating(3, 1, 2, 2, 2)]
    m = network_metrics(net, two, respondents=[2, 3])
    org1 = next(n for n in m.node_metrics if n.id == 1)
    assert org1.raters == 2
    assert org1.mean_level is None and org1.mean_trust is None and org1.mean_value is None
    three = [*two, Rating(4, 1, 3, 3, None)]
    org1 = next(n for n in network_metrics(net, three, respondents=[2, 3, 4]).node_metrics if n.id == 1)
    assert org1.mean_level == pytest.approx(3.0)
    assert org1.mean_trust == pytest.approx(3.0)
    # Only two raters gave a value.
    assert org1.mean_value is None


def test_empty_network():
    m = network_metrics([], [])
    assert (m.nodes, m.ties, m.components) == (0, 0, 0)
    assert m.response_rate is None
    assert m.density is None
    assert m.degree_centralization is None and m.betweenness_centralization is None
    assert m.ei_index is None
    assert m.articulation_points == () and m.isolates == ()


def test_one_organisation():
    m = network_metrics(nodes("1P"), [], respondents=[1])
    assert m.nodes == 1 and m.response_rate == 1.0
    assert m.density is None
    assert m.components == 1 and m.isolates == (1,)
    assert m.degree_centralization is None


def test_no_ties():
    net = nodes("1P", "2C", "3R")
    ratings = [Rating(a, b, 0) for a in (1, 2, 3) for b in (1, 2, 3) if a != b]
    m = network_metrics(net, ratings, respondents=[1, 2, 3])
    assert m.ties == 0
    assert m.density == 0.0
    assert m.degree_centralization == 0.0 and m.betweenness_centralization == 0.0
    assert m.components == 3 and m.isolates == (1, 2, 3)
    assert m.ei_index is None
    assert m.category_matrix == {}
    assert m.mean_trust is None


def test_ratings_outside_the_network_and_self_ratings_are_ignored():
    m = network_metrics(nodes("1P", "2P"), [Rating(1, 9, 5), Rating(1, 1, 5)], respondents=[1, 9])
    assert m.ties == 0 and m.respondents == 1


def test_validate_rating():
    assert validate_rating(Rating(1, 2, 3, 4, 1)) == []
    assert validate_rating(Rating(1, 1, 3)) == ["An organisation does not rate itself."]
    assert validate_rating(Rating(1, 2, 6)) == ["Choose a level from 0 (none) to 5 (collaboration)."]
    assert validate_rating(Rating(1, 2, 0, trust=2)) == [
        "Rate trust only for a partner you have a tie with (level 1 or more)."
    ]
    assert validate_rating(Rating(1, 2, 2, value=5)) == ["Choose value from 1 to 4."]


def test_co_membership_network_has_no_response_rate():
    # Management group {1, 2, 3}, working group {3, 4}: 3 is the bridge; 1-2, 1-3, 2-3, 3-4.
    ties = co_membership_ties([[1, 2, 3], [3, 4], [3, 3]])
    assert [(t.a, t.b) for t in ties] == [(1, 2), (1, 3), (2, 3), (3, 4)]
    m = network_metrics(nodes("1P", "2C", "3P", "4R"), [], ties=ties)
    assert m.response_rate is None
    assert m.articulation_points == (3,)
    assert m.density == pytest.approx(4 / 6)


def test_layout_is_deterministic_and_within_the_box():
    ties = [Tie(1, 2, 1), Tie(2, 3, 1)]
    first = layout([1, 2, 3, 4], ties)
    assert first == layout([1, 2, 3, 4], ties)
    assert set(first) == {1, 2, 3, 4}
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    assert layout([], []) == {}
    assert layout([7], []) == {7: (0.5, 0.5)}


def test_compare_two_rounds():
    earlier = {"density": 0.2, "articulation_points": [2], "components": 2, "ei_index": -0.5}
    later = {"density": 0.5, "articulation_points": [3], "components": 1, "ei_index": 0.5}
    change = compare([(1, 2), (2, 3)], [(2, 1), (3, 4)], earlier, later)
    assert change.density == pytest.approx(0.3)
    assert change.ties_gained == ((3, 4),)
    assert change.ties_lost == ((2, 3),)
    assert change.articulation_new == (3,)
    assert change.articulation_gone == (2,)
    assert change.components == -1
    assert change.ei_index == pytest.approx(1.0)


def test_fingerprint_follows_the_inputs():
    net = nodes("1P", "2P")
    a = fingerprint(net, [Rating(1, 2, 3)])
    assert a == fingerprint(list(reversed(net)), [Rating(1, 2, 3)])
    assert a != fingerprint(net, [Rating(1, 2, 4)])
