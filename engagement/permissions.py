"""Who may see and do what in engagement. Predicates return a Verdict (allowed, reason).

Seeing follows the roles table of docs/domain.md section 4, one predicate per kind of record, because
the roles see different parts of a HIT's engagement:

==================  =======  ==  =====  ===========  ========  ============  =====
record              members  PM  board  facilitator  reviewer  lay reviewer  chair
==================  =======  ==  =====  ===========  ========  ============  =====
stakeholder map     yes      yes
coverage            yes      yes yes    yes          open                    open
readiness results   yes      yes yes
maturity matrix     yes      yes yes
action plan         yes      yes
PPI log             yes      yes        yes                    set-up HITs
==================  =======  ==  =====  ===========  ========  ============  =====

"open": while the user's cleared assignment to (or, for a chair, the round of) one of the HIT's
applications is open, that is until the panel's final decision. Nothing after it.
"""

from __future__ import annotations

from django.db.models import Q

from core.permissions import ALLOW, Verdict
from engagement.models import Instrument
from teams.enums import HITStatus, Role
from teams.models import HIT
from teams.roles import AnyUser, UserRoles, roles_of

# accreditation.workflow's application states by name (engagement sits below accreditation and
# does not import it); tests/engagement/test_permissions.py keeps the two in step. An assignment
# is open until the final decision: a deferral asks the same reviewers to review the resubmission.
OPEN_APPLICATION_STATUSES = ("draft", "submitted", "under_review", "feedback", "deferred")


def _member_or_pm(roles: UserRoles, hit: HIT) -> bool:
    return hit.pk in roles.hit_ids or roles.has(Role.PROGRAMME_MANAGER)


def _reviews_hit(user: AnyUser, hit: HIT) -> bool:
    """An open full-review assignment of the user to one of the HIT's applications, declared and
    not conflicted (a lay assignment reads the application's PPI sections only).

    Follows accreditation's tables by name, as ReviewAssignment.may_open_application: declared, and
    either unflagged or cleared by the chair, never recused; and the application not yet decided.
    One filter() call, so every condition applies to the same assignment.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    prefix = "applications__assignments__"
    cleared = Q(
        **{
            f"{prefix}reviewer": user,
            f"{prefix}is_lay": False,
            f"{prefix}declaration__in": ["none", "declared"],
            "applications__status__in": OPEN_APPLICATION_STATUSES,
        }
    ) & (
        Q(
            **{
                f"{prefix}flagged_organisations": "",
                f"{prefix}declaration": "none",
                f"{prefix}resolution": "open",
            }
        )
        | Q(**{f"{prefix}resolution__in": ["dismissed", "waived"]})
    )
    return HIT.objects.filter(cleared, pk=hit.pk).exists()


def _chairs_open_application(roles: UserRoles, hit: HIT) -> bool:
    """The user chairs the panel of a round in which the HIT has an application not yet decided."""
    if not roles.chair_round_ids:
        return False
    return HIT.objects.filter(
        pk=hit.pk,
        applications__round_id__in=roles.chair_round_ids,
        applications__status__in=OPEN_APPLICATION_STATUSES,
    ).exists()


def can_view_stakeholder_map(user: AnyUser, hit: HIT) -> Verdict:
    """The named map (people and organisations by name, with evidence): the HIT's members and
    programme managers only; never board members, PPI facilitators or reviewers (docs/domain.md section 4)."""
    if _member_or_pm(roles_of(user), hit):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers see its stakeholder map.")


def can_view_coverage(user: AnyUser, hit: HIT) -> Verdict:
    """The stored coverage scores and their history (no names). Board members and PPI facilitators
    follow every HIT's coverage; a reviewer and the round's chair see it, with its growth across the
    application's revisions, while the application is open."""
    roles = roles_of(user)
    if _member_or_pm(roles, hit) or roles.has(Role.BOARD_MEMBER, Role.PPI_FACILITATOR):
        return ALLOW
    if roles.has(Role.REVIEWER) and _reviews_hit(user, hit):
        return ALLOW
    if roles.has(Role.PANEL_CHAIR) and _chairs_open_application(roles, hit):
        return ALLOW
    return Verdict(False, "You cannot see this HIT's engagement coverage.")


def can_view_readiness(user: AnyUser, hit: HIT) -> Verdict:
    """A HIT's survey waves and their aggregated results (never a response): its members,
    programme managers and board members (the board sees HITs' scores)."""
    roles = roles_of(user)
    if _member_or_pm(roles, hit) or roles.has(Role.BOARD_MEMBER):
        return ALLOW
    return Verdict(False, "Only the HIT's members, programme managers and board members see its surveys.")


def can_view_maturity(user: AnyUser, hit: HIT) -> Verdict:
    """The maturity matrix assessments and their profile: as the readiness results."""
    roles = roles_of(user)
    if _member_or_pm(roles, hit) or roles.has(Role.BOARD_MEMBER):
        return ALLOW
    return Verdict(
        False, "Only the HIT's members, programme managers and board members see its maturity matrix."
    )


def can_view_action_plan(user: AnyUser, hit: HIT) -> Verdict:
    """The team's own working plan, with named owners: its members and programme managers."""
    if _member_or_pm(roles_of(user), hit):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers see its action plan.")


