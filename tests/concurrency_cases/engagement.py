"""Edit and create pages of the engagement app: the stakeholder map, the PPI log, surveys' item bank
and waves, maturity assessments and the action plan."""

from __future__ import annotations

from typing import Any

from engagement import services as engagement_services
from engagement import services_ppi
from engagement.models import InvolvementActivity, Stakeholder
from tests.concurrency_cases.base import CREATED, THEIRS, TYPED, CreateCase, EditCase
from tests.factories import engagement as ef

# --- Edit pages --------------------------------------------------------------------------------------


def _map_row(ctx: dict) -> tuple[dict, Any]:
    row = ef.StakeholderFactory(hit=ctx["hit"], role="Link worker")
    return {"hit_pk": ctx["hit"].pk, "pk": row.pk}, row


def _map_row_post(row: Any) -> dict:
    return {
        "organisation": row.organisation_id,
        "category": row.category_id,
        "depth": 2,
        "role": TYPED,
        "start_date": row.start_date.isoformat(),
        "end_date": "",
        "evidence": "",
    }


def _map_row_elsewhere(row: Any, ctx: dict) -> None:
    fresh = type(row).objects.get(pk=row.pk)
    fresh.role = THEIRS
    engagement_services.stakeholder_save(actor=ctx["peer"], stakeholder=fresh)


def _activity(ctx: dict) -> tuple[dict, Any]:
    row = ef.InvolvementActivityFactory(hit=ctx["hit"], description="A workshop")
    return {"hit_pk": ctx["hit"].pk, "pk": row.pk}, row


def _activity_post(row: Any) -> dict:
    return {
        "happened_on": row.happened_on.isoformat(),
        "activity_type": row.activity_type,
        "description": TYPED,
        "patients": row.patients,
        "carers": row.carers,
        "public": row.public,
        "named_with_consent": "",
        "hours": str(row.hours),
        "level": row.level,
        "decision_forum": row.decision_forum,
        "impact": "",
        "recognition": row.recognition,
    }


def _activity_elsewhere(row: Any, ctx: dict) -> None:
    values = {field: getattr(row, field) for field in services_ppi.ACTIVITY_FIELDS}
    services_ppi.activity_update(
        actor=ctx["peer"], activity_id=row.pk, values={**values, "description": THEIRS}
    )


EDIT_CASES = [
    EditCase(
        "engagement:stakeholder-edit",
        "director",
        _map_row,
        _map_row_post,
        _map_row_elsewhere,
        lambda row: Stakeholder.objects.get(pk=row.pk).role,
    ),
    EditCase(
        "engagement:ppi-activity-edit",
        "director",
        _activity,
        _activity_post,
        _activity_elsewhere,
        lambda row: InvolvementActivity.objects.get(pk=row.pk).description,
    ),
]

# --- Create pages ------------------------------------------------------------------------------------


def _hit(ctx: dict) -> dict:
    return {"hit_pk": ctx["hit"].pk}


CREATE_CASES = [
    CreateCase(
        "engagement:ppi-activity-create",
        "director",
        _hit,
        lambda ctx: {
            "happened_on": "2026-11-02",
            "activity_type": "meeting",
            "description": CREATED,
            "patients": 2,
            "carers": 0,
            "public": 1,
            "named_with_consent": "",
            "hours": "1.5",
            "level": "involve",
            "decision_forum": "none",
            "impact": "",
            "recognition": "none",
        },
        lambda ctx: InvolvementActivity.objects.filter(hit=ctx["hit"], description=CREATED).count(),
    ),
]
