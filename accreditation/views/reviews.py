"""Pages of the panel's review: assignments, conflicts of interest, the review form, the summary of reviews and the consolidated feedback."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from accreditation import permissions, workflow
from accreditation.domain.criteria import CRITERIA, criteria_for
from accreditation.domain.review_stats import criteria_stats
from accreditation.domain.sections import GOVERNANCE_MODEL_FIELDS, SECTIONS
from accreditation.enums import (
    ApplicationStatus,
    ConflictDeclaration,
    ConflictResolution,
    FeedbackStatus,
    PanelRole,
    ReviewStatus,
)
from accreditation.forms.panel import (
    AssignmentForm,
    ConflictDeclareForm,
    ConflictResolveForm,
    FeedbackForm,
    FeedbackPointFormSet,
    PanelTransitionForm,
    ReviewForm,
    SuggestionAcceptForm,
)
from accreditation.models import (
    Application,
    PanelMember,
    Review,
    ReviewAssignment,
    Revision,
)
from accreditation.selectors.applications import application_get_for_user, coverage_change
from accreditation.selectors.reviews import (
    ASSIGNMENT_LIST_SOURCES,
    assignment_get_for_reviewer,
    assignment_list_for_reviewer,
    reviews_visible_to,
)
from accreditation.services import reviews as services
from accreditation.views.decisions import (
    _application_url,
    _error_messages,
    _problems,
)
from core.concurrency import StaleEdit, conflict_for, version_of
from core.forms import apply_service_errors
from core.idempotency import AlreadySubmitted, once
from core.permissions import Verdict
from core.permissions import require as _require
from core.versions import cached_render
from core.workflow import InvalidTransition
from teams.models import Organisation, StakeholderCategory, User
from teams.roles import roles_of, viewer_scope

LAY_SECTIONS = ("aims", "ppi")
DEPTH_LABELS = {
    0: "0: none",
    1: "1: informed or consulted",
    2: "2: member of a HIT group",
    3: "3: leadership or decision role",
}


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
    application, _ = application_get_for_user(user=request.user, pk=pk)
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
    application, _ = application_get_for_user(user=request.user, pk=pk)
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
    application, _ = application_get_for_user(user=request.user, pk=assignment.application_id)
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
    """The reviewer's assignments (one query after the roles), rendered once per version of what they
    show (core.versions)."""
    roles = roles_of(request.user)
    _require(Verdict(bool(roles.panel_ids), "Only members of a review panel have review assignments."))
    today = timezone.localdate()

    def body(extra: dict[str, Any]) -> str:
        rows = [_assignment_row(a, today) for a in assignment_list_for_reviewer(user=request.user)]
        context = {"rows": rows, "today": today, **extra}
        return render_to_string("accreditation/_assignment_list_body.html", context, request=request)

    html = cached_render(
        request,
        name="accreditation:assignment-list",
        scope=viewer_scope(request.user),
        sources=ASSIGNMENT_LIST_SOURCES,
        params=[],
        render=body,
    )
    return render(request, "accreditation/assignment_list.html", {"body": mark_safe(html)})  # noqa: S308


@login_required
@require_http_methods(["GET", "POST"])
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer declares before reading: the page names the HIT, the round and the
    organisations, never what the application says."""
    assignment = assignment_get_for_reviewer(user=request.user, pk=pk)
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
    assignment = assignment_get_for_reviewer(user=request.user, pk=pk)
    _require(permissions.can_review(request.user, assignment))
    # The same access rule as the application's own page, so the two can never disagree.
    application, _ = application_get_for_user(user=request.user, pk=assignment.application_id)
    # The revision under review and the one before it, for its coverage growth (one query).
    latest_two = list(
        application.revisions.filter(number__lte=application.version)
        .select_related("coverage")
        .order_by("-number")[:2]
    )
    revision = latest_two[0] if latest_two else None
    previous = latest_two[1] if len(latest_two) > 1 else None
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
            # Lay reviewers read the stakeholder table but not the panel's coverage scores.
            "coverage": coverage_change(revision=revision, previous=previous)
            if revision and not assignment.is_lay
            else None,
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
    application, assignment = application_get_for_user(user=request.user, pk=pk)
    is_chair = workflow.CHAIR in permissions.application_roles(request.user, application)
    if not is_chair:
        if assignment is None:
            raise Http404("No such application.")
        own_submitted = Review.objects.filter(
            assignment=assignment, revision_number=application.version, status=ReviewStatus.SUBMITTED
        ).exists()
        if not own_submitted:
            raise PermissionDenied("Submit your own review first.")
    reviews = list(reviews_visible_to(user=request.user, application=application, assignment=assignment))
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
    application, assignment = application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_manage_review(request.user, application))
    document = (
        application.feedback_documents.filter(revision_number=application.version)
        .prefetch_related("points")
        .first()
    )
    editable = application.status == ApplicationStatus.UNDER_REVIEW and (
        document is None or document.status == FeedbackStatus.DRAFT
    )
    reviews = list(reviews_visible_to(user=request.user, application=application, assignment=assignment))
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
