"""The partnership network's metrics (docs/domain.md section 8): pure functions over organisations,
their stakeholder categories and the ratings they gave one another. No Django here.

Ties. Each respondent organisation rates every other partner on the Levels of Collaboration scale
(0 none, 1 networking, 2 cooperation, 3 coordination, 4 coalition, 5 collaboration). A tie between
two organisations exists when either side reports >= 1; its strength is the mean of the two reports,
or the one report when only one side answered about the other.

Metrics of one network (`network_metrics`):

* response rate: organisations that responded / organisations in the network;
* density: ties / possible pairs, n(n-1)/2;
* degree centralization (Freeman, normalised): sum over nodes of (max degree - degree) divided by
  its largest possible value in a network of n nodes, (n-1)(n-2) (a star scores 1, a ring 0);
* betweenness centralization (Freeman): sum of (max betweenness - betweenness) over the largest
  possible value, (n-1)^2 (n-2) / 2 on raw pair counts; a star scores 1;
* components (connected pieces) and isolates (organisations without a tie);
* articulation points: organisations whose leaving would split their piece of the network;
* the category x category tie matrix (ties counted once, key "A|B" with A <= B) and the E-I index
  (Krackhardt and Stern): (external - internal) / (external + internal) over the ties, where a tie
  is internal when both organisations are in the same stakeholder category (-1: every tie stays
  inside a category, +1: every tie crosses categories);
* asymmetric pairs: both sides answered about each other and their levels differ by >= 2.

Figures that are undefined for a network too small to have them are None (density under two
organisations, the centralizations under three, the E-I index without ties, the response rate of an
empty network), never a made-up 0.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

# networkx is imported by the functions that build and measure a graph, not with the module: the web
# pages that only read stored results need not carry it.

LEVELS: tuple[tuple[int, str], ...] = (
    (0, "None"),
    (1, "Networking"),
    (2, "Cooperation"),
    (3, "Coordination"),
    (4, "Coalition"),
    (5, "Collaboration"),
)
LEVEL_MIN, LEVEL_MAX = 0, 5
TRUST_VALUE_MIN, TRUST_VALUE_MAX = 1, 4
ASYMMETRY_LEVELS = 2
# Ratings about one named organisation are shown only as an average of at least this many raters.
MIN_RATERS = 3


@dataclass(frozen=True)
class Rating:
    """What `rater` said about `ratee`: a level 0-5, and trust and value 1-4 for a level >= 1."""

    rater: int
    ratee: int
    level: int
    trust: int | None = None
    value: int | None = None


@dataclass(frozen=True)
class Node:
    """An organisation of the network: its id, name and stakeholder category code."""

    id: int
    name: str
    category: str


@dataclass(frozen=True)
class Tie:
    a: int
    b: int
    strength: float


@dataclass(frozen=True)
class NodeMetrics:
    id: int
    name: str
    category: str
    degree: int
    betweenness: float  # normalised 0-1
    articulation: bool
    responded: bool
    raters: int  # how many organisations rated it at all (its level, 0 included)
    mean_level: float | None  # only from MIN_RATERS raters
    mean_trust: float | None  # only from MIN_RATERS raters of trust
    mean_value: float | None  # only from MIN_RATERS raters of value


@dataclass(frozen=True)
class Metrics:
    nodes: int
    respondents: int
    response_rate: float | None
    ties: int
    density: float | None
    degree_centralization: float | None
    betweenness_centralization: float | None
    components: int
    component_sizes: tuple[int, ...]
    isolates: tuple[int, ...]
    articulation_points: tuple[int, ...]
    category_matrix: dict[str, int]
    ei_index: float | None
    asymmetric_pairs: tuple[tuple[int, int], ...]
    mean_trust: float | None
    mean_value: float | None
    node_metrics: tuple[NodeMetrics, ...] = field(default=())
    tie_list: tuple[Tie, ...] = field(default=())


def validate_rating(rating: Rating) -> list[str]:
    """The reasons a rating is not on the scales (empty when it is)."""
    problems = []
    if rating.rater == rating.ratee:
        problems.append("An organisation does not rate itself.")
    if not LEVEL_MIN <= rating.level <= LEVEL_MAX:
        problems.append("Choose a level from 0 (none) to 5 (collaboration).")
    for name, score in (("trust", rating.trust), ("value", rating.value)):
        if score is None:
            continue
        if rating.level < 1:
            problems.append(f"Rate {name} only for a partner you have a tie with (level 1 or more).")
        elif not TRUST_VALUE_MIN <= score <= TRUST_VALUE_MAX:
            problems.append(f"Choose {name} from 1 to 4.")
    return problems


def ties_from_ratings(node_ids: Iterable[int], ratings: Iterable[Rating]) -> list[Tie]:
    """The ties among `node_ids`: either side reports >= 1; strength is the mean of the reports.

    Ratings by or about an organisation outside `node_ids` are ignored.
    """
    ids = set(node_ids)
    reports: dict[tuple[int, int], int] = {}
    for r in ratings:
        if r.rater in ids and r.ratee in ids and r.rater != r.ratee:
            reports[(r.rater, r.ratee)] = r.level
    pairs = {(min(a, b), max(a, b)) for a, b in reports}
    ties = []
    for a, b in sorted(pairs):
        levels = [reports[key] for key in ((a, b), (b, a)) if key in reports]
        if max(levels) >= 1:
            ties.append(Tie(a, b, sum(levels) / len(levels)))
    return ties


def asymmetric_pairs(ratings: Iterable[Rating]) -> list[tuple[int, int]]:
    """Pairs (smaller id first) where both sides answered and their levels differ by >= 2."""
    reports = {(r.rater, r.ratee): r.level for r in ratings if r.rater != r.ratee}
    found = set()
    for (a, b), level in reports.items():
        other = reports.get((b, a))
        if other is not None and abs(level - other) >= ASYMMETRY_LEVELS:
            found.add((min(a, b), max(a, b)))
    return sorted(found)


def graph(node_ids: Iterable[int], ties: Iterable[Tie]) -> nx.Graph[int]:
    import networkx as nx

    g: nx.Graph[int] = nx.Graph()
    g.add_nodes_from(sorted(node_ids))
    for tie in ties:
        g.add_edge(tie.a, tie.b, strength=tie.strength)
    return g


def density(g: nx.Graph[int]) -> float | None:
    n = g.number_of_nodes()
    if n < 2:
        return None
    return g.number_of_edges() / (n * (n - 1) / 2)


def degree_centralization(g: nx.Graph[int]) -> float | None:
    """Freeman's degree centralization, normalised by the star's (n-1)(n-2); None under 3 nodes."""
    n = g.number_of_nodes()
    if n < 3:
        return None
    degrees = [d for _node, d in g.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def betweenness(g: nx.Graph[int]) -> dict[int, float]:
    """Each node's betweenness, normalised to 0-1 by the (n-1)(n-2)/2 pairs it could lie between."""
    import networkx as nx

    if g.number_of_nodes() < 3:
        return dict.fromkeys(g.nodes, 0.0)
    return {node: float(b) for node, b in nx.betweenness_centrality(g, normalized=True).items()}


