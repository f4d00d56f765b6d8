"""Reads of the directory of organisations and people."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Prefetch, QuerySet

from teams.models import (
    AccountInvitation,
    Affiliation,
    Organisation,
    OrganisationType,
    Person,
    RoleAssignment,
    RoleChange,
)

#: What the people and organisation lists show (tracked by core.versions in TeamsConfig.ready).
DIRECTORY_SOURCES: tuple[type[models.Model], ...] = (Person, Affiliation, Organisation, OrganisationType)


def organisation_directory() -> QuerySet[Organisation]:
    """Organisations with their type and parent, and how many people are affiliated (one query)."""
    return (
        Organisation.objects.select_related("org_type", "org_type__default_category", "parent")
        .annotate(people_count=Count("affiliations", distinct=True))
        .order_by("name")
    )


def person_directory() -> QuerySet[Person]:
    """People with their affiliations and organisations prefetched (a fixed number of queries)."""
    return Person.objects.select_related("user").prefetch_related(
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("organisation", "organisation__org_type").order_by(
                "-is_primary", "organisation__name"
            ),
        )
    )


@dataclass(frozen=True)
class PersonAccess:
    """What the person page shows of a person's login: their programme roles, the record of role
    changes (newest first) and the invitations sent. Empty when the person has no login."""

    roles: list[RoleAssignment]
    changes: list[RoleChange]
    invitations: list[AccountInvitation]

    @property
    def held(self) -> set[str]:
        return {assignment.role for assignment in self.roles}


def person_access(*, person: Person) -> PersonAccess:
    """Three queries when the person has a login, none when they have not."""
    if person.user_id is None:
        return PersonAccess(roles=[], changes=[], invitations=[])
    return PersonAccess(
        roles=list(RoleAssignment.objects.filter(user_id=person.user_id).order_by("role")),
        changes=list(RoleChange.objects.filter(user_id=person.user_id).select_related("actor")),
        invitations=list(
            AccountInvitation.objects.filter(user_id=person.user_id).select_related("invited_by")
        ),
    )
