"""HIT pages and the organisation and people directories."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.concurrency import StaleEdit, conflict_for
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from core.workflow import InvalidTransition
from teams import lookup, permissions, selectors, selectors_lifecycle, services
from teams.filters import HITFilter, OrganisationFilter, PersonFilter
from teams.forms import AffiliationForm, HITTransitionForm, OrganisationForm, PersonForm
from teams.models import HIT, Organisation, Person
from teams.signals import HITPagePart, hit_page_requested
from teams.workflow import HIT_WORKFLOW

PAGE_SIZE = 50
CLOSURE_ACTIONS = {"begin_closure", "close"}


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _apply_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: known fields next to the field, the rest on top."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(key if key in form.fields else None, message)


# --- HITs --------------------------------------------------------------------------------------------


@login_required
def hit_list(request: HttpRequest) -> HttpResponse:
    roles_see_all = permissions.can_view_portfolio(request.user)
    queryset = selectors.hit_list_for_user(user=request.user)
    if not roles_see_all and not queryset.exists():
        raise PermissionDenied("You are not a member of any HIT yet.")
    hit_filter = HITFilter(request.GET, queryset=queryset)
    page = _page(request, hit_filter.qs)
    return render(
        request,
        "teams/hit_list.html",
        {"filter": hit_filter, "page": page, "title": "HITs" if roles_see_all else "My HITs"},
    )


@login_required
def hit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    can_change = permissions.can_change_hit_status(request.user, hit)
    transition_form = HITTransitionForm(initial={"expected_status": hit.status})
    transition_form.fields["merged_into"].queryset = HITTransitionForm.base_fields[
        "merged_into"
    ].queryset.exclude(pk=hit.pk)
    return render(
        request,
        "teams/hit_detail.html",
        {
            "hit": hit,
            "memberships": selectors.hit_people(hit=hit),
            "working_groups": hit.working_groups.all(),
            "missing_leads": selectors.working_groups_missing_leads(hit_ids=[hit.pk]).get(hit.pk, []),
            "history": hit.status_changes.select_related("actor")[:20],
            # Closure has its own page (teams:hit-close), which also records what continues.
            "available_actions": [
                t for t in HIT_WORKFLOW.actions(hit.status) if t.action not in CLOSURE_ACTIONS
            ]
            if can_change
            else [],
            "transition_form": transition_form,
            "can_view_directory": bool(permissions.can_view_directory(request.user)),
            "accreditations": list(hit.accreditations.order_by("-valid_from")),
            "applications": (
                list(hit.applications.select_related("round").order_by("-created_at"))
                if permissions.can_see_applications_of(request.user, hit)
                else None
            ),
            "today": timezone.localdate(),
            "page_parts": _page_parts(hit, request.user),
            **selectors_lifecycle.hit_page_context(hit=hit, user=request.user),
        },
    )


def _page_parts(hit: HIT, user: object) -> dict[str, list[HITPagePart]]:
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
    if not form.is_valid():
        messages.error(request, "That change could not be made: the form was incomplete.")
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


# --- Organisations -----------------------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))
    org_filter = OrganisationFilter(request.GET, queryset=selectors.organisation_directory())
    return render(
        request, "teams/organisation_list.html", {"filter": org_filter, "page": _page(request, org_filter.qs)}
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))
    organisation = get_object_or_404(selectors.organisation_directory(), pk=pk)
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
    """The options of a directory <select> that match what was typed (htmx, teams.lookup)."""
    _require(permissions.can_look_up_directory(request.user))
    found = lookup.DIRECTORIES.get(directory)
    if found is None:
        raise Http404("No such directory.")
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
    queryset = (
        Person.objects.order_by("full_name", "pk")
        if found is lookup.PEOPLE
        else Organisation.objects.filter(is_active=True).order_by("name")
    )
    context = lookup.lookup_options(
        found, queryset, query=query, selected=request.GET.get(field, ""), user=request.user
    )
    context["status_id"] = status_id
    return render(request, "teams/widgets/directory_options.html", context)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))
    person_filter = PersonFilter(request.GET, queryset=selectors.person_directory())
    return render(
        request, "teams/person_list.html", {"filter": person_filter, "page": _page(request, person_filter.qs)}
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_view_directory(request.user))
    person = get_object_or_404(selectors.person_directory(), pk=pk)
    memberships = selectors.current_memberships().filter(person=person).select_related("hit", "working_group")
    return render(
        request,
        "teams/person_detail.html",
        {"person": person, "memberships": memberships, "affiliation_form": AffiliationForm()},
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
