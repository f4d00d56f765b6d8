"""Who may see and do what in engagement. Predicates return a Verdict (allowed, reason)."""

from __future__ import annotations

from django.db.models import Q

from hitportal.roles import roles_of
from teams.enums import Role
from teams.models import HIT
from teams.permissions import ALLOW, Verdict


def _reviews_hit(user: object, hit: HIT) -> bool:
    """A reviewer assigned to one of the HIT's applications, declared, and not conflicted.

    Follows accreditation's tables by name (engagement sits below accreditation and does not
    import it): declared, and either unflagged or cleared by the chair.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    cleared = (
        Q(
            applications__assignments__reviewer=user,
            applications__assignments__declaration__in=["none", "declared"],
        )
        & (
            Q(
                applications__assignments__flagged_organisations="",
                applications__assignments__declaration="none",
            )
            | Q(applications__assignments__resolution__in=["dismissed", "waived"])
        )
        & ~Q(applications__assignments__resolution="recused")
    )
    return HIT.objects.filter(cleared, pk=hit.pk).exists()


def can_view_engagement(user: object, hit: HIT) -> Verdict:
    """The map, coverage, PPI summary and readiness results (never single responses)."""
    roles = roles_of(user)
    if hit.pk in roles.hit_ids or roles.has(Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER, Role.PPI_FACILITATOR):
        return ALLOW
    if roles.has(Role.REVIEWER, Role.LAY_REVIEWER, Role.PANEL_CHAIR) and _reviews_hit(user, hit):
        return ALLOW
    return Verdict(False, "You cannot see this HIT's engagement.")


def can_edit_engagement(user: object, hit: HIT) -> Verdict:
    """The stakeholder map, survey waves and the maturity matrix: the HIT's members and PMs."""
    roles = roles_of(user)
    if hit.pk in roles.hit_ids or roles.has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only the HIT's members and programme managers change its engagement records.")


def can_log_ppi(user: object, hit: HIT) -> Verdict:
    roles = roles_of(user)
    if hit.pk in roles.hit_ids or roles.has(Role.PPI_FACILITATOR, Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only the HIT's members and PPI facilitators keep its PPI log.")


def can_review_ppi(user: object, hit: HIT) -> Verdict:
    """The public review group's assessments: lay reviewers write them."""
    if roles_of(user).has(Role.LAY_REVIEWER):
        return ALLOW
    return Verdict(False, "Only members of the public review group assess PPI arrangements.")


def can_support_ppi(user: object) -> Verdict:
    """The PPI facilitator's caseload and support log."""
    if roles_of(user).has(Role.PPI_FACILITATOR, Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only PPI facilitators and programme managers see the PPI caseload.")


def can_manage_instruments(user: object) -> Verdict:
    if roles_of(user).has(Role.PROGRAMME_MANAGER):
        return ALLOW
    return Verdict(False, "Only programme managers edit the readiness item bank.")


def can_request_ppi_support(user: object, hit: HIT) -> Verdict:
    """Asking the PPI facilitators for help is for the HIT's current members."""
    if hit.pk in roles_of(user).hit_ids:
        return ALLOW
    return Verdict(False, "Only the HIT's members ask the PPI facilitators for support.")


def can_view_support_request(user: object, hit: HIT) -> Verdict:
    """A support request: PPI facilitators and programme managers, and the members of its HIT."""
    if can_support_ppi(user) or hit.pk in roles_of(user).hit_ids:
        return ALLOW
    return Verdict(False, "Only the HIT's members and PPI facilitators see its support requests.")


def can_close_wave(user: object, hit: HIT) -> Verdict:
    """Closing a survey early (its results are then released): the HIT's director or co-director,
    or a programme manager (DOMAIN.md 5.1)."""
    roles = roles_of(user)
    if roles.hit_roles.get(hit.pk, frozenset()) & {"director", "co_director"} or roles.has(
        Role.PROGRAMME_MANAGER
    ):
        return ALLOW
    return Verdict(False, "Only the HIT's director or a programme manager closes a survey early.")
