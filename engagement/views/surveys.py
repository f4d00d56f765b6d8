"""Readiness surveys (GitHub issue "Engagement", item 4): the item bank, a HIT's survey waves, the
public respondent form behind a one-time link, and the stored results with their CSV export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.concurrency import StaleEdit, conflict_for
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from engagement import permissions
from engagement.forms.surveys import AboutYouForm, InviteForm, ItemForm, ReissueForm, SectionForm, WaveForm
from engagement.models import Item
from engagement.permissions import can_change_items
from engagement.selectors import changes as change_selectors
from engagement.selectors import hits as selectors
from engagement.selectors import item_bank as item_bank_selectors
from engagement.selectors import recommendations
from engagement.selectors import surveys as survey_selectors
from engagement.services import surveys as surveys_services
from engagement.services.surveys import (
    AboutYou,
    SurveyLinkError,
    SurveyState,
    invitation_reissue,
    item_save,
    response_save,
    response_submit,
    survey_state,
)


def _validation_messages(exc: ValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


# --- Item bank (programme managers) ------------------------------------------------------------------


@login_required
@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_instruments(request.user))
    return render(
        request,
        "engagement/survey_instrument_list.html",
        {"instruments": survey_selectors.instrument_list()},
    )


@login_required
@require_GET
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_instruments(request.user))
    instrument = survey_selectors.instrument_get(pk=pk)
    latest = survey_selectors.latest_version(instrument=instrument)
    editable = can_change_items(instrument)
    actions = []
    if editable:
        actions += ["add_item", "publish"]
    elif instrument.version == latest:
        actions.append("new_version")
    return render(
        request,
        "engagement/survey_instrument_detail.html",
        {
            "instrument": instrument,
            "items": survey_selectors.instrument_items(instrument=instrument),
            "latest_version": latest,
            "available_actions": actions,
            "frozen_reason": editable.reason,
            "quality": item_bank_selectors.item_bank_quality(instrument=instrument),
        },
    )


@login_required
@require_POST
def instrument_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_instruments(request.user))
    instrument = survey_selectors.instrument_get(pk=pk)
    try:
        new = surveys_services.instrument_new_version(actor=request.user, instrument_id=instrument.pk)
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
        return redirect("engagement:instrument-detail", pk=instrument.pk)
    messages.success(
        request, f"Version {new.version} was started as a copy. Change its items, then publish it."
    )
    return redirect("engagement:instrument-detail", pk=new.pk)


@login_required
@require_POST
def instrument_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_instruments(request.user))
    instrument = survey_selectors.instrument_get(pk=pk)
    try:
        surveys_services.instrument_publish(actor=request.user, instrument_id=instrument.pk)
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, f"Version {instrument.version} is published; its items are now frozen.")
    return redirect("engagement:instrument-detail", pk=instrument.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    _require(permissions.can_manage_instruments(request.user))
    instrument = survey_selectors.instrument_get(pk=pk)
    _require(can_change_items(instrument))
    item = None
    if item_pk is not None:
        item = Item.objects.filter(instrument=instrument, pk=item_pk).first()
        if item is None:
            raise Http404("No such item.")
    initial = {} if item else {"position": instrument.items.count() + 1}
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        instance=item,
        instrument=instrument,
        initial=initial,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        detail = reverse("engagement:instrument-detail", kwargs={"pk": instrument.pk})
        try:
            if item is None:
                with once(form, user=request.user) as claim:
                    saved = item_save(actor=request.user, item=form.instance)
                    claim.done(detail)
            else:
                saved = item_save(actor=request.user, item=form.instance, expected_version=form.started_from)
        except ValidationError as exc:
            form.add_error(None, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or detail)
        except StaleEdit as stale:
            theirs = ItemForm(instance=stale.current, instrument=instrument)
            conflict = conflict_for(form, theirs=theirs, current=stale.current)
        else:
            messages.success(request, f"Item {saved.code} was saved.")
            return redirect(detail)
    return render(
        request,
        "engagement/survey_item_form.html",
        {"form": form, "instrument": instrument, "item": item, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    _require(permissions.can_manage_instruments(request.user))
    instrument = survey_selectors.instrument_get(pk=pk)
    item = Item.objects.filter(instrument=instrument, pk=item_pk).first()
    if item is None:
        raise Http404("No such item.")
    surveys_services.item_delete(actor=request.user, item_id=item.pk)
    messages.success(request, f"Item {item.code} was removed from version {instrument.version}.")
    return redirect("engagement:instrument-detail", pk=instrument.pk)


# --- Waves (a HIT's members and programme managers) --------------------------------------------------


@login_required
@require_GET
def wave_list(request: HttpRequest, hit_pk: int) -> HttpResponse:
    """Whoever may see the HIT's readiness results sees its waves (titles, dates, counts); the
    HIT's members and programme managers also manage them."""
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_readiness)
    can_edit = permissions.can_edit_engagement(request.user, hit)
    waves = list(survey_selectors.wave_list(hit=hit))
    today = timezone.localdate()
    for wave in waves:
        wave.status = survey_selectors.wave_status(wave, today)
    return render(
        request,
        "engagement/survey_wave_list.html",
        {
            "hit": hit,
            "waves": waves,
            "can_edit": bool(can_edit),
            "available_actions": ["create"] if can_edit else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def wave_create(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_readiness)
    _require(permissions.can_edit_engagement(request.user, hit))
    instruments = survey_selectors.published_instruments()
    form = WaveForm(
        request.POST if request.method == "POST" else None,
        instruments=instruments,
        initial={**WaveForm.initial_dates(), "instrument": instruments.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once(form, user=request.user) as claim:
                wave = surveys_services.wave_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    title=data["title"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    instrument_id=data["instrument"].pk,
                )
                claim.done(reverse("engagement:wave-detail", kwargs={"hit_pk": hit.pk, "pk": wave.pk}))
        except ValidationError as exc:
            form.add_error(None, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("engagement:wave-list", kwargs={"hit_pk": hit.pk}))
        else:
            messages.success(request, f"{wave.title} was created. Now invite people to answer it.")
            return redirect("engagement:wave-detail", hit_pk=hit.pk, pk=wave.pk)
    return render(request, "engagement/survey_wave_form.html", {"form": form, "hit": hit})


def _wave_detail_page(
    request: HttpRequest,
    hit,
    wave,
    invite_form: InviteForm,
    status: int = 200,
    reissue_form: ReissueForm | None = None,
) -> HttpResponse:
    status_label = survey_selectors.wave_status(wave)
    actions = []
    if status_label in ("upcoming", "open"):
        actions.append("invite")
    if status_label == "open":
        actions.append("remind")
    can_close = permissions.can_close_wave(request.user, hit)
    if status_label == "open" and can_close:
        actions.append("close")
    return render(
        request,
        "engagement/survey_wave_detail.html",
        {
            "hit": hit,
            "wave": wave,
            "wave_status": status_label,
            "counts": survey_selectors.invitation_counts(wave=wave),
            "invite_form": invite_form,
            "reissue_form": reissue_form or ReissueForm(),
            "available_actions": actions,
            "close_reason": "" if can_close else can_close.reason,
        },
        status=status,
    )


def _wave_for_editor(request: HttpRequest, hit_pk: int, pk: int):
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_readiness)
    wave = survey_selectors.wave_get(hit=hit, pk=pk)
    _require(permissions.can_edit_engagement(request.user, hit))
    return hit, wave


@login_required
@require_GET
def wave_detail(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit, wave = _wave_for_editor(request, hit_pk, pk)
    return _wave_detail_page(request, hit, wave, InviteForm())


@login_required
@require_POST
def wave_invite(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit, wave = _wave_for_editor(request, hit_pk, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            outcome = surveys_services.wave_invite(
                actor=request.user,
                wave_id=wave.pk,
                addresses=form.cleaned_data["addresses"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            invited, skipped = len(outcome.invited), len(outcome.already_invited)
            text = f"Invited {invited} {'person' if invited == 1 else 'people'}."
            if skipped:
                text += f" {skipped} {'was' if skipped == 1 else 'were'} already invited and {'was' if skipped == 1 else 'were'} skipped."
            messages.success(request, text)
            return redirect("engagement:wave-detail", hit_pk=hit.pk, pk=wave.pk)
    return _wave_detail_page(request, hit, wave, form)


@login_required
@require_POST
def wave_reissue(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    """A new link for someone who lost theirs; the answer never says whether they have answered."""
    hit, wave = _wave_for_editor(request, hit_pk, pk)
    form = ReissueForm(request.POST)
    if form.is_valid():
        try:
            message = invitation_reissue(
                actor=request.user, wave_id=wave.pk, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            # The wave closed: the page no longer offers the form, so the reason goes at the top.
            for text in _validation_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, message)
        return redirect("engagement:wave-detail", hit_pk=hit.pk, pk=wave.pk)
    return _wave_detail_page(request, hit, wave, InviteForm(), reissue_form=form)


@login_required
@require_POST
def wave_remind(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit, wave = _wave_for_editor(request, hit_pk, pk)
    try:
        reminded = surveys_services.wave_remind(actor=request.user, wave_id=wave.pk)
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
    else:
        if reminded:
            messages.success(
                request,
                f"Sent a reminder to {reminded} {'person' if reminded == 1 else 'people'} yet to answer.",
            )
        else:
            messages.info(request, "Everyone invited has answered; no reminder was sent.")
    return redirect("engagement:wave-detail", hit_pk=hit.pk, pk=wave.pk)


@login_required
@require_POST
def wave_close(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    """Close a wave before its closing date; its results are released once the worker has them."""
    hit, wave = _wave_for_editor(request, hit_pk, pk)
    try:
        surveys_services.wave_close(actor=request.user, wave_id=wave.pk)
    except ValidationError as exc:
        for message in _validation_messages(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"{wave.title} is closed: no more answers are taken. "
            "Its results will be ready in a few minutes, on the results page.",
        )
    return redirect("engagement:wave-detail", hit_pk=hit.pk, pk=wave.pk)


# --- Results (whoever may see the HIT's readiness results: they are aggregates) -----------------------


def _wave_for_reader(request: HttpRequest, hit_pk: int, pk: int):
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_readiness)
    return hit, survey_selectors.wave_get(hit=hit, pk=pk)


@login_required
@require_GET
def wave_results(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit, wave = _wave_for_reader(request, hit_pk, pk)
    results = survey_selectors.wave_results(wave=wave)
    return render(
        request,
        "engagement/survey_results.html",
        {
            "hit": hit,
            "wave": wave,
            "wave_status": survey_selectors.wave_status(wave),
            "results": results,
            "changes": change_selectors.wave_changes(wave=wave),
            "recommendations": recommendations.for_dimensions(results.weak_dimensions),
            "can_edit": bool(permissions.can_edit_engagement(request.user, hit)),
        },
    )


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


@login_required
@require_GET
def wave_results_export(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    """The stored results for a workshop discussion. Suppressed groups: "suppressed", no figures."""
    hit, wave = _wave_for_reader(request, hit_pk, pk)
    results = survey_selectors.wave_results(wave=wave)
    if not results.released:
        messages.info(request, survey_selectors.NOT_RELEASED_MESSAGE)
        return redirect("engagement:wave-results", hit_pk=hit.pk, pk=wave.pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="readiness-{hit.slug}-wave-{wave.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "dimension",
            "group type",
            "group",
            "n",
            "score",
            "SD",
            "% agreeing",
            "agreement (rWG)",
            "level",
            "flag",
            "as of (computed at)",
        ]
    )
    # Every row says when the worker computed the figures, in the portal's local time.
    as_of = timezone.localtime(results.computed_at).strftime("%Y-%m-%d %H:%M") if results.computed_at else ""
    groups = [
        *[("All respondents", "All respondents", row) for row in results.overall],
        *[("Organisation", block.label, row) for block in results.by_organisation for row in block.rows],
        *[("Role group", block.label, row) for block in results.by_role for row in block.rows],
    ]
    for group_type, group, row in groups:
        if row.suppressed:
            flag = "suppressed (protects a smaller group)" if row.protects_smaller_group else "suppressed"
            cells = [row.dimension_label, group_type, group, "", "", "", "", "", "", flag, as_of]
        else:
            cells = [
                row.dimension_label,
                group_type,
                group,
                row.n,
                row.score,
                row.sd,
                row.pct_agree,
                row.rwg,
                row.level_label,
                "; ".join(row.flags),
                as_of,
            ]
        writer.writerow([_cell(cell) for cell in cells])
    return response


# --- The respondent's form (public: the one-time link is the credential) ------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """The respondent's pages carry the token in their address: send it nowhere else."""
    # Not "no-referrer": with it browsers send `Origin: null` on the form's own POST, and Django's
    # CSRF check refuses every answer (found by tests/browser). "same-origin" keeps the address from
    # other sites all the same.
    response["Referrer-Policy"] = "same-origin"
    # Django logs every 4xx with its path ("Gone: /engagement/survey/<token>/"): core.logging's filter
    # (settings.LOGGING) redacts the token there, as in every other log line.
    return response


def _link_problem(request: HttpRequest, error: SurveyLinkError) -> HttpResponse:
    return _private(
        render(
            request,
            "engagement/survey_link_problem.html",
            {"title": error.title, "detail": error.detail},
            status=error.status,
        )
    )


def _section_number(raw: str | None, last: int, default: int = 1) -> int:
    try:
        number = int(raw or default)
    except ValueError:
        number = default
    return min(max(number, 1), last)


def _respond_page(
    request: HttpRequest,
    state: SurveyState,
    number: int,
    form: SectionForm | AboutYouForm,
    status: int = 200,
) -> HttpResponse:
    sections = state.sections
    total = len(sections)
    response = render(
        request,
        "engagement/survey_respond.html",
        {
            "wave": state.wave,
            "hit": state.wave.hit,
            "number": number,
            "total": total,
            "steps": total + 1,
            "section": sections[number - 1] if number <= total else None,
            "form": form,
            "resumed": state.response is not None
            and request.method == "GET"
            and "section" not in request.GET,
            "saved": request.GET.get("saved") == "1",
        },
        status=status,
    )
    return _private(response)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_respond(request: HttpRequest, token: str) -> HttpResponse:
    """Public: one dimension per page, then "about you", then Submit; answers are saved on every
    move, so the same link resumes them. One submission per link."""
    try:
        state = survey_state(token=token)
    except SurveyLinkError as error:
        return _link_problem(request, error)
    last = len(state.sections) + 1
    here = reverse("engagement:survey-respond", kwargs={"token": token})

    if request.method == "GET":
        number = _section_number(request.GET.get("section"), last, default=state.first_unanswered_section())
        if number == last:
            about = {
                "organisation": state.response.organisation_id if state.response else None,
                "role_group": state.response.role_group if state.response else "",
            }
            form = AboutYouForm(organisations=state.organisations, initial=about)
        else:
            items = state.sections[number - 1].items
            form = SectionForm(items=items, initial=SectionForm.initial_for(items, state.answers))
        return _respond_page(request, state, number, form)

    number = _section_number(request.POST.get("section"), last)
    action = request.POST.get("action", "next")
    try:
        if number == last:
            form = AboutYouForm(request.POST, organisations=state.organisations)
            if not form.is_valid():
                return _respond_page(request, state, number, form)
            about = AboutYou(
                organisation_id=form.cleaned_data["organisation"], role_group=form.cleaned_data["role_group"]
            )
            if action == "submit":
                try:
                    response_submit(token=token, about=about)
                except ValidationError as exc:
                    form.add_error(None, exc)
                    return _respond_page(request, state, number, form)
                return _private(
                    render(
                        request, "engagement/survey_thanks.html", {"wave": state.wave, "hit": state.wave.hit}
                    )
                )
            response_save(token=token, answers={}, about=about)
        else:
            form = SectionForm(request.POST, items=state.sections[number - 1].items)
            if not form.is_valid():
                return _respond_page(request, state, number, form)
            try:
                response_save(token=token, answers=form.answers())
            except ValidationError as exc:
                form.add_error(None, exc)
                return _respond_page(request, state, number, form)
    except SurveyLinkError as error:
        return _link_problem(request, error)

    if action == "save":
        return redirect(f"{here}?section={number}&saved=1")
    if action == "previous":
        return redirect(f"{here}?section={max(number - 1, 1)}")
    return redirect(f"{here}?section={min(number + 1, last)}")
