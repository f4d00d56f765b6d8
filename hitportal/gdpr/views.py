"""Data protection requests about one person (UK GDPR), for programme managers: see what the portal
holds, download it as JSON, or erase the person (teams.services_gdpr).

Anyone else gets a 403 with the reason, as on the rest of the people directory.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from core import second_factor
from core.permissions import require as _require
from hitportal.gdpr import services as services_gdpr
from hitportal.gdpr.permissions import can_handle_data_requests
from hitportal.gdpr.services import (
    REASON_MAX_LENGTH,
    erased_name,
    person_current_roles,
    person_data_export,
    person_get,
    person_record_counts,
)
from teams.models import GdprAction, Person

# Sections of the export, in the order the page counts them, with their names in words.
HELD_RECORDS = (
    ("affiliations", "Organisation affiliations"),
    ("hit_memberships", "HIT roles, past and present"),
    ("stakeholder_map_entries", "Stakeholder-map entries"),
    ("applications_naming_them", "Applications naming them as director or sponsor"),
    ("expressions_of_interest", "Expressions of interest they wrote"),
    ("review_assignments", "Review assignments and reviews"),
    ("public_reviews_written", "Public reviews they wrote"),
    ("ppi_log_entries_naming_them", "PPI log entries naming them"),
    ("sponsor_interactions", "Executive sponsor contacts"),
    ("action_plan_items_owned", "Action-plan items they own"),
    ("conditions_owned", "Accreditation conditions they own"),
    ("survey_invitations", "Survey invitations sent to them"),
)


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the erasure",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: erasure requested by email on 3 March. Do not write the person's name.",
        error_messages={"required": "Give the reason for the erasure (for example the request's date)."},
    )
    confirm = forms.BooleanField(
        label="I understand that the person's name and contact details will be removed for good.",
        error_messages={"required": "Tick the box to confirm the erasure."},
    )


def _page(request: HttpRequest, person: Person, form: ErasureForm) -> HttpResponse:
    counts = person_record_counts(person=person)
    held = [(label, counts[key]) for key, label in HELD_RECORDS]
    return render(
        request,
        "gdpr/person_data.html",
        {
            "person": person,
            "has_account": person.user_id is not None,
            "held": held,
            "current_roles": person_current_roles(person=person),
            "requests": GdprAction.objects.filter(person_number=person.pk).select_related("actor"),
            "form": form,
        },
    )


@login_required
@require_GET
def person_gdpr(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_handle_data_requests(request.user))
    person = person_get(pk=pk)
    return _page(request, person, ErasureForm())


@login_required
@require_GET
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_handle_data_requests(request.user))
    data = person_data_export(actor=request.user, person_id=pk)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"person-{pk}-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)  # personal data: no copy in any cache
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_handle_data_requests(request.user))
    person = person_get(pk=pk)
    # Erasure is for good: the programme manager confirms their second factor again first.
    if (confirm := second_factor.confirmation_needed(request)) is not None:
        return confirm
    if request.method != "POST":
        return _page(request, person, ErasureForm())
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            services_gdpr.person_erase(
                actor=request.user, person_id=person.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, field_errors in errors.items():
                for error in field_errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"{erased_name(person.pk)} was erased.")
            return redirect("teams:person-detail", pk=person.pk)
    return _page(request, person, form)
