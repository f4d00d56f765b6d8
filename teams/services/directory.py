"""Writes of the directory: organisations, people, their logins and programme roles, by programme managers."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.concurrency import check_version
from core.mail import absolute_url, send_after_commit
from core.permissions import require
from core.workflow import recorded_actor
from teams import permissions
from teams.enums import ProgrammeRole, RoleChangeKind
from teams.models import AccountInvitation, Organisation, Person, RoleAssignment, RoleChange, User
from teams.roles import forget_roles

#: What the directory's edit pages change (teams.forms.directory); saving an edit writes these.
ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "org_type",
    "is_programme_partner",
    "parent",
    "website",
    "is_active",
)
PERSON_FIELDS = ("full_name", "email", "is_public_member", "professional_group")


def _require_directory_manager(actor: User) -> None:
    verdict = permissions.can_manage_directory(actor)
    if not verdict:
        raise PermissionDenied(verdict.reason)


@transaction.atomic
def organisation_save(
    *, actor: User, organisation: Organisation, expected_version: str | None = None
) -> Organisation:
    """Add an organisation to the directory or change one. Side effect: the Organisation row (a
    change writes the fields of the edit page, ORGANISATION_FIELDS).

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    _require_directory_manager(actor)
    pk: int | None = organisation.pk  # None until the row is first saved (the stubs say int)
    if pk is None:
        organisation.full_clean()
        organisation.save()
        return organisation
    check_version(Organisation.objects.select_for_update().get(pk=pk), expected_version)
    organisation.full_clean()
    organisation.save(update_fields=[*ORGANISATION_FIELDS, "updated_at"])
    return organisation


@transaction.atomic
def person_save(*, actor: User, person: Person, expected_version: str | None = None) -> Person:
    """Add a person to the directory or change one. Side effect: the Person row (a change writes
    the fields of the edit page, PERSON_FIELDS).

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version` (core.concurrency).
    """
    _require_directory_manager(actor)
    pk: int | None = person.pk  # None until the row is first saved (the stubs say int)
    if pk is None:
        person.full_clean()
        person.save()
        return person
    check_version(Person.objects.select_for_update().get(pk=pk), expected_version)
    person.full_clean()
    person.save(update_fields=[*PERSON_FIELDS, "updated_at"])
    return person


#: The programme roles a programme manager grants from a person's page. Applicants register
#: themselves (an applicant role is granted by registration, not by hand).
GRANTABLE_ROLES = (ProgrammeRole.PROGRAMME_MANAGER, ProgrammeRole.BOARD_MEMBER, ProgrammeRole.PPI_FACILITATOR)

LAST_MANAGER_MESSAGE = (
    "{user} is the programme's last programme manager. Grant the role to someone else first: "
    "without a programme manager nobody could grant roles, run rounds or edit the directory."
)


def _require_role_manager(actor: User, *, user: User, role: str) -> None:
    # Someone registering takes the applicant role themselves. While the programme has no programme
    # manager (a new installation, the demo's first login), the first one, and only that role, is
    # granted by whoever sets the portal up. Every other grant or revocation is a programme manager's.
    if role == ProgrammeRole.APPLICANT and actor.pk == user.pk:
        return
    if (
        role == ProgrammeRole.PROGRAMME_MANAGER
        and not RoleAssignment.objects.filter(role=ProgrammeRole.PROGRAMME_MANAGER).exists()
    ):
        return
    verdict = permissions.can_manage_roles(actor)
    if not verdict:
        raise PermissionDenied(verdict.reason)


def _role_label(role: str) -> str:
    return str(ProgrammeRole(role).label)


@transaction.atomic
def role_grant(*, actor: User, user: User, role: str, notify: bool = True) -> RoleAssignment:
    """Give a user a programme-wide role; granting a role the user has changes nothing.

    Side effects, for a new grant, in order: a RoleAssignment row; a RoleChange row ("granted", by
    the actor), which the audit log lists; after commit, unless `notify` is off or the actor granted
    themselves the role, an e-mail to the user saying what they were given (emails/teams/role_granted).
    """
    if role not in ProgrammeRole.values:
        raise ValidationError({"role": f"{role!r} is not a programme-wide role."})
    _require_role_manager(actor, user=user, role=role)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, defaults={"granted_by": recorded_actor(actor)}
    )
    if created:
        RoleChange.objects.create(
            user=user, role=role, change=RoleChangeKind.GRANTED, actor=recorded_actor(actor)
        )
        forget_roles(user)
        forget_roles(actor)
        if notify and user.pk != actor.pk and user.is_active:
            send_after_commit(
                template="teams/role_granted",
                recipients=[user.email],
                context={"user": user, "role": role, "role_label": _role_label(role), "actor": actor},
            )
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, user: User, role: str) -> RoleChange:
    """Take a programme-wide role from a user.

    Refused (ValidationError on "role", nothing changes) when the user does not hold the role, or
    when it is the programme manager role of the last programme manager: the programme always keeps
    one. The programme managers' rows are locked first, so two managers revoking each other at once
    cannot both succeed.

    Side effects, in order: the RoleAssignment row is deleted; a RoleChange row ("revoked", by the
    actor) keeps the record, and the audit log lists it; after commit, unless the actor revoked their
    own role, an e-mail tells the user (emails/teams/role_revoked).
    """
    if role not in ProgrammeRole.values:
        raise ValidationError({"role": f"{role!r} is not a programme-wide role."})
    _require_role_manager(actor, user=user, role=role)
    if role == ProgrammeRole.PROGRAMME_MANAGER:
        managers = list(
            RoleAssignment.objects.select_for_update()
            .filter(role=ProgrammeRole.PROGRAMME_MANAGER)
            .values_list("user_id", flat=True)
        )
        if managers == [user.pk]:
            raise ValidationError({"role": LAST_MANAGER_MESSAGE.format(user=user)})
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role).delete()
    if not deleted:
        raise ValidationError({"role": f"{user} does not hold the role {_role_label(role).lower()}."})
    change = RoleChange.objects.create(
        user=user, role=role, change=RoleChangeKind.REVOKED, actor=recorded_actor(actor)
    )
    forget_roles(user)
    forget_roles(actor)  # the same person, perhaps: what the rest of the request may do has changed
    if user.pk != actor.pk and user.is_active:
        send_after_commit(
            template="teams/role_revoked",
            recipients=[user.email],
            context={"user": user, "role": role, "role_label": _role_label(role), "actor": actor},
        )
    return change


