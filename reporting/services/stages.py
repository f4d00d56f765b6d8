"""Writes of a HIT's life-cycle stage and its stage assessments."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from core.permissions import require as _require
from core.workflow import recorded_actor
from reporting import permissions
from reporting.domain import lifecycle
from reporting.models import StageAssessment
from teams.enums import LifecycleStage
from teams.models import HIT, User

# --- Life-cycle stage --------------------------------------------------------------------------------


@transaction.atomic
def hit_stage_set(*, actor: User, hit_id: int, stage: str) -> HIT:
    """Set the HIT's confirmed collaboration life-cycle stage. Side effect: HIT.stage (update_fields)."""
    if stage not in LifecycleStage.values:
        raise ValidationError({"confirmed_stage": "Choose a life-cycle stage."})
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    if hit.stage != stage:
        hit.stage = stage
        hit.save(update_fields=["stage", "updated_at"])
    return hit


@transaction.atomic
def stage_assessment_record(
    *, actor: User, hit_id: int, behaviours: Iterable[str], confirmed_stage: str, note: str = ""
) -> StageAssessment:
    """Record the behaviours a person ticked, the F15 suggestion and the stage they confirm.

    Side effects: a StageAssessment row (the history); the HIT's stage set to the confirmed one.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    _require(permissions.can_assess_stage(actor, hit))
    ticked = sorted({code for code in behaviours if code in lifecycle.BY_CODE})
    unknown = set(behaviours) - set(ticked)
    if unknown:
        raise ValidationError({"behaviours": f"Unknown behaviours: {', '.join(sorted(unknown))}."})
    if confirmed_stage not in LifecycleStage.values:
        raise ValidationError({"confirmed_stage": "Choose the stage you confirm."})
    assessment = StageAssessment(
        hit=hit,
        behaviours=ticked,
        suggested_stage=lifecycle.suggest_stage(ticked) or "",
        confirmed_stage=confirmed_stage,
        note=note.strip(),
        assessed_by=recorded_actor(actor),
    )
    assessment.full_clean()
    assessment.save()
    hit_stage_set(actor=actor, hit_id=hit.pk, stage=confirmed_stage)
    return assessment
