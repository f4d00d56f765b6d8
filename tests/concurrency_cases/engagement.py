"""Edit and create pages of the engagement app: the stakeholder map, the PPI log, surveys' item bank
and waves, maturity assessments and the action plan."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from engagement.domain import matrix
from engagement.enums import ActionStatus, PPIStandard
from engagement.models import (
    ActionPlanItem,
    InvolvementActivity,
    Item,
    MaturityAssessment,
    PublicReview,
    Stakeholder,
    StandardsAssessment,
    SupportGiven,
    SupportRequest,
    Wave,
)
from engagement.services import maturity as services_maturity
from engagement.services import ppi as services_ppi
from engagement.services import stakeholders as engagement_services
from engagement.services import surveys as services_surveys
from teams.enums import HITStatus
from teams.models import HIT
from tests import factories as f
from tests.concurrency_cases.base import CREATED, THEIRS, TYPED, CreateCase, EditCase
from tests.factories import engagement as ef


def _today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


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


def _item(ctx: dict) -> tuple[dict, Any]:
    instrument = ef.InstrumentFactory(is_published=False)
    row = ef.ItemFactory(instrument=instrument, code="TR1", text="I trust our partners.")
    return {"pk": instrument.pk, "item_pk": row.pk}, row


def _item_post(row: Any) -> dict:
    return {"code": row.code, "dimension": row.dimension, "text": TYPED, "reverse_worded": "", "position": 1}


def _item_elsewhere(row: Any, ctx: dict) -> None:
    fresh = Item.objects.get(pk=row.pk)
    fresh.text = THEIRS
    services_surveys.item_save(actor=ctx["peer"], item=fresh)


def _action(ctx: dict) -> tuple[dict, Any]:
    row = ef.ActionPlanItemFactory(hit=ctx["hit"], status=ActionStatus.PLANNED)
    return {"hit_pk": ctx["hit"].pk, "pk": row.pk}, row


def _action_post(row: Any) -> dict:
    return {"status": ActionStatus.PLANNED, "due_on": row.due_on.isoformat()}


def _action_elsewhere(row: Any, ctx: dict) -> None:
    services_maturity.action_item_update(
        actor=ctx["peer"], hit=row.hit, item_id=row.pk, status=ActionStatus.DONE, due_on=row.due_on
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
    EditCase(
        "engagement:item-edit",
        "programme_manager",
        _item,
        _item_post,
        _item_elsewhere,
        lambda row: Item.objects.get(pk=row.pk).text,
        peer="other_programme_manager",
    ),
    EditCase(
        # The finding: a colleague marked the action done; a form opened before must not undo it.
        "engagement:action-edit",
        "director",
        _action,
        _action_post,
        _action_elsewhere,
        lambda row: ActionPlanItem.objects.get(pk=row.pk).status,
        typed=ActionStatus.PLANNED,
        theirs=ActionStatus.DONE,
        shown=("Planned", "Done"),
        kept='<option value="planned" selected>Planned</option>',
    ),
]

# --- Create pages ------------------------------------------------------------------------------------


def _hit(ctx: dict) -> dict:
    return {"hit_pk": ctx["hit"].pk}


def _map_setup(ctx: dict) -> None:
    ctx["organisation"] = f.OrganisationFactory()


def _lay_setup(ctx: dict) -> None:
    """The public review group assesses the PPI arrangements of HITs in set-up (docs/domain.md section 4)."""
    HIT.objects.filter(pk=ctx["hit"].pk).update(status=HITStatus.SET_UP)


def _support_setup(ctx: dict) -> None:
    ctx["request"] = ef.SupportRequestFactory(hit=ctx["hit"])


def _draft_instrument_setup(ctx: dict) -> None:
    ctx["instrument"] = ef.InstrumentFactory(is_published=False)


def _wave_setup(ctx: dict) -> None:
    ctx["instrument"] = ef.InstrumentFactory(is_published=True)
    ef.ItemFactory(instrument=ctx["instrument"])


def _action_setup(ctx: dict) -> None:
    ctx["owner"] = ctx["user"].person


def _standards(ctx: dict) -> dict:
    data = {"assessed_on": _today()}
    for standard in PPIStandard:
        data[f"rating_{standard.value}"] = "2"
        data[f"note_{standard.value}"] = CREATED
    return data


def _maturity(ctx: dict) -> dict:
    data = {"assessed_on": _today(), "participants": CREATED}
    for element in matrix.ELEMENTS:
        data[f"level_{element.code}"] = "2"
        data[f"rationale_{element.code}"] = "Agreed at the away day."
    return data


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
    CreateCase(
        "engagement:stakeholder-create",
        "director",
        _hit,
        lambda ctx: {
            "person": "",
            "organisation": ctx["organisation"].pk,
            "category": ef.category("COMM").pk,
            "depth": "2",
            "role": CREATED,
            "start_date": _today(-30),
            "end_date": "",
            "evidence": "",
        },
        lambda ctx: Stakeholder.objects.filter(hit=ctx["hit"], role=CREATED).count(),
        setup=_map_setup,
    ),
    CreateCase(
        "engagement:ppi-standards-create",
        "director",
        _hit,
        _standards,
        lambda ctx: StandardsAssessment.objects.filter(hit=ctx["hit"]).count(),
    ),
    CreateCase(
        "engagement:ppi-review-create",
        "lay_reviewer",
        _hit,
        lambda ctx: {"ppi_depth": "2", "arrangements_adequate": "yes", "comments": CREATED},
        lambda ctx: PublicReview.objects.filter(comments=CREATED).count(),
        setup=_lay_setup,
    ),
    CreateCase(
        "engagement:ppi-support-create",
        "director",
        _hit,
        lambda ctx: {"topic": CREATED, "details": ""},
        lambda ctx: SupportRequest.objects.filter(topic=CREATED).count(),
    ),
    CreateCase(
        "engagement:ppi-support-detail",
        "ppi_facilitator",
        lambda ctx: {"pk": ctx["request"].pk},
        lambda ctx: {"form": "support", "given_on": _today(), "hours": "1.5", "note": CREATED},
        lambda ctx: SupportGiven.objects.filter(note=CREATED).count(),
        setup=_support_setup,
    ),
    CreateCase(
        "engagement:item-create",
        "programme_manager",
        lambda ctx: {"pk": ctx["instrument"].pk},
        lambda ctx: {
            "code": "NEW1",
            "dimension": "trust",
            "text": CREATED,
            "reverse_worded": "",
            "position": 1,
        },
        lambda ctx: Item.objects.filter(text=CREATED).count(),
        setup=_draft_instrument_setup,
        repeatable=False,  # item codes are unique within a version
    ),
    CreateCase(
        "engagement:wave-create",
        "director",
        _hit,
        lambda ctx: {
            "title": CREATED,
            "instrument": ctx["instrument"].pk,
            "opens_on": _today(),
            "closes_on": _today(28),
        },
        lambda ctx: Wave.objects.filter(title=CREATED).count(),
        setup=_wave_setup,
    ),
    CreateCase(
        "engagement:maturity-create",
        "director",
        _hit,
        _maturity,
        lambda ctx: MaturityAssessment.objects.filter(participants=CREATED).count(),
    ),
    CreateCase(
        "engagement:action-create",
        "director",
        _hit,
        lambda ctx: {
            "title": CREATED,
            "owner": ctx["owner"].pk,
            "due_on": _today(30),
            "status": "planned",
            "element": "",
            "statement": "",
        },
        lambda ctx: ActionPlanItem.objects.filter(title=CREATED).count(),
        setup=_action_setup,
    ),
]
