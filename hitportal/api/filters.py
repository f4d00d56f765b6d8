"""Filters of the API's HIT list. They narrow the selector's queryset, so they can never widen it."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from teams.enums import HITStatus, LifecycleStage
from teams.models import HIT


class HITApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=HITStatus.choices, help_text="The HIT's status.")
    stage = django_filters.ChoiceFilter(
        choices=LifecycleStage.choices, help_text="The HIT's collaboration life-cycle stage."
    )
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Part of the HIT's name or focus."
    )

    class Meta:
        model = HIT
        fields = ["status", "stage", "search"]

    def filter_search(self, queryset: QuerySet[HIT], name: str, value: str) -> QuerySet[HIT]:
        return queryset.filter(Q(name__icontains=value) | Q(focus__icontains=value))
