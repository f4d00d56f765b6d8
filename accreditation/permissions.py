"""Who may see and do what in accreditation. Predicates return a Verdict (allowed, reason).

Roles are relative to the object (accreditation.workflow): `applicant` is a current director or
co-director of the application's HIT, `teammate` any other current member, `chair` a chair of a
panel of the round, `reviewer` a panel member assigned to the application.
"""

from __future__ import annotations

import datetime

from django.utils.formats import date_format

from accreditation.enums import ApplicationStatus, ConflictDeclaration, ConflictResolution, EOIStatus
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    ExpressionOfInterest,
    Panel,
    ReviewAssignment,
    Round,
)
from accreditation.workflow import APPLICANT, CHAIR, FINAL_APPLICATION_STATES, PROGRAMME_MANAGER
from core.permissions import ALLOW, Verdict
from core.workflow import Transition
from teams.enums import MembershipRole, Role
from teams.roles import AnyUser, roles_of

TEAMMATE = "teammate"
REVIEWER = "reviewer"
_DIRECTING = {MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR}


def application_roles(user: AnyUser, application: Application) -> set[str]:
    roles = roles_of(user)
    found: set[str] = set()
    hit_roles = roles.hit_roles.get(application.hit_id, frozenset())
    if hit_roles & _DIRECTING:
        found.add(APPLICANT)
    elif hit_roles:
        found.add(TEAMMATE)
    if application.round_id in roles.chair_round_ids:
        found.add(CHAIR)
    if roles.has(Role.PROGRAMME_MANAGER):
        found.add(PROGRAMME_MANAGER)
    return found


def eoi_roles(user: AnyUser, eoi: ExpressionOfInterest) -> set[str]:
    roles = roles_of(user)
    found: set[str] = set()
    if eoi.author_id == user.pk:
        found.add(APPLICANT)
    if eoi.round_id in roles.chair_round_ids:
        found.add(CHAIR)
    if roles.has(Role.PROGRAMME_MANAGER):
        found.add(PROGRAMME_MANAGER)
    return found


def can_make_move(transition: Transition, roles: set[str]) -> Verdict:
    """A move of the application or EOI workflow (accreditation.workflow), for someone holding `roles`
    on its object (application_roles, eoi_roles): allowed when one of them is among the move's."""
    if transition.roles & roles:
        return ALLOW
    return Verdict(False, f"You cannot '{transition.label.lower()}' here.")


def reviewing_is_open(application: Application) -> bool:
    """A review assignment lasts until the panel's final decision on its application (a deferral
    asks the same reviewers to review the resubmission, so it stays open); after it the reviewer
    sees nothing more of the application (docs/domain.md section 4)."""
    return application.status not in FINAL_APPLICATION_STATES


def can_view_application(
    user: AnyUser, application: Application, assignment: ReviewAssignment | None
) -> Verdict:
    """Team, chair and programme manager always; a reviewer only while assigned, not conflicted,
    and until the decision."""
    if application_roles(user, application):
        return ALLOW
    if assignment is not None and assignment.may_open_application and reviewing_is_open(application):
        return ALLOW
    return Verdict(False, "You cannot open this application.")


def can_edit_application(user: AnyUser, application: Application) -> Verdict:
    roles = application_roles(user, application)
    if not roles & {APPLICANT, TEAMMATE}:
        return Verdict(False, "Only members of the HIT edit its application.")
    if application.status != ApplicationStatus.DRAFT:
        return Verdict(
            False,
            f"This application is {application.get_status_display().lower()}; it can be edited again only "
            "once the panel asks for a revision.",
        )
    return ALLOW


def can_manage_review(user: AnyUser, application: Application) -> Verdict:
    if CHAIR in application_roles(user, application):
        return ALLOW
    return Verdict(False, "Only the chair of this round's panel manages its reviews.")


def can_assign_reviewers(user: AnyUser, application: Application) -> Verdict:
    roles = application_roles(user, application)
    if roles & {CHAIR, PROGRAMME_MANAGER}:
        return ALLOW
    return Verdict(False, "Only the panel chair or a programme manager assigns reviewers.")


def can_review(user: AnyUser, assignment: ReviewAssignment) -> Verdict:
    if assignment.reviewer_id != user.pk:
        return Verdict(False, "This review is assigned to someone else.")
    if assignment.resolution == ConflictResolution.RECUSED:
        return Verdict(False, "The chair recused you from this application.")
    if assignment.declaration == ConflictDeclaration.PENDING:
        return Verdict(False, "Declare any conflict of interest before you open the application.")
    if assignment.conflict_unresolved:
        return Verdict(False, "A conflict of interest is waiting for the chair.")
    return ALLOW


