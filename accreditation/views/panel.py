"""The panel's pages: round board, reviewer assignment and conflicts of interest, reviews and
their statistics, consolidated feedback, decisions, conditions and renewal (docs/domain.md section 3-4).

Every view starts with an access helper: an object the user may not see is a 404 (from the
selectors), an action the user may see but not take is a 403 with the permission's reason.
Writes go through accreditation.services; every POST redirects.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accreditation import permissions, selectors, services, workflow
from accreditation.criteria import CRITERIA, criteria_for
from accreditation.enums import (
    ConflictDeclaration,
    ConflictResolution,
    FeedbackStatus,
    PanelRole,
    ReviewStatus,
)
from accreditation.forms_panel import (
    AssignmentForm,
    BoardFilter,
    ConditionCloseForm,
    ConditionFormSet,
    ConflictDeclareForm,
    ConflictResolveForm,
    DecisionForm,
    FeedbackForm,
    FeedbackPointFormSet,
    PanelTransitionForm,
    RenewalStartForm,
    ReviewForm,
    SuggestionAcceptForm,
    condition_owners,
)
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    PanelMember,
    Review,
    ReviewAssignment,
    Revision,
    Round,
)
from accreditation.review_stats import criteria_stats
from accreditation.sections import GOVERNANCE_MODEL_FIELDS, SECTIONS
from accreditation.workflow import ApplicationStatus
from core.concurrency import StaleEdit, conflict_for, version_of
from core.forms import apply_service_errors
from core.idempotency import AlreadySubmitted, once
from core.permissions import Verdict
from core.permissions import require as _require
from core.templatetags.portal import Problem, form_error_summary
from core.workflow import InvalidTransition
from teams import permissions as team_permissions
from teams.enums import Role
from teams.models import Organisation, StakeholderCategory, User
from teams.roles import roles_of

LAY_SECTIONS = ("aims", "ppi")
DEPTH_LABELS = {
    0: "0: none",
    1: "1: informed or consulted",
    2: "2: member of a HIT group",
    3: "3: leadership or decision role",
}


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
    board_filter = BoardFilter(request.GET, queryset=selectors.round_board(round=round_))
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
    return render(
        request,
        "accreditation/board_round.html",
        {
            "round": round_,
            "filter": board_filter,
            "groups": [g for g in groups if g[2]],
            "count": len(every),
            "page": page,
        },
    )


@login_required
@require_POST
def decision_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """start_review / issue_feedback (the other moves have pages of their own)."""
    application, _ = selectors.application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_assign_reviewers(request.user, application))
    form = PanelTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change could not be made: the form was incomplete.")
        return redirect("accreditation:round-board", pk=application.round_id)
    data = form.cleaned_data
    try:
        services.application_transition(
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


# --- Assignments and conflicts of interest -----------------------------------------------------------


def _assignable_reviewers(application: Application, *, posted: bool = False) -> QuerySet[User]:
    """The round's reviewers not assigned yet; a posted choice may also name one assigned since
    the page was opened (a second click): once() then recognises the repeat, or the service says
    that reviewer is already assigned."""
    members = PanelMember.objects.filter(
        panel__round=application.round_id, role__in=[PanelRole.REVIEWER, PanelRole.LAY_REVIEWER]
    ).values("user_id")
    reviewers = User.objects.filter(pk__in=members).order_by("full_name")
    if posted:
        return reviewers
    return reviewers.exclude(pk__in=application.assignments.values("reviewer_id"))


def _review_state(assignment: ReviewAssignment, version: int) -> str:
    review = getattr(assignment, "review", None)
    if review is None or review.revision_number != version:
        return "Not started"
    return review.get_status_display()


@login_required
@require_http_methods(["GET", "POST"])
def assignment_manage(request: HttpRequest, pk: int) -> HttpResponse:
    application, _ = selectors.application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_assign_reviewers(request.user, application))
    posted = request.method == "POST"
    form = AssignmentForm(
        request.POST if posted else None, reviewers=_assignable_reviewers(application, posted=posted)
    )
    if request.method == "POST" and form.is_valid():
        manage = reverse("accreditation:assignment-manage", args=[application.pk])
        try:
            with once(form, user=request.user) as claim:
                assignment = services.assignment_create(
                    actor=request.user,
                    application_id=application.pk,
                    reviewer=form.cleaned_data["reviewer"],
                    due_on=form.cleaned_data["due_on"],
                )
                claim.done(manage)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or manage)
        else:
            flagged = (
                " Their affiliation was flagged as a possible conflict."
                if assignment.flagged_organisations
                else ""
            )
            messages.success(
                request,
                f"{assignment.reviewer} was asked to review; they declare any conflict before reading.{flagged}",
            )
            return redirect("accreditation:assignment-manage", pk=application.pk)

    assignments = list(
        application.assignments.select_related("reviewer", "review", "resolved_by").order_by("is_lay", "pk")
    )
    for assignment in assignments:
        assignment.review_state = _review_state(assignment, application.version)
        assignment.flagged_list = assignment.flagged_organisations.splitlines()
        assignment.needs_resolution = (
            assignment.has_conflict and assignment.resolution == ConflictResolution.OPEN
        )
    return render(
        request,
        "accreditation/assignment_manage.html",
        {
            "application": application,
            "application_url": _application_url(application),
            "assignments": assignments,
            "form": form,
            "suggestions": services.reviewer_suggestions(application=application),
            "accept_form": SuggestionAcceptForm(),
            "resolve_form": ConflictResolveForm(),
            "can_resolve": bool(permissions.can_manage_review(request.user, application)),
            "is_open": application.status not in workflow.FINAL_APPLICATION_STATES,
            "lay_role": PanelRole.LAY_REVIEWER,
        },
    )


@login_required
@require_POST
def assignment_suggest_accept(request: HttpRequest, pk: int) -> HttpResponse:
    application, _ = selectors.application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_assign_reviewers(request.user, application))
    form = SuggestionAcceptForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("accreditation:assignment-manage", pk=application.pk)
    try:
        created = services.suggestion_accept(
            actor=request.user, application_id=application.pk, due_on=form.cleaned_data["due_on"]
        )
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        if created:
            names = ", ".join(str(a.reviewer) for a in created)
            messages.success(request, f"Assigned {names}.")
        else:
            messages.info(
                request, "Nobody was assigned: there is no conflict-free panel member left to suggest."
            )
    return redirect("accreditation:assignment-manage", pk=application.pk)


@login_required
@require_POST
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(ReviewAssignment.objects.select_related("reviewer"), pk=pk)
    application, _ = selectors.application_get_for_user(user=request.user, pk=assignment.application_id)
    _require(permissions.can_manage_review(request.user, application))
    form = ConflictResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to dismiss, waive or recuse.")
    else:
        try:
            services.conflict_resolve(
                actor=request.user,
                assignment_id=assignment.pk,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            label = ConflictResolution(form.cleaned_data["resolution"]).label
            messages.success(request, f"{assignment.reviewer}: {label[0].lower()}{label[1:]}.")
    return redirect("accreditation:assignment-manage", pk=application.pk)


@dataclass
class AssignmentRow:
    assignment: ReviewAssignment
    review_state: str
    overdue: bool
    next_step: str  # declare | waiting | recused | review | done | closed | decided


def _assignment_row(assignment: ReviewAssignment, today: datetime.date) -> AssignmentRow:
    application = assignment.application
    review = getattr(assignment, "review", None)
    submitted = (
        review is not None
        and review.status == ReviewStatus.SUBMITTED
        and review.revision_number == application.version
    )
    recused = assignment.resolution == ConflictResolution.RECUSED
    reviewing = application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)
    if not permissions.reviewing_is_open(application):
        step = "decided"  # the assignment's pages are closed to the reviewer from now on
    elif recused:
        step = "recused"
    elif assignment.declaration == ConflictDeclaration.PENDING:
        step = "declare"
    elif assignment.conflict_unresolved:
        step = "waiting"
    elif submitted:
        step = "done"
    elif reviewing:
        step = "review"
    else:
        step = "closed"
    # Overdue is derived from the due date, never stored.
    overdue = bool(
        assignment.due_on and assignment.due_on < today and not submitted and not recused and reviewing
    )
    return AssignmentRow(assignment, _review_state(assignment, application.version), overdue, step)


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    """The reviewer's assignments (one query after the roles)."""
    roles = roles_of(request.user)
    _require(Verdict(bool(roles.panel_ids), "Only members of a review panel have review assignments."))
    today = timezone.localdate()
    rows = [_assignment_row(a, today) for a in selectors.assignment_list_for_reviewer(user=request.user)]
    return render(request, "accreditation/assignment_list.html", {"rows": rows, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer declares before reading: the page names the HIT, the round and the
    organisations, never what the application says."""
    assignment = selectors.assignment_get_for_reviewer(user=request.user, pk=pk)
    application = assignment.application
    recused = assignment.resolution == ConflictResolution.RECUSED
    initial = {}
    if assignment.declaration != ConflictDeclaration.PENDING:
        initial = {"declaration": assignment.declaration, "note": assignment.declaration_note}
    form = ConflictDeclareForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and not recused and form.is_valid():
        try:
            assignment = services.conflict_declare(
                actor=request.user,
                assignment_id=assignment.pk,
                declaration=form.cleaned_data["declaration"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"declaration_note": "note"})
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect("accreditation:assignment-list")
        else:
            if assignment.may_open_application:
                messages.success(
                    request, "Thank you. You can now read the application and write your review."
                )
                return redirect("accreditation:review-edit", pk=assignment.pk)
            messages.success(
                request,
                "Thank you. The chair will decide on the conflict before you can read the application.",
            )
            return redirect("accreditation:assignment-list")
    organisations = list(
        Organisation.objects.filter(pk__in=services.named_organisation_ids(application))
        .order_by("name")
        .values_list("name", flat=True)
    )
    return render(
        request,
        "accreditation/assignment_declare.html",
        {
            "assignment": assignment,
            "application": application,
            "organisations": organisations,
            "flagged": assignment.flagged_organisations.splitlines(),
            "recused": recused,
            "form": None if recused else form,
        },
    )


# --- Reviews -----------------------------------------------------------------------------------------


@dataclass
class SectionView:
    key: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def _display(form_field: forms.Field, value: object) -> str:
    if value in (None, ""):
        return ""
    if isinstance(form_field, forms.ChoiceField) and not isinstance(form_field, forms.ModelChoiceField):
        return str(dict(form_field.choices).get(value, value))
    return str(value)


def revision_sections(revision: Revision, *, is_lay: bool) -> list[SectionView]:
    """The frozen answers of a revision as (label, text) rows per section; lay reviewers get the
    aims and PPI sections only. Governance's people and host come from the frozen names."""
    views = []
    for section in SECTIONS:
        if section.form_class is None or (is_lay and section.key not in LAY_SECTIONS):
            continue
        data = revision.sections.get(section.key, {})
        view = SectionView(section.key, section.title)
        for name, form_field in section.form_class.base_fields.items():
            if section.key == "governance" and name in GOVERNANCE_MODEL_FIELDS:
                text = str(revision.governance.get(name) or "")
            else:
                text = _display(form_field, data.get(name))
            view.rows.append((str(form_field.label), text))
        views.append(view)
    return views


def revision_stakeholders(revision: Revision) -> list[dict]:
    codes = {row.get("category") for row in revision.stakeholders}
    names = dict(StakeholderCategory.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {
            "name": row.get("organisation") or row.get("stakeholder", ""),
            "category": names.get(row.get("category"), row.get("category", "")),
            "role": row.get("role", ""),
            "outcome": row.get("outcome", ""),
            "depth": DEPTH_LABELS.get(row.get("depth"), row.get("depth")),
        }
        for row in revision.stakeholders
    ]


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the frozen revision and score it. A reviewer who has not declared, is recused or has
    an unresolved conflict gets the reason (403) and never the content."""
    assignment = selectors.assignment_get_for_reviewer(user=request.user, pk=pk)
    _require(permissions.can_review(request.user, assignment))
    # The same access rule as the application's own page, so the two can never disagree.
    application, _ = selectors.application_get_for_user(user=request.user, pk=assignment.application_id)
    revision = application.revisions.filter(number__lte=application.version).order_by("-number").first()
    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    current = review if review is not None and review.revision_number == application.version else None
    read_only = current is not None and current.status == ReviewStatus.SUBMITTED
    is_open = application.status == ApplicationStatus.UNDER_REVIEW
    criteria = criteria_for(is_lay=assignment.is_lay)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        initial=_review_initial(current),
        version=version_of(review),
    )
    conflict = None

    if request.method == "POST":
        if read_only or not is_open:
            messages.error(request, "This review can no longer be changed.")
            return redirect("accreditation:review-edit", pk=assignment.pk)
        if form.is_valid():
            submit = request.POST.get("intent") == "submit"
            try:
                services.review_save(
                    actor=request.user,
                    assignment_id=assignment.pk,
                    scores=[
                        services.ScoreInput(code, score, comment)
                        for code, score, comment in form.score_inputs()
                    ],
                    recommendation=form.cleaned_data["recommendation"],
                    summary=form.cleaned_data["summary"],
                    submit=submit,
                    expected_version=form.started_from,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {c.code: f"score_{c.code}" for c in criteria})
            except InvalidTransition as exc:
                messages.error(request, str(exc))
                return redirect("accreditation:review-edit", pk=assignment.pk)
            except StaleEdit as stale:
                saved = stale.current if stale.current.revision_number == application.version else None
                theirs = ReviewForm(
                    criteria=criteria, initial=_review_initial(saved), version=version_of(stale.current)
                )
                conflict = conflict_for(form, theirs=theirs, current=stale.current)
            else:
                if submit:
                    messages.success(
                        request, "Your review was submitted. You can now read the other reviews."
                    )
                    return redirect("accreditation:review-summary", pk=application.pk)
                messages.success(request, "Your draft was saved.")
                return redirect("accreditation:review-edit", pk=assignment.pk)

    scores = {s.criterion: s for s in current.scores.all()} if read_only else {}
    return render(
        request,
        "accreditation/review_edit.html",
        {
            "assignment": assignment,
            "application": application,
            "revision": revision,
            "sections": revision_sections(revision, is_lay=assignment.is_lay) if revision else [],
            "stakeholders": revision_stakeholders(revision) if revision else [],
            "review": current,
            "read_only": read_only,
            "is_open": is_open,
            "form": form,
            "submitted_rows": [(c, scores.get(c.code)) for c in criteria],
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


def _review_initial(review: Review | None) -> dict:
    """The review form's values from a stored review of the current revision (none: a blank form)."""
    if review is None or review.pk is None:
        return {}
    initial = {"recommendation": review.recommendation, "summary": review.summary}
    for score in review.scores.all():
        initial[f"score_{score.criterion}"] = "" if score.score is None else str(score.score)
        initial[f"comment_{score.criterion}"] = score.comment
    return initial


@dataclass
class ReviewColumn:
    review: Review
    label: str
    counted: bool


def _review_columns(
    reviews: list[Review], *, is_chair: bool, own: ReviewAssignment | None
) -> list[ReviewColumn]:
    columns, numbers = [], {"lay": 0, "full": 0}
    for review in reviews:
        assignment = review.assignment
        counted = not assignment.conflict_unresolved
        if not is_chair and not counted:
            continue  # a recused reviewer's review is the chair's business only
        if is_chair:
            label = f"{assignment.reviewer}{' (lay)' if assignment.is_lay else ''}"
        elif own is not None and assignment.pk == own.pk:
            label = "You"
        else:
            kind = "lay" if assignment.is_lay else "full"
            numbers[kind] += 1
            label = f"{'Lay reviewer' if assignment.is_lay else 'Reviewer'} {numbers[kind]}"
        columns.append(ReviewColumn(review, label, counted))
    return columns


@login_required
def review_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The submitted reviews of the current revision with per-criterion statistics.

    The chair sees every review; a reviewer sees the others' only once they submitted their own
    (before that, 403 with the reason); nobody else sees reviews (404).
    """
    application, assignment = selectors.application_get_for_user(user=request.user, pk=pk)
    is_chair = workflow.CHAIR in permissions.application_roles(request.user, application)
    if not is_chair:
        if assignment is None:
            raise Http404("No such application.")
        own_submitted = Review.objects.filter(
            assignment=assignment, revision_number=application.version, status=ReviewStatus.SUBMITTED
        ).exists()
        if not own_submitted:
            raise PermissionDenied("Submit your own review first.")
    reviews = list(
        selectors.reviews_visible_to(user=request.user, application=application, assignment=assignment)
    )
    columns = _review_columns(reviews, is_chair=is_chair, own=None if is_chair else assignment)
    # Lay reviewers were shown the PPI sections only, so they see the PPI criteria only.
    criteria = CRITERIA if is_chair else criteria_for(is_lay=assignment.is_lay)
    by_review = {c.review.pk: {s.criterion: s for s in c.review.scores.all()} for c in columns}
    counted_scores: dict[str, list[int | None]] = {}
    for column in columns:
        if column.counted:
            for code, score in by_review[column.review.pk].items():
                counted_scores.setdefault(code, []).append(score.score)
    rows = []
    for stats in criteria_stats(criteria, counted_scores):
        code = stats.criterion.code
        cells = [by_review[c.review.pk].get(code) for c in columns]
        comments = [
            (c.label, by_review[c.review.pk][code].comment)
            for c in columns
            if code in by_review[c.review.pk] and by_review[c.review.pk][code].comment
        ]
        rows.append({"stats": stats, "cells": cells, "comments": comments})
    show_summaries = is_chair or not assignment.is_lay
    return render(
        request,
        "accreditation/review_summary.html",
        {
            "application": application,
            "columns": columns,
            "rows": rows,
            "is_chair": is_chair,
            "show_summaries": show_summaries,
            "needed": application.round.reviewers_per_application,
            "counted": sum(1 for c in columns if c.counted),
        },
    )


# --- Feedback ----------------------------------------------------------------------------------------


def _quote_options(reviews: list[Review]) -> list[tuple[str, str, str]]:
    """Comments the chair may quote, keyed by row so the choice survives a re-render, never named."""
    options = []
    for review in reviews:
        if review.assignment.conflict_unresolved:
            continue
        for score in review.scores.all():
            if score.comment:
                options.append((f"s{score.pk}", f"{score.criterion}: {_short(score.comment)}", score.comment))
        if review.summary:
            options.append((f"r{review.pk}", f"Summary: {_short(review.summary)}", review.summary))
    return options


def _short(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


@login_required
@require_http_methods(["GET", "POST"])
def feedback_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair consolidates the reviews into feedback for the team (reviewers stay anonymous)."""
    application, assignment = selectors.application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_manage_review(request.user, application))
    document = (
        application.feedback_documents.filter(revision_number=application.version)
        .prefetch_related("points")
        .first()
    )
    editable = application.status == ApplicationStatus.UNDER_REVIEW and (
        document is None or document.status == FeedbackStatus.DRAFT
    )
    reviews = list(
        selectors.reviews_visible_to(user=request.user, application=application, assignment=assignment)
    )
    quotes = _quote_options(reviews)
    points = list(document.points.all()) if document else []
    is_post = request.method == "POST"
    form = FeedbackForm(
        request.POST if is_post else None,
        initial={"summary": document.summary if document else ""},
        version=version_of(document),
    )
    formset = _feedback_points(request.POST if is_post else None, points, quotes)
    conflict = None
    if is_post:
        if not editable:
            messages.error(request, "This feedback can no longer be changed.")
            return redirect("accreditation:feedback-edit", pk=application.pk)
        if form.is_valid() and formset.is_valid():
            try:
                services.feedback_save(
                    actor=request.user,
                    application_id=application.pk,
                    summary=form.cleaned_data["summary"],
                    points=formset.points(),
                    expected_version=form.started_from,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"section": None})
            except InvalidTransition as exc:
                messages.error(request, str(exc))
                return redirect("accreditation:feedback-edit", pk=application.pk)
            except StaleEdit as stale:
                current = stale.current
                saved_points = list(current.points.all()) if current.pk else []
                theirs = FeedbackForm(initial={"summary": current.summary}, version=version_of(current))
                conflict = conflict_for(
                    form,
                    theirs=theirs,
                    current=current,
                    formsets=[(formset, _feedback_points(None, saved_points, quotes), "Point")],
                )
            else:
                messages.success(request, "The feedback was saved as a draft. Release it when it is ready.")
                return redirect("accreditation:feedback-edit", pk=application.pk)
    return render(
        request,
        "accreditation/feedback_edit.html",
        {
            "application": application,
            "application_url": _application_url(application),
            "problems": _problems(form, *formset.forms, extra=formset.non_form_errors()) if is_post else [],
            "document": document,
            "points": points,
            "editable": editable,
            "form": form,
            "formset": formset,
            "quotes": quotes,
            "can_release": editable and bool(points),
            "release_form": PanelTransitionForm(
                initial={
                    "action": "issue_feedback",
                    "expected_status": application.status,
                    "return_to": "feedback",
                }
            ),
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


def _feedback_points(data: object, points: list, quotes: list[tuple[str, str, str]]):
    """The feedback's points as a formset, from the stored points (bound to `data` when posted)."""
    return FeedbackPointFormSet(
        data,
        prefix="points",
        initial=[{"section": p.section, "text": p.text, "quoted_comment": p.quoted_comment} for p in points],
        form_kwargs={"quotes": quotes},
    )


# --- Decisions ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    application, _ = selectors.application_get_for_user(user=request.user, pk=pk)
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
            services.ConditionInput(text=c["text"], owner_id=c["owner"].pk, due_on=c["due_on"])
            for c in (formset.conditions() if with_conditions else [])
        ]
        try:
            services.application_transition(
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
            "problems": services.decision_problems(application) if can_decide else [],
            "form": form,
            "formset": formset,
        },
    )


