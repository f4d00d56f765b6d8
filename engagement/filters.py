"""Forms and the filter for the maturity matrix and action plans."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from engagement.enums import ActionStatus
from engagement.models import ActionPlanItem
from engagement.selectors.maturity import OPEN_STATUSES
from teams.models import HIT

SHOW_OPEN, SHOW_OVERDUE = "open", "overdue"


class ActionItemFilter(django_filters.FilterSet):
    """Filters the plan a selector already scoped to one HIT (`selectors_maturity.action_items`)."""

    status = django_filters.ChoiceFilter(
        label="Status",
        empty_label="Any status",
        choices=[
            (SHOW_OPEN, "Open (planned or in progress)"),
            (SHOW_OVERDUE, "Overdue"),
            *ActionStatus.choices,
        ],
        method="filter_status",
    )

    class Meta:
        model = ActionPlanItem
        fields = ["status"]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == SHOW_OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == SHOW_OVERDUE:
            return queryset.filter(is_overdue=True)
        return queryset.filter(status=value)


# --- The caseload filter -----------------------------------------------------------------------------


class CaseloadFilter(django_filters.FilterSet):
    """Filters the caseload; it starts from selectors_ppi.caseload, so it never widens it."""

    flagged = django_filters.BooleanFilter(
        label="Flagged only (no PPI activity for 90 days or more)",
        method="filter_flagged",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = HIT
        fields = ["flagged"]

    def filter_flagged(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(flagged=True) if value else queryset
