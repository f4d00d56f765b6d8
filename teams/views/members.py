"""A HIT's members and working groups, managed by its director or a programme manager."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from teams import permissions
from teams.forms import lookup
from teams.forms.members import MemberAddForm, WorkingGroupForm
from teams.models import Membership
from teams.selectors import hits as selectors
from teams.services import members as services_members

HISTORY_PAGE_SIZE = 20  # membership changes a page, newest first


@login_required
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    show_ended = request.GET.get("ended") == "1"
    memberships = (
        Membership.objects.filter(hit=hit).select_related("person", "organisation", "working_group", "theme")
        if show_ended
        else selectors.hit_people(hit=hit)
    ).order_by("role", "person__full_name", "pk")
    history = Paginator(selectors.membership_changes(hit=hit), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "teams/member_list.html",
        {
            "hit": hit,
            "memberships": memberships,
            "show_ended": show_ended,
            "history": history,
            "can_manage": bool(permissions.can_manage_members(request.user, hit)),
            "manage_reason": permissions.can_manage_members(request.user, hit).reason,
        },
    )


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_manage_members(request.user, hit))
    form = MemberAddForm(request.POST if request.method == "POST" else None, hit=hit)
    lookup.search_as(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        members = reverse("teams:member-list", args=[hit.pk])
        try:
            with once(form, user=request.user) as claim:
                membership = services_members.membership_add(
                    actor=request.user,
                    hit_id=hit.pk,
                    email=data["email"],
                    full_name=data["full_name"],
                    is_public_member=data["is_public_member"],
                    role=data["role"],
                    organisation_id=data["organisation"].pk if data["organisation"] else None,
                    working_group_id=data["working_group"].pk if data["working_group"] else None,
                    lead_side=data["lead_side"],
                    theme_id=data["theme"].pk if data["theme"] else None,
                    start_date=data["start_date"],
                )
                claim.done(members)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or members)
        else:
            messages.success(
                request, f"{membership.person} joined as {membership.get_role_display().lower()}."
            )
            return redirect("teams:member-list", pk=hit.pk)
    return render(request, "teams/member_form.html", {"hit": hit, "form": form})


@login_required
@require_POST
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        membership = Membership.objects.select_related("hit").get(pk=pk)
    except Membership.DoesNotExist:
        from django.http import Http404

        raise Http404("No such membership.") from None
    hit = selectors.hit_get_for_user(user=request.user, pk=membership.hit_id)
    _require(permissions.can_manage_members(request.user, hit))
    try:
        services_members.membership_end(actor=request.user, membership_id=membership.pk)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(
            request, f"{membership.person}'s role as {membership.get_role_display().lower()} ended."
        )
    return redirect("teams:member-list", pk=hit.pk)


@login_required
@require_http_methods(["GET", "POST"])
def working_group_create(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_manage_members(request.user, hit))
    form = WorkingGroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        members = reverse("teams:member-list", args=[hit.pk])
        try:
            with once(form, user=request.user) as claim:
                group = services_members.working_group_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    name=form.cleaned_data["name"],
                    purpose=form.cleaned_data["purpose"],
                )
                claim.done(members)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or members)
        else:
            messages.success(request, f"Working group {group} created. Add its academic and service leads.")
            return redirect("teams:member-list", pk=hit.pk)
    return render(request, "teams/working_group_form.html", {"hit": hit, "form": form})
