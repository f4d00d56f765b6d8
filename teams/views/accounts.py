"""A person's login and programme roles, managed by programme managers from the person's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core import second_factor
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from teams import permissions
from teams.enums import ProgrammeRole
from teams.forms.directory import AccountCreateForm, RoleGrantForm
from teams.models import Person, User
from teams.services import directory as services
from teams.views.directory import _apply_errors


def _person_with_login(pk: int) -> tuple[Person, User]:
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    if person.user is None:
        raise ValidationError(f"{person} has no login yet: create one first.")
    return person, person.user


def _error_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def person_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_roles(request.user))
    # A role opens pages of other people's data: the granter confirms their second factor again first.
    if (confirm := second_factor.confirmation_needed(request)) is not None:
        return confirm
    try:
        person, user = _person_with_login(pk)
        form = RoleGrantForm(request.POST, held=user.role_assignments.values_list("role", flat=True))
        if not form.is_valid():
            raise ValidationError(form.errors["role"])
        role = form.cleaned_data["role"]
        services.role_grant(actor=request.user, user=user, role=role)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        told = " They were e-mailed." if user.pk != request.user.pk else ""
        messages.success(request, f"{person} is now {ProgrammeRole(role).label.lower()}.{told}")
    return redirect("teams:person-detail", pk=pk)


@login_required
@require_POST
def person_role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_roles(request.user))
    role = request.POST.get("role", "")
    try:
        person, user = _person_with_login(pk)
        services.role_revoke(actor=request.user, user=user, role=role)
    except ValidationError as exc:
        _error_messages(request, exc)
        return redirect("teams:person-detail", pk=pk)
    messages.success(request, f"{person} is no longer {ProgrammeRole(role).label.lower()}.")
    if not permissions.can_view_directory(request.user):
        # A programme manager who gave up their own role can no longer open the directory.
        return redirect("home")
    return redirect("teams:person-detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_create_account(request.user))
    person = get_object_or_404(Person, pk=pk)
    detail = reverse("teams:person-detail", args=[person.pk])
    form = AccountCreateForm(request.POST or None, initial={"email": person.email})
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, user=request.user) as claim:
                user = services.account_create(
                    actor=request.user,
                    person=person,
                    email=form.cleaned_data["email"],
                    roles=form.cleaned_data["roles"],
                )
                claim.done(detail)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or detail)
        else:
            messages.success(
                request,
                f"A login for {person} was created; the invitation to set a password went to {user.email}.",
            )
            return redirect(detail)
    return render(request, "teams/account_form.html", {"form": form, "person": person})


@login_required
@require_POST
def account_invite(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_create_account(request.user))
    try:
        _person, user = _person_with_login(pk)
        services.account_invite(actor=request.user, user=user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, f"The invitation to set a password went to {user.email} again.")
    return redirect("teams:person-detail", pk=pk)