def betweenness_centralization(g: nx.Graph[int], scores: Mapping[int, float] | None = None) -> float | None:
    """Freeman's betweenness centralization: sum(max - b_i) / (n - 1) on normalised betweenness, which
    equals the raw form over (n-1)^2 (n-2)/2; None under 3 nodes."""
    n = g.number_of_nodes()
    if n < 3:
        return None
    values = list((scores if scores is not None else betweenness(g)).values())
    top = max(values)
    return sum(top - b for b in values) / (n - 1)


def category_matrix(ties: Iterable[Tie], category_of: Mapping[int, str]) -> dict[str, int]:
    """Ties counted once per unordered category pair, keyed "A|B" with A <= B."""
    matrix: dict[str, int] = {}
    for tie in ties:
        a, b = sorted((category_of[tie.a], category_of[tie.b]))
        key = f"{a}|{b}"
        matrix[key] = matrix.get(key, 0) + 1
    return dict(sorted(matrix.items()))


def ei_index(ties: Iterable[Tie], category_of: Mapping[int, str]) -> float | None:
    """(external - internal) / (external + internal) over the ties; None without ties."""
    external = internal = 0
    for tie in ties:
        if category_of[tie.a] == category_of[tie.b]:
            internal += 1
        else:
            external += 1
    if external + internal == 0:
        return None
    return (external - internal) / (external + internal)


def _mean(values: Sequence[int], minimum: int = 1) -> float | None:
    return sum(values) / len(values) if len(values) >= minimum and values else None


