"""Who may read the audit log."""

from __future__ import annotations

from core.permissions import Verdict
from teams.enums import Role
from teams.roles import AnyUser, roles_of


def can_view_audit_log(user: AnyUser) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return Verdict(True)
    return Verdict(False, "Only programme managers can read the audit log.")
