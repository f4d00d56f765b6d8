"""Reads of the readiness surveys: item bank, waves, invitation counts and stored results.

Results come only from the worker's ReadinessResult rows of released waves (closed, results
stored once); this module never aggregates answers. Suppressed groups (fewer than five counted
respondents) carry no figures into any page or export; figures leave here rounded
(engagement.scoring.shown_*), and a group's spread only from ten respondents.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from engagement.domain import quality, scoring
from engagement.enums import Dimension, MaturityLevel
from engagement.models import Instrument, Item, ReadinessResult, Wave
from teams.models import HIT

SUPPRESSED_MESSAGE = "Fewer than 5 responses"
NOT_RELEASED_MESSAGE = (
    "Results are released when the survey closes, so that no one's answers can be worked out from "
    "figures that change as people answer."
)
PROTECTED_MESSAGE = "Not shown, so that a smaller group's answers cannot be worked out"

# --- Item bank ---------------------------------------------------------------------------------------


def instrument_list() -> QuerySet[Instrument]:
    return Instrument.objects.annotate(
        item_count=Count("items", distinct=True), wave_count=Count("waves", distinct=True)
    ).order_by("name", "-version")


def instrument_get(*, pk: int) -> Instrument:
    try:
        return Instrument.objects.annotate(wave_count=Count("waves")).get(pk=pk)
    except Instrument.DoesNotExist:
        raise Http404("No such item bank version.") from None


def instrument_items(*, instrument: Instrument) -> QuerySet[Item]:
    return instrument.items.order_by("position", "pk")


def latest_version(*, instrument: Instrument) -> int:
    return (
        Instrument.objects.filter(name=instrument.name).aggregate(latest=Max("version"))["latest"]
        or instrument.version
    )


def published_instruments() -> QuerySet[Instrument]:
    return Instrument.objects.filter(is_published=True).order_by("name", "-version")


# --- Waves -------------------------------------------------------------------------------------------


def wave_status(wave: Wave, today: datetime.date | None = None) -> str:
    """ "upcoming", "open", "closed" (results being prepared) or "released" (results out)."""
    today = today or timezone.localdate()
    if wave.released_at is not None:
        return "released"
    if wave.is_closed(today):
        return "closed"
    if today < wave.opens_on:
        return "upcoming"
    return "open"


def wave_list(*, hit: HIT) -> QuerySet[Wave]:
    """A HIT's waves with their invitation counts (one grouped query)."""
    return (
        Wave.objects.filter(hit=hit)
        .select_related("instrument")
        .annotate(
            invited=Count("invitations"),
            used=Count("invitations", filter=Q(invitations__used=True)),
        )
        .order_by("-opens_on", "-pk")
    )


def wave_get(*, hit: HIT, pk: int) -> Wave:
    """A wave of `hit` (whose access the caller has checked), or 404."""
    try:
        return Wave.objects.select_related("instrument", "hit").get(hit=hit, pk=pk)
    except Wave.DoesNotExist:
        raise Http404("No such survey.") from None


def latest_released_wave(*, hit: HIT) -> Wave | None:
    """The HIT's latest wave (by opening date) whose results are released and include overall
    figures; None while no wave has closed. Every page, export and API answer that shows "the
    latest readiness results" starts here, so none can show an open wave's."""
    return (
        Wave.objects.filter(
            hit=hit,
            released_at__isnull=False,
            results__group_type=ReadinessResult.GROUP_OVERALL,
        )
        .order_by("-opens_on", "-pk")
        .first()
    )


@dataclass(frozen=True)
class InvitationCounts:
    sent: int
    reminded: int
    used: int

    @property
    def unused(self) -> int:
        return self.sent - self.used


def invitation_counts(*, wave: Wave) -> InvitationCounts:
    """Counts only: who answered is never shown."""
    counts = wave.invitations.aggregate(
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        used=Count("pk", filter=Q(used=True)),
    )
    return InvitationCounts(sent=counts["sent"], reminded=counts["reminded"], used=counts["used"])