# --- Logins for people in the directory ------------------------------------------------------------------


def _invitation_path(user: User) -> str:
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def account_invite(
    *, actor: User, user: User, roles: Sequence[str] = (), added_to: str = ""
) -> AccountInvitation:
    """E-mail a user who has not set a password yet a one-time link to set one.

    Refused (ValidationError) once the user has set a password: they sign in, or reset it themselves.
    The link is Django's password-reset token (valid PASSWORD_RESET_TIMEOUT, three days): setting a
    password spends it, and a newer invitation does not end an older one before then.

    Side effects: an AccountInvitation row (the audit log lists it); after commit, the invitation
    e-mail (emails/teams/account_invitation) naming `roles`, the roles the new login was given, and
    `added_to`, what they were added to (e.g. "Heart HIT as member").
    """
    require(permissions.can_create_account(actor))
    return _invite(actor=actor, user=user, roles=roles, added_to=added_to)


def _invite(*, actor: User, user: User, roles: Sequence[str], added_to: str) -> AccountInvitation:
    if user.has_usable_password():
        raise ValidationError(f"{user} has already set a password: they can sign in or reset it themselves.")
    invitation = AccountInvitation.objects.create(user=user, invited_by=recorded_actor(actor))
    send_after_commit(
        template="teams/account_invitation",
        recipients=[user.email],
        context={
            "user": user,
            "actor": actor,
            "role_labels": [_role_label(role) for role in roles],
            "added_to": added_to,
            "set_password_url": absolute_url(_invitation_path(user)),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
    return invitation


@transaction.atomic
def account_create(*, actor: User, person: Person, email: str, roles: Sequence[str] = ()) -> User:
    """Create a login for a person in the directory who has none, and invite them to set a password.

    Refused (ValidationError, nothing changes) when the person already has a login, when another
    login uses the address (compared without case), or when another person in the directory has it.

    Side effects, in order: a User row (no usable password until they set one; named as the person);
    the person is linked to it, and takes the address if the directory had none for them; each of
    `roles` is granted (role_grant, without its own e-mail); then account_invite (an AccountInvitation
    row, and after commit the invitation e-mail naming the roles).
    """
    require(permissions.can_create_account(actor))
    return _create_login(actor=actor, person=person, email=email, roles=roles)


def _create_login(
    *, actor: User, person: Person, email: str, roles: Sequence[str] = (), added_to: str = ""
) -> User:
    person = Person.objects.select_for_update().get(pk=person.pk)
    email = User.objects.normalize_email(email.strip()).lower()
    if person.user_id is not None:
        raise ValidationError(f"{person} already has a login.")
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Another login already uses this address."})
    if Person.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
        raise ValidationError({"email": "Another person in the directory has this address."})
    user = User(email=email, full_name=person.full_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    person.user = user
    person.email = person.email or email
    person.full_clean()
    person.save(update_fields=["user", "email", "updated_at"])
    for role in roles:
        role_grant(actor=actor, user=user, role=role, notify=False)
    _invite(actor=actor, user=user, roles=roles, added_to=added_to)
    return user


def member_login_invite(*, actor: User, person: Person, added_to: str) -> User | None:
    """Give a person just added to a HIT (teams.services.members.membership_add, whose caller may
    manage the HIT's members) a way in, or tell them (docs/domain.md section 4.2, "Members").

    - A person with a login who has set a password is e-mailed what they were added to
      (emails/teams/membership_added), unless the actor added themselves.
    - A person with a login and no password yet is sent the invitation again (account_invite's side
      effects, naming `added_to`).
    - A person without a login who has an e-mail address and is not a patient or public member gets
      one (account_create's side effects, naming `added_to`), unless another login already uses the
      address: that login is linked to the person if it has none, and told as above.
    - Patients and members of the public without a login get neither login nor e-mail: nobody is
      contacted who has not agreed to it.

    Returns the login the person has afterwards (None: none).
    """
    user = person.user
    if user is None:
        if person.is_public_member or not person.email:
            return None
        existing = User.objects.filter(email__iexact=person.email).first()
        if existing is None:
            return _create_login(actor=actor, person=person, email=person.email, added_to=added_to)
        if Person.objects.filter(user=existing).exists():
            return None
        person.user = existing
        person.save(update_fields=["user", "updated_at"])
        forget_roles(existing)
        user = existing
    if not user.is_active or user.pk == actor.pk:
        return user
    if not user.has_usable_password():
        _invite(actor=actor, user=user, roles=(), added_to=added_to)
        return user
    send_after_commit(
        template="teams/membership_added",
        recipients=[user.email],
        context={"user": user, "actor": actor, "added_to": added_to},
    )
    return user
