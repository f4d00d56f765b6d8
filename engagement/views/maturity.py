"""The collaboration maturity matrix and action plans (GitHub issue "Engagement", item 5).

Access: whoever may see a HIT's maturity matrix (`permissions.can_view_maturity`) reads its
assessments, whoever may see its action plan (`permissions.can_view_action_plan`) reads the plan,
through `selectors.hit_for_engagement` (else 404); its members and programme managers record
them (`can_edit_engagement`, else 403 with the reason).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import StaleEdit, conflict_for, version_of
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from engagement import permissions
from engagement.domain import matrix
from engagement.enums import Dimension
from engagement.filters import ActionItemFilter
from engagement.forms.maturity import ActionItemEditForm, ActionItemForm, MaturityAssessmentForm
from engagement.selectors import hits as selectors
from engagement.selectors import maturity as selectors_maturity
from engagement.services import maturity as services_maturity
from teams import permissions as teams_permissions
from teams.models import HIT

PAGE_SIZE = 50


def _apply_errors(form: Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the matching fields (or at the top)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _context(request: HttpRequest, hit: HIT) -> dict:
    """What every page of this area needs: the HIT, which of its pages may be linked, edit rights."""
    verdict = permissions.can_edit_engagement(request.user, hit)
    return {
        "hit": hit,
        "can_view_hit": bool(teams_permissions.can_view_hit(request.user, hit)),
        "can_view_action_plan": bool(permissions.can_view_action_plan(request.user, hit)),
        "can_edit": bool(verdict),
        "edit_reason": verdict.reason,
    }


# --- Maturity assessments ----------------------------------------------------------------------------


@login_required
@require_GET
def maturity_list(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_maturity)
    history = selectors_maturity.assessment_history(hit=hit)
    latest = history[0] if history else None
    return render(
        request,
        "engagement/maturity_list.html",
        {
            **_context(request, hit),
            "history": history,
            "latest": latest,
            "weak": selectors_maturity.weak_elements(latest.levels) if latest else [],
            "elements": matrix.ELEMENTS,
            "level_summaries": matrix.LEVEL_SUMMARIES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def maturity_create(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_maturity)
    _require(permissions.can_edit_engagement(request.user, hit))
    hint = selectors_maturity.survey_hint(hit=hit)
    form = MaturityAssessmentForm(
        request.POST if request.method == "POST" else None, suggested=hint.levels if hint else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, user=request.user) as claim:
                assessment = services_maturity.maturity_assessment_create(
                    actor=request.user,
                    hit=hit,
                    ratings=form.ratings(),
                    participants=form.cleaned_data["participants"],
                    assessed_on=form.cleaned_data["assessed_on"],
                )
                claim.done(
                    reverse("engagement:maturity-detail", kwargs={"hit_pk": hit.pk, "pk": assessment.pk})
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("engagement:maturity-list", kwargs={"hit_pk": hit.pk}))
        else:
            messages.success(request, "The group's assessment was saved.")
            return redirect("engagement:maturity-detail", hit_pk=hit.pk, pk=assessment.pk)
    return render(
        request,
        "engagement/maturity_form.html",
        {
            **_context(request, hit),
            "form": form,
            "rows": form.element_rows(),
            "hint": hint,
            "level_summaries": matrix.LEVEL_SUMMARIES,
        },
    )


@login_required
@require_GET
def maturity_detail(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_maturity)
    row = selectors_maturity.assessment_for_hit(hit=hit, pk=pk)
    weak = selectors_maturity.weak_elements(row.levels)
    return render(
        request,
        "engagement/maturity_detail.html",
        {**_context(request, hit), "row": row, "assessment": row.assessment, "weak": weak},
    )


# --- Action plans ------------------------------------------------------------------------------------


@login_required
@require_GET
def action_list(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_action_plan)
    item_filter = ActionItemFilter(request.GET, queryset=selectors_maturity.action_items(hit=hit))
    page = Paginator(item_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/action_list.html",
        {**_context(request, hit), "filter": item_filter, "page": page},
    )


def _recommendations(hit: HIT) -> tuple[selectors_maturity.AssessmentRow | None, list[dict]]:
    """The weak elements of the latest assessment, each with the statements F17 recommends for it."""
    latest = selectors_maturity.latest_assessment(hit=hit)
    if latest is None:
        return None, []
    weak = selectors_maturity.weak_elements(latest.levels)
    statements = selectors_maturity.recommended_statements(elements=weak)
    return latest, [
        {
            "element": matrix.BY_CODE[code],
            "level": latest.levels[code],
            "level_name": matrix.level_name(latest.levels[code]),
            "statements": statements[code],
        }
        for code in weak
    ]


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_action_plan)
    _require(permissions.can_edit_engagement(request.user, hit))
    owners = selectors_maturity.owner_choices(hit=hit)
    if request.method == "POST":
        form = ActionItemForm(request.POST, owners=owners)
        if form.is_valid():
            data = form.cleaned_data
            plan = reverse("engagement:action-list", kwargs={"hit_pk": hit.pk})
            try:
                with once(form, user=request.user) as claim:
                    services_maturity.action_item_create(
                        actor=request.user,
                        hit=hit,
                        title=data["title"],
                        owner=data["owner"],
                        due_on=data["due_on"],
                        status=data["status"],
                        statement=data["statement"],
                        element=data["element"],
                    )
                    claim.done(plan)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except AlreadySubmitted as repeat:
                messages.info(request, str(repeat))
                return redirect(repeat.url or plan)
            else:
                messages.success(request, "The action was added to the plan.")
                return redirect("engagement:action-list", hit_pk=hit.pk)
    else:
        form = ActionItemForm(initial=_prefill(request), owners=owners)
    latest, recommendations = _recommendations(hit)
    return render(
        request,
        "engagement/action_form.html",
        {**_context(request, hit), "form": form, "latest": latest, "recommendations": recommendations},
    )


def _prefill(request: HttpRequest) -> dict:
    """Initial values from `?statement=<code>&element=<element>` (the "Create action" buttons)."""
    initial: dict = {}
    code = request.GET.get("statement", "").strip()
    if code:
        statement = selectors_maturity.statement_by_code(code)
        if statement is None:
            messages.warning(request, f"There is no research statement {code}; the form was not prefilled.")
        else:
            initial.update(statement=statement.code, title=statement.text)
    element = request.GET.get("element", "").strip()
    if element in Dimension.values:
        initial["element"] = element
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, hit_pk: int, pk: int) -> HttpResponse:
    hit = selectors.hit_for_engagement(user=request.user, pk=hit_pk, may_see=permissions.can_view_action_plan)
    item = selectors_maturity.action_item_for_hit(hit=hit, pk=pk)
    _require(permissions.can_edit_engagement(request.user, hit))
    form = ActionItemEditForm(
        request.POST if request.method == "POST" else None, item=item, version=version_of(item)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services_maturity.action_item_update(
                actor=request.user,
                hit=hit,
                item_id=item.pk,
                status=form.cleaned_data["status"],
                due_on=form.cleaned_data["due_on"],
                expected_version=form.started_from,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except StaleEdit as stale:
            theirs = ActionItemEditForm(item=stale.current, version=version_of(stale.current))
            conflict = conflict_for(form, theirs=theirs, current=stale.current)
        else:
            messages.success(request, f"“{item.title}” was updated.")
            return redirect("engagement:action-list", hit_pk=hit.pk)
    return render(
        request,
        "engagement/action_edit.html",
        {**_context(request, hit), "item": item, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )
