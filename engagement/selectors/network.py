"""Reads of the partnership network: stored results (NetworkResult) turned into what the HIT's network
page shows (a drawing, a summary, the organisations' table), the rounds and their respondents.

Pages never compute a metric: they read what the worker stored (engagement.services.network).
Nothing here exposes one organisation's rating of another: the organisations' table carries
averages of >= 3 raters only (stored that way), and ties are drawn without their strength, which
for a pair with one answer would be that one rating.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from engagement.domain import network as domain
from engagement.enums import NetworkRoundStatus, NetworkSource
from engagement.models import NetworkRespondent, NetworkResult, NetworkRound
from teams.models import HIT, StakeholderCategory

# Colours for stakeholder categories, in category order, chosen to be told apart and to keep a
# 3:1 contrast against white for the node outlines (WCAG 1.4.11).
PALETTE = ("#1b6ca8", "#b35806", "#2a7d2e", "#8e3b8e", "#a51d2d", "#5c5c00", "#00687a", "#6b4e16", "#4b4b9b")
# Room around the drawing for the labels (up to 18 characters, centred under each organisation).
DRAW_WIDTH, DRAW_HEIGHT, MARGIN_X, MARGIN_Y = 720, 480, 80, 30


@dataclass(frozen=True)
class DrawnNode:
    id: int
    name: str
    label: str
    category: str
    colour: str
    x: float
    y: float
    articulation: bool
    degree: int

    @property
    def corner_x(self) -> float:
        """The top-left corner of an articulation point's diamond (a square turned 45 degrees)."""
        return round(self.x - 11, 1)

    @property
    def corner_y(self) -> float:
        return round(self.y - 11, 1)

    @property
    def label_y(self) -> float:
        return round(self.y + 26, 1)


@dataclass(frozen=True)
class DrawnTie:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class LegendEntry:
    code: str
    name: str
    colour: str
    count: int


@dataclass(frozen=True)
class MatrixRow:
    name: str
    cells: list[int | None]


@dataclass
class NetworkView:
    result: NetworkResult
    nodes: list[DrawnNode]
    ties: list[DrawnTie]
    legend: list[LegendEntry]
    table: list[dict[str, Any]]
    matrix_header: list[str]
    matrix: list[MatrixRow]
    articulation_names: list[str]
    isolate_names: list[str]
    asymmetric_pairs: list[tuple[str, str]]
    width: int = DRAW_WIDTH
    height: int = DRAW_HEIGHT
    summary: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NetworkChange:
    earlier: NetworkResult
    later: NetworkResult
    density: float | None
    ei_index: float | None
    components: int
    ties_gained: list[tuple[str, str]]
    ties_lost: list[tuple[str, str]]
    articulation_new: list[str]
    articulation_gone: list[str]


def _categories() -> tuple[dict[str, str], dict[str, str]]:
    """(code -> name, code -> colour), in category order."""
    rows = list(StakeholderCategory.objects.order_by("position", "name").values_list("code", "name"))
    names = dict(rows)
    colours = {code: PALETTE[index % len(PALETTE)] for index, (code, _name) in enumerate(rows)}
    return names, colours


def round_results(*, hit: HIT) -> list[NetworkResult]:
    """The stored results of the HIT's closed rounds, latest first, each with its round."""
    return list(
        NetworkResult.objects.filter(hit=hit, source=NetworkSource.ROUND)
        .select_related("network_round")
        .order_by("-as_of", "-pk")
    )


def co_membership_result(*, hit: HIT) -> NetworkResult | None:
    return NetworkResult.objects.filter(hit=hit, source=NetworkSource.CO_MEMBERSHIP).first()


def result_to_show(
    *, hit: HIT, round_id: int | None = None
) -> tuple[NetworkResult | None, list[NetworkResult]]:
    """(the result the page shows, the HIT's round results latest first). The page shows the asked
    round's result, else the latest round's, else the co-membership network (labelled as such)."""
    rounds = round_results(hit=hit)
    if round_id is not None:
        for result in rounds:
            if result.network_round_id == round_id:
                return result, rounds
        raise Http404("No stored network for that round.")
    if rounds:
        return rounds[0], rounds
    return co_membership_result(hit=hit), rounds


