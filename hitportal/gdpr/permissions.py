"""Who may handle a person's data requests (export and erasure)."""

from __future__ import annotations

from core.permissions import Verdict
from teams.enums import Role
from teams.roles import AnyUser, roles_of


def can_handle_data_requests(user: AnyUser) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return Verdict(True)
    return Verdict(False, "Only programme managers handle data protection requests.")