# --- Results -----------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    """One stored result as it may be shown: figures rounded (a whole-number score, SD to one
    decimal, a whole percentage), None when suppressed, and the spread None below ten respondents.
    The exact score stays private to this module (flags and order are decided on it)."""

    dimension: str
    dimension_label: str
    group_type: str
    group_label: str
    suppressed: bool
    n: int | None
    score: int | None
    sd: float | None
    pct_agree: int | None
    level: int | None
    flags: list[str] = field(default_factory=list)
    #: Within-group agreement rWG(J), two decimals; shown, like the SD, only from ten respondents.
    rwg: float | None = None
    # Hidden although it has five or more responses, because showing it would let a smaller
    # group's figures be worked out by subtraction from the overall (secondary suppression).
    protects_smaller_group: bool = False
    # Templates cannot read names starting with "_": the exact figure never reaches a page.
    _exact_score: float | None = None

    @property
    def suppressed_message(self) -> str:
        return PROTECTED_MESSAGE if self.protects_smaller_group else SUPPRESSED_MESSAGE

    def hide(self) -> None:
        self.suppressed = True
        self.protects_smaller_group = True
        self.n = self.score = self.sd = self.pct_agree = self.level = self._exact_score = self.rwg = None
        self.flags = []

    @property
    def level_label(self) -> str:
        return MaturityLevel(self.level).label if self.level else ""

    @property
    def is_low(self) -> bool:
        return self._exact_score is not None and self._exact_score < scoring.LOW_SCORE_FLAG


@dataclass
class GroupBlock:
    label: str
    rows: list[ResultRow]

    @property
    def all_suppressed(self) -> bool:
        return all(row.suppressed for row in self.rows)

    @property
    def suppressed_message(self) -> str:
        if any(row.protects_smaller_group for row in self.rows):
            return PROTECTED_MESSAGE
        return SUPPRESSED_MESSAGE


@dataclass
class WaveResults:
    """A wave's results. `released` is False while the wave is open or its results are being
    prepared: then every list is empty, whatever the database holds."""

    overall: list[ResultRow]
    by_organisation: list[GroupBlock]
    by_role: list[GroupBlock]
    computed_at: datetime.datetime | None
    divergence: dict[str, dict[str, int | None]]  # dimension -> {"organisation": d, "role": d}
    released: bool = True

    @property
    def weak_dimensions(self) -> list[str]:
        return [row.dimension for row in self.overall if row.is_low]

    @property
    def strongest(self) -> ResultRow | None:
        scored = [row for row in self.overall if row._exact_score is not None]
        return max(scored, key=lambda row: row._exact_score or 0.0) if scored else None

    @property
    def weakest(self) -> ResultRow | None:
        scored = [row for row in self.overall if row._exact_score is not None]
        return min(scored, key=lambda row: row._exact_score or 0.0) if scored else None


def _row(result: ReadinessResult) -> ResultRow:
    suppressed = result.suppressed
    # The stored n of a suppressed group is a number too: it never leaves this function.
    spread = not suppressed and result.n >= scoring.SPREAD_THRESHOLD
    return ResultRow(
        dimension=result.dimension,
        dimension_label=Dimension(result.dimension).label,
        group_type=result.group_type,
        group_label=result.group_label,
        suppressed=suppressed,
        n=None if suppressed else result.n,
        score=None if suppressed else scoring.shown_score(result.score),
        sd=scoring.shown_sd(result.sd) if spread else None,
        pct_agree=scoring.shown_percent(result.pct_agree) if spread else None,
        rwg=round(result.rwg, 2) if spread and result.rwg is not None else None,
        flags=list(quality.Agreement(result.rwg, result.n).flags) if spread else [],
        level=None if suppressed else result.level,
        _exact_score=None if suppressed else result.score,
    )


def _blocks(rows: list[ResultRow], order: list[str]) -> list[GroupBlock]:
    blocks: dict[str, GroupBlock] = {}
    for row in rows:
        blocks.setdefault(row.group_label, GroupBlock(label=row.group_label, rows=[])).rows.append(row)
    for block in blocks.values():
        block.rows.sort(key=lambda row: order.index(row.dimension))
    return sorted(blocks.values(), key=lambda block: block.label.casefold())


def _protect_residuals(overall: list[ResultRow], groups: list[ResultRow]) -> None:
    """Secondary suppression, per dimension, within one kind of group (organisations or roles).

    The overall figures less the shown groups' figures describe everyone else: the suppressed
    groups plus those who preferred not to say. If that remainder is 1-4 people, their mean (and
    SD, and share agreeing) could be worked out by subtraction, defeating the n < 5 rule; so the
    smallest shown groups are hidden too until the remainder is empty or at least five.
    """
    for total in overall:
        if total.n is None:
            continue
        shown = sorted(
            (r for r in groups if r.dimension == total.dimension and not r.suppressed),
            key=lambda r: (r.n or 0, r.group_label),
        )
        remainder = total.n - sum(r.n or 0 for r in shown)
        while shown and 0 < remainder < scoring.SUPPRESSION_THRESHOLD:
            smallest = shown.pop(0)
            remainder += smallest.n or 0
            smallest.hide()


def wave_results(*, wave: Wave) -> WaveResults:
    """The released results of a wave with their flags: R < 50, and group divergence > 25 points
    (scoring.divergence over the shown organisation groups, and over the shown role groups).

    Nothing before the wave's results are released (it closed and the worker stored them once).
    Groups the worker suppressed (n < 5) carry no figures; groups whose figures would reveal a
    suppressed group by subtraction are hidden as well (see _protect_residuals)."""
    order = list(Dimension.values)
    overall: list[ResultRow] = []
    organisations: list[ResultRow] = []
    roles: list[ResultRow] = []
    computed_at = None
    if wave.released_at is None:
        return WaveResults([], [], [], None, {}, released=False)
    for result in ReadinessResult.objects.released().filter(wave=wave).order_by():
        row = _row(result)
        computed_at = max(computed_at, result.computed_at) if computed_at else result.computed_at
        if result.group_type == ReadinessResult.GROUP_OVERALL:
            overall.append(row)
        elif result.group_type == ReadinessResult.GROUP_ORGANISATION:
            organisations.append(row)
        elif result.group_type == ReadinessResult.GROUP_ROLE:
            roles.append(row)
    overall.sort(key=lambda row: order.index(row.dimension))
    _protect_residuals(overall, organisations)
    _protect_residuals(overall, roles)

    divergence: dict[str, dict[str, int | None]] = {}
    exact_gaps: dict[str, dict[str, float | None]] = {}
    for dimension in order:
        gaps = {
            "organisation": scoring.divergence(
                r._exact_score for r in organisations if r.dimension == dimension
            ),
            "role": scoring.divergence(r._exact_score for r in roles if r.dimension == dimension),
        }
        divergence[dimension] = {kind: scoring.shown_score(gap) for kind, gap in gaps.items()}
        exact_gaps[dimension] = gaps
    for row in overall:
        if row.suppressed:
            continue
        if row.is_low:
            row.flags.append("Low: below 50")
        for kind, label in (("organisation", "Organisations"), ("role", "Role groups")):
            gap = exact_gaps[row.dimension][kind]
            if gap is not None and gap > scoring.DIVERGENCE_FLAG:
                row.flags.append(f"{label} differ by {divergence[row.dimension][kind]} points")
    for row in (*organisations, *roles):
        if row.is_low:
            row.flags.append("Low: below 50")
    return WaveResults(
        overall=overall,
        by_organisation=_blocks(organisations, order),
        by_role=_blocks(roles, order),
        computed_at=computed_at,
        divergence=divergence,
    )