def network_metrics(
    nodes: Sequence[Node],
    ratings: Iterable[Rating],
    *,
    respondents: Iterable[int] = (),
    ties: Sequence[Tie] | None = None,
) -> Metrics:
    """Every metric of section 8 for one network.

    A round's network passes its `ratings` (ties are made from them) and the organisations that
    responded; the co-membership network passes its `ties` directly and no ratings (its response
    rate is then None: nobody was asked).
    """
    import networkx as nx

    ids = [node.id for node in nodes]
    category_of = {node.id: node.category for node in nodes}
    ratings = [r for r in ratings if r.rater in category_of and r.ratee in category_of and r.rater != r.ratee]
    tie_list = list(ties) if ties is not None else ties_from_ratings(ids, ratings)
    tie_list = [t for t in tie_list if t.a in category_of and t.b in category_of and t.a != t.b]
    g = graph(ids, tie_list)
    responded = set(respondents) & set(ids)
    between = betweenness(g)
    cut = set(nx.articulation_points(g))
    components = sorted((len(c) for c in nx.connected_components(g)), reverse=True)
    isolates = tuple(sorted(nx.isolates(g)))
    by_ratee: dict[int, list[Rating]] = {}
    for r in ratings:
        by_ratee.setdefault(r.ratee, []).append(r)
    node_rows = []
    for node in nodes:
        received = by_ratee.get(node.id, [])
        node_rows.append(
            NodeMetrics(
                id=node.id,
                name=node.name,
                category=node.category,
                degree=int(g.degree(node.id)),
                betweenness=between.get(node.id, 0.0),
                articulation=node.id in cut,
                responded=node.id in responded,
                raters=len(received),
                mean_level=_mean([r.level for r in received], MIN_RATERS),
                mean_trust=_mean([r.trust for r in received if r.trust is not None], MIN_RATERS),
                mean_value=_mean([r.value for r in received if r.value is not None], MIN_RATERS),
            )
        )
    trust = [r.trust for r in ratings if r.trust is not None and r.level >= 1]
    value = [r.value for r in ratings if r.value is not None and r.level >= 1]
    return Metrics(
        nodes=len(ids),
        respondents=len(responded),
        response_rate=len(responded) / len(ids) if ids and ties is None else None,
        ties=len(tie_list),
        density=density(g),
        degree_centralization=degree_centralization(g),
        betweenness_centralization=betweenness_centralization(g, between),
        components=len(components),
        component_sizes=tuple(components),
        isolates=isolates,
        articulation_points=tuple(sorted(cut)),
        category_matrix=category_matrix(tie_list, category_of),
        ei_index=ei_index(tie_list, category_of),
        asymmetric_pairs=tuple(asymmetric_pairs(ratings)),
        mean_trust=_mean(trust),
        mean_value=_mean(value),
        node_metrics=tuple(node_rows),
        tie_list=tuple(tie_list),
    )


def co_membership_ties(groups: Iterable[Iterable[int]]) -> list[Tie]:
    """Two organisations are tied when their people share a group; strength = groups shared."""
    shared: dict[tuple[int, int], int] = {}
    for group in groups:
        members = sorted(set(group))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                shared[(a, b)] = shared.get((a, b), 0) + 1
    return [Tie(a, b, float(count)) for (a, b), count in sorted(shared.items())]


def layout(node_ids: Sequence[int], ties: Iterable[Tie], *, seed: int = 17) -> dict[int, tuple[float, float]]:
    """Positions in [0, 1] x [0, 1] for drawing: a seeded spring layout (the same input draws the
    same picture), with each component laid out on its own so pieces do not overlap."""
    import networkx as nx

    g = graph(node_ids, ties)
    if g.number_of_nodes() == 0:
        return {}
    if g.number_of_nodes() == 1:
        return {next(iter(g.nodes)): (0.5, 0.5)}
    raw = nx.spring_layout(g, seed=seed, k=1.5 / max(1, g.number_of_nodes()) ** 0.5)
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    spread_x = (x1 - x0) or 1.0
    spread_y = (y1 - y0) or 1.0
    return {
        int(node): (
            round((float(p[0]) - x0) / spread_x, 4) if x1 > x0 else 0.5,
            round((float(p[1]) - y0) / spread_y, 4) if y1 > y0 else 0.5,
        )
        for node, p in raw.items()
    }


@dataclass(frozen=True)
class Change:
    """What changed between two networks of one HIT."""

    density: float | None
    ties_gained: tuple[tuple[int, int], ...]
    ties_lost: tuple[tuple[int, int], ...]
    articulation_new: tuple[int, ...]
    articulation_gone: tuple[int, ...]
    components: int
    ei_index: float | None


def _diff(later: float | None, earlier: float | None) -> float | None:
    return None if later is None or earlier is None else later - earlier


def compare(
    earlier_ties: Iterable[Sequence[int]],
    later_ties: Iterable[Sequence[int]],
    earlier: Mapping[str, Any],
    later: Mapping[str, Any],
) -> Change:
    """The change from one stored network to a later one: differences of density, components and
    E-I index (later - earlier), ties gained and lost, articulation points new and no longer."""
    before = {(min(t[0], t[1]), max(t[0], t[1])) for t in earlier_ties}
    after = {(min(t[0], t[1]), max(t[0], t[1])) for t in later_ties}
    cut_before = set(earlier.get("articulation_points", ()))
    cut_after = set(later.get("articulation_points", ()))
    return Change(
        density=_diff(later.get("density"), earlier.get("density")),
        ties_gained=tuple(sorted(after - before)),
        ties_lost=tuple(sorted(before - after)),
        articulation_new=tuple(sorted(cut_after - cut_before)),
        articulation_gone=tuple(sorted(cut_before - cut_after)),
        components=int(later.get("components", 0)) - int(earlier.get("components", 0)),
        ei_index=_diff(later.get("ei_index"), earlier.get("ei_index")),
    )


def fingerprint(nodes: Sequence[Node], ratings: Iterable[Rating], ties: Iterable[Tie] | None = None) -> str:
    """A digest of a network's inputs: the same inputs give the same fingerprint, so the worker can
    tell a stored result is current without recomputing it."""
    payload = {
        "nodes": sorted((n.id, n.name, n.category) for n in nodes),
        "ratings": sorted((r.rater, r.ratee, r.level, r.trust, r.value) for r in ratings),
        "ties": sorted((t.a, t.b, t.strength) for t in ties) if ties is not None else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
