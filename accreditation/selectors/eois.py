"""Reads of expressions of interest, permission-aware."""

from __future__ import annotations

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from accreditation import permissions
from accreditation.models import (
    ExpressionOfInterest,
    Round,
)
from teams.enums import Role
from teams.models import HIT, User
from teams.roles import AnyUser, roles_of

#: What the EOI list shows (its rendering is cached per version of these tables: core.versions).
EOI_LIST_SOURCES: tuple[type[models.Model], ...] = (ExpressionOfInterest, Round, User, HIT)


def eoi_get_for_user(*, user: AnyUser, pk: int) -> ExpressionOfInterest:
    try:
        eoi = ExpressionOfInterest.objects.select_related("round", "author", "hit", "decided_by").get(pk=pk)
    except ExpressionOfInterest.DoesNotExist:
        raise Http404("No such expression of interest.") from None
    if not permissions.eoi_roles(user, eoi):
        raise Http404("No such expression of interest.")
    return eoi


def eoi_list_for_user(*, user: AnyUser) -> QuerySet[ExpressionOfInterest]:
    """The author's own EOIs, plus every EOI of rounds the user chairs (all for programme managers)."""
    roles = roles_of(user)
    qs = ExpressionOfInterest.objects.select_related("round", "author", "hit")
    if roles.has(Role.PROGRAMME_MANAGER):
        return qs
    return qs.filter(Q(author_id=user.pk) | Q(round_id__in=roles.chair_round_ids))
