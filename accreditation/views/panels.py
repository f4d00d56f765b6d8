"""Panel administration: a programme manager makes a round's panel and seats, removes and replaces its
chair, reviewers and lay reviewers (docs/domain.md section 3.8). The round's chair sees the panel
read-only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accreditation import permissions
from accreditation.forms.panels import PanelForm, SeatAddForm, SeatRemoveForm, SeatReplaceForm
from accreditation.models import Panel, PanelMember, Round
from accreditation.selectors.panels import (
    panel_get_for_user,
    panel_seats,
    seat_get_for_manager,
    seat_history,
    seat_open_assignments,
)
from accreditation.services.panels import (
    SeatOutcome,
    panel_create,
    panel_seat_add,
    panel_seat_remove,
    panel_seat_replace,
)
from core.forms import apply_service_errors
from core.idempotency import AlreadySubmitted, once
from core.permissions import require
from core.workflow import InvalidTransition
from teams.forms.lookup import search_as


@login_required
@require_http_methods(["GET", "POST"])
def panel_create_view(request: HttpRequest, round_pk: int) -> HttpResponse:
    require(permissions.can_manage_panels(request.user))
    round = get_object_or_404(Round, pk=round_pk)
    if request.method == "POST":
        form = PanelForm(request.POST)
    else:
        form = PanelForm(initial={"name": f"{round.name} panel"})
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, user=request.user) as claim:
                panel = panel_create(actor=request.user, round_id=round.pk, name=form.cleaned_data["name"])
                claim.done(reverse("accreditation:panel-detail", args=[panel.pk]))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("accreditation:round-detail", args=[round.pk]))
        else:
            messages.success(request, f"{panel.name} was made. Now seat its chair and reviewers.")
            return redirect("accreditation:panel-detail", pk=panel.pk)
    return render(request, "accreditation/panel_form.html", {"form": form, "round": round})


def _panel_page(request: HttpRequest, panel: Panel, add_form: SeatAddForm | None = None) -> HttpResponse:
    manage = permissions.can_manage_panels(request.user)
    if manage and add_form is None:
        add_form = SeatAddForm()
    if add_form is not None:
        search_as(add_form, request.user)
    return render(
        request,
        "accreditation/panel_detail.html",
        {
            "panel": panel,
            "round": panel.round,
            "seats": panel_seats(panel=panel),
            "history": seat_history(panel=panel),
            "can_manage": bool(manage),
            "manage_reason": manage.reason,
            "add_form": add_form if manage else None,
        },
    )


@login_required
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel_page(request, panel_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def panel_seat_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    panel = panel_get_for_user(user=request.user, pk=pk)
    require(permissions.can_manage_panels(request.user))
    form = SeatAddForm(request.POST)
    search_as(form, request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with once(form, user=request.user) as claim:
                member = panel_seat_add(
                    actor=request.user,
                    panel_id=panel.pk,
                    person=data["person"],
                    role=data["role"],
                    comment=data["comment"],
                )
                claim.done(reverse("accreditation:panel-detail", args=[panel.pk]))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("accreditation:panel-detail", args=[panel.pk]))
        else:
            messages.success(
                request,
                f"{member.user.full_name} now sits on {panel.name} as {member.get_role_display().lower()}.",
            )
            return redirect("accreditation:panel-detail", pk=panel.pk)
    return _panel_page(request, panel, add_form=form)


def _tell(request: HttpRequest, outcome: SeatOutcome, done: str) -> None:
    """Say what happened to the reviews the leaver owed; applications left short are a warning."""
    messages.success(request, done)
    if outcome.moved:
        messages.info(request, f"Reviews handed over to the replacement: {', '.join(outcome.moved)}.")
    if outcome.kept:
        messages.info(request, f"Reviews already submitted, which still count: {', '.join(outcome.kept)}.")
    if outcome.left:
        messages.warning(
            request,
            "These applications now need another reviewer; the chair or a programme manager assigns one "
            f"on each application's Reviewers page: {', '.join(outcome.left)}.",
        )


def _seat_page(
    request: HttpRequest, member: PanelMember, template: str, form: SeatRemoveForm | SeatReplaceForm
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "member": member,
            "panel": member.panel,
            "round": member.panel.round,
            "form": form,
            "owed": list(seat_open_assignments(member=member)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_seat_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = seat_get_for_manager(user=request.user, pk=pk)
    require(permissions.can_manage_panels(request.user))
    form = SeatRemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = panel_seat_remove(
                actor=request.user, member_id=member.pk, reason=form.cleaned_data["reason"]
            )
        except InvalidTransition as exc:
            messages.error(request, str(exc))
        else:
            _tell(request, outcome, f"{member.user.full_name} no longer sits on {member.panel.name}.")
        return redirect("accreditation:panel-detail", pk=member.panel_id)
    return _seat_page(request, member, "accreditation/panel_seat_remove.html", form)


@login_required
@require_http_methods(["GET", "POST"])
def panel_seat_replace_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = seat_get_for_manager(user=request.user, pk=pk)
    require(permissions.can_manage_panels(request.user))
    form = SeatReplaceForm(request.POST if request.method == "POST" else None)
    search_as(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = panel_seat_replace(
                actor=request.user,
                member_id=member.pk,
                person=form.cleaned_data["person"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect("accreditation:panel-detail", pk=member.panel_id)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            successor = form.cleaned_data["person"]
            _tell(
                request,
                outcome,
                f"{successor.full_name} replaced {member.user.full_name} on {member.panel.name}.",
            )
            return redirect("accreditation:panel-detail", pk=member.panel_id)
    return _seat_page(request, member, "accreditation/panel_seat_replace.html", form)
