"""Writes of funding rounds, by programme managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accreditation import permissions
from accreditation.models import (
    Round,
)
from core.concurrency import check_version
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
    """Create or update a round (programme managers). Side effect: the Round row.

    A change is refused with StaleEdit (nothing saved) when the round is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    verdict = permissions.can_manage_rounds(actor)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    adding = round._state.adding
    if not adding:
        check_version(Round.objects.select_for_update().get(pk=round.pk), expected_version)
    round.full_clean()
    if adding:
        round.save()
    else:
        round.save(update_fields=[*ROUND_FIELDS, "updated_at"])
    return round
