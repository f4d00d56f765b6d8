"""Who may see and do what in reporting. Every predicate returns a Verdict (allowed, reason).

Roles are relative to a HIT (reporting.workflow): `team` is any current member of the HIT,
`programme_manager` any programme manager. Board members read reports, checklists, flags and the
stage history of every HIT; they change nothing.
"""

from __future__ import annotations

from core.permissions import ALLOW, Verdict
from reporting import workflow
from reporting.enums import WITH_TEAM, ReportStatus
from reporting.models import ProgressReport
from teams import permissions as team_permissions
from teams.enums import HITStatus, Role
from teams.models import HIT
from teams.roles import AnyUser, roles_of

READERS = (Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER)


def report_roles(user: AnyUser, hit_id: int) -> set[str]:
    roles = roles_of(user)
    found: set[str] = set()
    if hit_id in roles.hit_ids:
        found.add(workflow.TEAM)
    if roles.has(Role.PROGRAMME_MANAGER):
        found.add(workflow.PROGRAMME_MANAGER)
    return found


def can_list_reports(user: AnyUser) -> Verdict:
    roles = roles_of(user)
    if roles.hit_ids or roles.has(*READERS):
        return ALLOW
    return Verdict(False, "Progress reports are for HIT members, programme managers and board members.")


def can_view_reports(user: AnyUser, hit: HIT) -> Verdict:
    """A HIT's reports, set-up checklist, early-warning flags and stage history."""
    roles = roles_of(user)
    if hit.pk in roles.hit_ids or roles.has(*READERS):
        return ALLOW
    return Verdict(False, "You are not a member of this HIT.")


def can_view_hit_dashboard(user: AnyUser, hit: HIT) -> Verdict:
    """The HIT dashboard: whoever sees the HIT's page (its members, programme managers, board
    members and PPI facilitators). Not reviewers: their view of a HIT is its application and its
    coverage (docs/domain.md section 4). Each section shows only what the user may see on its own page
    (reporting.dashboards.hit_dashboard)."""
    if team_permissions.can_view_hit(user, hit):
        return ALLOW
    return Verdict(False, "You cannot see this HIT's dashboard.")


def can_read_report(user: AnyUser, report: ProgressReport) -> Verdict:
    """One progress report's content: the HIT's members and programme managers in every state;
    board members once it is accepted (docs/domain.md section 4). Before that it is the team's work in
    progress, or waiting for the programme manager. Its status and dates are on the list for all
    readers of the HIT's reports."""
    if report_roles(user, report.hit_id):
        return ALLOW
    if roles_of(user).has(Role.BOARD_MEMBER) and report.status == ReportStatus.ACCEPTED:
        return ALLOW
    return Verdict(
        False, "Board members read a HIT's progress reports once the programme manager accepted them."
    )


def can_manage_schedule(user: AnyUser, hit: HIT) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers set a HIT's reporting schedule.")


def can_start_report(user: AnyUser, hit: HIT) -> Verdict:
    if hit.pk not in roles_of(user).hit_ids:
        return Verdict(False, "Only the HIT's members start its progress reports.")
    if hit.status == HITStatus.CLOSED:
        return Verdict(False, "This HIT is closed; it files no more progress reports.")
    if hit.status in (HITStatus.PROPOSED, HITStatus.IN_APPLICATION):
        return Verdict(False, "Progress reports start once the HIT is accredited.")
    return ALLOW


def can_edit_report(user: AnyUser, report: ProgressReport) -> Verdict:
    if workflow.TEAM not in report_roles(user, report.hit_id):
        return Verdict(False, "Only the HIT's members write its progress reports.")
    if report.status not in WITH_TEAM:
        return Verdict(
            False,
            f"This report is {report.get_status_display().lower()}; it can be edited again only if the "
            "programme manager asks for changes.",
        )
    return ALLOW


def can_move_due_date(user: AnyUser, report: ProgressReport) -> Verdict:
    if not roles_of(user).has(Role.PROGRAMME_MANAGER):
        return Verdict(False, "Only programme managers move a report's due date.")
    if report.status not in WITH_TEAM:
        return Verdict(False, "Only a report that is still with the team can get a new due date.")
    return ALLOW


def can_activate(user: AnyUser, hit: HIT) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only a programme manager moves a HIT to active.")


def can_assess_stage(user: AnyUser, hit: HIT) -> Verdict:
    """The team, or a programme manager, ticks the behaviours and confirms the stage."""
    if report_roles(user, hit.pk):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers assess its life-cycle stage.")


DASHBOARD_ROLES = (Role.BOARD_MEMBER, Role.PROGRAMME_MANAGER, Role.PPI_FACILITATOR)


# --- Access ------------------------------------------------------------------------------------------


def can_view_board_dashboard(user: AnyUser) -> Verdict:
    """The portfolio dashboard and the board report pack."""
    if roles_of(user).has(*DASHBOARD_ROLES):
        return ALLOW
    return Verdict(
        False, "The portfolio dashboard is for board members, programme managers and PPI facilitators."
    )
