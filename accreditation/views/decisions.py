"""Pages of the chair and programme managers: a round's board, decisions, conditions and renewals."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accreditation import permissions, workflow
from accreditation.domain import review_stats
from accreditation.enums import (
    ApplicationStatus,
    ConditionStatus,
)
from accreditation.filters import BoardFilter
from accreditation.forms.panel import (
    ConditionCloseForm,
    ConditionFormSet,
    ConditionSendBackForm,
    DecisionForm,
    PanelTransitionForm,
    RenewalStartForm,
    condition_owners,
)
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    Round,
)
from accreditation.selectors import calibration as calibration_selectors
from accreditation.selectors import rounds as rounds_selectors
from accreditation.selectors.applications import application_get_for_user
from accreditation.selectors.rounds import open_rounds
from accreditation.services import conditions as conditions_services
from accreditation.services import renewals as renewals_services
from accreditation.services.applications import ConditionInput, application_transition, decision_problems
from core.forms import apply_service_errors
from core.permissions import Verdict
from core.permissions import require as _require
from core.templatetags.portal import Problem, form_error_summary
from core.workflow import InvalidTransition
from teams import permissions as team_permissions
from teams.enums import Role
from teams.models import User
from teams.roles import roles_of


def _error_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _problems(*forms_: forms.BaseForm, extra: list[str] | None = None) -> list[Problem]:
    """One error summary for a page with several forms (a form and its formset): ids stay unique."""
    problems = [Problem(str(message)) for message in extra or []]
    for form in forms_:
        problems.extend(form_error_summary(form)["problems"])
    return problems


def _application_url(application: Application) -> str:
    """The application's own page; the home page while that page does not exist yet."""
    try:
        return reverse("accreditation:application-detail", kwargs={"pk": application.pk})
    except NoReverseMatch:
        return reverse("home")


# --- The round board ---------------------------------------------------------------------------------


BOARD_PAGE_SIZE = 100


class _BoardGroup(list):
    """One status group's applications on this page; `total` counts the group on every page."""

    def __init__(self, rows: object, total: int) -> None:
        super().__init__(rows)
        self.total = total


