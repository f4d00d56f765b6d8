"""Writes of a HIT's membership: its director (or a programme manager) adds and ends members and
creates working groups. Other apps follow membership changes through the signal
teams.signals.memberships_changed (engagement mirrors memberships onto the stakeholder map), so
teams never imports them."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.workflow import recorded_actor
from teams import permissions
from teams.enums import MembershipChangeKind, MembershipRole
from teams.models import HIT, Membership, MembershipChange, Person, User, WorkingGroup
from teams.roles import forget_roles
from teams.services.directory import member_login_invite
from teams.signals import memberships_changed


def added_as(membership: Membership) -> str:
    """What someone was added as, for e-mails: "director of Heart HIT"."""
    return f"{membership.get_role_display().lower()} of {membership.hit.name}"


def membership_change_record(
    *, actor: User | None, membership: Membership, change: str, from_role: str = "", comment: str = ""
) -> MembershipChange:
    """The audit row of a change to a membership (no actor: the system). Every write that adds,
    ends or changes a membership calls it in its transaction; the audit log lists the rows."""
    return MembershipChange.objects.create(
        membership=membership,
        change=change,
        role=membership.role,
        from_role=from_role,
        actor=recorded_actor(actor),
        comment=comment,
    )


def _require_manager(actor: User, hit: HIT) -> None:
    verdict = permissions.can_manage_members(actor, hit)
    if not verdict:
        raise PermissionDenied(verdict.reason)


@transaction.atomic
def membership_add(
    *,
    actor: User,
    hit_id: int,
    email: str,
    full_name: str = "",
    is_public_member: bool = False,
    role: str,
    organisation_id: int | None = None,
    working_group_id: int | None = None,
    lead_side: str = "",
    theme_id: int | None = None,
    start_date: datetime.date | None = None,
) -> Membership:
    """Add someone to the HIT in a role, finding them by email or adding them to the directory.

    Side effects, in order: a Person when the email is new; the Membership; a MembershipChange
    ("added", by the actor; the audit log lists it); a login and its invitation, or an e-mail saying
    what they were added to, after commit (teams.services.directory.member_login_invite: patients and
    members of the public without a login get neither); memberships_changed (the stakeholder map
    follows). Refuses a second current holder of the same role, a working-group
    lead without a group and side, and a second current lead of the same side.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    _require_manager(actor, hit)
    email = email.strip().lower()
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        if not full_name.strip():
            raise ValidationError(
                {"full_name": "This person is not in the directory yet: give their full name."}
            )
        person = Person(full_name=full_name.strip(), email=email, is_public_member=is_public_member)
        person.full_clean()
        person.save()
    return _membership_save(
        actor=actor,
        hit=hit,
        person=person,
        role=role,
        organisation_id=organisation_id,
        working_group_id=working_group_id,
        lead_side=lead_side,
        theme_id=theme_id,
        start_date=start_date,
    )


@transaction.atomic
def membership_add_person(
    *,
    actor: User,
    hit_id: int,
    person_id: int,
    role: str,
    organisation_id: int | None = None,
    working_group_id: int | None = None,
    lead_side: str = "",
    start_date: datetime.date | None = None,
    comment: str = "",
) -> Membership:
    """Add a person already in the directory to the HIT in a role (e.g. a membership the accredited
    application proposed: teams.services.proposals.proposals_confirm).

    Side effects and refusals as membership_add's, the MembershipChange carrying `comment`.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    _require_manager(actor, hit)
    person = Person.objects.get(pk=person_id)
    return _membership_save(
        actor=actor,
        hit=hit,
        person=person,
        role=role,
        organisation_id=organisation_id,
        working_group_id=working_group_id,
        lead_side=lead_side,
        start_date=start_date,
        comment=comment,
    )


def _membership_save(
    *,
    actor: User,
    hit: HIT,
    person: Person,
    role: str,
    organisation_id: int | None = None,
    working_group_id: int | None = None,
    lead_side: str = "",
    theme_id: int | None = None,
    start_date: datetime.date | None = None,
    comment: str = "",
) -> Membership:
    if working_group_id and not WorkingGroup.objects.filter(pk=working_group_id, hit=hit).exists():
        raise ValidationError({"working_group": "Choose one of this HIT's working groups."})
    membership = Membership(
        hit=hit,
        person=person,
        role=role,
        organisation_id=organisation_id,
        working_group_id=working_group_id if role == MembershipRole.WORKING_GROUP_LEAD else None,
        lead_side=lead_side if role == MembershipRole.WORKING_GROUP_LEAD else "",
        theme_id=theme_id if role == MembershipRole.THEME_LEAD else None,
        start_date=start_date or timezone.localdate(),
    )
    errors: dict[str, str] = {}
    if role == MembershipRole.WORKING_GROUP_LEAD and not (working_group_id and lead_side):
        errors["working_group"] = "A working-group lead leads a group, on its academic or service side."
    if role == MembershipRole.THEME_LEAD and not theme_id:
        errors["theme"] = "Choose the theme they lead."
    if errors:
        raise ValidationError(errors)
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        if role == MembershipRole.WORKING_GROUP_LEAD:
            raise ValidationError(
                {"lead_side": "That working group already has a current lead on this side; end theirs first."}
            ) from None
        raise ValidationError({"role": f"{person} already holds this role in the HIT."}) from None
    membership_change_record(
        actor=actor, membership=membership, change=MembershipChangeKind.ADDED, comment=comment
    )
    member_login_invite(actor=actor, person=person, added_to=added_as(membership))
    memberships_changed.send(sender=Membership, hit_id=hit.pk)
    forget_roles(actor)
    return membership


@transaction.atomic
def membership_end(*, actor: User, membership_id: int, end_date: datetime.date | None = None) -> Membership:
    """End a membership (kept for the history). Side effects: the end date; a MembershipChange
    ("ended", by the actor; the audit log lists it); memberships_changed."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("hit").get(pk=membership_id)
    )
    _require_manager(actor, membership.hit)
    end = end_date or timezone.localdate()
    if membership.end_date is not None and membership.end_date <= end:
        raise ValidationError({"end_date": "This membership has already ended."})
    if end < membership.start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    membership.end_date = end
    membership.save(update_fields=["end_date", "updated_at"])
    membership_change_record(actor=actor, membership=membership, change=MembershipChangeKind.ENDED)
    memberships_changed.send(sender=Membership, hit_id=membership.hit_id)
    forget_roles(actor)
    return membership


@transaction.atomic
def working_group_create(*, actor: User, hit_id: int, name: str, purpose: str = "") -> WorkingGroup:
    """Create a working group (its two leads are added as memberships). Side effect: the group."""
    hit = HIT.objects.get(pk=hit_id)
    _require_manager(actor, hit)
    name = name.strip()
    if WorkingGroup.objects.filter(hit=hit, name__iexact=name).exists():
        raise ValidationError({"name": "This HIT already has a working group with that name."})
    group = WorkingGroup(hit=hit, name=name, purpose=purpose.strip())
    group.full_clean()
    group.save()
    return group
