"""Reads for the maturity matrix and action plans (GitHub issue "Engagement", item 5).

Every read is scoped to a HIT the caller already reached through `selectors.hit_for_engagement`,
so nothing here widens what a user may see. Lists run a fixed number of queries whatever their length.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from engagement.domain import matrix, scoring
from engagement.enums import MATURITY_ELEMENTS, ActionStatus
from engagement.models import (
    ActionPlanItem,
    ActionStatement,
    MaturityAssessment,
    ReadinessResult,
    Stakeholder,
    Wave,
)
from engagement.selectors import surveys as selectors_surveys
from teams.models import HIT, Person
from teams.selectors.hits import current_memberships

UP, DOWN, SAME = "up", "down", "same"
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


# --- Profile, trend and weak elements (pure) ---------------------------------------------------------


def element_trend(current: Mapping[str, int], previous: Mapping[str, int] | None) -> dict[str, str | None]:
    """Per element: "up", "down" or "same" against the previous assessment (None when there is none)."""
    trend: dict[str, str | None] = {}
    for element, level in current.items():
        before = previous.get(element) if previous else None
        if before is None:
            trend[element] = None
        elif level > before:
            trend[element] = UP
        elif level < before:
            trend[element] = DOWN
        else:
            trend[element] = SAME
    return trend


@dataclass(frozen=True)
class Profile:
    """F12: the median level and the weakest element(s). Deliberately no averaged single score."""

    median: int | float | None  # always an int for nine levels
    weakest: tuple[str, ...]
    weakest_level: int | None

    @property
    def median_name(self) -> str:
        return matrix.level_name(self.median)

    @property
    def weakest_level_name(self) -> str:
        return matrix.level_name(self.weakest_level)

    @property
    def weakest_names(self) -> list[str]:
        return [matrix.element_name(code) for code in self.weakest]


def profile_of(levels: Mapping[str, int]) -> Profile:
    """The profile of one assessment's levels, weakest elements in the matrix's order.

    The median of nine levels is always one of them (the fifth value in order), never a midpoint.
    """
    raw = scoring.maturity_profile(levels)
    order = {code: i for i, code in enumerate(MATURITY_ELEMENTS)}
    weakest = tuple(sorted(raw["weakest"], key=lambda code: order.get(code, len(order))))
    median = raw["median"]
    return Profile(
        median=int(median) if median is not None and median == int(median) else median,
        weakest=weakest,
        weakest_level=raw["weakest_level"],
    )


def weak_elements(levels: Mapping[str, int]) -> list[str]:
    """The elements to act on first: those at level 1, or at level 2 when none is at level 1."""
    for level in (1, 2):
        found: list[str] = [code for code in MATURITY_ELEMENTS if levels.get(code) == level]
        if found:
            return found
    return []


# --- Assessments ------------------------------------------------------------------------------------


@dataclass
class Cell:
    code: str
    name: str
    level: int | None
    trend: str | None
    rationale: str = ""

    @property
    def level_name(self) -> str:
        return matrix.level_name(self.level)

    @property
    def descriptor(self) -> str:
        """What the chosen level looks like for this element, in the matrix's words."""
        return matrix.BY_CODE[self.code].descriptor(self.level) if self.level in matrix.LEVELS else ""


@dataclass
class AssessmentRow:
    """One assessment with its nine levels in the matrix's order and the trend against the one before."""

    assessment: MaturityAssessment
    levels: dict[str, int]
    cells: list[Cell] = field(default_factory=list)
    profile: Profile | None = None
    has_previous: bool = False


def _row(assessment: MaturityAssessment, previous: MaturityAssessment | None) -> AssessmentRow:
    ratings = {r.element: r for r in assessment.ratings.all()}  # prefetched
    levels = {code: r.level for code, r in ratings.items()}
    previous_levels = {r.element: r.level for r in previous.ratings.all()} if previous else None
    trend = element_trend(levels, previous_levels)
    cells = [
        Cell(
            code=element.code,
            name=element.name,
            level=levels.get(element.code),
            trend=trend.get(element.code),
            rationale=ratings[element.code].rationale if element.code in ratings else "",
        )
        for element in matrix.ELEMENTS
    ]
    return AssessmentRow(
        assessment=assessment,
        levels=levels,
        cells=cells,
        profile=profile_of(levels),
        has_previous=previous is not None,
    )


def _assessments(hit: HIT) -> QuerySet[MaturityAssessment]:
    return (
        MaturityAssessment.objects.filter(hit=hit)
        .select_related("recorded_by")
        .prefetch_related("ratings")
        .order_by("-assessed_on", "-pk")
    )


