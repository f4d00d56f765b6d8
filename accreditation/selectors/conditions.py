"""Reads of accreditation conditions: the ones still to be met of a HIT or of one application, with
what the user may do next with each (send the evidence, or accept it or send it back)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from accreditation import permissions
from accreditation.enums import ConditionStatus
from accreditation.models import Condition
from teams.enums import Role
from teams.roles import AnyUser, roles_of


@dataclass(frozen=True)
class ConditionRow:
    condition: Condition
    overdue: bool
    can_send_evidence: bool  # open, and the user is its owner or a programme manager
    can_accept: bool  # awaiting acceptance, and the user is a programme manager

    @property
    def awaiting(self) -> bool:
        return self.condition.status == ConditionStatus.AWAITING_ACCEPTANCE


def _unclosed() -> QuerySet[Condition]:
    return (
        Condition.objects.exclude(status=ConditionStatus.CLOSED)
        .select_related("owner", "decision__application__round")
        .order_by("due_on", "pk")
    )


def _rows(user: AnyUser, conditions: QuerySet[Condition], *, today: datetime.date) -> list[ConditionRow]:
    is_pm = roles_of(user).has(Role.PROGRAMME_MANAGER)
    return [
        ConditionRow(
            condition=condition,
            overdue=condition.due_on < today,
            can_send_evidence=condition.status == ConditionStatus.OPEN
            and bool(permissions.can_close_condition(user, condition)),
            can_accept=condition.status == ConditionStatus.AWAITING_ACCEPTANCE and is_pm,
        )
        for condition in conditions
    ]


def unclosed_conditions_of_hit(
    *, user: AnyUser, hit_id: int, today: datetime.date
) -> list[ConditionRow] | None:
    """The HIT's conditions open or awaiting acceptance, soonest due first (one query); None when the
    user may not see them."""
    if not permissions.can_view_conditions_of(user, hit_id):
        return None
    return _rows(user, _unclosed().filter(decision__application__hit_id=hit_id), today=today)


def unclosed_conditions_of_application(
    *, user: AnyUser, application_id: int, hit_id: int, today: datetime.date
) -> list[ConditionRow] | None:
    """The conditions set by the application's decisions, open or awaiting acceptance (one query);
    None when the user may not see them."""
    if not permissions.can_view_conditions_of(user, hit_id):
        return None
    return _rows(user, _unclosed().filter(decision__application_id=application_id), today=today)
