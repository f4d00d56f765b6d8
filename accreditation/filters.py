"""Forms and the list filter of the applicant's pages: stakeholder rows, workflow moves, answers to
feedback and the choice of two revisions to compare. Section forms live in accreditation.sections."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from accreditation.enums import (
    ApplicationStatus,
    EOIStatus,
)
from accreditation.models import Application, ExpressionOfInterest, Round
from core.validators import SEARCH_TEXT


class ApplicationFilter(django_filters.FilterSet):
    """Starts from selectors.application_list_for_applicant, so it never widens what the user sees."""

    status = django_filters.ChoiceFilter(label="Status", choices=ApplicationStatus.choices)

    class Meta:
        model = Application
        fields = ["status"]


# --- The round board ---------------------------------------------------------------------------------


class BoardFilter(django_filters.FilterSet):
    """Filters the round board; it starts from selectors.round_board, so it never widens it."""

    status = django_filters.ChoiceFilter(label="Status", choices=ApplicationStatus.choices)

    class Meta:
        model = Application
        fields = ["status"]


class EOIFilter(django_filters.FilterSet):
    """Starts from `selectors.eoi_list_for_user`, so it narrows what the user may see and never widens it."""

    q = django_filters.CharFilter(label="Search titles", method="search", max_length=SEARCH_TEXT)
    round = django_filters.ModelChoiceFilter(queryset=Round.objects.order_by("-opens_on", "name"))
    status = django_filters.ChoiceFilter(choices=EOIStatus.choices)

    class Meta:
        model = ExpressionOfInterest
        fields = ["q", "round", "status"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(working_title__icontains=value)