def assessment_history(*, hit: HIT) -> list[AssessmentRow]:
    """Every assessment of the HIT, newest first, each with its trend against the one before it.

    Two queries (assessments, then their ratings) however many assessments there are.
    """
    assessments = list(_assessments(hit))
    return [
        _row(assessment, assessments[i + 1] if i + 1 < len(assessments) else None)
        for i, assessment in enumerate(assessments)
    ]


def assessment_for_hit(*, hit: HIT, pk: int) -> AssessmentRow:
    """One assessment of this HIT with its trend against the previous one, or 404."""
    try:
        assessment = _assessments(hit).get(pk=pk)
    except MaturityAssessment.DoesNotExist:
        raise Http404("No such assessment.") from None
    previous = (
        _assessments(hit)
        .filter(
            Q(assessed_on__lt=assessment.assessed_on)
            | Q(assessed_on=assessment.assessed_on, pk__lt=assessment.pk)
        )
        .first()
    )
    return _row(assessment, previous)


def latest_assessment(*, hit: HIT) -> AssessmentRow | None:
    assessments = list(_assessments(hit)[:2])
    if not assessments:
        return None
    return _row(assessments[0], assessments[1] if len(assessments) > 1 else None)


# --- Recommended actions (F17) -----------------------------------------------------------------------


def recommended_statements(*, elements: Iterable[str]) -> dict[str, list[ActionStatement]]:
    """The research's statements recommended for each element (their `elements` list names it).

    The whole library is a few dozen rows, read in one query and matched here, which also works on
    databases without JSON containment lookups.
    """
    wanted = list(elements)
    statements = list(ActionStatement.objects.order_by("pk"))
    return {element: [s for s in statements if element in (s.elements or [])] for element in wanted}


def statement_by_code(code: str) -> ActionStatement | None:
    return ActionStatement.objects.filter(code=code).first() if code else None


# --- Indicative levels from the readiness survey (F11) ---------------------------------------------


@dataclass(frozen=True)
class SurveyHint:
    """Stored indicative levels of the latest wave with results: a hint, never a rating."""

    wave: Wave
    computed_at: datetime.datetime | None
    levels: dict[str, int]


def survey_hint(*, hit: HIT) -> SurveyHint | None:
    """The latest wave's overall stored levels per element (suppressed dimensions give none).

    Reads ReadinessResult rows the worker stored; nothing is computed here.
    """
    wave = selectors_surveys.latest_released_wave(hit=hit)
    if wave is None:
        return None
    rows = (
        ReadinessResult.objects.released()
        .filter(wave=wave, group_type=ReadinessResult.GROUP_OVERALL, dimension__in=MATURITY_ELEMENTS)
        .values_list("dimension", "level", "computed_at")
    )
    levels: dict[str, int] = {}
    computed_at = None
    for dimension, level, at in rows:
        computed_at = max(computed_at, at) if computed_at else at
        if level is not None:
            levels[dimension] = level
    return SurveyHint(wave=wave, computed_at=computed_at, levels=levels)


# --- Action plans ------------------------------------------------------------------------------------


def action_items(*, hit: HIT, today: datetime.date | None = None) -> QuerySet[ActionPlanItem]:
    """The HIT's action plan with owner and statement joined and `is_overdue` derived from the date.

    An item is overdue when its due date has passed and it is still planned or in progress; nothing
    stores the flag, so it can never go stale.
    """
    today = today or timezone.localdate()
    return (
        ActionPlanItem.objects.filter(hit=hit)
        .select_related("owner", "statement")
        .annotate(
            is_overdue=Case(
                When(Q(due_on__lt=today) & Q(status__in=OPEN_STATUSES), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("due_on", "pk")
    )


def action_item_for_hit(*, hit: HIT, pk: int) -> ActionPlanItem:
    """One item of this HIT's plan, or 404 (an item of another HIT does not exist here)."""
    try:
        return action_items(hit=hit).get(pk=pk)
    except ActionPlanItem.DoesNotExist:
        raise Http404("No such action.") from None


@dataclass(frozen=True)
class OwnerChoices:
    members: Sequence[Person]
    others: Sequence[Person]

    def all(self) -> dict[int, Person]:
        return {p.pk: p for p in [*self.members, *self.others]}


def owner_choices(*, hit: HIT) -> OwnerChoices:
    """Who may own an action: the HIT's current members first, then other people on its map.

    Limited to people already connected with the HIT, so the form never exposes the whole
    directory (which only programme managers browse).
    """
    today = timezone.localdate()
    member_ids = current_memberships(today).filter(hit=hit).values("person_id")
    members = list(Person.objects.filter(pk__in=member_ids).order_by("full_name", "pk"))
    on_map = (
        Stakeholder.objects.filter(hit=hit, person__isnull=False)
        .exclude(end_date__lt=today)
        .values("person_id")
    )
    others = list(Person.objects.filter(pk__in=on_map).exclude(pk__in=member_ids).order_by("full_name", "pk"))
    return OwnerChoices(members=members, others=others)
