"""Writes of a HIT's reporting schedule: how often reports fall due and when reminders go."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import check_version
from core.permissions import require as _require
from core.workflow import recorded_actor
from reporting import permissions
from reporting.models import (
    ReportSchedule,
    ReportScheduleChange,
    default_reminder_offsets,
)
from teams.models import HIT, User

MAX_OFFSET_DAYS = 90


# --- Schedule ----------------------------------------------------------------------------------------


def clean_offsets(offsets: Iterable[object]) -> list[int]:
    """Whole numbers of days within 90 days either side of the due date, each once, in order."""
    values: list[int] = []
    for raw in offsets:
        text = str(raw).strip()
        try:
            value = int(text)
        except ValueError:
            raise ValidationError({"reminder_offsets": f"{text!r} is not a whole number of days."}) from None
        if abs(value) > MAX_OFFSET_DAYS:
            raise ValidationError(
                {
                    "reminder_offsets": f"Keep reminders within {MAX_OFFSET_DAYS} days of the due date ({value})."
                }
            )
        values.append(value)
    if len(set(values)) != len(values):
        raise ValidationError({"reminder_offsets": "Give each reminder day once."})
    return sorted(values)


@transaction.atomic
def schedule_save(
    *,
    actor: User,
    hit_id: int,
    interval_months: int,
    first_due_on: datetime.date,
    reminder_offsets: Sequence[object] | None = None,
    is_active: bool = True,
    expected_version: str | None = None,
) -> ReportSchedule:
    """Create or change a HIT's reporting schedule (programme managers).

    Side effects: the ReportSchedule row; a ReportScheduleChange (the audit log lists it). Reports already open keep their due date (move it on the
    report); the schedule decides the next ones. A new first due date cannot be in the past.
    Refused with StaleEdit (nothing saved) when the schedule is no longer at `expected_version`,
    the version the editor's form started from ("" while the HIT had none; core.concurrency).
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    _require(permissions.can_manage_schedule(actor, hit))
    # The HIT's lock serialises every save of its schedule.
    schedule = ReportSchedule.objects.filter(hit=hit).first()
    check_version(schedule or ReportSchedule(hit=hit), expected_version)
    offsets = clean_offsets(default_reminder_offsets() if reminder_offsets is None else reminder_offsets)
    if (schedule is None or schedule.first_due_on != first_due_on) and first_due_on < timezone.localdate():
        raise ValidationError({"first_due_on": "The first due date cannot be in the past."})
    created = schedule is None
    if schedule is None:
        schedule = ReportSchedule(hit=hit)
    schedule.interval_months = interval_months
    schedule.first_due_on = first_due_on
    schedule.reminder_offsets = offsets
    schedule.is_active = is_active
    schedule.updated_by = recorded_actor(actor)
    schedule.full_clean()
    if created:
        schedule.save()
    else:
        schedule.save(
            update_fields=[
                "interval_months",
                "first_due_on",
                "reminder_offsets",
                "is_active",
                "updated_by",
                "updated_at",
            ]
        )
    state = "active" if is_active else "paused"
    reminders = ", ".join(f"{offset:+d}" for offset in offsets) or "none"
    ReportScheduleChange.objects.create(
        hit=hit,
        created=created,
        actor=schedule.updated_by,
        detail=f"Every {interval_months} months from {first_due_on:%d %b %Y}, reminders on days {reminders}, {state}",
    )
    return schedule
