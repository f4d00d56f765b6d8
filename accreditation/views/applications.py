"""The applicant's side of the structured application: the list, the overview, one page per
section, the stakeholder table, the sponsor's confirmation, workflow moves, revisions and their
comparison, and the answers to released feedback.

Access: `selectors.application_get_for_user` 404s anyone who may not open the application; the
working copy (sections, stakeholder rows, answers to feedback) is edited only while
`permissions.can_edit_application` allows it, otherwise 403 with its reason. The sponsor's
confirmation page is public: the signed link in the email is the credential.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from accreditation import enums as enums_workflow
from accreditation import permissions
from accreditation.domain.sections import (
    MIN_STAKEHOLDER_ORGANISATIONS,
    SECTION_KEYS,
    SECTIONS,
    Section,
    SectionForm,
    get_section,
)
from accreditation.enums import ApplicationStatus, FeedbackStatus
from accreditation.filters import ApplicationFilter
from accreditation.forms.applications import (
    ApplicationTransitionForm,
    FeedbackResponseForm,
    RevisionCompareForm,
    StakeholderRowForm,
)
from accreditation.models import (
    Application,
    ApplicationSection,
    FeedbackDocument,
    ReviewAssignment,
    Revision,
    StakeholderPlanRow,
)
from accreditation.selectors.applications import (
    APPLICATION_PAGE_SOURCES,
    application_get_for_user,
    application_list_for_applicant,
    coverage_change,
    revision_coverage,
    unanswered_feedback_points,
)
from accreditation.selectors.conditions import unclosed_conditions_of_application
from accreditation.selectors.rounds import open_rounds
from accreditation.services import drafting as drafting_services
from accreditation.services import reviews as reviews_services
from accreditation.services.applications import application_transition
from accreditation.services.drafting import (
    section_data,
    section_save,
    sponsor_token_read,
    stakeholder_placeholder_rows,
    stakeholder_row_delete,
    stakeholder_row_save,
    stakeholder_summary,
    submission_problems,
)
from accreditation.workflow import APPLICANT, APPLICATION_WORKFLOW, CHAIR, DECISION_ACTIONS, PROGRAMME_MANAGER
from core.concurrency import VERSION_FIELD, StaleEdit, conflict_for, latest_changed, version_of
from core.forms import service_error_problems
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from core.templatetags.portal import Problem
from core.versions import cached_render
from core.workflow import InvalidTransition
from teams.forms.lookup import search_as
from teams.models import StakeholderCategory, User
from teams.roles import roles_of, viewer_scope

PAGE_SIZE = 25
# A lay (public review group) reviewer reads the PPI arrangements: the PPI section and the
# stakeholder table (docs/domain.md section 4), not the whole application.
LAY_SECTION_KEYS = frozenset({"ppi", "stakeholders"})
TEAM_ROLES = frozenset({APPLICANT, permissions.TEAMMATE})
_PANEL_PAGE_ACTIONS = frozenset({*DECISION_ACTIONS, "issue_feedback"})
_DONE = {
    "submit": "The application was submitted. The panel chair has been told.",
    "withdraw": "The application was withdrawn.",
    "revise": "A new version is open for editing. Answer the feedback as you revise.",
    "start_review": "The review has started.",
}


def _section_url(application_id: int, key: str) -> str:
    if key == "stakeholders":
        return reverse("accreditation:stakeholder-table", args=[application_id])
    return reverse("accreditation:application-section", args=[application_id, key])


def _next_section(key: str) -> Section | None:
    index = SECTION_KEYS.index(key)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


def _section_marks(
    application: Application, organisations: int, latest: Revision | None, *, placeholder_rows: bool = False
) -> list[dict]:
    """Each section with its completeness mark (from the stored marks; sections prefetched), the
    page that edits it and, once something was submitted, where to read it in the latest revision."""
    stored = {row.key: row for row in application.sections.all()}
    read_base = (
        reverse("accreditation:revision-detail", args=[application.pk, latest.number]) if latest else ""
    )
    marks = []
    for section in SECTIONS:
        if section.form_class is None:
            complete = organisations >= MIN_STAKEHOLDER_ORGANISATIONS and not placeholder_rows
        else:
            row = stored.get(section.key)
            complete = row is not None and row.is_complete
        marks.append(
            {
                "section": section,
                "complete": complete,
                "url": _section_url(application.pk, section.key),
                "read_url": f"{read_base}#section-{section.key}" if read_base else "",
            }
        )
    return marks


def _revision_summaries(application: Application) -> QuerySet[Revision]:
    """Revisions newest first, without their frozen content (lists only need the headline)."""
    return (
        application.revisions.select_related("submitted_by")
        .defer("sections", "stakeholders", "governance", "feedback_responses")
        .order_by("-number")
    )


def _latest_released_feedback(application: Application) -> FeedbackDocument | None:
    return (
        application.feedback_documents.filter(status=FeedbackStatus.RELEASED)
        .order_by("-revision_number")
        .first()
    )


# --- List and overview -------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    if not roles_of(request.user).hit_ids:
        raise PermissionDenied(
            "This page lists the applications of your HITs, and you are not a member of any HIT."
        )
    application_filter = ApplicationFilter(
        request.GET, queryset=application_list_for_applicant(user=request.user)
    )
    page = Paginator(application_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accreditation/application_list.html", {"filter": application_filter, "page": page}
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application, assignment = application_get_for_user(user=request.user, pk=pk)
    return _application_page(request, application, assignment)


def _application_page(
    request: HttpRequest,
    application: Application,
    assignment: ReviewAssignment | None,
    refused: list[Problem] | None = None,
) -> HttpResponse:
    """The application's page; `refused` is a refused move's error summary, shown at the top.

    The body is rendered once per version of what it shows, per viewer (core.versions, the tables of
    APPLICATION_PAGE_SOURCES, the day and the viewer's roles); a refused move's page is rendered as
    it is. The access check (application_get_for_user) runs on every request before it."""

    def body(extra: dict[str, Any]) -> str:
        return render_to_string(
            "accreditation/_application_detail_body.html",
            _application_context(request, application, assignment, refused) | extra,
            request=request,
        )

    if refused:
        html = body({})
    else:
        html = cached_render(
            request,
            name=f"accreditation:application:{application.pk}",
            scope=viewer_scope(request.user),
            sources=APPLICATION_PAGE_SOURCES,
            params=["submit"],
            render=body,
        )
    return render(
        request,
        "accreditation/application_detail.html",
        {"application": application, "body": mark_safe(html)},  # noqa: S308 - rendered by our template
    )


def _application_context(
    request: HttpRequest,
    application: Application,
    assignment: ReviewAssignment | None,
    refused: list[Problem] | None,
) -> dict[str, Any]:
    prefetch_related_objects([application], "sections")
    roles = permissions.application_roles(request.user, application)
    is_team = bool(roles & TEAM_ROLES)
    can_edit = permissions.can_edit_application(request.user, application)
    organisations, categories = stakeholder_summary(application)

    problems = []
    if application.status == ApplicationStatus.DRAFT:
        problems = [
            {"message": message, "href": _section_url(application.pk, key), "key": key}
            for key, message in submission_problems(application)
        ]
    # Rows with placeholder text are the one stakeholder problem besides too few organisations.
    placeholder_rows = any(p["key"] == "stakeholders" for p in problems) and organisations >= (
        MIN_STAKEHOLDER_ORGANISATIONS
    )
    events = list(application.events.select_related("actor"))
    actions = [
        transition
        for transition in APPLICATION_WORKFLOW.actions(application.status, roles)
        if transition.action not in _PANEL_PAGE_ACTIONS
    ]
    revisions = list(_revision_summaries(application))
    latest = revisions[0] if revisions else None
    titles = {s.key: s.title for s in SECTIONS}
    unanswered = [
        {"section": titles.get(point.section, point.section), "text": point.text}
        for point in (unanswered_feedback_points(application=application) if is_team else [])
    ]
    return {
        "application": application,
        "assignment": assignment,
        "is_team": is_team,
        "can_edit": can_edit,
        "sections": _section_marks(application, organisations, latest, placeholder_rows=placeholder_rows),
        "latest_revision": latest,
        "organisation_count": organisations,
        "category_count": categories,
        "problems": problems,
        "show_problems_as_errors": request.GET.get("submit") == "problems" and bool(problems),
        "refused": refused or [],
        "events": events,
        "revisions": revisions,
        "feedback": _latest_released_feedback(application) if is_team else None,
        "unanswered_points": unanswered,
        "available_actions": actions,
        "transition_form": ApplicationTransitionForm(initial={"expected_status": application.status}),
        "is_panel": bool(roles & {CHAIR, PROGRAMME_MANAGER}),
        "is_chair": CHAIR in roles,
        "condition_rows": unclosed_conditions_of_application(
            user=request.user,
            application_id=application.pk,
            hit_id=application.hit_id,
            today=timezone.localdate(),
        ),
        **_renewal_context(request.user, application),
    }


def _renewal_context(user: User, application: Application) -> dict:
    """The accredited application's renewal form, for its HIT's director or a programme manager."""
    accreditation = (
        getattr(application, "accreditation", None)
        if application.status
        in (
            enums_workflow.ApplicationStatus.ACCREDITED,
            enums_workflow.ApplicationStatus.ACCREDITED_WITH_CONDITIONS,
        )
        else None
    )
    if accreditation is None:
        return {}
    roles = permissions.application_roles(user, application)
    if not roles & {APPLICANT, PROGRAMME_MANAGER}:
        return {}
    return {"accreditation": accreditation, "renewal_rounds": list(open_rounds())}


# --- Sections ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_section(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    application, _assignment = application_get_for_user(user=request.user, pk=pk)
    if key not in SECTION_KEYS:
        raise Http404("No such section.")
    if key == "stakeholders":
        return redirect("accreditation:stakeholder-table", pk=application.pk)
    _require(permissions.can_edit_application(request.user, application))
    section = get_section(key)
    stored = ApplicationSection.objects.filter(application=application, key=key).first()
    conflict = None

    if request.method == "POST":
        # Draft mode: every field optional, so partial work saves; a field-level error (a malformed
        # working-groups line) still blocks the save and is shown with everything the user typed.
        form = section.form_class(request.POST, strict=False, version=version_of(stored))
        search_as(form, request.user)
        if form.is_valid():
            try:
                row = section_save(
                    actor=request.user,
                    application_id=application.pk,
                    key=key,
                    data=form.to_data(),
                    expected_version=form.started_from,
                )
            except StaleEdit as stale:
                current = stale.current
                theirs = section.form_class(
                    initial=section_data(current.application, key, current.data),
                    strict=False,
                    version=version_of(current),
                )
                conflict = conflict_for(form, theirs=theirs, current=current)
            else:
                if row.is_complete:
                    messages.success(request, f"'{section.title}' was saved. This section is complete.")
                else:
                    messages.success(
                        request, f"'{section.title}' was saved. Some answers are still needed to complete it."
                    )
                return redirect("accreditation:application-section", pk=application.pk, key=key)
    else:
        form = section.form_class(
            initial=section_data(application, key, stored.data if stored else None),
            strict=False,
            version=version_of(stored),
        )
        search_as(form, request.user)

    still_needed: list[str] = []
    if stored is not None and not stored.is_complete:
        check = section.form_class(data=section_data(application, key, stored.data), strict=True)
        still_needed = [
            str(check.fields[name].label) if name in check.fields else "" for name in check.errors
        ]
        if request.method == "GET" and conflict is None:
            form = _with_completion_problems(form, check, stored, request)
    following = _next_section(key)
    return render(
        request,
        "accreditation/application_section.html",
        {
            "application": application,
            "section": section,
            "form": form,
            "stored": stored,
            "still_needed": [label for label in still_needed if label],
            "next_section": following,
            "next_url": _section_url(application.pk, following.key) if following else "",
            "sections": SECTIONS,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


def _with_completion_problems(
    form: SectionForm, check: SectionForm, stored: ApplicationSection, request: HttpRequest
) -> SectionForm:
    """The draft form, showing next to each field what keeps the stored section incomplete beyond
    an empty answer (fewer than three milestones: the count and the format expected). Without such
    a problem the form is returned as it was."""
    problems = {
        name: errors
        for name, errors in check.errors.items()
        if name in check.fields and any(e.code != "required" for e in check.errors.as_data()[name])
    }
    if not problems:
        return form
    data = {**check.data, VERSION_FIELD: version_of(stored)}
    shown = type(form)(data=data, strict=False, version=version_of(stored))
    search_as(shown, request.user)
    shown.is_valid()
    for name, errors in problems.items():
        for message in errors:
            shown.add_error(name, message)
    return shown


# --- The stakeholder table ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_table(request: HttpRequest, pk: int) -> HttpResponse:
    application, _assignment = application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_edit_application(request.user, application))
    form = StakeholderRowForm(request.POST if request.method == "POST" else None)
    search_as(form, request.user)
    if request.method == "POST" and form.is_valid():
        table = reverse("accreditation:stakeholder-table", args=[application.pk])
        try:
            with once(form, user=request.user) as claim:
                row = stakeholder_row_save(
                    actor=request.user, application_id=application.pk, row=form.instance
                )
                claim.done(table)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or table)
        messages.success(request, f"{row} was added to the table.")
        return redirect(table)
    organisations, categories = stakeholder_summary(application)
    placeholders = stakeholder_placeholder_rows(application)
    rows = list(application.stakeholder_rows.select_related("organisation", "category").order_by("pk"))
    for row in rows:
        row.placeholder_reason = placeholders.get(row.pk, "")
    following = _next_section("stakeholders")
    return render(
        request,
        "accreditation/stakeholder_table.html",
        {
            "application": application,
            "rows": rows,
            "form": form,
            "organisation_count": organisations,
            "category_count": categories,
            "placeholder_count": len(placeholders),
            "complete": organisations >= MIN_STAKEHOLDER_ORGANISATIONS and not placeholders,
            "minimum": MIN_STAKEHOLDER_ORGANISATIONS,
            "next_section": following,
            "next_url": _section_url(application.pk, following.key) if following else "",
            "sections": SECTIONS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HttpRequest, pk: int, row_pk: int) -> HttpResponse:
    application, _assignment = application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_edit_application(request.user, application))
    # Scoped to this application: a row id of another application is simply not found.
    row = get_object_or_404(StakeholderPlanRow, pk=row_pk, application=application)
    form = StakeholderRowForm(request.POST if request.method == "POST" else None, instance=row)
    search_as(form, request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            row = stakeholder_row_save(
                actor=request.user,
                application_id=application.pk,
                row=form.instance,
                expected_version=form.started_from,
            )
        except StaleEdit as stale:
            conflict = conflict_for(
                form, theirs=StakeholderRowForm(instance=stale.current), current=stale.current
            )
        else:
            messages.success(request, f"{row} was saved.")
            return redirect("accreditation:stakeholder-table", pk=application.pk)
    return render(
        request,
        "accreditation/stakeholder_edit.html",
        {"application": application, "row": row, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def stakeholder_delete(request: HttpRequest, pk: int, row_pk: int) -> HttpResponse:
    application, _assignment = application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_edit_application(request.user, application))
    if not StakeholderPlanRow.objects.filter(pk=row_pk).exists():
        # A second click, or a teammate removed it first: nothing left to do.
        messages.info(request, "That row was already removed from the table.")
        return redirect("accreditation:stakeholder-table", pk=application.pk)
    # A row of another application is refused by the service (403) and left alone.
    stakeholder_row_delete(actor=request.user, application_id=application.pk, row_id=row_pk)
    messages.success(request, "The row was removed from the table.")
    return redirect("accreditation:stakeholder-table", pk=application.pk)


# --- The executive sponsor's confirmation ------------------------------------------------------------


@login_required
@require_POST
def sponsor_request(request: HttpRequest, pk: int) -> HttpResponse:
    application, _assignment = application_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_edit_application(request.user, application))
    try:
        drafting_services.sponsor_request(actor=request.user, application_id=application.pk)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(
            request,
            f"We emailed {application.executive_sponsor} a link to confirm their sponsorship. "
            "The link works for 30 days.",
        )
    return redirect("accreditation:application-detail", pk=application.pk)


def _invalid_link(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "accreditation/sponsor_invalid.html", {"reason": reason}, status=400)


@require_http_methods(["GET", "POST"])
def sponsor_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the sponsor follows the signed link from the email, sees what they sponsor, confirms."""
    try:
        application_id, sponsor_id = sponsor_token_read(token)
    except signing.SignatureExpired:
        return _invalid_link(request, "The link has expired. Ask the HIT's director to send a new one.")
    except signing.BadSignature:
        return _invalid_link(request, "Check that you copied the whole link from the email.")
    application = (
        Application.objects.select_related("hit", "round", "director", "executive_sponsor")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return _invalid_link(request, "The application it refers to no longer exists.")
    if application.executive_sponsor_id != sponsor_id:
        return _invalid_link(
            request,
            "It was sent to a sponsor who is no longer named on the application. "
            "Ask the HIT's director to send a new one.",
        )
    if request.method == "POST" and not application.sponsor_confirmed:
        try:
            drafting_services.sponsor_confirm(token=token)
        except InvalidTransition as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, "Thank you: your sponsorship is confirmed. The director has been told.")
        return redirect("accreditation:sponsor-confirm", token=token)
    return render(request, "accreditation/sponsor_confirm.html", {"application": application})


# --- Workflow moves ----------------------------------------------------------------------------------


@login_required
@require_POST
def application_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    application, _assignment = application_get_for_user(user=request.user, pk=pk)
    detail = reverse("accreditation:application-detail", args=[application.pk])
    form = ApplicationTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change could not be made: the form was incomplete.")
        return redirect(detail)
    action = form.cleaned_data["action"]
    unanswered = len(unanswered_feedback_points(application=application)) if action == "submit" else 0
    try:
        application_transition(
            actor=request.user,
            application_id=application.pk,
            action=action,
            comment=form.cleaned_data["comment"],
            expected_status=form.cleaned_data["expected_status"],
        )
    except InvalidTransition as exc:  # includes StaleState: someone else moved it first
        messages.error(request, str(exc))
    except ValidationError as exc:
        if action == "submit":  # the page lists what is missing as its error summary
            return redirect(f"{detail}?submit=problems#submission-problems")
        refused = service_error_problems(exc, {"comment": ("Comment", f"#id_{action}_comment")})
        return _application_page(request, application, _assignment, refused)
    else:
        messages.success(request, _DONE[action])
        if unanswered:
            messages.warning(
                request,
                f"{unanswered} point(s) of the panel's feedback went without an answer; "
                "the panel sees which with this revision.",
            )
    return redirect(detail)


# --- Revisions ---------------------------------------------------------------------------------------


def _field_text(form_field: forms.Field, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(form_field, forms.ChoiceField) and not isinstance(form_field, forms.ModelChoiceField):
        return str(dict(form_field.choices).get(value, value))
    return str(value)


def _revision_answers(revision: Revision, section: Section) -> list[tuple[str, str]]:
    """(label, answer) for each question of a section, as frozen in the revision."""
    data = revision.sections.get(section.key) or {}
    answers = []
    for name, form_field in section.form_class.base_fields.items():
        if section.key == "governance" and name in revision.governance:
            value = revision.governance.get(name)
        else:
            value = data.get(name)
        answers.append((str(form_field.label), _field_text(form_field, value)))
    return answers


def _category_names() -> dict[str, str]:
    """Revisions store each stakeholder row's category by code; pages show the name."""
    return dict(StakeholderCategory.objects.values_list("code", "name"))


def _lay_only(user: User, application: Application, assignment: ReviewAssignment | None) -> bool:
    """A lay reviewer with no other part in the application sees only the PPI arrangements."""
    return (
        assignment is not None and assignment.is_lay and not permissions.application_roles(user, application)
    )


def _revision_for(application: Application, number: int) -> Revision:
    return get_object_or_404(
        Revision.objects.select_related("submitted_by"), application=application, number=number
    )


@login_required
def revision_list(request: HttpRequest, pk: int) -> HttpResponse:
    application, assignment = application_get_for_user(user=request.user, pk=pk)
    revisions = list(_revision_summaries(application).select_related("coverage"))
    # Coverage is read from the snapshot each submission stored; a lay reviewer does not see it.
    show_coverage = not _lay_only(request.user, application, assignment)
    coverage = revision_coverage(revisions=revisions) if show_coverage else {}
    return render(
        request,
        "accreditation/revision_list.html",
        {
            "application": application,
            "revisions": revisions,
            "rows": [(r, coverage.get(r.number)) for r in revisions],
            "show_coverage": show_coverage,
        },
    )


@login_required
def revision_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    application, assignment = application_get_for_user(user=request.user, pk=pk)
    revision = _revision_for(application, number)
    lay_only = _lay_only(request.user, application, assignment)
    sections = [
        {"section": section, "answers": _revision_answers(revision, section)}
        for section in SECTIONS
        if section.form_class is not None and (not lay_only or section.key in LAY_SECTION_KEYS)
    ]
    titles = {s.key: s.title for s in SECTIONS}
    responses = [
        {**response, "section_title": titles.get(response.get("section"), "General")}
        for response in revision.feedback_responses
        if not lay_only or response.get("section") in LAY_SECTION_KEYS
    ]
    names = _category_names()
    stakeholders = [
        {**row, "category_name": names.get(row.get("category"), row.get("category"))}
        for row in revision.stakeholders
    ]
    return render(
        request,
        "accreditation/revision_detail.html",
        {
            "application": application,
            "revision": revision,
            "sections": sections,
            "stakeholders_title": get_section("stakeholders").title,
            "stakeholders": stakeholders,
            "feedback_responses": responses,
            "lay_only": lay_only,
            "has_previous": revision.number > 1
            and application.revisions.filter(number__lt=revision.number).exists(),
        },
    )


@dataclass
class FieldChange:
    label: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # ("added" | "removed", text)


@dataclass
class SectionChange:
    section: Section
    changes: list[FieldChange] = field(default_factory=list)


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("+ "):
            lines.append(("added", line[2:]))
        elif line.startswith("- "):
            lines.append(("removed", line[2:]))
    return lines


def _stakeholder_key(row: dict, names: dict[str, str]) -> tuple:
    return (
        row.get("organisation") or row.get("stakeholder") or "",
        names.get(row.get("category", ""), row.get("category", "")),
        row.get("role", ""),
        row.get("outcome", ""),
        row.get("depth", ""),
    )


def _count_change(old: int, new: int) -> dict:
    delta = new - old
    return {"old": old, "new": new, "delta": f"{delta:+d}" if delta else "no change"}


def _compare(older: Revision, newer: Revision, *, lay_only: bool = False) -> dict:
    sections = []
    for section in SECTIONS:
        if section.form_class is None or (lay_only and section.key not in LAY_SECTION_KEYS):
            continue
        change = SectionChange(section)
        for (label, old), (_label, new) in zip(
            _revision_answers(older, section), _revision_answers(newer, section), strict=True
        ):
            if old != new:
                change.changes.append(FieldChange(label, _line_diff(old, new)))
        sections.append(change)
    names = _category_names()
    old_rows = Counter(_stakeholder_key(row, names) for row in older.stakeholders)
    new_rows = Counter(_stakeholder_key(row, names) for row in newer.stakeholders)
    return {
        "sections": sections,
        "rows_added": sorted((new_rows - old_rows).elements()),
        "rows_removed": sorted((old_rows - new_rows).elements()),
        "organisations": _count_change(older.organisation_count, newer.organisation_count),
        "categories": _count_change(older.category_count, newer.category_count),
    }


@login_required
def revision_compare(request: HttpRequest, pk: int) -> HttpResponse:
    application, assignment = application_get_for_user(user=request.user, pk=pk)
    revisions = {r.number: r for r in application.revisions.select_related("submitted_by", "coverage")}
    numbers = sorted(revisions)
    context: dict = {"application": application, "numbers": numbers, "form": None}
    if len(numbers) < 2:
        return render(request, "accreditation/revision_compare.html", context)
    data = request.GET if "a" in request.GET or "b" in request.GET else {"a": numbers[-2], "b": numbers[-1]}
    form = RevisionCompareForm(data, numbers=numbers)
    context["form"] = form
    if form.is_valid():
        older, newer = revisions[form.cleaned_data["a"]], revisions[form.cleaned_data["b"]]
        lay_only = _lay_only(request.user, application, assignment)
        context.update(
            {
                "older": older,
                "newer": newer,
                "comparison": _compare(older, newer, lay_only=lay_only),
                "lay_only": lay_only,
                "coverage": None if lay_only else coverage_change(revision=newer, previous=older),
            }
        )
    return render(request, "accreditation/revision_compare.html", context)


# --- Answers to feedback -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feedback_respond(request: HttpRequest, pk: int) -> HttpResponse:
    application, _assignment = application_get_for_user(user=request.user, pk=pk)
    if not permissions.application_roles(request.user, application) & TEAM_ROLES:
        raise PermissionDenied(
            "The answers to feedback are the team's working copy; the panel reads them with the next revision."
        )
    document = _latest_released_feedback(application)
    points = list(document.points.all()) if document else []
    can_edit = permissions.can_edit_application(request.user, application)
    form = FeedbackResponseForm(
        request.POST if request.method == "POST" else None,
        points=points,
        version=version_of(latest_changed(points)),
    )
    conflict = None
    if request.method == "POST":
        _require(can_edit)
        if document is None:
            raise Http404("No feedback has been released.")
        if form.is_valid():
            try:
                reviews_services.feedback_respond(
                    actor=request.user,
                    application_id=application.pk,
                    responses=form.responses(),
                    expected_version=form.started_from,
                )
            except StaleEdit as stale:
                theirs = FeedbackResponseForm(
                    points=list(document.points.all()), version=version_of(stale.current)
                )
                conflict = conflict_for(form, theirs=theirs, current=stale.current)
            else:
                messages.success(
                    request, "Your answers were saved. They are sent to the panel with your next submission."
                )
                return redirect("accreditation:feedback-respond", pk=application.pk)
    titles = {s.key: s.title for s in SECTIONS}
    items = [
        {
            "point": point,
            "number": number,
            "section_title": titles.get(point.section, "General"),
            "field": form[f"point_{point.pk}"],
        }
        for number, point in enumerate(points, start=1)
    ]
    return render(
        request,
        "accreditation/feedback_respond.html",
        {
            "application": application,
            "document": document,
            "items": items,
            "form": form,
            "can_edit": can_edit,
            "answered": sum(1 for point in points if point.response),
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )
