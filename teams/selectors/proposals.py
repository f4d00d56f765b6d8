"""Reads of the memberships an accredited application proposed (teams.services.proposals)."""

from __future__ import annotations

from teams.enums import ProposalStatus
from teams.models import HIT, ProposedMembership

#: How many decided proposals the page lists under the pending ones (newest first).
DECIDED_SHOWN = 50


def proposals_pending(*, hit: HIT) -> list[ProposedMembership]:
    """The HIT's proposals still to confirm or dismiss, in the application's order (one query)."""
    return list(
        ProposedMembership.objects.filter(hit=hit, status=ProposalStatus.PROPOSED)
        .select_related("person", "organisation")
        .order_by("position", "pk")
    )


def proposals_decided(*, hit: HIT) -> list[ProposedMembership]:
    """The HIT's latest decided proposals, newest first, with who decided (one query)."""
    return list(
        ProposedMembership.objects.filter(hit=hit)
        .exclude(status=ProposalStatus.PROPOSED)
        .select_related("person", "decided_by")
        .order_by("-decided_at", "position", "pk")[:DECIDED_SHOWN]
    )


def proposals_pending_count(*, hit_id: int) -> int:
    """How many of the HIT's proposals wait for a decision (the HIT page's call to action)."""
    return ProposedMembership.objects.filter(hit_id=hit_id, status=ProposalStatus.PROPOSED).count()
