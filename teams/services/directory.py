"""Writes of the directory: organisations, people and programme roles, by programme managers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.concurrency import check_version
from core.workflow import recorded_actor
from teams import permissions
from teams.enums import ProgrammeRole
from teams.models import Organisation, Person, RoleAssignment, User

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
PERSON_FIELDS = ("full_name", "email", "is_public_member")


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


@transaction.atomic
def role_grant(*, actor: User, user: User, role: str) -> RoleAssignment:
    """Give a user a programme-wide role (idempotent). Side effect: one RoleAssignment row."""
    if role not in ProgrammeRole.values:
        raise ValidationError({"role": f"{role!r} is not a programme-wide role."})
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, defaults={"granted_by": recorded_actor(actor)}
    )
    return assignment
