"""Forms of the reporting pages. They validate and show errors next to the fields; the views pass
`cleaned_data` to reporting.services, which checks again before storing anything."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from reporting.enums import ReportStatus
from teams.forms.lookup import HITChoiceFilter, search_as
from teams.models import HIT

OPEN = "open"


# --- The report list filter --------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    """Starts from reporting.selectors.report_list_for_user, so it never widens what a user sees."""

    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(OPEN, "Open (not yet accepted)"), *ReportStatus.choices],
        method="filter_status",
        empty_label="Any status",
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only",
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    # Past a few hundred HITs, a search box (teams.forms.lookup): ?hit=<id> still filters.
    hit = HITChoiceFilter(label="HIT", queryset=HIT.objects.none(), empty_label="Any HIT")

    def __init__(self, *args, hits: QuerySet[HIT], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["hit"].queryset = hits
        self.form.fields["hit"].queryset = hits
        if self.request is not None:
            search_as(self.form, self.request.user)

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            return queryset.filter(
                status__in=[ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.CHANGES_REQUESTED]
            )
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(is_overdue=True) if value else queryset