def can_view_ppi(user: AnyUser, hit: HIT) -> Verdict:
    """The PPI log, standards self-assessments and public reviews: the HIT's members, programme
    managers and PPI facilitators; the public review group (lay reviewers) while the HIT is in
    set-up, when the group reviews its PPI arrangements."""
    roles = roles_of(user)
    if _member_or_pm(roles, hit) or roles.has(Role.PPI_FACILITATOR):
        return ALLOW
    if roles.has(Role.LAY_REVIEWER) and hit.status == HITStatus.SET_UP:
        return ALLOW
    return Verdict(False, "You cannot see this HIT's patient and public involvement.")


def can_edit_engagement(user: AnyUser, hit: HIT) -> Verdict:
    """The stakeholder map, survey waves and the maturity matrix: the HIT's members and PMs."""
    roles = roles_of(user)
    if hit.pk in roles.hit_ids or roles.has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers change its engagement records.")


def can_log_ppi(user: AnyUser, hit: HIT) -> Verdict:
    roles = roles_of(user)
    if hit.pk in roles.hit_ids or roles.has(Role.PPI_FACILITATOR, Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only the HIT's members and PPI facilitators keep its PPI log.")


def can_review_ppi(user: AnyUser, hit: HIT) -> Verdict:
    """The public review group's assessments: lay reviewers write them, for HITs in set-up."""
    if not roles_of(user).has(Role.LAY_REVIEWER):
        return Verdict(False, "Only members of the public review group assess PPI arrangements.")
    if hit.status != HITStatus.SET_UP:
        return Verdict(
            False,
            f"The public review group assesses the PPI arrangements of HITs in set-up; this HIT is "
            f"{hit.get_status_display().lower()}.",
        )
    return ALLOW


def can_support_ppi(user: AnyUser) -> Verdict:
    """The PPI facilitator's caseload and support log."""
    if roles_of(user).has(Role.PPI_FACILITATOR, Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only PPI facilitators and programme managers see the PPI caseload.")


def can_manage_instruments(user: AnyUser) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers edit the readiness item bank.")


def can_request_ppi_support(user: AnyUser, hit: HIT) -> Verdict:
    """Asking the PPI facilitators for help is for the HIT's current members."""
    if hit.pk in roles_of(user).hit_ids:
        return ALLOW
    return Verdict(False, "Only the HIT's members ask the PPI facilitators for support.")


def can_view_support_request(user: AnyUser, hit: HIT) -> Verdict:
    """A support request: PPI facilitators and programme managers, and the members of its HIT."""
    if can_support_ppi(user) or hit.pk in roles_of(user).hit_ids:
        return ALLOW
    return Verdict(False, "Only the HIT's members and PPI facilitators see its support requests.")


def can_close_wave(user: AnyUser, hit: HIT) -> Verdict:
    """Closing a survey early (its results are then released): the HIT's director or co-director,
    or a programme manager (docs/domain.md section 6)."""
    roles = roles_of(user)
    if roles.hit_roles.get(hit.pk, frozenset()) & {"director", "co_director"} or roles.has(
        Role.PROGRAMME_MANAGER
    ):
        return ALLOW
    return Verdict(False, "Only the HIT's director or a programme manager closes a survey early.")


def can_change_items(instrument: Instrument) -> Verdict:
    if instrument.is_published:
        return Verdict(
            False,
            f"Version {instrument.version} is published, so its items are frozen: surveys depend on them. "
            "Start a new version to change them.",
        )
    return Verdict(True)


# --- Partnership network (docs/domain.md section 8) ----------------------------------------------


def can_view_network(user: AnyUser, hit: HIT) -> Verdict:
    """The HIT's network page names its partner organisations, as the stakeholder map does: the
    HIT's members and programme managers. Board members follow every HIT's density and
    articulation points on the board dashboard, without names (docs/domain.md section 4)."""
    if _member_or_pm(roles_of(user), hit):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers see its partnership network.")


def can_view_network_summary(user: AnyUser, hit: HIT) -> Verdict:
    """A HIT's network in figures without names (density, articulation points, components): its
    members, programme managers and board members, who follow them on the board dashboard."""
    roles = roles_of(user)
    if _member_or_pm(roles, hit) or roles.has(Role.BOARD_MEMBER):
        return ALLOW
    return Verdict(
        False, "Only the HIT's members, programme managers and board members see its network figures."
    )


def can_manage_network_rounds(user: AnyUser, hit: HIT) -> Verdict:
    """Planning a network round, naming the contacts, opening it and sending reminders: as survey
    waves, the HIT's members and programme managers."""
    return can_edit_engagement(user, hit)


def can_close_network_round(user: AnyUser, hit: HIT) -> Verdict:
    """Closing a round early or cancelling it: the HIT's director or co-director, or a programme
    manager (as closing a survey wave)."""
    roles = roles_of(user)
    if roles.hit_roles.get(hit.pk, frozenset()) & {"director", "co_director"} or roles.has(
        Role.PROGRAMME_MANAGER
    ):
        return ALLOW
    return Verdict(False, "Only the HIT's director or a programme manager closes or cancels a network round.")


def can_export_network_ratings(user: AnyUser) -> Verdict:
    """One organisation's rating of another is shown to no one; programme managers' aggregate
    export of the ties (strength, trust and value per pair) is the one exception."""
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers export the network's ties.")
