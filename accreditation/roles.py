"""The roles accreditation grants: panel chairs, reviewers and lay reviewers, from PanelMember rows.

teams.roles.roles_of gathers a user's roles and asks every app that grants some through the signal
teams.roles.roles_requested; `panel_roles` answers it (connected in AccreditationConfig.ready).
"""

from __future__ import annotations

from accreditation.enums import PanelRole
from accreditation.models import PanelMember
from teams.enums import Role
from teams.models import User
from teams.roles import RoleGrant

PANEL_ROLES: dict[str, Role] = {
    PanelRole.CHAIR: Role.PANEL_CHAIR,
    PanelRole.REVIEWER: Role.REVIEWER,
    PanelRole.LAY_REVIEWER: Role.LAY_REVIEWER,
}


def panel_roles(sender: object, *, user: User, **kwargs: object) -> RoleGrant:
    """The user's panel seats as roles (one query)."""
    roles: set[str] = set()
    panel_ids: set[int] = set()
    chair_round_ids: set[int] = set()
    for panel_id, round_id, role in PanelMember.objects.filter(user=user).values_list(
        "panel_id", "panel__round_id", "role"
    ):
        panel_ids.add(panel_id)
        roles.add(PANEL_ROLES[role])
        if role == PanelRole.CHAIR:
            chair_round_ids.add(round_id)
    return RoleGrant(
        roles=frozenset(roles), panel_ids=frozenset(panel_ids), chair_round_ids=frozenset(chair_round_ids)
    )
