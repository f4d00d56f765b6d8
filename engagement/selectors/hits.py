"""The access selector of the engagement pages of a HIT."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404

from core.permissions import Verdict
from teams.models import HIT
from teams.roles import AnyUser

# One of engagement.permissions' can_view_* predicates: which part of a HIT's engagement a page shows.
Predicate = Callable[[AnyUser, HIT], Verdict]


def hit_for_engagement(*, user: AnyUser, pk: int, may_see: Predicate) -> HIT:
    """A HIT whose engagement records of one kind (`may_see`, e.g. permissions.can_view_coverage)
    the user may see, or 404: who may not see them does not learn that the HIT exists."""
    try:
        hit = HIT.objects.select_related("coverage").get(pk=pk)
    except HIT.DoesNotExist:
        raise Http404("No such HIT.") from None
    if not may_see(user, hit):
        raise Http404("No such HIT.")
    return hit
