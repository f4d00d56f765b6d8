"""Pages of HITs: the list, a HIT's page and its status moves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.permissions import require as _require
from core.versions import cached_render
from core.workflow import InvalidTransition
from teams import permissions
from teams.filters import HITFilter
from teams.forms.hits import HITTransitionForm
from teams.forms.lookup import search_as
from teams.models import HIT
from teams.roles import AnyUser, roles_of, viewer_scope
from teams.selectors import hits as selectors
from teams.selectors import lifecycle as selectors_lifecycle
from teams.selectors import proposals as selectors_proposals
from teams.services import hits as services
from teams.signals import HITPagePart, hit_page_part_sources, hit_page_requested
from teams.workflow import HIT_WORKFLOW

PAGE_SIZE = 50
CLOSURE_ACTIONS = {"begin_closure", "close"}


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- HITs --------------------------------------------------------------------------------------------


@login_required
def hit_list(request: HttpRequest) -> HttpResponse:
    """The filter form and the table are rendered once per version of what they show (core.versions)."""
    roles_see_all = bool(permissions.can_view_portfolio(request.user))
    if not roles_see_all and not roles_of(request.user).hit_ids:
        raise PermissionDenied("You are not a member of any HIT yet.")
    title = "HITs" if roles_see_all else "My HITs"

    def body(extra: dict[str, Any]) -> str:
        hit_filter = HITFilter(request.GET, queryset=selectors.hit_list_for_user(user=request.user))
        context = {"filter": hit_filter, "page": _page(request, hit_filter.qs), "title": title, **extra}
        return render_to_string("teams/_hit_list_body.html", context, request=request)

    html = cached_render(
        request,
        name="teams:hit-list",
        scope=viewer_scope(request.user),
        sources=selectors.HIT_LIST_SOURCES,
        params=[*HITFilter.base_filters, "page"],
        render=body,
    )
    return render(request, "teams/hit_list.html", {"body": mark_safe(html), "title": title})  # noqa: S308


@login_required
def hit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The body is rendered once per viewer and version of what it shows (core.versions): what teams
    shows (selectors.hit_page_sources) and what each part of the apps above declares it reads
    (teams.signals.connect_hit_page_part). A part connected without declaring it is never kept."""
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)

    def body(extra: dict[str, Any]) -> str:
        context = {**_hit_page_context(request, hit), **extra}
        return render_to_string("teams/_hit_detail_body.html", context, request=request)

    part_sources = hit_page_part_sources()
    if part_sources is None:
        html = body({})
    else:
        html = cached_render(
            request,
            name="teams:hit-detail",
            scope=viewer_scope(request.user),
            sources=[*selectors.hit_page_sources(), *part_sources],
            vary=[str(hit.pk)],
            params=(),
            render=body,
        )
    return render(request, "teams/hit_detail.html", {"hit": hit, "body": mark_safe(html)})  # noqa: S308


def _hit_page_context(request: HttpRequest, hit: HIT) -> dict[str, Any]:
    can_change = permissions.can_change_hit_status(request.user, hit)
    transition_form = HITTransitionForm(initial={"expected_status": hit.status})
    transition_form.fields["merged_into"].queryset = HITTransitionForm.base_fields[
        "merged_into"
    ].queryset.exclude(pk=hit.pk)
    search_as(transition_form, request.user)
    return {
        "hit": hit,
        "memberships": selectors.hit_people(hit=hit),
        "working_groups": hit.working_groups.all(),
        "missing_leads": selectors.working_groups_missing_leads(hit_ids=[hit.pk]).get(hit.pk, []),
        "history": hit.status_changes.select_related("actor")[:20],
        # Closure has its own page (teams:hit-close), which also records what continues.
        "available_actions": [t for t in HIT_WORKFLOW.actions(hit.status) if t.action not in CLOSURE_ACTIONS]
        if can_change
        else [],
        "transition_form": transition_form,
        "can_view_directory": bool(permissions.can_view_directory(request.user)),
        "can_edit_profile": bool(permissions.can_edit_hit_profile(request.user, hit)),
        "proposals_pending": (
            selectors_proposals.proposals_pending_count(hit_id=hit.pk)
            if permissions.can_confirm_proposed_memberships(request.user, hit)
            else 0
        ),
        "accreditations": list(hit.accreditations.order_by("-valid_from")),
        "applications": (
            list(hit.applications.select_related("round").order_by("-created_at"))
            if permissions.can_see_applications_of(request.user, hit)
            else None
        ),
        "today": timezone.localdate(),
        "page_parts": _page_parts(hit, request.user),
        **selectors_lifecycle.hit_page_context(hit=hit, user=request.user),
    }


def _page_parts(hit: HIT, user: AnyUser) -> dict[str, list[HITPagePart]]:
    """What the apps above teams show on the HIT page, by slot (teams.signals.hit_page_requested)."""
    parts: dict[str, list[HITPagePart]] = {}
    for _receiver, part in hit_page_requested.send(sender=HIT, hit=hit, user=user):
        if part is not None:
            parts.setdefault(part.slot, []).append(part)
    return parts


@login_required
@require_POST
def hit_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_change_hit_status(request.user, hit))
    form = HITTransitionForm(request.POST)
    search_as(form, request.user)
    if not form.is_valid():
        # What the HIT was merged into may have been typed (the HIT lookup): say what did not match.
        typed = " ".join(form.errors.get("merged_into", []))
        messages.error(request, f"That change could not be made: {typed or 'the form was incomplete.'}")
        return redirect("teams:hit-detail", pk=hit.pk)
    data = form.cleaned_data
    try:
        services.hit_transition(
            actor=request.user,
            hit_id=hit.pk,
            action=data["action"],
            reason=data["reason"],
            closure_reason=data["closure_reason"],
            merged_into=data["merged_into"],
            expected_status=data["expected_status"],
        )
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, "The HIT's status was changed.")
    return redirect("teams:hit-detail", pk=hit.pk)
