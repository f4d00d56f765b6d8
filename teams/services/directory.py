"""Writes of the directory: organisations, people and programme roles, by programme managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.concurrency import check_version
from core.workflow import recorded_actor
from teams import permissions
from teams.enums import ProgrammeRole
from teams.models import Organisation, Person, RoleAssignment, User


def _require_directory_manager(actor: User) -> None:
    verdict = permissions.can_manage_directory(actor)
    if not verdict:
        raise PermissionDenied(verdict.reason)


@transaction.atomic
def organisation_save(
    *, actor: User, organisation: Organisation, expected_version: str | None = None
) -> Organisation:
    """Add an organisation to the directory or change one. Side effect: the Organisation row.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version`, the version the editor's form started from (core.concurrency).
    """
    _require_directory_manager(actor)
    if organisation.pk is not None:
        check_version(Organisation.objects.select_for_update().get(pk=organisation.pk), expected_version)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def person_save(*, actor: User, person: Person, expected_version: str | None = None) -> Person:
    """Add a person to the directory or change one. Side effect: the Person row.

    A change is refused with StaleEdit (nothing saved) when the row is no longer at
    `expected_version` (core.concurrency).
    """
    _require_directory_manager(actor)
    if person.pk is not None:
        check_version(Person.objects.select_for_update().get(pk=person.pk), expected_version)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def role_grant(*, actor: User, user: User, role: str) -> RoleAssignment:
    """Give a user a programme-wide role (idempotent). Side effect: one RoleAssignment row."""
    if role not in ProgrammeRole.values:
        raise ValidationError({"role": f"{role!r} is not a programme-wide role."})
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, defaults={"granted_by": recorded_actor(actor)}
    )
    return assignment
