"""Which roles a user holds, gathered from the records that grant them.

Programme-wide roles are RoleAssignment rows and HIT roles come from the user's person's current
memberships, both kept here in teams. Other apps grant roles too (accreditation's panels make
reviewers and chairs): teams, at the bottom of the house plan, cannot ask them by name, so it sends
the signal `roles_requested`, and each app that grants roles answers with a `RoleGrant`
(accreditation/roles.py). The answer is cached on the user object, so one request asks the database
once per granting record however often it is consulted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias, cast

import django.dispatch
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from teams.enums import MembershipRole, Role
from teams.models import Membership, RoleAssignment, User

#: Whom a predicate or a selector may be asked about: a signed-in user, or the anonymous one of a
#: request that has not signed in. Services take `actor: User`: only a signed-in user acts.
AnyUser: TypeAlias = "User | AnonymousUser"

_CACHE_ATTR = "_hitportal_roles"

_MEMBERSHIP_ROLES: dict[str, str] = {
    MembershipRole.DIRECTOR: Role.HIT_DIRECTOR,
    MembershipRole.CO_DIRECTOR: Role.HIT_DIRECTOR,
    MembershipRole.EXECUTIVE_SPONSOR: Role.EXECUTIVE_SPONSOR,
}

#: Sent by roles_of with `user` (signed in). Each receiver returns a RoleGrant, or None.
roles_requested = django.dispatch.Signal()


@dataclass(frozen=True)
class RoleGrant:
    """What an app that grants roles adds to a user's: roles, and the panels and rounds behind them."""

    roles: frozenset[str] = frozenset()
    panel_ids: frozenset[int] = frozenset()
    chair_round_ids: frozenset[int] = frozenset()  # rounds whose panel the user chairs


@dataclass(frozen=True)
class UserRoles:
    roles: frozenset[str] = frozenset()
    hit_ids: frozenset[int] = frozenset()  # HITs the user is a current member of
    hit_roles: dict[int, frozenset[str]] = field(default_factory=dict)  # HIT id -> membership roles
    panel_ids: frozenset[int] = frozenset()
    chair_round_ids: frozenset[int] = frozenset()  # rounds whose panel the user chairs

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_empty(self) -> bool:
        return not self.roles


def roles_of(user: AnyUser | None) -> UserRoles:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return UserRoles()
    cached: UserRoles | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached

    roles: set[str] = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    today = timezone.localdate()
    hit_roles: dict[int, set[str]] = {}
    memberships = Membership.objects.filter(person__user=user, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    for hit_id, role in memberships.values_list("hit_id", "role"):
        hit_roles.setdefault(hit_id, set()).add(role)
        roles.add(Role.HIT_MEMBER)
        if role in _MEMBERSHIP_ROLES:
            roles.add(_MEMBERSHIP_ROLES[role])
    panel_ids: set[int] = set()
    chair_round_ids: set[int] = set()
    for _receiver, answer in roles_requested.send(sender=UserRoles, user=user):
        # Each receiver answers with a RoleGrant or None (accreditation/roles.py); django-stubs
        # types every signal answer as `str | None`.
        grant = cast(RoleGrant | None, answer)
        if grant is None:
            continue
        roles |= grant.roles
        panel_ids |= grant.panel_ids
        chair_round_ids |= grant.chair_round_ids

    result = UserRoles(
        roles=frozenset(roles),
        hit_ids=frozenset(hit_roles),
        hit_roles={hit_id: frozenset(r) for hit_id, r in hit_roles.items()},
        panel_ids=frozenset(panel_ids),
        chair_round_ids=frozenset(chair_round_ids),
    )
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_roles(user: AnyUser | None) -> None:
    """Drop the cached roles (after a service changed them within the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
