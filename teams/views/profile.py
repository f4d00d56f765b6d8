"""Pages of a HIT's profile: its edit form and the history of its changes.

The access selector comes first (a HIT the user may not see is a 404); editing is for the HIT's
directors and programme managers (403 with the reason otherwise). Writes go through
teams.services.profile; a successful save redirects to the HIT's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import StaleEdit, conflict_for
from core.permissions import require as _require
from teams import permissions
from teams.forms import lookup
from teams.forms.hits import HITProfileForm
from teams.selectors import hits as selectors
from teams.services import profile as services
from teams.views.lifecycle import _apply_errors

HISTORY_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def hit_profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_edit_hit_profile(request.user, hit))
    stored_name = hit.name  # the bound form's cleaning writes the typed values onto `hit`
    form = HITProfileForm(request.POST if request.method == "POST" else None, instance=hit)
    lookup.search_as(form, request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = services.ProfileValues(
            **{name: data[name] for name in services.PROFILE_FIELDS},
            clear_host_organisation=data["host_organisation"] is None,
        )
        try:
            services.hit_profile_update(
                actor=request.user, hit_id=hit.pk, values=values, expected_version=form.started_from
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except StaleEdit as stale:
            conflict = conflict_for(
                form, theirs=HITProfileForm(instance=stale.current), current=stale.current
            )
        else:
            messages.success(request, "The HIT's profile was saved.")
            return redirect("teams:hit-detail", pk=hit.pk)
    return render(
        request,
        "teams/hit_profile_form.html",
        {"form": form, "hit_pk": hit.pk, "hit_name": stored_name, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_GET
def hit_profile_history(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    changes = selectors.hit_profile_changes(hit=hit)
    page = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "teams/hit_profile_history.html",
        {
            "hit": hit,
            "page": page,
            "can_edit": bool(permissions.can_edit_hit_profile(request.user, hit)),
        },
    )
