"""Who may see and do what in the teams app. Every predicate returns a Verdict (allowed, reason)."""

from __future__ import annotations

from core.permissions import ALLOW, Verdict
from teams.enums import HITStatus, MembershipRole, Role
from teams.models import (
    HIT,
    HITLink,
)
from teams.roles import AnyUser, roles_of

# Roles that see every HIT of the programme (board members read, PPI facilitators follow PPI).
PORTFOLIO_ROLES = (Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER, Role.PPI_FACILITATOR)


def can_view_directory(user: AnyUser) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers can browse the organisation and people directories.")


def can_look_up_directory(user: AnyUser) -> Verdict:
    """Searching people and organisations by name while filling in a form that names one.

    Those forms (an application's governance and stakeholder table, a HIT's members and stakeholder
    map, the directory itself) are for HIT members and programme managers; the names returned are
    those the forms' lists already show them. Nobody else may search: the directory names patients
    and members of the public.
    """
    roles = roles_of(user)
    if roles.hit_ids or roles.has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only HIT members and programme managers search the directory.")


def can_find_people_by_email(user: AnyUser) -> Verdict:
    """Typing a whole email address to find its owner (teams.forms.lookup). Everyone else searches names only:
    matching parts of addresses let a member rebuild a public member's address one letter at a time."""
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers find people by their email address.")


def can_manage_directory(user: AnyUser) -> Verdict:
    return can_view_directory(user)


def can_manage_roles(user: AnyUser) -> Verdict:
    """Granting and revoking programme roles (programme manager, board member, PPI facilitator)."""
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers grant and revoke programme roles.")


def can_create_account(user: AnyUser) -> Verdict:
    """Creating a login for a person in the directory and inviting them to set a password."""
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers create logins for people in the directory.")


def can_manage_vocabularies(user: AnyUser) -> Verdict:
    """Adding, renaming and switching off the terms of the vocabularies (docs/domain.md section 2)."""
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers edit the vocabularies.")


def can_look_up_organisations(user: AnyUser) -> Verdict:
    """Searching organisations by name: those who search the directory, and applicants, whose expression
    of interest names its partner organisations (the list that form offers is every active organisation;
    no person is named)."""
    if can_look_up_directory(user) or roles_of(user).has(Role.APPLICANT):
        return ALLOW
    return Verdict(False, "Only applicants, HIT members and programme managers search the organisations.")


def can_look_up_hits(user: AnyUser) -> Verdict:
    """Searching HITs by name from a form or filter that names one (teams.forms.lookup). What is found is
    what the user may see (teams.selectors.hits.hit_list_for_user): every HIT for the portfolio roles, their
    own for HIT members; nobody else has a HIT to find."""
    roles = roles_of(user)
    if roles.hit_ids or roles.has(*PORTFOLIO_ROLES):
        return ALLOW
    return Verdict(False, "Only HIT members and the programme's portfolio roles search the HITs.")


def can_view_portfolio(user: AnyUser) -> Verdict:
    if roles_of(user).has(*PORTFOLIO_ROLES):
        return ALLOW
    return Verdict(False, "Only programme managers, board members and PPI facilitators see every HIT.")


def can_view_hit(user: AnyUser, hit: HIT) -> Verdict:
    roles = roles_of(user)
    if roles.has(*PORTFOLIO_ROLES) or hit.pk in roles.hit_ids:
        return ALLOW
    return Verdict(False, "You are not a member of this HIT.")


def _member_or_pm(user: AnyUser, hit: HIT) -> bool:
    roles = roles_of(user)
    return hit.pk in roles.hit_ids or roles.has(Role.PROGRAMME_MANAGER)


def can_view_documents(user: AnyUser, hit: HIT) -> Verdict:
    """A HIT's uploaded documents: its members and programme managers. Board members and PPI
    facilitators see the HIT's page but never its documents (docs/domain.md section 4)."""
    if _member_or_pm(user, hit):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers see its documents.")


def can_view_meetings(user: AnyUser, hit: HIT) -> Verdict:
    """A HIT's meeting records (dates, groups, notes): its members and programme managers."""
    if _member_or_pm(user, hit):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers see its meetings.")


def can_view_sponsor_log(user: AnyUser, hit: HIT) -> Verdict:
    """The log of contact with the executive sponsor (who, when, what about): its members and
    programme managers."""
    if _member_or_pm(user, hit):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers see its executive sponsor log.")


