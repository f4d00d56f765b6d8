"""The main navigation, built from the user's roles so each role sees only what it can use.

Every page draws it, so it costs no query and almost no time: the roles come from teams.roles.roles_of
(gathered once per request, usually from the cache), and the links of each combination of roles are
reversed once per process (`_entries`), keyed by the script prefix and URLconf they were reversed under.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

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
    entries = _entries(roles_of(user).roles, _may_use_admin_site(user), *_url_context())
    home = entries[0][1]
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


def _url_context() -> tuple[str, str]:
    return get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _entries(
    roles: frozenset[str], admin_site: bool, prefix: str, urlconf: str
) -> tuple[tuple[str, str], ...]:
    """The navigation's (label, URL) pairs for a set of roles; `prefix` and `urlconf` only key the cache."""

    def has(*wanted: str) -> bool:
        return any(role in roles for role in wanted)

    def url(name: str, *args: str) -> str:
        return reverse(name, args=args, urlconf=urlconf)

    entries: list[tuple[str, str]] = [("Home", url("home"))]
    if has(Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER, Role.PPI_FACILITATOR):
        entries.append(("HITs", url("teams:hit-list")))
    elif has(Role.HIT_MEMBER):
        entries.append(("My HITs", url("teams:hit-list")))
    if has(Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER, Role.PPI_FACILITATOR):
        entries.append(("Dashboard", url("reporting:board-dashboard")))
    if has(Role.APPLICANT, Role.HIT_MEMBER, Role.PROGRAMME_MANAGER, Role.PANEL_CHAIR):
        entries.append(("Rounds", url("accreditation:round-list")))
        entries.append(("Expressions of interest", url("accreditation:eoi-list")))
    if has(Role.HIT_MEMBER):
        entries.append(("Applications", url("accreditation:application-list")))
    if has(Role.REVIEWER, Role.LAY_REVIEWER):
        entries.append(("My reviews", url("accreditation:assignment-list")))
    if has(Role.PROGRAMME_MANAGER, Role.HIT_MEMBER):
        entries.append(("Progress reports", url("reporting:report-list")))
    if has(Role.PROGRAMME_MANAGER):
        entries.append(("Conditions", url("accreditation:condition-list")))
    if has(Role.PPI_FACILITATOR, Role.PROGRAMME_MANAGER):
        entries.append(("PPI caseload", url("engagement:ppi-caseload")))
    if has(Role.PROGRAMME_MANAGER):
        entries.append(("Survey items", url("engagement:instrument-list")))
        entries.append(("Audit log", url("audit:log")))
        entries.append(("Organisations", url("teams:organisation-list")))
        entries.append(("People", url("teams:person-list")))
        entries.append(("Vocabularies", url("teams:vocabulary-list", "stakeholder_category")))
    if admin_site:
        entries.append(("Admin site", url("admin:index")))
    return tuple(entries)
