"""The main navigation, built from the user's roles so each role sees only what it can use."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from teams.enums import Role
from teams.roles import AnyUser, roles_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation_for(user: AnyUser, path: str) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    roles = roles_of(user)
    entries: list[tuple[str, str]] = [("Home", reverse("home"))]
    if roles.has(Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER, Role.PPI_FACILITATOR):
        entries.append(("HITs", reverse("teams:hit-list")))
    elif roles.has(Role.HIT_MEMBER):
        entries.append(("My HITs", reverse("teams:hit-list")))
    if roles.has(Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER, Role.PPI_FACILITATOR):
        entries.append(("Dashboard", reverse("reporting:board-dashboard")))
    if roles.has(Role.APPLICANT, Role.HIT_MEMBER, Role.PROGRAMME_MANAGER, Role.PANEL_CHAIR):
        entries.append(("Rounds", reverse("accreditation:round-list")))
        entries.append(("Expressions of interest", reverse("accreditation:eoi-list")))
    if roles.has(Role.HIT_MEMBER):
        entries.append(("Applications", reverse("accreditation:application-list")))
    if roles.has(Role.REVIEWER, Role.LAY_REVIEWER):
        entries.append(("My reviews", reverse("accreditation:assignment-list")))
    if roles.has(Role.PROGRAMME_MANAGER, Role.HIT_MEMBER):
        entries.append(("Progress reports", reverse("reporting:report-list")))
    if roles.has(Role.PROGRAMME_MANAGER):
        entries.append(("Conditions", reverse("accreditation:condition-list")))
    if roles.has(Role.PPI_FACILITATOR, Role.PROGRAMME_MANAGER):
        entries.append(("PPI caseload", reverse("engagement:ppi-caseload")))
    if roles.has(Role.PROGRAMME_MANAGER):
        entries.append(("Survey items", reverse("engagement:instrument-list")))
        entries.append(("Audit log", reverse("audit:log")))
        entries.append(("Organisations", reverse("teams:organisation-list")))
        entries.append(("People", reverse("teams:person-list")))
        entries.append(("Vocabularies", reverse("teams:vocabulary-list", args=["stakeholder_category"])))
    if _may_use_admin_site(user):
        entries.append(("Admin site", reverse("admin:index")))
    home = reverse("home")
    return [
        NavItem(label, url, active=(path == url if url == home else path.startswith(url)))
        for label, url in entries
    ]


def _may_use_admin_site(user: AnyUser) -> bool:
    """The admin site is linked only for staff who can do something there: a staff login with no
    model permission would find "You don't have permission to view or edit anything"."""
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return False
    return bool(user.is_superuser or user.get_all_permissions())
