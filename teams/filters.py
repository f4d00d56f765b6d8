"""Directory filters. Each FilterSet starts from a selector's queryset, so it can never widen what
the user may see."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from core.validators import SEARCH_TEXT
from teams.enums import Appointment, HITStatus, LifecycleStage, Sector
from teams.forms.lookup import OrganisationChoiceFilter
from teams.models import HIT, Organisation, OrganisationType, Person

ANY_YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", max_length=SEARCH_TEXT)
    org_type = django_filters.ModelChoiceFilter(
        label="Type", queryset=OrganisationType.objects.order_by("position", "name")
    )
    sector = django_filters.ChoiceFilter(
        label="Sector", field_name="org_type__sector", choices=Sector.choices
    )
    is_programme_partner = django_filters.BooleanFilter(
        label="Programme partner", widget=forms.Select(choices=ANY_YES_NO)
    )

    class Meta:
        model = Organisation
        fields = ["q", "org_type", "sector", "is_programme_partner"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", max_length=SEARCH_TEXT)
    organisation = OrganisationChoiceFilter(
        label="Organisation", queryset=Organisation.objects.order_by("name"), method="filter_organisation"
    )
    appointment = django_filters.ChoiceFilter(
        label="Appointment", choices=Appointment.choices, method="filter_appointment"
    )
    is_public_member = django_filters.BooleanFilter(
        label="Patient or public member", widget=forms.Select(choices=ANY_YES_NO)
    )

    class Meta:
        model = Person
        fields = ["q", "organisation", "appointment", "is_public_member"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The directory's one search rule (teams/forms/lookup.py): part of a name (or here a job title), and an
        # email address only whole. Only programme managers reach this list (teams.views.person_list).
        return queryset.filter(
            Q(full_name__icontains=value)
            | Q(email__iexact=value.strip())
            | Q(affiliations__job_title__icontains=value)
        ).distinct()

    def filter_organisation(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(affiliations__organisation=value).distinct()

    def filter_appointment(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(affiliations__appointment=value).distinct()


class HITFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", max_length=SEARCH_TEXT)
    status = django_filters.ChoiceFilter(choices=HITStatus.choices)
    stage = django_filters.ChoiceFilter(label="Life-cycle stage", choices=LifecycleStage.choices)

    class Meta:
        model = HIT
        fields = ["q", "status", "stage"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(focus__icontains=value))
