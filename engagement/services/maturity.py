"""Writes for the maturity matrix and action plans (GitHub issue "Engagement", item 5).

Each service checks `permissions.can_edit_engagement` itself, so a caller other than a view (a
command, a test, a future API) cannot skip the check. Nothing here feeds a stored score, so no
recompute is requested.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import check_version
from engagement import permissions
from engagement.domain import matrix
from engagement.enums import MATURITY_ELEMENTS, ActionStatus, Dimension
from engagement.models import ActionPlanItem, ActionStatement, MaturityAssessment, MaturityRating
from engagement.selectors import maturity as selectors_maturity
from teams.models import HIT, Person, User


def _require_edit(actor: User, hit: HIT) -> None:
    verdict = permissions.can_edit_engagement(actor, hit)
    if not verdict:
        raise PermissionDenied(verdict.reason)


def _validate_ratings(ratings: Mapping[str, tuple[int | str | None, str]]) -> dict[str, tuple[int, str]]:
    """Exactly the nine elements, each with level 1-3 and a rationale; errors keyed by field name."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(ratings) - set(MATURITY_ELEMENTS))
    if unknown:
        errors.setdefault("__all__", []).append(
            "These are not elements of the maturity matrix: " + ", ".join(map(str, unknown)) + "."
        )
    clean: dict[str, tuple[int, str]] = {}
    for element in matrix.ELEMENTS:
        if element.code not in ratings:
            errors.setdefault(f"level_{element.code}", []).append(f"Choose a level for {element.name}.")
            continue
        chosen, rationale = ratings[element.code]
        try:
            level = int(chosen) if chosen is not None else 0
        except (TypeError, ValueError):
            level = 0
        if level not in matrix.LEVELS:
            errors.setdefault(f"level_{element.code}", []).append(
                f"Choose level 1, 2 or 3 for {element.name}."
            )
        rationale = (rationale or "").strip()
        if not rationale:
            errors.setdefault(f"rationale_{element.code}", []).append(
                f"Say why the group chose this level for {element.name}."
            )
        clean[element.code] = (level, rationale)
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def maturity_assessment_create(
    *,
    actor: User,
    hit: HIT,
    ratings: Mapping[str, tuple[int | str | None, str]],
    participants: str = "",
    assessed_on: datetime.date | None = None,
) -> MaturityAssessment:
    """Record a consensus self-assessment: all nine ratings are stored, or none.

    `ratings` maps each of the nine element codes to (level 1-3, rationale).
    Side effects, in order: permission check (PermissionDenied); validation (ValidationError keyed
    `level_<element>` / `rationale_<element>`, nothing stored); one MaturityAssessment row; nine
    MaturityRating rows.
    """
    _require_edit(actor, hit)
    clean = _validate_ratings(ratings)
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The assessment date cannot be in the future."})
    assessment = MaturityAssessment(
        hit=hit,
        assessed_on=assessed_on,
        participants=participants.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assessment.full_clean()
    assessment.save()
    rows = [
        MaturityRating(assessment=assessment, element=code, level=level, rationale=rationale)
        for code, (level, rationale) in clean.items()
    ]
    for row in rows:
        row.full_clean(exclude=["assessment"])
    MaturityRating.objects.bulk_create(rows)
    return assessment


def _check_due(due_on: datetime.date) -> None:
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past."})


@transaction.atomic
def action_item_create(
    *,
    actor: User,
    hit: HIT,
    title: str,
    owner: Person,
    due_on: datetime.date,
    status: str = ActionStatus.PLANNED,
    statement: ActionStatement | None = None,
    element: str = "",
) -> ActionPlanItem:
    """Add an item to the HIT's action plan, optionally turned from one of the research's statements.

    Side effects: permission check (PermissionDenied); validation (owner connected with the HIT,
    due date not in the past; ValidationError, nothing stored); one ActionPlanItem row.
    """
    _require_edit(actor, hit)
    _check_due(due_on)
    if owner.pk not in selectors_maturity.owner_choices(hit=hit).all():
        raise ValidationError({"owner": "The owner must be a member of the HIT or on its stakeholder map."})
    if element and element not in Dimension.values:
        raise ValidationError({"element": "Choose one of the matrix's elements or capacity."})
    item = ActionPlanItem(
        hit=hit,
        title=title.strip(),
        owner=owner,
        due_on=due_on,
        status=status,
        statement=statement,
        element=element,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_update(
    *,
    actor: User,
    hit: HIT,
    item_id: int,
    status: str,
    due_on: datetime.date,
    expected_version: str | None = None,
) -> ActionPlanItem:
    """Change an item's status and due date.

    A new due date cannot be in the past; an overdue item keeps its date if it is not changed.
    Side effects: permission check; the row locked, validated and saved (status, due date).
    Refused with StaleEdit (nothing saved) when the item is no longer at `expected_version`, the
    version the editor's form started from: a stale "planned" never undoes a colleague's "done".
    """
    _require_edit(actor, hit)
    item = ActionPlanItem.objects.select_for_update().filter(hit=hit).get(pk=item_id)
    check_version(item, expected_version)
    if due_on != item.due_on:
        _check_due(due_on)
    item.status = status
    item.due_on = due_on
    item.full_clean()
    item.save(update_fields=["status", "due_on", "updated_at"])
    return item