def _short(name: str, limit: int = 18) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def network_view(result: NetworkResult) -> NetworkView:
    """The page's picture of one stored result: positions scaled to the drawing, colours by category
    with a legend, articulation points marked, and the tables (from `detail`; one query)."""
    names, colours = _categories()
    detail = result.detail or {}
    nodes_raw: list[dict[str, Any]] = detail.get("nodes", [])
    by_id = {node["id"]: node for node in nodes_raw}
    inner_w, inner_h = DRAW_WIDTH - 2 * MARGIN_X, DRAW_HEIGHT - 2 * MARGIN_Y - 20

    def point(node: dict[str, Any]) -> tuple[float, float]:
        return round(MARGIN_X + float(node["x"]) * inner_w, 1), round(
            MARGIN_Y + float(node["y"]) * inner_h, 1
        )

    drawn = []
    for node in sorted(nodes_raw, key=lambda n: n["name"]):
        x, y = point(node)
        drawn.append(
            DrawnNode(
                id=node["id"],
                name=node["name"],
                label=_short(node["name"]),
                category=names.get(node["category"], node["category"] or "No category"),
                colour=colours.get(node["category"], "#555555"),
                x=x,
                y=y,
                articulation=bool(node["articulation"]),
                degree=int(node["degree"]),
            )
        )
    ties = []
    for a, b, _strength in detail.get("ties", []):
        if a in by_id and b in by_id:
            (x1, y1), (x2, y2) = point(by_id[a]), point(by_id[b])
            ties.append(DrawnTie(x1, y1, x2, y2))
    present: dict[str, int] = {}
    for node in nodes_raw:
        present[node["category"]] = present.get(node["category"], 0) + 1
    legend = [
        LegendEntry(code, names[code], colours[code], present[code]) for code in names if code in present
    ]
    codes = [entry.code for entry in legend]
    matrix_counts: dict[str, int] = detail.get("category_matrix", {})
    matrix = []
    for row_code in codes:
        cells: list[int | None] = []
        for col_code in codes:
            a, b = sorted((row_code, col_code))
            cells.append(matrix_counts.get(f"{a}|{b}", 0))
        matrix.append(MatrixRow(names[row_code], cells))
    table = [
        {
            "name": node["name"],
            "category": names.get(node["category"], node["category"]),
            "degree": node["degree"],
            "betweenness": node["betweenness"],
            "articulation": node["articulation"],
            "responded": node["responded"],
            "raters": node["raters"],
            "mean_level": node["mean_level"],
            "mean_trust": node["mean_trust"],
            "mean_value": node["mean_value"],
        }
        for node in sorted(nodes_raw, key=lambda n: n["name"])
    ]

    def name_of(pk: int) -> str:
        return str(by_id[pk]["name"]) if pk in by_id else "An organisation no longer listed"

    view = NetworkView(
        result=result,
        nodes=drawn,
        ties=ties,
        legend=legend,
        table=table,
        matrix_header=[names[c] for c in codes],
        matrix=matrix,
        articulation_names=sorted(name_of(pk) for pk in detail.get("articulation_points", [])),
        isolate_names=sorted(name_of(pk) for pk in detail.get("isolates", [])),
        asymmetric_pairs=sorted(
            _ordered(name_of(a), name_of(b)) for a, b in detail.get("asymmetric_pairs", [])
        ),
    )
    view.summary = summary(result, view)
    return view


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _pct(value: float | None) -> str:
    return "not defined" if value is None else f"{value * 100:.0f}%"


def summary(result: NetworkResult, view: NetworkView) -> list[str]:
    """The network in sentences: the text alternative to the drawing."""
    lines = []
    if result.source == NetworkSource.CO_MEMBERSHIP:
        lines.append(
            f"{result.nodes} partner organisations, tied when their people sit in the same HIT group "
            f"(the management group or a working group): {result.ties} ties."
        )
    else:
        lines.append(
            f"{result.respondents} of {result.nodes} partner organisations answered "
            f"({_pct(result.response_rate)}); {result.ties} ties, where either side reported working together."
        )
    lines.append(f"Density {_pct(result.density)}: the share of possible pairs of partners that are tied.")
    if result.components > 1:
        lines.append(f"The network is in {result.components} separate pieces.")
    else:
        lines.append("Every partner is connected to every other, directly or through others.")
    if view.articulation_names:
        lines.append(
            "If any of these left, the network would split: " + ", ".join(view.articulation_names) + "."
        )
    else:
        lines.append("No single organisation's leaving would split the network.")
    if view.isolate_names:
        lines.append("Not tied to any other partner: " + ", ".join(view.isolate_names) + ".")
    if result.ei_index is not None:
        leaning = (
            "across"
            if result.ei_index > 0
            else "within"
            if result.ei_index < 0
            else "evenly across and within"
        )
        lines.append(f"E-I index {result.ei_index:+.2f}: ties run mostly {leaning} stakeholder categories.")
    return lines