@login_required
def round_board(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's applications grouped by state, with assigned and submitted review counts.

    A fixed number of queries whatever the number of applications: the roles (cached per
    request), the round and the board query. Only one page of rows is rendered: at 1,000
    applications the whole board took 170 ms of rendering (bench/pages.py).
    """
    round_ = get_object_or_404(Round, pk=pk)
    _require(permissions.can_see_round_board(request.user, round_.pk))
    board_filter = BoardFilter(request.GET, queryset=rounds_selectors.round_board(round=round_))
    position = {value: n for n, value in enumerate(ApplicationStatus.values)}
    # A stable sort keeps the selector's HIT-name order within each status; the group totals come
    # from the same rows, so paging costs no query.
    every = sorted(board_filter.qs, key=lambda a: position[a.status])
    totals = Counter(a.status for a in every)
    page = Paginator(every, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    applications = list(page.object_list)
    panel_actions = {"start_review", "issue_feedback"}
    for application in applications:
        roles = permissions.application_roles(request.user, application)
        application.panel_actions = [
            t
            for t in workflow.APPLICATION_WORKFLOW.actions(application.status, roles)
            if t.action in panel_actions
        ]
        application.is_chair = workflow.CHAIR in roles
        application.ready = application.submitted_reviews >= round_.reviewers_per_application
    groups = [
        (value, label, _BoardGroup((a for a in applications if a.status == value), totals[value]))
        for value, label in ApplicationStatus.choices
    ]
    # Raw and calibrated order (docs/domain.md section 7.5): one query for the calibration the worker
    # stored over the whole round (accreditation.services.calibration), whatever the filters, and
    # listed for the applications the filters keep.
    stored = calibration_selectors.stored_calibration(round_id=round_.pk)
    calibration = stored.results
    shown = {a.pk: a for a in every if a.pk in calibration}
    calibration = {pk: c for pk, c in calibration.items() if pk in shown}
    order_rows = [
        {
            "position": position,
            "raw": shown[raw_pk],
            "raw_score": calibration[raw_pk],
            "calibrated": shown[cal_pk],
            "calibrated_score": calibration[cal_pk],
        }
        for position, (raw_pk, cal_pk) in enumerate(
            zip(
                review_stats.order(calibration, calibrated=False),
                review_stats.order(calibration, calibrated=True),
                strict=True,
            ),
            start=1,
        )
    ]
    return render(
        request,
        "accreditation/board_round.html",
        {
            "round": round_,
            "filter": board_filter,
            "groups": [g for g in groups if g[2]],
            "count": len(every),
            "page": page,
            "order_rows": order_rows,
            "min_reviews": review_stats.MIN_REVIEWS,
            "calibration_computed_at": stored.computed_at,
        },
    )


@login_required
@require_POST
def decision_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """start_review / issue_feedback (the other moves have pages of their own)."""
    application, _ = application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_assign_reviewers(request.user, application))
    form = PanelTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change could not be made: the form was incomplete.")
        return redirect("accreditation:round-board", pk=application.round_id)
    data = form.cleaned_data
    try:
        application_transition(
            actor=request.user,
            application_id=application.pk,
            action=data["action"],
            expected_status=data["expected_status"],
        )
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        done = "The review has started." if data["action"] == "start_review" else "The feedback was released."
        messages.success(request, f"{application.hit}: {done}")
    if data["return_to"] == "feedback":
        return redirect("accreditation:feedback-edit", pk=application.pk)
    return redirect("accreditation:round-board", pk=application.round_id)


# --- Decisions ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    application, _ = application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_manage_review(request.user, application))
    decision = (
        application.decisions.filter(revision_number=application.version)
        .select_related("decided_by")
        .prefetch_related("conditions__owner")
        .first()
    )
    can_decide = application.status == ApplicationStatus.UNDER_REVIEW and decision is None
    is_post = request.method == "POST"
    owners = condition_owners(application)
    form = DecisionForm(request.POST if is_post else None, initial={"expected_status": application.status})
    # Conditions belong to "accredit with conditions" only; for another outcome they are hidden
    # (and not sent), so they are neither validated nor kept.
    with_conditions = is_post and request.POST.get("outcome") == "accredit_with_conditions"
    formset = ConditionFormSet(
        request.POST if with_conditions else None, prefix="conditions", form_kwargs={"owners": owners}
    )
    conditions_valid = formset.is_valid() if with_conditions else True
    if is_post and form.is_valid() and conditions_valid:
        conditions = [
            ConditionInput(text=c["text"], owner_id=c["owner"].pk, due_on=c["due_on"])
            for c in (formset.conditions() if with_conditions else [])
        ]
        try:
            application_transition(
                actor=request.user,
                application_id=application.pk,
                action=form.cleaned_data["outcome"],
                comment=form.cleaned_data["rationale"],
                conditions=conditions,
                expected_status=form.cleaned_data["expected_status"],
            )
        except InvalidTransition as exc:  # includes StaleState: someone decided first
            messages.error(request, str(exc))
            return redirect("accreditation:decision-create", pk=application.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc, {"comment": "rationale", "conditions": None})
        else:
            messages.success(request, f"The decision was recorded and {application.hit} was told.")
            return redirect("accreditation:decision-create", pk=application.pk)
    accreditation = Accreditation.objects.filter(decision=decision).first() if decision else None
    return render(
        request,
        "accreditation/decision_create.html",
        {
            "application": application,
            "application_url": _application_url(application),
            "form_problems": _problems(
                form, *formset.forms, extra=formset.non_form_errors() if with_conditions else []
            )
            if is_post
            else [],
            "decision": decision,
            "accreditation": accreditation,
            "can_decide": can_decide,
            "problems": decision_problems(application) if can_decide else [],
            "form": form,
            "formset": formset,
        },
    )


# --- Conditions --------------------------------------------------------------------------------------


def _conditions_for(user: User) -> QuerySet[Condition]:
    """Conditions the user may see: all for programme managers, their HITs' and their own otherwise."""
    roles = roles_of(user)
    qs = Condition.objects.select_related("owner", "closed_by", "decision__application__hit").order_by(
        "due_on", "pk"
    )
    if roles.has(Role.PROGRAMME_MANAGER):
        return qs
    return qs.filter(Q(decision__application__hit_id__in=roles.hit_ids) | Q(owner__user_id=user.pk))


@login_required
def condition_list(request: HttpRequest) -> HttpResponse:
    """Open and closed conditions with owner and due date (one query after the roles)."""
    roles = roles_of(request.user)
    _require(
        Verdict(
            roles.has(Role.PROGRAMME_MANAGER, Role.HIT_MEMBER),
            "Only programme managers and members of a HIT see accreditation conditions.",
        )
    )
    today = timezone.localdate()
    is_pm = roles.has(Role.PROGRAMME_MANAGER)
    conditions = list(_conditions_for(request.user))
    for condition in conditions:
        condition.overdue = condition.status != ConditionStatus.CLOSED and condition.due_on < today
        condition.can_close = condition.status == ConditionStatus.OPEN and bool(
            permissions.can_close_condition(request.user, condition)
        )
        condition.can_accept = condition.status == ConditionStatus.AWAITING_ACCEPTANCE and is_pm
    return render(
        request,
        "accreditation/condition_list.html",
        {
            "open_conditions": [c for c in conditions if c.status != ConditionStatus.CLOSED],
            "closed_conditions": [c for c in conditions if c.status == ConditionStatus.CLOSED],
            "awaiting_count": sum(c.status == ConditionStatus.AWAITING_ACCEPTANCE for c in conditions),
            "is_pm": is_pm,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def condition_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner (or a programme manager) sends the evidence; a programme manager then accepts it."""
    condition = get_object_or_404(_conditions_for(request.user), pk=pk)
    _require(permissions.can_close_condition(request.user, condition))
    is_open = condition.status == ConditionStatus.OPEN
    form = ConditionCloseForm(
        request.POST if request.method == "POST" else None, initial={"evidence": condition.evidence}
    )
    if request.method == "POST" and is_open and form.is_valid():
        try:
            conditions_services.condition_close(
                actor=request.user, condition_id=condition.pk, evidence=form.cleaned_data["evidence"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect("accreditation:condition-list")
        else:
            messages.success(
                request, "The evidence was sent: a programme manager will accept it or send it back."
            )
            return redirect("accreditation:condition-list")
    sent_back = condition.events.filter(action="send_back").first() if is_open else None
    return render(
        request,
        "accreditation/condition_close.html",
        {"condition": condition, "form": form, "is_open": is_open, "sent_back": sent_back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def condition_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme manager accepts a condition's evidence (closing it) or sends it back with a reason."""
    condition = get_object_or_404(_conditions_for(request.user), pk=pk)
    _require(permissions.can_accept_condition(request.user, condition))
    awaiting = condition.status == ConditionStatus.AWAITING_ACCEPTANCE
    is_post = request.method == "POST"
    sending_back = is_post and request.POST.get("action") == "send_back"
    form = ConditionSendBackForm(request.POST if sending_back else None)
    if is_post and awaiting and (not sending_back or form.is_valid()):
        try:
            if sending_back:
                conditions_services.condition_send_back(
                    actor=request.user, condition_id=condition.pk, reason=form.cleaned_data["reason"]
                )
            else:
                conditions_services.condition_accept(actor=request.user, condition_id=condition.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect("accreditation:condition-list")
        else:
            messages.success(
                request,
                "The evidence was sent back to the owner with your reason."
                if sending_back
                else "The evidence was accepted and the condition is closed.",
            )
            return redirect("accreditation:condition-list")
    return render(
        request,
        "accreditation/condition_review.html",
        {"condition": condition, "form": form, "awaiting": awaiting, "events": list(condition.events.all())},
    )


# --- Renewal -----------------------------------------------------------------------------------------


@login_required
@require_POST
def renewal_start(request: HttpRequest, pk: int) -> HttpResponse:
    accreditation = get_object_or_404(Accreditation.objects.select_related("hit", "application"), pk=pk)
    if not team_permissions.can_view_hit(request.user, accreditation.hit):
        raise Http404("No such accreditation.")
    _require(permissions.can_start_renewal(request.user, accreditation))
    back = _application_url(accreditation.application)
    form = RenewalStartForm(request.POST, rounds=open_rounds())
    if not form.is_valid():
        messages.error(request, "Choose a round that is open for applications.")
        return redirect(back)
    try:
        renewal = renewals_services.renewal_start(
            actor=request.user, accreditation_id=accreditation.pk, round_id=form.cleaned_data["round"].pk
        )
    except InvalidTransition as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request,
        f"A renewal application for {accreditation.hit} was started, prefilled from the accredited one.",
    )
    return redirect(_application_url(renewal))
