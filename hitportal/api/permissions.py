"""Who may call which API endpoint: the pages' own rules, adapted to Django REST framework.

Each predicate returns a Verdict (allowed, reason); the DRF permission classes below carry the
reason into the 403 response's "detail". What a user may *see* (one HIT, its scores) stays with the
apps' access selectors, which raise 404, exactly as on the pages.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from core.permissions import ALLOW, Verdict
from teams import permissions as team_permissions
from teams.roles import AnyUser, roles_of


def can_list_hits(user: AnyUser) -> Verdict:
    """The HIT list: portfolio roles see every HIT, members their own; as on teams:hit-list, a user
    who belongs to no HIT is refused with a reason rather than shown an empty list."""
    if team_permissions.can_view_portfolio(user) or roles_of(user).hit_ids:
        return ALLOW
    return Verdict(False, "You are not a member of any HIT yet.")


def can_view_portfolio_figures(user: AnyUser) -> Verdict:
    """The portfolio aggregates: board members, programme managers and PPI facilitators."""
    if team_permissions.can_view_portfolio(user):
        return ALLOW
    return Verdict(
        False, "Only programme managers, board members and PPI facilitators see the portfolio figures."
    )


class _VerdictPermission(BasePermission):
    """A DRF permission from a Verdict predicate; a refusal's reason becomes the 403's "detail".

    DRF builds a fresh instance per request (APIView.get_permissions), so keeping the reason on the
    instance is safe. Anonymous callers never reach the predicate: IsAuthenticated runs first and
    answers 401.
    """

    message = "You may not use this endpoint."

    def verdict(self, user: AnyUser) -> Verdict:  # pragma: no cover - overridden
        raise NotImplementedError

    def has_permission(self, request: Any, view: Any) -> bool:
        verdict = self.verdict(request.user)
        if not verdict:
            self.message = verdict.reason
        return verdict.allowed


class CanListHits(_VerdictPermission):
    def verdict(self, user: AnyUser) -> Verdict:
        return can_list_hits(user)


class CanViewPortfolioFigures(_VerdictPermission):
    def verdict(self, user: AnyUser) -> Verdict:
        return can_view_portfolio_figures(user)
