"""Patient and public involvement (PPI) pages: a HIT's involvement log with its totals, standards
self-assessments and public reviews; the PPI facilitators' caseload; support requests.

Every view starts with an access helper: a HIT whose PPI the user may not see
(`permissions.can_view_ppi`), or a support request they may not see, is a 404; an action the user
may see but not take is a 403 with the permission's reason. Writes go through
engagement.services.ppi; every successful POST redirects. Pages read the stored CoverageScore for
the PPI depth and never compute a score.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import StaleEdit, conflict_for
from core.forms import apply_service_errors
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from core.versions import cached_render
from engagement import permissions
from engagement.filters import CaseloadFilter
from engagement.forms.ppi import (
    PPI_DEPTH_LADDER,
    ActivityForm,
    PublicReviewForm,
    StandardsForm,
    SupportGivenForm,
    SupportRequestForm,
    SupportStatusForm,
)
from engagement.models import InvolvementActivity
from engagement.selectors import hits as selectors
from engagement.selectors import ppi as selectors_ppi
from engagement.services import ppi as services_ppi
from engagement.services import score_requests as services
from teams import permissions as team_permissions
from teams.models import HIT
from teams.roles import viewer_scope

LOG_PAGE_SIZE = 50
CASELOAD_PAGE_SIZE = 50


def _hit_context(request: HttpRequest, hit: HIT) -> dict:
    """What every PPI page of a HIT shows around its content: the HIT and the breadcrumb."""
    return {"hit": hit, "can_open_hit": bool(team_permissions.can_view_hit(request.user, hit))}


# --- The HIT's PPI page ------------------------------------------------------------------------------


@login_required
@require_GET
def ppi_log(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_ppi)
    user = request.user
    page = Paginator(selectors_ppi.ppi_log(hit=hit), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    standards = list(selectors_ppi.standards_history(hit=hit)[: selectors_ppi.STANDARDS_HISTORY_LENGTH])
    coverage = getattr(hit, "coverage", None)
    can_see_support = permissions.can_view_support_request(user, hit)
    return render(
        request,
        "engagement/ppi_log.html",
        {
            **_hit_context(request, hit),
            "page": page,
            "totals": selectors_ppi.ppi_totals(hit=hit),
            "latest_standards": standards[0] if standards else None,
            "standards_history": standards,
            "reviews": selectors_ppi.public_reviews(hit=hit),
            "support_requests": selectors_ppi.support_requests_for_hit(hit=hit) if can_see_support else None,
            "coverage": coverage,
            "ppi_depth_label": PPI_DEPTH_LADDER.get(coverage.ppi_depth) if coverage else "",
            "ladder": PPI_DEPTH_LADDER,
            "recalculating": services.is_recalculating(hit_id=hit.pk),
            "available_actions": {
                "log": bool(permissions.can_log_ppi(user, hit)),
                "review": bool(permissions.can_review_ppi(user, hit)),
                "request_support": bool(permissions.can_request_ppi_support(user, hit)),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, hit_pk: int, pk: int | None = None) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_ppi)
    activity = get_object_or_404(InvolvementActivity, pk=pk, hit=hit) if pk else None
    _require(permissions.can_log_ppi(request.user, hit))
    form = ActivityForm(request.POST if request.method == "POST" else None, instance=activity)
    conflict = None
    if request.method == "POST" and form.is_valid():
        consented = form.cleaned_data["names_consented"]
        log_url = reverse("engagement:ppi-log", kwargs={"hit_pk": hit.pk})
        try:
            if activity is None:
                with once(form, user=request.user) as claim:
                    services_ppi.activity_create(
                        actor=request.user,
                        hit_id=hit.pk,
                        values=form.service_values(),
                        names_consented=consented,
                    )
                    claim.done(log_url)
            else:
                services_ppi.activity_update(
                    actor=request.user,
                    activity_id=activity.pk,
                    values=form.service_values(),
                    names_consented=consented,
                    expected_version=form.started_from,
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or log_url)
        except StaleEdit as stale:
            conflict = conflict_for(form, theirs=ActivityForm(instance=stale.current), current=stale.current)
        else:
            messages.success(
                request,
                "The activity was added to the PPI log." if activity is None else "The activity was updated.",
            )
            return redirect("engagement:ppi-log", hit_pk=hit.pk)
    return render(
        request,
        "engagement/ppi_activity_form.html",
        {**_hit_context(request, hit), "form": form, "activity": activity, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def standards_create(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_ppi)
    _require(permissions.can_log_ppi(request.user, hit))
    form = StandardsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        log_url = reverse("engagement:ppi-log", kwargs={"hit_pk": hit.pk})
        try:
            with once(form, user=request.user) as claim:
                services_ppi.standards_assessment_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    assessed_on=form.cleaned_data["assessed_on"],
                    ratings=form.ratings(),
                )
                claim.done(log_url)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or log_url)
        else:
            messages.success(request, "The standards self-assessment was saved.")
            return redirect("engagement:ppi-log", hit_pk=hit.pk)
    return render(request, "engagement/ppi_standards_form.html", {**_hit_context(request, hit), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_ppi)
    _require(permissions.can_review_ppi(request.user, hit))
    form = PublicReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        log_url = reverse("engagement:ppi-log", kwargs={"hit_pk": hit.pk})
        try:
            with once(form, user=request.user) as claim:
                services_ppi.public_review_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    ppi_depth=form.cleaned_data["ppi_depth"],
                    arrangements_adequate=form.adequate,
                    comments=form.cleaned_data["comments"],
                )
                claim.done(log_url)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or log_url)
        else:
            messages.success(request, "The public review group's assessment was saved.")
            return redirect("engagement:ppi-log", hit_pk=hit.pk)
    coverage = getattr(hit, "coverage", None)
    return render(
        request,
        "engagement/ppi_review_form.html",
        {**_hit_context(request, hit), "form": form, "coverage": coverage},
    )


# --- The PPI facilitators' caseload ------------------------------------------------------------------


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    """Rendered once per version of what it shows (core.versions): the figures are computed only when
    an activity, request, review, lead or stored score changed."""
    _require(permissions.can_support_ppi(request.user))

    def body(extra: dict[str, Any]) -> str:
        queryset = selectors_ppi.caseload()
        caseload_filter = CaseloadFilter(request.GET, queryset=queryset)
        page = Paginator(caseload_filter.qs, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        for row in rows:
            coverage = getattr(row, "coverage", None)
            row.ppi_depth = coverage.ppi_depth if coverage else None
            row.ppi_depth_as_of = coverage.computed_at if coverage else None
        context = {
            "filter": caseload_filter,
            "page": page,
            "rows": rows,
            "counts": selectors_ppi.caseload_counts(queryset=queryset),
            "open_requests": selectors_ppi.open_support_requests(),
            "flag_after_days": selectors_ppi.FLAG_AFTER_DAYS,
            "ladder": PPI_DEPTH_LADDER,
            **extra,
        }
        return render_to_string("engagement/_ppi_caseload_body.html", context, request=request)

    html = cached_render(
        request,
        name="engagement:ppi-caseload",
        scope=viewer_scope(request.user),
        sources=selectors_ppi.CASELOAD_SOURCES,
        params=[*CaseloadFilter.base_filters, "page"],
        render=body,
    )
    return render(
        request,
        "engagement/ppi_caseload.html",
        {"flag_after_days": selectors_ppi.FLAG_AFTER_DAYS, "body": mark_safe(html)},  # noqa: S308
    )


# --- Support requests --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def support_create(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_ppi)
    _require(permissions.can_request_ppi_support(request.user, hit))
    form = SupportRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, user=request.user) as claim:
                support_request = services_ppi.support_request_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    topic=form.cleaned_data["topic"],
                    details=form.cleaned_data["details"],
                )
                claim.done(reverse("engagement:ppi-support-detail", kwargs={"pk": support_request.pk}))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("engagement:ppi-log", kwargs={"hit_pk": hit.pk}))
        else:
            messages.success(request, "Your request was sent to the PPI facilitators.")
            return redirect("engagement:ppi-support-detail", pk=support_request.pk)
    return render(request, "engagement/ppi_support_form.html", {**_hit_context(request, hit), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors_ppi.support_request_for_user(user=request.user, pk=pk)
    can_support = permissions.can_support_ppi(request.user)
    given_form = SupportGivenForm()
    status_form = SupportStatusForm(current=support_request.status)
    if request.method == "POST":
        _require(can_support)
        action = request.POST.get("form")
        try:
            if action == "support":
                given_form = SupportGivenForm(request.POST)
                if given_form.is_valid():
                    detail = reverse("engagement:ppi-support-detail", kwargs={"pk": support_request.pk})
                    with once(given_form, user=request.user) as claim:
                        services_ppi.support_give(
                            actor=request.user,
                            request_id=support_request.pk,
                            given_on=given_form.cleaned_data["given_on"],
                            hours=given_form.cleaned_data["hours"],
                            note=given_form.cleaned_data["note"],
                        )
                        claim.done(detail)
                    messages.success(request, "The support given was recorded.")
                    return redirect(detail)
            elif action == "status":
                status_form = SupportStatusForm(request.POST, current=support_request.status)
                if status_form.is_valid():
                    services_ppi.support_request_set_status(
                        actor=request.user, request_id=support_request.pk, **status_form.cleaned_data
                    )
                    messages.success(request, "The status was changed.")
                    return redirect("engagement:ppi-support-detail", pk=support_request.pk)
            else:
                messages.error(request, "That change could not be made: the form was incomplete.")
                return redirect("engagement:ppi-support-detail", pk=support_request.pk)
        except ValidationError as exc:
            apply_service_errors(given_form if action == "support" else status_form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("engagement:ppi-support-detail", kwargs={"pk": pk}))
    given = list(selectors_ppi.support_given(support_request=support_request))
    return render(
        request,
        "engagement/ppi_support_detail.html",
        {
            **_hit_context(request, support_request.hit),
            "support_request": support_request,
            "given": given,
            "total_hours": sum((g.hours for g in given), start=0),
            "can_support": bool(can_support),
            "given_form": given_form,
            "status_form": status_form,
        },
    )