def can_view_sponsor_contact(user: AnyUser, hit: HIT) -> Verdict:
    """How recently the HIT was in touch with its sponsor (green, amber, red), without the log:
    also board members, who read it among the early-warning flags; not PPI facilitators."""
    if _member_or_pm(user, hit) or roles_of(user).has(Role.BOARD_MEMBER):
        return ALLOW
    return Verdict(False, "You cannot see this HIT's contact with its executive sponsor.")


def can_change_hit_status(user: AnyUser, hit: HIT) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only a programme manager can change a HIT's status.")


def can_see_applications_of(user: AnyUser, hit: HIT) -> Verdict:
    """The team and programme managers see a HIT's applications listed on its page."""
    roles = roles_of(user)
    if hit.pk in roles.hit_ids or roles.has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only the team and programme managers see its applications.")


def can_manage_members(user: AnyUser, hit: HIT) -> Verdict:
    """The HIT's director or co-director, or a programme manager, manages members and roles."""
    roles = roles_of(user)
    directing = roles.hit_roles.get(hit.pk, frozenset()) & {"director", "co_director"}
    if directing or roles.has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only the HIT's director or a programme manager manages its members.")


def can_confirm_proposed_memberships(user: AnyUser, hit: HIT) -> Verdict:
    """Who manages the HIT's members confirms or dismisses the memberships its accredited
    application proposed (docs/domain.md section 3.9); a closed HIT takes no new members."""
    verdict = can_manage_members(user, hit)
    if not verdict:
        return Verdict(False, "Only the HIT's director or a programme manager confirms its proposed members.")
    if hit.status == HITStatus.CLOSED:
        return Verdict(False, "A closed HIT takes no new members.")
    return ALLOW


DIRECTOR_ROLES = (MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR)


# A HIT's accreditations are accreditation's rows, reached from the HIT through their relation
# (`HIT.accreditations`): teams never imports accreditation, and the subqueries below start from HIT.


# --- Who may act ---------------------------------------------------------------------------------------


def _hit_roles(user: AnyUser, hit_id: int) -> frozenset[str]:
    return roles_of(user).hit_roles.get(hit_id, frozenset())


def _is_pm(user: AnyUser) -> bool:
    return roles_of(user).has(Role.PROGRAMME_MANAGER)


def can_manage_links(user: AnyUser, hit: HIT) -> Verdict:
    if _is_pm(user) or _hit_roles(user, hit.pk) & set(DIRECTOR_ROLES):
        return ALLOW
    return Verdict(
        False, "Only the HIT's director or co-director and programme managers record related HITs."
    )


def can_delete_link(user: AnyUser, link: HITLink) -> Verdict:
    """Either HIT's director or co-director may remove a link between the two; so may programme managers."""
    if _is_pm(user) or (_hit_roles(user, link.from_hit_id) | _hit_roles(user, link.to_hit_id)) & set(
        DIRECTOR_ROLES
    ):
        return ALLOW
    return Verdict(
        False, "Only a director or co-director of either HIT and programme managers remove a link."
    )


def can_upload_document(user: AnyUser, hit: HIT) -> Verdict:
    if _is_pm(user) or hit.pk in roles_of(user).hit_ids:
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers upload its documents.")


def can_record_meeting(user: AnyUser, hit: HIT) -> Verdict:
    if _is_pm(user) or hit.pk in roles_of(user).hit_ids:
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers record its meetings.")


def can_log_sponsor_interaction(user: AnyUser, hit: HIT) -> Verdict:
    roles = _hit_roles(user, hit.pk)
    if _is_pm(user) or roles & {*DIRECTOR_ROLES, MembershipRole.EXECUTIVE_SPONSOR}:
        return ALLOW
    return Verdict(
        False, "Only the HIT's director, its executive sponsor and programme managers log sponsor contact."
    )


def can_edit_hit_profile(user: AnyUser, hit: HIT) -> Verdict:
    """The HIT's director or co-director, or a programme manager, edits its name, focus, problem,
    aims and host; a closed HIT's record stays as it was when it closed (docs/domain.md 3.9)."""
    if not (_is_pm(user) or _hit_roles(user, hit.pk) & set(DIRECTOR_ROLES)):
        return Verdict(False, "Only the HIT's director or a programme manager edits its profile.")
    if hit.status == HITStatus.CLOSED:
        return Verdict(False, "A closed HIT's profile is kept as it was when it closed.")
    return ALLOW
