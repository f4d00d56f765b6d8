"""The audit log page: every recorded event of the portal in one filterable list (hitportal/audit/selectors.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from core import versions
from core.forms import DateField
from hitportal.audit.permissions import can_view_audit_log
from hitportal.audit.selectors import (
    AUDIT_LOG_SOURCES,
    KINDS,
    AuditFilter,
    audit_entries,
    audit_page_entries,
)
from teams.enums import Role
from teams.forms.lookup import QUERY_SUFFIX, HITChoiceField, search_as
from teams.models import HIT
from teams.roles import roles_of

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of event", choices=[("", "Any"), *KINDS], required=False)
    actor = forms.CharField(
        label="Done by", required=False, max_length=200, help_text="Part of a name or email address."
    )
    hit = HITChoiceField(
        label="HIT", queryset=HIT.objects.order_by("name"), required=False, empty_label="Any"
    )
    date_from = DateField(label="From", required=False)
    date_to = DateField(label="Until", required=False)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date cannot be before the start date.")
        return data

    def to_filter(self) -> AuditFilter:
        if not self.is_valid():
            return AuditFilter()
        data = self.cleaned_data
        return AuditFilter(
            kind=data["kind"],
            actor=data["actor"].strip(),
            hit_id=data["hit"].pk if data["hit"] else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


#: The name of the log's cached part (core.versions).
LOG_PART = "audit:log"


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Rendered once per version of the tables the log shows (core.versions over AUDIT_LOG_SOURCES: a new,
    edited or deleted row shows at the next request) and query string, and kept in the cache; a search
    typed into the HIT field is never served from it (it counts against the user's directory searches)."""
    verdict = can_view_audit_log(request.user)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    typed = any(name.endswith(QUERY_SUFFIX) and value for name, value in request.GET.items())
    if typed:
        body = _log_body(request, {})
    else:
        body = versions.cached_render(
            request,
            name=LOG_PART,
            scope=_scope(request),
            sources=AUDIT_LOG_SOURCES,
            render=lambda extra: _log_body(request, extra),
        )
    return render(request, "audit/log.html", {"log_body": mark_safe(body)})  # noqa: S308 - our own rendering


def _scope(request: HttpRequest) -> str:
    """Only programme managers read the log, and all of them read all of it (docs/domain.md section 4);
    a rendering for one scope is never served to another all the same."""
    return ",".join(sorted(role for role in (Role.PROGRAMME_MANAGER,) if roles_of(request.user).has(role)))


def _log_body(request: HttpRequest, extra: dict) -> str:
    form = AuditFilterForm(request.GET or None)
    search_as(form, request.user)
    filters = form.to_filter() if form.is_bound else AuditFilter()
    page = Paginator(audit_entries(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_to_string(
        "audit/_log_body.html",
        {"form": form, "page": page, "entries": audit_page_entries(page.object_list), **extra},
        request=request,
    )