def change_between(later: NetworkResult, earlier: NetworkResult) -> NetworkChange:
    """What changed from one round's stored network to a later one's, with organisations by name."""
    change = domain.compare(
        [(a, b) for a, b, _s in earlier.detail.get("ties", [])],
        [(a, b) for a, b, _s in later.detail.get("ties", [])],
        earlier.detail
        | {"density": earlier.density, "components": earlier.components, "ei_index": earlier.ei_index},
        later.detail | {"density": later.density, "components": later.components, "ei_index": later.ei_index},
    )
    names = {n["id"]: n["name"] for n in earlier.detail.get("nodes", [])}
    names.update({n["id"]: n["name"] for n in later.detail.get("nodes", [])})

    def pair(p: tuple[int, int]) -> tuple[str, str]:
        a, b = sorted((names.get(p[0], "?"), names.get(p[1], "?")))
        return a, b

    return NetworkChange(
        earlier=earlier,
        later=later,
        density=change.density,
        ei_index=change.ei_index,
        components=change.components,
        ties_gained=sorted(pair(p) for p in change.ties_gained),
        ties_lost=sorted(pair(p) for p in change.ties_lost),
        articulation_new=sorted(names.get(pk, "?") for pk in change.articulation_new),
        articulation_gone=sorted(names.get(pk, "?") for pk in change.articulation_gone),
    )


# --- Rounds ------------------------------------------------------------------------------------------


def round_list(*, hit: HIT) -> QuerySet[NetworkRound]:
    """The HIT's rounds, latest first, with their respondent counts (one query)."""
    return (
        NetworkRound.objects.filter(hit=hit)
        .annotate(
            organisations=Count("respondents"),
            answered=Count("respondents", filter=Q(respondents__submitted_at__isnull=False)),
        )
        .select_related("result")
        .order_by("-closes_on", "-pk")
    )


def round_get(*, hit: HIT, pk: int) -> NetworkRound:
    try:
        return NetworkRound.objects.select_related("hit").get(hit=hit, pk=pk)
    except NetworkRound.DoesNotExist:
        raise Http404("No such network round.") from None


def respondents(*, network_round: NetworkRound) -> QuerySet[NetworkRespondent]:
    return (
        NetworkRespondent.objects.filter(network_round=network_round)
        .select_related("organisation", "category")
        .order_by("organisation__name")
    )


def running_round(*, hit: HIT) -> NetworkRound | None:
    return NetworkRound.objects.filter(
        hit=hit, status__in=[NetworkRoundStatus.PLANNED, NetworkRoundStatus.OPEN]
    ).first()


def network_summaries(*, hit_ids: list[int]) -> dict[int, NetworkResult]:
    """Each HIT's network to report (its latest closed round's, else its co-membership network), for
    the board dashboard and exports: one query whatever the number of HITs; `detail` is not loaded."""
    shown: dict[int, NetworkResult] = {}
    fields = ("hit_id", "source", "as_of", "nodes", "ties", "density", "articulation_points", "components")
    # "round" sorts after "co_membership": descending puts a HIT's round results first, latest first.
    for result in (
        NetworkResult.objects.filter(hit_id__in=hit_ids)
        .only(*fields)
        .order_by("hit_id", "-source", "-as_of", "-pk")
    ):
        shown.setdefault(result.hit_id, result)
    return shown


def closes_soon(network_round: NetworkRound, today: datetime.date) -> bool:
    return network_round.status == NetworkRoundStatus.OPEN and network_round.closes_on >= today
