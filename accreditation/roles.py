"""The roles accreditation grants: panel chairs, reviewers and lay reviewers, from PanelMember rows.

teams.roles.roles_of gathers a user's roles and asks every app that grants some through the signal
teams.roles.roles_requested; `panel_roles` answers it (connected in AccreditationConfig.ready). A seat
given, changed or removed, and a panel moved to another round, renews the users' roles version
(teams.roles.roles_changed) in the same transaction, so their cached roles are not used again.
"""

from __future__ import annotations

from typing import Any

from accreditation.enums import PanelRole
from accreditation.models import Panel, PanelMember
from teams.enums import Role
from teams.models import User
from teams.roles import RoleGrant, remember_old_value, roles_changed

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


remember_seat_user = remember_old_value("user_id", "_roles_old_user_id")
remember_panel_round = remember_old_value("round_id", "_roles_old_round_id")


def seat_changed(sender: type[PanelMember], instance: PanelMember, **kwargs: Any) -> None:
    """post_save and post_delete of a PanelMember: its user's (and a replaced user's) roles changed."""
    roles_changed([instance.user_id, getattr(instance, "_roles_old_user_id", None)])


def panel_saved(sender: type[Panel], instance: Panel, created: bool = False, **kwargs: Any) -> None:
    """post_save of a Panel: a chair's rounds follow the panel's round."""
    old_round = getattr(instance, "_roles_old_round_id", None)
    if not created and old_round is not None and old_round != instance.round_id:
        roles_changed(instance.members.values_list("user_id", flat=True))
