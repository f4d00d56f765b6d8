"""Writes of funding rounds, by programme managers; each one recorded as a RoundChange (the audit log)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accreditation import permissions
from accreditation.enums import RoundChangeKind
from accreditation.models import (
    Panel,
    Round,
    RoundChange,
)
from core.concurrency import check_version
from core.workflow import recorded_actor
from teams.models import User

# --- Rounds ------------------------------------------------------------------------------------------

# The fields of a round a programme manager fills in (RoundForm).
ROUND_FIELDS = (
    "name",
    "opens_on",
    "eoi_deadline",
    "application_deadline",
    "guidance",
    "reviewers_per_application",
    "accreditation_term_years",
)


@transaction.atomic
def round_save(*, actor: User, round: Round, expected_version: str | None = None) -> Round:
    """Create or update a round (programme managers). Side effects: the Round row; one RoundChange
    ("created" with the round's dates and terms, or "changed" with each changed field before and
    after; an edit that changes nothing records nothing).

    A change is refused with StaleEdit (nothing saved) when the round is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    verdict = permissions.can_manage_rounds(actor)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    adding = round._state.adding
    before: Round | None = None
    if not adding:
        before = Round.objects.select_for_update().get(pk=round.pk)
        check_version(before, expected_version)
    round.full_clean()
    if adding:
        round.save()
        detail = "; ".join(
            f"{_label(name)}: {_shown(round, name)}" for name in ROUND_FIELDS if name != "guidance"
        )
        round_change_record(actor=actor, round=round, change=RoundChangeKind.CREATED, detail=detail)
    else:
        round.save(update_fields=[*ROUND_FIELDS, "updated_at"])
        assert before is not None
        changed = [name for name in ROUND_FIELDS if getattr(before, name) != getattr(round, name)]
        if changed:
            detail = "; ".join(
                f"{_label(name)}: {_shown(before, name)} → {_shown(round, name)}"
                if name != "guidance"
                else f"{_label(name)} changed"
                for name in changed
            )
            round_change_record(actor=actor, round=round, change=RoundChangeKind.CHANGED, detail=detail)
    return round


def round_change_record(
    *, actor: User, round: Round, change: str, detail: str, panel: Panel | None = None
) -> None:
    """Append one RoundChange (the callers checked their permission)."""
    RoundChange.objects.create(
        round=round, panel=panel, change=change, actor=recorded_actor(actor), detail=detail
    )


def _label(name: str) -> str:
    label = str(getattr(Round._meta.get_field(name), "verbose_name", name))
    return label[:1].upper() + label[1:]


def _shown(round: Round, name: str) -> str:
    value = getattr(round, name)
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    return str(value)
