"""The partnership network (docs/domain.md section 8): the HIT's network page and its CSV export,
the rounds' management pages, and the respondent's one-time rating form.

Who sees what (engagement.permissions): the network page, its export and the rounds name partner
organisations, as the stakeholder map does, so only the HIT's members and programme managers open
them; the ties' export (strength, trust and value per pair) is for programme managers only. Board
members see each HIT's density and articulation points on the board dashboard (reporting).
"""

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

from core.concurrency import STALE_MESSAGE, Conflict, StaleEdit, conflict_for, version_of
from core.forms import apply_service_errors
from core.idempotency import AlreadySubmitted, once
from core.permissions import require
from core.workflow import InvalidTransition
from engagement import permissions
from engagement.enums import NetworkRoundStatus
from engagement.forms.network import CancelForm, ContactForm, RatingsForm, RoundForm
from engagement.models import NetworkRating, NetworkRespondent
from engagement.selectors import hits as hit_selectors
from engagement.selectors import network as selectors
from engagement.services import network as services
from engagement.workflow import NETWORK_ROUND_WORKFLOW


def _hit(request: HttpRequest, hit_pk: int):
    return hit_selectors.hit_for_engagement(
        user=request.user, pk=hit_pk, may_see=permissions.can_view_network
    )


def _round_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("round", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_GET
def network_detail(request: HttpRequest, hit_pk: int) -> HttpResponse:
    """The HIT's network: a drawing, its text summary and data tables, and the change since the
    round before. Shows a closed round's stored network, else the co-membership network."""
    hit = _hit(request, hit_pk)
    result, rounds = selectors.result_to_show(hit=hit, round_id=_round_param(request))
    view = selectors.network_view(result) if result is not None else None
    change = None
    if result is not None and result.network_round_id is not None:
        earlier = [
            r for r in rounds if r.as_of < result.as_of or (r.as_of == result.as_of and r.pk < result.pk)
        ]
        if earlier:
            change = selectors.change_between(result, earlier[0])
    return render(
        request,
        "engagement/network_detail.html",
        {
            "hit": hit,
            "view": view,
            "rounds": rounds,
            "change": change,
            "can_manage": bool(permissions.can_manage_network_rounds(request.user, hit)),
            "can_export_ties": bool(permissions.can_export_network_ratings(request.user)),
        },
    )


@login_required
@require_GET
def network_export(request: HttpRequest, hit_pk: int) -> HttpResponse:
    """The organisations' table of the network the page shows, as CSV (same visibility as the page)."""
    hit = _hit(request, hit_pk)
    result, _rounds = selectors.result_to_show(hit=hit, round_id=_round_param(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network-{hit.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "source",
            "as_of",
            "organisation",
            "category",
            "ties",
            "betweenness",
            "articulation_point",
            "answered",
            "raters",
            "mean_level_3plus_raters",
            "mean_trust_3plus_raters",
            "mean_value_3plus_raters",
        ]
    )
    if result is not None:
        for row in selectors.network_view(result).table:
            writer.writerow(
                [
                    result.get_source_display(),
                    result.as_of.isoformat(),
                    row["name"],
                    row["category"],
                    row["degree"],
                    row["betweenness"],
                    "yes" if row["articulation"] else "no",
                    "yes" if row["responded"] else "no",
                    row["raters"],
                    "" if row["mean_level"] is None else f"{row['mean_level']:.2f}",
                    "" if row["mean_trust"] is None else f"{row['mean_trust']:.2f}",
                    "" if row["mean_value"] is None else f"{row['mean_value']:.2f}",
                ]
            )
    return response


@login_required
@require_GET
def network_ties_export(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    """Programme managers' aggregate export of a closed round's ties: per pair, both reported levels,
    the strength, and trust and value averaged over the two sides."""
    hit = _hit(request, hit_pk)
    require(permissions.can_export_network_ratings(request.user))
    network_round = selectors.round_get(hit=hit, pk=pk)
    if network_round.status != NetworkRoundStatus.CLOSED:
        raise Http404("The ties of a round are exported once it has closed.")
    ratings = {
        (r.rater_id, r.ratee_id): r
        for r in NetworkRating.objects.filter(network_round=network_round).select_related("rater", "ratee")
    }
    names = dict(
        NetworkRespondent.objects.filter(network_round=network_round).values_list(
            "organisation_id", "organisation__name"
        )
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network-ties-{hit.slug}-{network_round.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "organisation_a",
            "organisation_b",
            "level_a_about_b",
            "level_b_about_a",
            "strength",
            "trust",
            "value",
        ]
    )
    pairs = sorted({(min(a, b), max(a, b)) for a, b in ratings})
    for a, b in pairs:
        ab, ba = ratings.get((a, b)), ratings.get((b, a))
        levels = [r.level for r in (ab, ba) if r is not None]
        if not levels or max(levels) < 1:
            continue
        trust = [r.trust for r in (ab, ba) if r is not None and r.trust is not None]
        value = [r.value for r in (ab, ba) if r is not None and r.value is not None]
        writer.writerow(
            [
                names.get(a, a),
                names.get(b, b),
                "" if ab is None else ab.level,
                "" if ba is None else ba.level,
                f"{sum(levels) / len(levels):.1f}",
                f"{sum(trust) / len(trust):.1f}" if trust else "",
                f"{sum(value) / len(value):.1f}" if value else "",
            ]
        )
    return response


# --- Rounds (members and programme managers; closing: the director or a programme manager) ----------


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = _hit(request, hit_pk)
    can_manage = permissions.can_manage_network_rounds(request.user, hit)
    form = RoundForm(request.POST if request.method == "POST" else None, initial=RoundForm.initial_dates())
    if request.method == "POST":
        require(can_manage)
        if form.is_valid():
            try:
                with once(form, user=request.user) as claim:
                    network_round = services.network_round_create(
                        actor=request.user,
                        hit_id=hit.pk,
                        title=form.cleaned_data["title"],
                        closes_on=form.cleaned_data["closes_on"],
                    )
                    claim.done(
                        reverse("engagement:network-round", kwargs={"hit_pk": hit.pk, "pk": network_round.pk})
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            except AlreadySubmitted as repeat:
                messages.info(request, str(repeat))
                return redirect(repeat.url or reverse("engagement:network-rounds", kwargs={"hit_pk": hit.pk}))
            else:
                messages.success(
                    request,
                    f"{network_round.title} is planned. Name each organisation's contact, then open it.",
                )
                return redirect("engagement:network-round", hit_pk=hit.pk, pk=network_round.pk)
    return render(
        request,
        "engagement/network_round_list.html",
        {
            "hit": hit,
            "rounds": list(selectors.round_list(hit=hit)),
            "running": selectors.running_round(hit=hit),
            "form": form,
            "can_manage": bool(can_manage),
        },
        status=400 if request.method == "POST" else 200,
    )


def _round_page(
    request: HttpRequest,
    hit,
    network_round,
    cancel_form: CancelForm | None = None,
    status: int = 200,
    contact: tuple[int, ContactForm] | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    """The round's page. `contact` is a refused contact save (the respondent's id and the bound
    form): that row shows what was typed, with its errors beside the fields."""
    roles_manage = bool(permissions.can_manage_network_rounds(request.user, hit))
    roles_close = bool(permissions.can_close_network_round(request.user, hit))
    actions = []
    for transition in NETWORK_ROUND_WORKFLOW.actions(network_round.status):
        allowed = roles_close if transition.action in ("close", "cancel") else roles_manage
        if allowed:
            actions.append(transition.action)
    editable = roles_manage and network_round.status in (NetworkRoundStatus.PLANNED, NetworkRoundStatus.OPEN)
    rows = list(selectors.respondents(network_round=network_round))
    for row in rows:
        row.version = version_of(row)
        row.typed_name, row.typed_email = row.contact_name, row.email
        row.name_errors = row.email_errors = row.other_errors = []
        if contact is not None and contact[0] == row.pk:
            form = contact[1]
            row.version = form["version"].value()
            row.typed_name, row.typed_email = form["contact_name"].value(), form["email"].value()
            row.name_errors = form.errors.get("contact_name", [])
            row.email_errors = form.errors.get("email", [])
            row.other_errors = [e for e in form.non_field_errors() if e != STALE_MESSAGE]
    return render(
        request,
        "engagement/network_round_detail.html",
        {
            "hit": hit,
            "round": network_round,
            "respondents": rows,
            "answered": sum(1 for r in rows if r.submitted_at),
            "named": sum(1 for r in rows if r.email),
            "actions": actions,
            "editable": editable,
            "cancel_form": cancel_form or CancelForm(),
            "events": list(network_round.events.select_related("actor")[:20]),
            "date_passed": network_round.closes_on < timezone.localdate(),
            "conflict": conflict,
            "contact_refused": next((r for r in rows if contact is not None and r.pk == contact[0]), None),
        },
        status=status,
    )


@login_required
@require_GET
def round_detail(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit = _hit(request, hit_pk)
    return _round_page(request, hit, selectors.round_get(hit=hit, pk=pk))


@login_required
@require_POST
def round_contact(request: HttpRequest, hit_pk: int, pk: int, respondent_pk: int) -> HttpResponse:
    """Save one organisation's contact. A refused save (a bad address, a round that moved on, or a
    contact someone else saved since the page was drawn) draws the round again with what was typed
    in that row and the reason beside it."""
    hit = _hit(request, hit_pk)
    network_round = selectors.round_get(hit=hit, pk=pk)
    require(permissions.can_manage_network_rounds(request.user, hit))
    respondent = (
        NetworkRespondent.objects.select_related("organisation")
        .filter(network_round=network_round, pk=respondent_pk)
        .first()
    )
    if respondent is None:
        return redirect("engagement:network-round", hit_pk=hit.pk, pk=network_round.pk)
    form = ContactForm(request.POST, version=version_of(respondent))
    if not form.is_valid():
        return _round_page(request, hit, network_round, contact=(respondent.pk, form), status=400)
    try:
        services.network_respondent_set(
            actor=request.user,
            respondent_id=respondent.pk,
            contact_name=form.cleaned_data["contact_name"],
            email=form.cleaned_data["email"],
            expected_version=form.started_from,
        )
    except ValidationError as exc:
        apply_service_errors(form, exc)
        network_round.refresh_from_db()
        return _round_page(request, hit, network_round, contact=(respondent.pk, form), status=400)
    except StaleEdit as stale:
        current = stale.current
        theirs = ContactForm(
            initial={"contact_name": current.contact_name, "email": current.email},
            version=version_of(current),
        )
        conflict = conflict_for(form, theirs=theirs, current=current)
        return _round_page(
            request, hit, network_round, contact=(respondent.pk, form), conflict=conflict, status=409
        )
    sent = (
        " A new link was sent to them."
        if network_round.status == NetworkRoundStatus.OPEN and form.cleaned_data["email"]
        else ""
    )
    messages.success(request, f"The contact for {respondent.organisation.name} is saved.{sent}")
    return redirect("engagement:network-round", hit_pk=hit.pk, pk=network_round.pk)


@login_required
@require_POST
def round_move(request: HttpRequest, hit_pk: int, pk: int, action: str) -> HttpResponse:
    """Open, remind, close or cancel a round (engagement.workflow)."""
    hit = _hit(request, hit_pk)
    network_round = selectors.round_get(hit=hit, pk=pk)
    reason = ""
    if action == "cancel":
        form = CancelForm(request.POST)
        if not form.is_valid():
            return _round_page(request, hit, network_round, cancel_form=form, status=400)
        reason = form.cleaned_data["reason"]
    try:
        move = services.network_round_transition(
            actor=request.user,
            round_id=network_round.pk,
            action=action,
            reason=reason,
            expected_status=request.POST.get("expected_status") or None,
        )
    except (InvalidTransition, ValidationError) as exc:
        texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        for text in texts:
            messages.error(request, text)
    else:
        done = {
            "open": f"The round is open: {move.sent} link(s) sent.",
            "remind": f"Reminded {move.sent} organisation(s) yet to answer.",
            "close": "The round is closed: no more ratings are taken. Its network appears within a few minutes.",
            "cancel": "The round is cancelled.",
        }
        messages.success(request, done[action])
    return redirect("engagement:network-round", hit_pk=hit.pk, pk=network_round.pk)


# --- The respondent (public, behind a one-time link) -------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """The form's address carries the token: send it to no other site (as the survey's pages)."""
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def network_respond(request: HttpRequest, token: str) -> HttpResponse:
    try:
        state = services.network_form_state(token=token)
    except services.NetworkLinkError as error:
        return _private(
            render(
                request,
                "engagement/network_link_problem.html",
                {"title": error.title, "detail": error.detail},
                status=error.status,
            )
        )
    form = RatingsForm(request.POST if request.method == "POST" else None, partners=state.partners)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_submit(token=token, ratings=form.ratings())
        except services.NetworkLinkError as error:
            return _private(
                render(
                    request,
                    "engagement/network_link_problem.html",
                    {"title": error.title, "detail": error.detail},
                    status=error.status,
                )
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _private(
                render(
                    request,
                    "engagement/network_thanks.html",
                    {
                        "round": state.network_round,
                        "hit": state.network_round.hit,
                        "organisation": state.respondent.organisation,
                    },
                )
            )
    return _private(
        render(
            request,
            "engagement/network_respond.html",
            {
                "round": state.network_round,
                "hit": state.network_round.hit,
                "organisation": state.respondent.organisation,
                "form": form,
            },
            status=400 if request.method == "POST" else 200,
        )
    )
