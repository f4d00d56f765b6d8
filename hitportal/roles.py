"""Which roles a user holds, gathered from the three records that grant them.

Programme-wide roles are RoleAssignment rows; HIT roles come from the user's person's current
memberships; panel roles from accreditation.PanelMember. The answer is cached on the user object,
so one request asks the database at most three times however often it is consulted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from teams.enums import MembershipRole, Role

_CACHE_ATTR = "_hitportal_roles"

_MEMBERSHIP_ROLES = {
    MembershipRole.DIRECTOR: Role.HIT_DIRECTOR,
    MembershipRole.CO_DIRECTOR: Role.HIT_DIRECTOR,
    MembershipRole.EXECUTIVE_SPONSOR: Role.EXECUTIVE_SPONSOR,
}


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


def roles_of(user: object) -> UserRoles:
    if user is None or isinstance(user, AnonymousUser) or not getattr(user, "is_authenticated", False):
        return UserRoles()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached

    from accreditation.enums import PanelRole
    from accreditation.models import PanelMember
    from teams.models import Membership, RoleAssignment

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
    panel_role_map = {
        PanelRole.CHAIR: Role.PANEL_CHAIR,
        PanelRole.REVIEWER: Role.REVIEWER,
        PanelRole.LAY_REVIEWER: Role.LAY_REVIEWER,
    }
    for panel_id, round_id, role in PanelMember.objects.filter(user=user).values_list(
        "panel_id", "panel__round_id", "role"
    ):
        panel_ids.add(panel_id)
        roles.add(panel_role_map[role])
        if role == PanelRole.CHAIR:
            chair_round_ids.add(round_id)

    result = UserRoles(
        roles=frozenset(roles),
        hit_ids=frozenset(hit_roles),
        hit_roles={hit_id: frozenset(r) for hit_id, r in hit_roles.items()},
        panel_ids=frozenset(panel_ids),
        chair_round_ids=frozenset(chair_round_ids),
    )
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_roles(user: object) -> None:
    """Drop the cached roles (after a service changed them within the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