# --- Conditions --------------------------------------------------------------------------------------


def _conditions_for(user: object) -> QuerySet[Condition]:
    """Conditions the user may see: all for programme managers, their HITs' and their own otherwise."""
    roles = roles_of(user)
    qs = Condition.objects.select_related("owner", "closed_by", "decision__application__hit").order_by(
        "due_on", "pk"
    )
    if roles.has(Role.PROGRAMME_MANAGER):
        return qs
    return qs.filter(
        Q(decision__application__hit_id__in=roles.hit_ids) | Q(owner__user_id=getattr(user, "pk", None))
    )


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
        condition.overdue = condition.closed_at is None and condition.due_on < today
        condition.can_close = condition.closed_at is None and bool(
            permissions.can_close_condition(request.user, condition)
        )
    return render(
        request,
        "accreditation/condition_list.html",
        {
            "open_conditions": [c for c in conditions if c.closed_at is None],
            "closed_conditions": [c for c in conditions if c.closed_at is not None],
            "is_pm": is_pm,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def condition_close(request: HttpRequest, pk: int) -> HttpResponse:
    condition = get_object_or_404(_conditions_for(request.user), pk=pk)
    _require(permissions.can_close_condition(request.user, condition))
    form = ConditionCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and condition.closed_at is None and form.is_valid():
        try:
            services.condition_close(
                actor=request.user, condition_id=condition.pk, evidence=form.cleaned_data["evidence"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect("accreditation:condition-list")
        else:
            messages.success(request, "The condition was closed with its evidence.")
            return redirect("accreditation:condition-list")
    return render(request, "accreditation/condition_close.html", {"condition": condition, "form": form})


# --- Renewal -----------------------------------------------------------------------------------------


@login_required
@require_POST
def renewal_start(request: HttpRequest, pk: int) -> HttpResponse:
    accreditation = get_object_or_404(Accreditation.objects.select_related("hit", "application"), pk=pk)
    if not team_permissions.can_view_hit(request.user, accreditation.hit):
        raise Http404("No such accreditation.")
    _require(permissions.can_start_renewal(request.user, accreditation))
    back = _application_url(accreditation.application)
    form = RenewalStartForm(request.POST, rounds=selectors.open_rounds())
    if not form.is_valid():
        messages.error(request, "Choose a round that is open for applications.")
        return redirect(back)
    try:
        renewal = services.renewal_start(
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


urlpatterns = [
    path("rounds/<int:pk>/board/", round_board, name="round-board"),
    path("applications/<int:pk>/panel-transition/", decision_transition, name="decision-transition"),
    path("applications/<int:pk>/assignments/", assignment_manage, name="assignment-manage"),
    path(
        "applications/<int:pk>/assignments/accept-suggestion/",
        assignment_suggest_accept,
        name="assignment-suggest-accept",
    ),
    path("assignments/", assignment_list, name="assignment-list"),
    path("assignments/<int:pk>/declare/", conflict_declare, name="conflict-declare"),
    path("assignments/<int:pk>/resolve/", conflict_resolve, name="conflict-resolve"),
    path("assignments/<int:pk>/review/", review_edit, name="review-edit"),
    path("applications/<int:pk>/reviews/", review_summary, name="review-summary"),
    path("applications/<int:pk>/feedback/edit/", feedback_edit, name="feedback-edit"),
    path("applications/<int:pk>/decide/", decision_create, name="decision-create"),
    path("conditions/", condition_list, name="condition-list"),
    path("conditions/<int:pk>/close/", condition_close, name="condition-close"),
    path("accreditations/<int:pk>/renew/", renewal_start, name="renewal-start"),
]
