"""Reads of the directory of organisations and people."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from teams.models import Affiliation, Organisation, Person


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
