"""Rounds (calls) and expressions of interest (GitHub issue "Accreditation", items 1 and 2)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from accreditation import permissions, workflow
from accreditation.enums import EOIStatus
from accreditation.filters import EOIFilter
from accreditation.forms.rounds import (
    BasePartnerFormSet,
    EOIForm,
    EOITransitionForm,
    RoundForm,
    partner_formset,
)
from accreditation.models import Application, ExpressionOfInterest, Round
from accreditation.selectors.eois import EOI_LIST_SOURCES, eoi_get_for_user, eoi_list_for_user
from accreditation.selectors.panels import round_panels
from accreditation.selectors.rounds import open_rounds
from accreditation.services.eois import eoi_save, eoi_transition
from accreditation.services.rounds import round_save
from core.concurrency import StaleEdit, conflict_for, restart_from
from core.forms import service_error_problems
from core.idempotency import AlreadySubmitted, once
from core.permissions import Verdict
from core.permissions import require as _require
from core.templatetags.portal import Problem, form_error_summary
from core.versions import cached_render
from core.workflow import InvalidTransition
from teams.forms.lookup import search_as
from teams.models import User
from teams.roles import roles_of, viewer_scope

PAGE_SIZE = 50


def _visible_rounds(user: User, today: datetime.date) -> QuerySet[Round]:
    """Programme managers see every round; others the open ones and any round whose panel they chair."""
    if permissions.can_manage_rounds(user):
        return Round.objects.all()
    chaired = roles_of(user).chair_round_ids
    return open_rounds(day=today) | Round.objects.filter(pk__in=chaired)


# --- Rounds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundCard:
    round: Round
    phase: str  # upcoming | eoi | applications | closed, derived from the dates
    phase_label: str
    eoi_verdict: Verdict  # may this user send an expression of interest to it today?


_PHASE_LABELS = {
    "upcoming": "Not open yet",
    "eoi": "Open for expressions of interest",
    "applications": "Open for applications",
    "closed": "Closed",
}


def _phase(round: Round, today: datetime.date) -> str:
    if today < round.opens_on:
        return "upcoming"
    if today <= round.eoi_deadline:
        return "eoi"
    if today <= round.application_deadline:
        return "applications"
    return "closed"


def _card(round: Round, today: datetime.date, may_start: Verdict) -> RoundCard:
    phase = _phase(round, today)
    verdict = may_start if not may_start else permissions.eoi_window(round, today)
    return RoundCard(round=round, phase=phase, phase_label=_PHASE_LABELS[phase], eoi_verdict=verdict)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_use_rounds(request.user))
    today = timezone.localdate()
    may_start = permissions.can_start_eoi(request.user)
    cards = [_card(r, today, may_start) for r in _visible_rounds(request.user, today)]
    open_cards = sorted(
        (c for c in cards if c.phase in ("eoi", "applications")), key=lambda c: c.round.eoi_deadline
    )
    upcoming = sorted((c for c in cards if c.phase == "upcoming"), key=lambda c: c.round.opens_on)
    past = sorted(
        (c for c in cards if c.phase == "closed"), key=lambda c: c.round.application_deadline, reverse=True
    )
    return render(
        request,
        "accreditation/round_list.html",
        {
            "open_cards": open_cards,
            "upcoming_cards": upcoming,
            "past_cards": past,
            "can_manage": bool(permissions.can_manage_rounds(request.user)),
        },
    )


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_use_rounds(request.user))
    today = timezone.localdate()
    round = get_object_or_404(_visible_rounds(request.user, today), pk=pk)
    card = _card(round, today, permissions.can_start_eoi(request.user))
    my_eois = ExpressionOfInterest.objects.filter(round=round, author_id=request.user.pk).order_by(
        "-created_at"
    )
    sees_all = bool(permissions.can_see_round_board(request.user, round.pk))
    status_counts = []
    if sees_all:
        counts = dict(
            eoi_list_for_user(user=request.user)
            .filter(round=round)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        status_counts = [(value, label, counts.get(value, 0)) for value, label in EOIStatus.choices]
    return render(
        request,
        "accreditation/round_detail.html",
        {
            "round": round,
            "card": card,
            "my_eois": my_eois,
            "status_counts": status_counts,
            "can_manage": bool(permissions.can_manage_rounds(request.user)),
            # The round's chair and programme managers see its panels; only the latter change them.
            "panels": list(round_panels(round=round)) if sees_all else None,
            "can_manage_panels": bool(permissions.can_manage_panels(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(permissions.can_manage_rounds(request.user))
    round = get_object_or_404(Round, pk=pk) if pk else None
    form = RoundForm(request.POST if request.method == "POST" else None, instance=round)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if round is None:
                with once(form, user=request.user) as claim:
                    saved = round_save(actor=request.user, round=form.instance)
                    claim.done(reverse("accreditation:round-detail", args=[saved.pk]))
            else:
                saved = round_save(
                    actor=request.user, round=form.instance, expected_version=form.started_from
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("accreditation:round-list"))
        except StaleEdit as stale:
            conflict = conflict_for(form, theirs=RoundForm(instance=stale.current), current=stale.current)
        else:
            messages.success(request, f"{saved} was saved.")
            return redirect("accreditation:round-detail", pk=saved.pk)
    return render(
        request,
        "accreditation/round_form.html",
        {"form": form, "round": round, "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- Expressions of interest -------------------------------------------------------------------------


@login_required
def eoi_list(request: HttpRequest) -> HttpResponse:
    """The filter form and the table are rendered once per version of what they show (core.versions)."""
    _require(permissions.can_use_rounds(request.user))

    def body(extra: dict[str, Any]) -> str:
        eoi_filter = EOIFilter(request.GET, queryset=eoi_list_for_user(user=request.user))
        page = Paginator(eoi_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"filter": eoi_filter, "page": page, **extra}
        return render_to_string("accreditation/_eoi_list_body.html", context, request=request)

    html = cached_render(
        request,
        name="accreditation:eoi-list",
        scope=viewer_scope(request.user),
        sources=EOI_LIST_SOURCES,
        params=[*EOIFilter.base_filters, "page"],
        render=body,
    )
    return render(request, "accreditation/eoi_list.html", {"body": mark_safe(html)})  # noqa: S308


def _problems(form: EOIForm, formset: BasePartnerFormSet, partner_errors: list[str]) -> list[Problem]:
    """The error summary for the EOI form and its partner rows, each linked to its control."""
    problems: list[Problem] = list(form_error_summary(form)["problems"])
    if not formset.is_bound:
        return problems
    for error in [*formset.non_form_errors(), *partner_errors]:
        problems.append(Problem(f"Partners: {error}", "#partners-heading"))
    for number, row in enumerate(formset.forms, start=1):
        for name in row.fields:
            for error in row.errors.get(name, []):
                problems.append(
                    Problem(f"Partner {number}, {row[name].label}: {error}", f"#{row[name].id_for_label}")
                )
    return problems


def _attach(form: EOIForm, exc: ValidationError, partner_errors: list[str]) -> None:
    """Put a service's ValidationError next to the fields it names (partners beside the partner rows)."""
    for field, errors in exc.message_dict.items():
        if field == "partners":
            partner_errors.extend(errors)
        elif field in form.fields:
            form.add_error(field, errors)
        else:
            form.add_error(None, errors)


