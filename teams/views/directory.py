"""Pages of the directory: organisations, people, affiliations and the search behind the choosers."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from core import versions
from core.concurrency import StaleEdit, conflict_for
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from teams import permissions
from teams.enums import Role
from teams.filters import OrganisationFilter, PersonFilter
from teams.forms import lookup
from teams.forms.directory import AffiliationForm, OrganisationForm, PersonForm, RoleGrantForm
from teams.models import Organisation, Person
from teams.roles import roles_of
from teams.selectors.directory import (
    DIRECTORY_SOURCES,
    organisation_directory,
    person_access,
    person_directory,
)
from teams.selectors.hits import current_memberships, hit_list_for_user
from teams.services import directory as services
from teams.views.hits import _page


def _apply_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: known fields next to the field, the rest on top."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(key if key in form.fields else None, message)


# --- Organisations -----------------------------------------------------------------------------------


def _list_body(request: HttpRequest, name: str, draw: Callable[[dict], str]) -> str:
    """A directory list's filters and rows, rendered once per version of the directory (core.versions over
    DIRECTORY_SOURCES: an edit or a deletion shows at the next request) and query string, and kept in the
    cache. Only programme managers read the lists, and all of them read all of it (docs/domain.md
    section 4); the scope holds that all the same. A search typed into a chooser of the filter is drawn
    afresh (it counts against the user's directory searches)."""
    if any(key.endswith(lookup.QUERY_SUFFIX) and value for key, value in request.GET.items()):
        return draw({})
    scope = Role.PROGRAMME_MANAGER if roles_of(request.user).has(Role.PROGRAMME_MANAGER) else ""
    return versions.cached_render(
        request, name=f"teams:{name}", scope=str(scope), sources=DIRECTORY_SOURCES, render=draw
    )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))

    def draw(extra: dict) -> str:
        org_filter = OrganisationFilter(request.GET, queryset=organisation_directory())
        return render_to_string(
            "teams/_organisation_list_body.html",
            {"filter": org_filter, "page": _page(request, org_filter.qs), **extra},
            request=request,
        )

    body = _list_body(request, "organisation-list", draw)
    return render(request, "teams/organisation_list.html", {"list_body": mark_safe(body)})  # noqa: S308


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))
    organisation = get_object_or_404(organisation_directory(), pk=pk)
    affiliations = organisation.affiliations.select_related("person").order_by("person__full_name")
    return render(
        request,
        "teams/organisation_detail.html",
        {"organisation": organisation, "affiliations": affiliations, "children": organisation.children.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(permissions.can_manage_directory(request.user))
    organisation = get_object_or_404(Organisation, pk=pk) if pk else None
    form = OrganisationForm(request.POST if request.method == "POST" else None, instance=organisation)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if organisation is None:
                with once(form, user=request.user) as claim:
                    saved = services.organisation_save(actor=request.user, organisation=form.instance)
                    claim.done(reverse("teams:organisation-detail", args=[saved.pk]))
            else:
                saved = services.organisation_save(
                    actor=request.user, organisation=form.instance, expected_version=form.started_from
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("teams:organisation-list"))
        except StaleEdit as stale:
            conflict = conflict_for(
                form, theirs=OrganisationForm(instance=stale.current), current=stale.current
            )
        else:
            messages.success(request, f"{saved} was saved.")
            return redirect("teams:organisation-detail", pk=saved.pk)
    return render(
        request,
        "teams/organisation_form.html",
        {"form": form, "organisation": organisation, "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- People ------------------------------------------------------------------------------------------


@login_required
@require_GET
def directory_lookup(request: HttpRequest, directory: str) -> HttpResponse:
    """The options of a directory <select> that match what was typed (htmx, teams.forms.lookup): people,
    organisations, or the HITs the user may see."""
    found = lookup.DIRECTORIES.get(directory)
    if found is None:
        raise Http404("No such directory.")
    if found is lookup.HITS:
        # Only the HITs the user may see are searched, so a search never names another.
        _require(permissions.can_look_up_hits(request.user))
    elif found is lookup.ORGANISATIONS:
        _require(permissions.can_look_up_organisations(request.user))
    else:
        _require(permissions.can_look_up_directory(request.user))
    status_id = request.GET.get("status", "")
    # The live region under the search box, updated out of band: only a widget's own id is accepted.
    status_id = status_id if re.fullmatch(r"[\w-]{1,100}__status", status_id) else ""
    if not lookup.search_allowed(request.user):
        # Only the status line changes (HX-Reswap: none keeps the list as it was); static/js/portal.js
        # lets htmx apply this 429, which it would otherwise drop as an error.
        response = render(
            request,
            "teams/widgets/directory_throttled.html",
            {"status_id": status_id, "message": lookup.THROTTLED_MESSAGE},
            status=429,
        )
        response["Retry-After"] = str(lookup.LOOKUP_WINDOW_SECONDS)
        response["HX-Reswap"] = "none"
        return response
    field = request.GET.get("field", "")
    query = request.GET.get(field + lookup.QUERY_SUFFIX, "").strip()[:100] if field else ""
    if found is lookup.PEOPLE:
        queryset = Person.objects.order_by("full_name", "pk")
    elif found is lookup.HITS:
        queryset = hit_list_for_user(user=request.user).order_by("name")
    else:
        queryset = Organisation.objects.filter(is_active=True).order_by("name")
    context = lookup.lookup_options(
        found, queryset, query=query, selected=request.GET.get(field, ""), user=request.user
    )
    context["status_id"] = status_id
    return render(request, "teams/widgets/directory_options.html", context)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))

    def draw(extra: dict) -> str:
        person_filter = PersonFilter(request.GET, queryset=person_directory())
        return render_to_string(
            "teams/_person_list_body.html",
            {"filter": person_filter, "page": _page(request, person_filter.qs), **extra},
            request=request,
        )

    body = _list_body(request, "person-list", draw)
    return render(request, "teams/person_list.html", {"list_body": mark_safe(body)})  # noqa: S308


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))
    person = get_object_or_404(person_directory(), pk=pk)
    memberships = current_memberships().filter(person=person).select_related("hit", "working_group")
    access = person_access(person=person)
    return render(
        request,
        "teams/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "affiliation_form": AffiliationForm(),
            "access": access,
            "grant_form": RoleGrantForm(held=access.held),
            "can_manage_roles": permissions.can_manage_roles(request.user),
            "can_create_account": permissions.can_create_account(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(permissions.can_manage_directory(request.user))
    person = get_object_or_404(Person, pk=pk) if pk else None
    form = PersonForm(request.POST if request.method == "POST" else None, instance=person)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if person is None:
                with once(form, user=request.user) as claim:
                    saved = services.person_save(actor=request.user, person=form.instance)
                    claim.done(reverse("teams:person-detail", args=[saved.pk]))
            else:
                saved = services.person_save(
                    actor=request.user, person=form.instance, expected_version=form.started_from
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("teams:person-list"))
        except StaleEdit as stale:
            conflict = conflict_for(form, theirs=PersonForm(instance=stale.current), current=stale.current)
        else:
            messages.success(request, f"{saved} was saved.")
            return redirect("teams:person-detail", pk=saved.pk)
    return render(
        request,
        "teams/person_form.html",
        {"form": form, "person": person, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def affiliation_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_directory(request.user))
    person = get_object_or_404(Person, pk=pk)
    form = AffiliationForm(request.POST if request.method == "POST" else None, instance=None)
    form.instance.person = person
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, user=request.user) as claim:
                affiliation = form.save()
                claim.done(reverse("teams:person-detail", args=[person.pk]))
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("teams:person-detail", args=[person.pk]))
        except IntegrityError:
            # The person is not a field of the form, so the form cannot check this constraint itself.
            form.add_error("job_title", f"{person} already has this post at this organisation.")
        else:
            messages.success(request, f"Added {affiliation.organisation} to {person}.")
            return redirect("teams:person-detail", pk=person.pk)
    return render(request, "teams/affiliation_form.html", {"form": form, "person": person})