def can_manage_rounds(user: AnyUser) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers manage rounds.")


def can_manage_panels(user: AnyUser) -> Verdict:
    """Programme managers make a round's panels and seat, remove and replace their members."""
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers change a panel's members.")


def can_view_panel(user: AnyUser, panel: Panel) -> Verdict:
    """Programme managers see every panel; a chair sees the composition of their round's panels
    (they already see its members as suggested reviewers), read-only."""
    roles = roles_of(user)
    if roles.has(Role.PROGRAMME_MANAGER) or panel.round_id in roles.chair_round_ids:
        return ALLOW
    return Verdict(False, "Only programme managers and the round's panel chair see its panel.")


def can_start_eoi(user: AnyUser) -> Verdict:
    if roles_of(user).has(Role.APPLICANT, Role.HIT_MEMBER, Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(
        False, "Ask the programme manager for the applicant role to send an expression of interest."
    )


def can_see_round_board(user: AnyUser, round_id: int) -> Verdict:
    roles = roles_of(user)
    if round_id in roles.chair_round_ids or roles.has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only the round's panel chair and programme managers see its board.")


def can_close_condition(user: AnyUser, condition: Condition) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    if condition.owner.user_id is not None and condition.owner.user_id == user.pk:
        return ALLOW
    return Verdict(False, "Only the condition's owner or a programme manager closes it.")


def can_view_conditions_of(user: AnyUser, hit_id: int) -> Verdict:
    """A HIT's accreditation conditions (on its page and its applications' pages): programme managers
    and the HIT's current members, as on the conditions list (docs/domain.md section 3.4)."""
    roles = roles_of(user)
    if roles.has(Role.PROGRAMME_MANAGER) or hit_id in roles.hit_ids:
        return ALLOW
    return Verdict(False, "Only programme managers and the HIT's members see its accreditation conditions.")


def can_accept_condition(user: AnyUser, condition: Condition) -> Verdict:
    """Programme managers accept a condition's evidence or send it back (docs/domain.md section 3.6)."""
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only a programme manager accepts a condition's evidence or sends it back.")


def can_start_renewal(user: AnyUser, accreditation: Accreditation) -> Verdict:
    roles = roles_of(user)
    directing = {MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR}
    if (
        roles.has(Role.PROGRAMME_MANAGER)
        or roles.hit_roles.get(accreditation.hit_id, frozenset()) & directing
    ):
        return ALLOW
    return Verdict(False, "Only the HIT's director or a programme manager starts a renewal.")


# Who works with rounds and EOIs at all (docs/domain.md section 4). Reviewers, board members and PPI
# facilitators reach applications through their own pages, not through calls.
_ROUND_AUDIENCE = (Role.APPLICANT, Role.HIT_MEMBER, Role.PANEL_CHAIR, Role.PROGRAMME_MANAGER)


def _day(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def can_use_rounds(user: AnyUser) -> Verdict:
    """Rounds and EOIs are for applicants, HIT members, panel chairs and programme managers."""
    if roles_of(user).has(*_ROUND_AUDIENCE):
        return ALLOW
    return Verdict(
        False,
        "Rounds and expressions of interest are for applicants, HIT members, panel chairs and programme "
        "managers. Ask the programme manager for the applicant role to send one.",
    )


def eoi_window(round: Round, today: datetime.date) -> Verdict:
    """Expressions of interest are written and sent from the opening day to the EOI deadline, inclusive."""
    if today < round.opens_on:
        return Verdict(False, f"{round} opens for expressions of interest on {_day(round.opens_on)}.")
    if today > round.eoi_deadline:
        return Verdict(
            False, f"The deadline for expressions of interest to {round} was {_day(round.eoi_deadline)}."
        )
    return ALLOW


def can_edit_eoi(user: AnyUser, eoi: ExpressionOfInterest, today: datetime.date) -> Verdict:
    """Only the author edits an EOI, while it is a draft and its round takes expressions of interest."""
    if eoi.author_id != user.pk:
        return Verdict(False, "Only the author edits an expression of interest.")
    if eoi.status != EOIStatus.DRAFT:
        return Verdict(
            False,
            f"This expression of interest was already {eoi.get_status_display().lower()}; it can no longer "
            "be edited.",
        )
    return eoi_window(eoi.round, today)
