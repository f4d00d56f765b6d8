"""The vocabulary pages (docs/domain.md section 2): programme managers add, rename and switch off terms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import StaleEdit, conflict_for
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from teams import permissions
from teams.forms.vocabularies import TERM_FORMS
from teams.selectors.vocabularies import vocabulary_get, vocabulary_terms
from teams.services import vocabularies as services
from teams.views.directory import _apply_errors


def _tabs(current: str) -> list[tuple[str, str, bool]]:
    return [
        (reverse("teams:vocabulary-list", args=[kind]), str(spec.kind.label), kind == current)
        for kind, spec in services.VOCABULARIES.items()
    ]


@login_required
@require_GET
def vocabulary_list(request: HttpRequest, vocabulary: str) -> HttpResponse:
    _require(permissions.can_manage_vocabularies(request.user))
    spec = vocabulary_get(vocabulary=vocabulary)
    return render(
        request,
        "teams/vocabulary_list.html",
        {
            "spec": spec,
            "vocabulary": vocabulary,
            "terms": vocabulary_terms(spec=spec),
            "tabs": _tabs(vocabulary),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vocabulary_term_create(request: HttpRequest, vocabulary: str) -> HttpResponse:
    _require(permissions.can_manage_vocabularies(request.user))
    spec = vocabulary_get(vocabulary=vocabulary)
    listing = reverse("teams:vocabulary-list", args=[vocabulary])
    form = TERM_FORMS[vocabulary](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, user=request.user) as claim:
                term = services.vocabulary_term_add(
                    actor=request.user, vocabulary=vocabulary, term=form.instance
                )
                claim.done(listing)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or listing)
        else:
            messages.success(request, f"{term} was added.")
            return redirect(listing)
    return render(
        request,
        "teams/vocabulary_form.html",
        {"spec": spec, "vocabulary": vocabulary, "form": form, "term": None, "conflict": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def vocabulary_term_edit(request: HttpRequest, vocabulary: str, pk: int) -> HttpResponse:
    _require(permissions.can_manage_vocabularies(request.user))
    spec = vocabulary_get(vocabulary=vocabulary)
    term = get_object_or_404(spec.model, pk=pk)
    form_class = TERM_FORMS[vocabulary]
    form = form_class(request.POST or None, instance=term)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.vocabulary_term_change(
                actor=request.user,
                vocabulary=vocabulary,
                term=form.instance,
                expected_version=form.started_from,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except StaleEdit as stale:
            conflict = conflict_for(form, theirs=form_class(instance=stale.current), current=stale.current)
        else:
            messages.success(request, f"{term} was saved." if changes else "Nothing was changed.")
            return redirect("teams:vocabulary-list", vocabulary=vocabulary)
    return render(
        request,
        "teams/vocabulary_form.html",
        {"spec": spec, "vocabulary": vocabulary, "form": form, "term": term, "conflict": conflict},
        status=409 if conflict else 200,
    )