def _eoi_form_page(request: HttpRequest, eoi: ExpressionOfInterest) -> HttpResponse:
    """Create or edit a draft. "Save draft" keeps partial work; "Save and submit" saves, then submits.

    A refused submit keeps the saved draft and shows the guard's problems next to their fields.
    A new draft is created once per opened form (core.idempotency); a change to a draft that
    someone saved meanwhile (another tab) is refused with both versions shown (core.concurrency).
    """
    posted = request.POST if request.method == "POST" else None
    form = EOIForm(posted, instance=eoi)
    formset = partner_formset(data=posted, eoi=eoi)
    for partner_form in formset.forms:
        search_as(partner_form, request.user)
    partner_errors: list[str] = []
    conflict = None
    # Validate both, so one failing does not hide the other's errors.
    if posted is not None and all([form.is_valid(), formset.is_valid()]):
        try:
            if eoi.pk is None:
                with once(form, user=request.user) as claim:
                    eoi = eoi_save(actor=request.user, eoi=form.instance, partners=formset.partner_inputs())
                    claim.done(reverse("accreditation:eoi-detail", args=[eoi.pk]))
            else:
                eoi = eoi_save(
                    actor=request.user,
                    eoi=form.instance,
                    partners=formset.partner_inputs(),
                    expected_version=form.started_from,
                )
        except InvalidTransition as exc:  # someone (or a second click) moved it on meanwhile
            messages.error(request, str(exc))
            return redirect("accreditation:eoi-detail", pk=eoi.pk)
        except ValidationError as exc:
            _attach(form, exc, partner_errors)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("accreditation:eoi-list"))
        except StaleEdit as stale:
            conflict = conflict_for(
                form,
                theirs=EOIForm(instance=stale.current),
                current=stale.current,
                formsets=[(formset, partner_formset(eoi=stale.current), "Partner")],
            )
        else:
            restart_from(form, eoi)  # re-shown below if its submission is refused
            if posted.get("intent") != "submit":
                messages.success(request, "Your draft was saved. Submit it when it is complete.")
                return redirect("accreditation:eoi-detail", pk=eoi.pk)
            try:
                eoi_transition(
                    actor=request.user, eoi_id=eoi.pk, action="submit", expected_status=EOIStatus.DRAFT
                )
            except InvalidTransition as exc:
                messages.error(request, str(exc))
                return redirect("accreditation:eoi-detail", pk=eoi.pk)
            except ValidationError as exc:
                _attach(form, exc, partner_errors)
                messages.warning(
                    request, "Your draft was saved, but it cannot be submitted yet. Fix the problems below."
                )
            else:
                messages.success(
                    request, "Your expression of interest was submitted. The panel chair has been told."
                )
                return redirect("accreditation:eoi-detail", pk=eoi.pk)
    return render(
        request,
        "accreditation/eoi_form.html",
        {
            "form": form,
            "formset": formset,
            "partner_errors": partner_errors,
            "problems": _problems(form, formset, partner_errors),
            "eoi": eoi,
            "round": eoi.round,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def eoi_create(request: HttpRequest, round_pk: int) -> HttpResponse:
    round = get_object_or_404(Round, pk=round_pk)
    _require(permissions.can_start_eoi(request.user))
    _require(permissions.eoi_window(round, timezone.localdate()))
    return _eoi_form_page(request, ExpressionOfInterest(round=round))


@login_required
@require_http_methods(["GET", "POST"])
def eoi_edit(request: HttpRequest, pk: int) -> HttpResponse:
    eoi = eoi_get_for_user(user=request.user, pk=pk)
    verdict = permissions.can_edit_eoi(request.user, eoi, timezone.localdate())
    if not verdict:
        if request.method == "POST" and eoi.author_id == request.user.pk:
            # Typically a second click on "Save and submit": say what happened instead of a 403 page.
            messages.error(request, verdict.reason)
            return redirect("accreditation:eoi-detail", pk=eoi.pk)
        raise PermissionDenied(verdict.reason)
    return _eoi_form_page(request, eoi)


def _application_link(eoi: ExpressionOfInterest) -> tuple[Application | None, str]:
    """The application the invitation created, and its URL when the application pages exist."""
    if eoi.hit_id is None:
        return None, ""
    application = (
        Application.objects.filter(hit_id=eoi.hit_id, round_id=eoi.round_id).order_by("created_at").first()
    )
    if application is None:
        return None, ""
    try:
        return application, reverse("accreditation:application-detail", args=[application.pk])
    except NoReverseMatch:
        return application, ""


@login_required
def eoi_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _eoi_page(request, eoi_get_for_user(user=request.user, pk=pk))


def _eoi_page(
    request: HttpRequest, eoi: ExpressionOfInterest, problems: list[Problem] | None = None
) -> HttpResponse:
    """The EOI's page; `problems` is a refused move's error summary, shown at the top."""
    roles = permissions.eoi_roles(request.user, eoi)
    application, application_url = _application_link(eoi)
    is_author = workflow.APPLICANT in roles
    events = list(eoi.events.select_related("actor"))
    return render(
        request,
        "accreditation/eoi_detail.html",
        {
            "eoi": eoi,
            "partners": eoi.partners.select_related("organisation", "category"),
            "events": events,
            "available_actions": workflow.EOI_WORKFLOW.actions(eoi.status, roles),
            "transition_form": EOITransitionForm(initial={"expected_status": eoi.status}),
            "edit_verdict": permissions.can_edit_eoi(request.user, eoi, timezone.localdate())
            if is_author
            else None,
            "application": application,
            "application_url": application_url,
            "problems": problems or [],
        },
    )


def _refused_move_problems(
    request: HttpRequest, eoi: ExpressionOfInterest, action: str, exc: ValidationError
) -> list[Problem]:
    """A refused move's errors as one summary: the guard's gaps link to their fields on the edit
    page (for the author while the draft is editable), a missing note to the note of the move."""
    targets = {"comment": ("Note", f"#id_{action}_comment")}
    if permissions.can_edit_eoi(request.user, eoi, timezone.localdate()):
        edit = reverse("accreditation:eoi-edit", args=[eoi.pk])
        form = EOIForm(instance=eoi)
        targets |= {
            name: (str(form[name].label), f"{edit}#{form[name].id_for_label}") for name in form.fields
        }
        targets["partners"] = ("Partners", f"{edit}#partners-heading")
    return service_error_problems(exc, targets)


_DONE = {
    "submit": "Your expression of interest was submitted. The panel chair has been told.",
    "invite": "{eoi} was invited to apply: {eoi.hit} was created with an application draft.",
    "decline": "{eoi} was declined. The author has been told.",
}


@login_required
@require_POST
def eoi_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    eoi = eoi_get_for_user(user=request.user, pk=pk)
    form = EOITransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change could not be made: the form was incomplete.")
        return redirect("accreditation:eoi-detail", pk=eoi.pk)
    data = form.cleaned_data
    try:
        # A role the user lacks raises PermissionDenied here and becomes a 403 with its reason.
        eoi = eoi_transition(
            actor=request.user,
            eoi_id=eoi.pk,
            action=data["action"],
            comment=data["comment"],
            expected_status=data["expected_status"],
        )
    except InvalidTransition as exc:  # includes StaleState: "someone else already did this"
        messages.error(request, str(exc))
    except ValidationError as exc:
        return _eoi_page(request, eoi, _refused_move_problems(request, eoi, data["action"], exc))
    else:
        messages.success(request, _DONE[data["action"]].format(eoi=eoi))
    return redirect("accreditation:eoi-detail", pk=eoi.pk)
