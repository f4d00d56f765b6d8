"""Progress report pages: the list (programme managers see every due and overdue report; members
their HITs' reports), starting the next report, its sections, its page with the workflow actions,
and moving its due date.

Every view starts with an access selector: a report (or HIT) the user may not see is a 404; an
action the user may see but not take is a 403 with the permission's reason. Writes go through
reporting.services; every successful POST redirects.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.concurrency import StaleEdit, VersionForm, conflict_for, version_of
from core.forms import apply_service_errors
from core.idempotency import AlreadySubmitted, once
from core.permissions import require as _require
from core.versions import cached_render
from core.workflow import InvalidTransition, Transition
from reporting import permissions, workflow
from reporting.filters import ReportFilter
from reporting.forms.reports import (
    CapacityForm,
    DueDateForm,
    IndicatorsForm,
    MilestoneForm,
    OutcomeForm,
    QuickWinForm,
    ReportCreateForm,
    RiskForm,
    SnapshotsForm,
    TransitionForm,
    formset_problems,
    row_formset,
)
from reporting.models import Outcome, ProgressReport, QuickWin, ReportRisk
from reporting.selectors.home import open_report
from reporting.selectors.reports import (
    REPORT_LIST_SOURCES,
    concept_blocks,
    hit_for_reports,
    hits_for_report_filter,
    maturity_snapshot,
    milestone_summary,
    next_report_defaults,
    ppi_standards_snapshot,
    readiness_snapshot,
    report_events,
    report_get_for_user,
    report_list_for_user,
    report_milestones,
    schedule_of,
)
from reporting.services import reports as services
from teams import permissions as team_permissions
from teams.roles import AnyUser, viewer_scope

PAGE_SIZE = 50


# --- The list ----------------------------------------------------------------------------------------


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The filter form and the table are rendered once per version of what they show (core.versions)."""
    _require(permissions.can_list_reports(request.user))

    def body(extra: dict[str, Any]) -> str:
        today = timezone.localdate()
        data = request.GET.copy()
        if not data:
            data["status"] = "open"  # the programme's work list: everything not yet accepted
        report_filter = ReportFilter(
            data,
            queryset=report_list_for_user(user=request.user, today=today),
            hits=hits_for_report_filter(user=request.user),
            request=request,
        )
        page = Paginator(report_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        for report in page.object_list:
            # Every reader sees a report's status and dates; a board member opens it once accepted.
            report.can_read = bool(permissions.can_read_report(request.user, report))
        context = {"filter": report_filter, "page": page, "today": today, **extra}
        return render_to_string("reporting/_report_list_body.html", context, request=request)

    html = cached_render(
        request,
        name="reporting:report-list",
        scope=viewer_scope(request.user),
        sources=REPORT_LIST_SOURCES,
        params=[*ReportFilter.base_filters, "page"],
        render=body,
    )
    return render(request, "reporting/report_list.html", {"body": mark_safe(html)})  # noqa: S308


# --- Starting a report -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = hit_for_reports(user=request.user, pk=hit_pk)
    _require(permissions.can_start_report(request.user, hit))
    current = open_report(hit=hit)
    defaults = next_report_defaults(hit=hit)
    form = ReportCreateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "due_on": defaults.due_on,
            "period_start": defaults.period_start,
            "period_end": defaults.period_end,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once(form, user=request.user) as claim:
                report = services.report_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    due_on=data["due_on"],
                )
                claim.done(reverse("reporting:report-edit", args=[report.pk]))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or reverse("reporting:report-list"))
        else:
            messages.success(request, "The report was started. Fill in each section, then submit it.")
            return redirect("reporting:report-edit", pk=report.pk)
    return render(
        request,
        "reporting/report_create.html",
        {
            "hit": hit,
            "form": form,
            "current": current,
            "schedule": schedule_of(hit),
            "can_open_hit": bool(team_permissions.can_view_hit(request.user, hit)),
        },
    )


# --- One report --------------------------------------------------------------------------------------


def _available_actions(user: AnyUser, report: ProgressReport) -> list[Transition]:
    return workflow.REPORT_WORKFLOW.actions(report.status, permissions.report_roles(user, report.hit_id))


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    return render(request, "reporting/report_detail.html", _detail_context(request, report))


def _detail_context(request: HttpRequest, report: ProgressReport, **extra: object) -> dict:
    """The report's page; `extra` replaces parts of it (a refused due-date form as typed)."""
    today = timezone.localdate()
    milestones = list(report_milestones(report))
    return {
        **_report_context(request, report),
        "blocks": concept_blocks(report),
        "milestones": milestones,
        "milestone_counts": milestone_summary(milestones),
        "quick_wins": list(report.quick_wins.all()),
        "outcomes": list(report.outcomes.select_related("domain")),
        "risks": list(report.risks.all()),
        "events": list(report_events(report)),
        "problems": services.submission_problems(report)
        if report.status in ("draft", "changes_requested")
        else [],
        "available_actions": _available_actions(request.user, report),
        "transition_form": TransitionForm(),
        "due_date_form": DueDateForm(initial={"due_on": report.due_on}, version=version_of(report)),
        "can_edit": bool(permissions.can_edit_report(request.user, report)),
        "can_move_due_date": bool(permissions.can_move_due_date(request.user, report)),
        "is_overdue": report.is_overdue_on(today),
        **extra,
    }


def _report_context(request: HttpRequest, report: ProgressReport) -> dict:
    return {
        "report": report,
        "hit": report.hit,
        "can_open_hit": bool(team_permissions.can_view_hit(request.user, report.hit)),
    }


SECTIONS = (
    ("indicators", "Four-concept indicators"),
    ("milestones", "Milestones"),
    ("quick-wins", "Quick wins"),
    ("outcomes", "Outcomes"),
    ("risks", "Risks and conflicts"),
    ("capacity", "Capacity and funding"),
    ("snapshots", "PPI standards and survey snapshots"),
)
_ROW_SECTIONS = {
    "quick-wins": ("quick_wins", QuickWinForm, QuickWin, ("title", "delivered_on", "description")),
    "outcomes": ("outcomes", OutcomeForm, Outcome, ("domain", "description", "intended")),
    "risks": (
        "risks",
        RiskForm,
        ReportRisk,
        ("kind", "description", "how_handled", "opened_on", "resolved_on"),
    ),
}


def _rows_from(formset) -> tuple[list[dict], list]:
    """The rows a formset changed (untouched rows, blank or not, are left as they are), with the form
    of each row."""
    rows, forms = [], []
    for form in formset.forms:
        if not form.has_changed():
            continue
        rows.append(form.row())
        forms.append(form)
    return rows, forms


def _apply_row_errors(formset, forms: list, exc: ValidationError) -> None:
    """Put a row service's errors ("<row>-<field>") next to the field of the row they belong to."""
    if not hasattr(exc, "error_dict"):
        formset._non_form_errors = formset.error_class(exc.messages)
        return
    for key, errors in exc.message_dict.items():
        index, _, field = key.partition("-")
        if index.isdigit() and int(index) < len(forms):
            form = forms[int(index)]
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            formset._non_form_errors = formset.error_class(errors)


def _section_forms(section: str, report: ProgressReport, data) -> tuple:
    """The form or row formset of one section of `report` as stored (bound to `data` when posted),
    the version form that goes with a formset, and the indicator blocks.

    Every form carries the report's version: a form section in its own hidden field, a formset
    section in a VersionForm beside the formset (core.concurrency).
    """
    version = version_of(report)
    form = formset = version_form = blocks = None
    if section == "indicators":
        blocks = concept_blocks(report)
        form = IndicatorsForm(data, blocks=blocks, version=version)
        for block in blocks:
            for row in block.rows:
                row.rating_field = form[f"rating_{row.criterion.code}"]
                row.evidence_field = form[f"evidence_{row.criterion.code}"]
                row.cells = [(row.rating_field, "col-md-4"), (row.evidence_field, "col-md-8")]
    elif section == "milestones":
        milestones = list(report_milestones(report))
        formset = row_formset(MilestoneForm)(
            data,
            initial=[
                {"id": m.pk, "title": m.title, "due_on": m.due_on, "met_on": m.met_on} for m in milestones
            ],
            prefix="milestones",
        )
        deletable = {m.pk for m in milestones if m.report_id == report.pk}
        for form_, milestone in zip(formset.forms, milestones, strict=False):
            if milestone.pk not in deletable:
                form_.fields["delete"].disabled = True
                form_.fields["delete"].help_text = "Recorded in an earlier report, so it stays on record."
    elif section in _ROW_SECTIONS:
        key, form_class, model, fields = _ROW_SECTIONS[section]
        existing = model.objects.filter(report=report).order_by("pk")
        initial = [{"id": obj.pk, **{name: getattr(obj, name) for name in fields}} for obj in existing]
        formset = row_formset(form_class)(data, initial=initial, prefix=key)
    elif section == "capacity":
        form = CapacityForm(
            data,
            initial={
                "funding_status": report.funding_status,
                "funding_notes": report.funding_notes,
                "capacity_notes": report.capacity_notes,
            },
            version=version,
        )
    else:  # snapshots
        form = SnapshotsForm(
            data,
            initial={
                "ppi_standards": report.ppi_standards_snapshot is not None,
                "readiness": report.readiness_snapshot is not None,
                "maturity": report.maturity_snapshot is not None,
            },
            version=version,
        )
    if formset is not None:
        version_form = VersionForm(data, version=version)
    return form, formset, version_form, blocks


def _save_section(
    request: HttpRequest, report: ProgressReport, section: str, form, formset, version_form
) -> bool:
    """Save the posted section through its service; False when a form or row shows an error."""
    if form is not None:
        if not form.is_valid():
            return False
        values = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        common = {"actor": request.user, "report_id": report.pk, "expected_version": form.started_from}
        if section == "indicators":
            services.report_ratings_save(**common, ratings=form.ratings())
        elif section == "capacity":
            services.report_capacity_save(**common, **values)
        else:
            services.report_snapshots_save(**common, **values)
        return True
    if not (version_form.is_valid() and formset.is_valid()):
        return False
    rows, forms = _rows_from(formset)
    common = {"actor": request.user, "report_id": report.pk, "expected_version": version_form.started_from}
    try:
        if section == "milestones":
            services.report_milestones_save(**common, rows=rows)
        else:
            services.report_rows_save(**common, section=_ROW_SECTIONS[section][0], rows=rows)
    except ValidationError as exc:
        _apply_row_errors(formset, forms, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_edit_report(request.user, report))
    section = request.GET.get("section") or SECTIONS[0][0]
    titles = dict(SECTIONS)
    if section not in titles:
        raise Http404("No such section.")
    data = request.POST if request.method == "POST" else None
    form, formset, version_form, blocks = _section_forms(section, report, data)
    conflict = None
    saved = False
    if data is not None:
        try:
            saved = _save_section(request, report, section, form, formset, version_form)
        except ValidationError as exc:
            if form is None:
                raise
            apply_service_errors(form, exc)
        except StaleEdit as stale:
            theirs_form, theirs_formset, theirs_version, _blocks = _section_forms(
                section, stale.current, None
            )
            conflict = conflict_for(
                form or version_form,
                theirs=theirs_form or theirs_version,
                current=stale.current,
                formsets=[(formset, theirs_formset, "Row")] if formset is not None else [],
            )
    if saved:
        messages.success(request, f"{titles[section]} saved.")
        return redirect(f"{reverse('reporting:report-edit', args=[report.pk])}?section={section}")
    problems = None
    if formset is not None:
        problems = formset_problems(formset, page_form=version_form) if formset.is_bound else []
    return render(
        request,
        "reporting/report_edit.html",
        {
            **_report_context(request, report),
            "sections": SECTIONS,
            "section": section,
            "section_title": titles[section],
            "form": form,
            "formset": formset,
            "version_form": version_form,
            "formset_problems": problems,
            "blocks": blocks,
            "latest": {
                "ppi_standards": ppi_standards_snapshot(report.hit),
                "readiness": readiness_snapshot(report.hit),
                "maturity": maturity_snapshot(report.hit),
            }
            if section == "snapshots"
            else None,
            "submission_problems": services.submission_problems(report),
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def report_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change could not be made: the form was incomplete.")
        return redirect("reporting:report-detail", pk=report.pk)
    data = form.cleaned_data
    if not permissions.report_roles(request.user, report.hit_id):
        raise PermissionDenied("Only the HIT's members and programme managers act on its reports.")
    try:
        services.report_transition(
            actor=request.user,
            report_id=report.pk,
            action=data["action"],
            comment=data["comment"],
            expected_status=data["expected_status"] or None,
        )
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        done = {
            "submit": "The report was submitted to the programme manager.",
            "accept": "The report was accepted.",
            "request_changes": "The report was sent back to the team with your comments.",
            "skip": "The report was marked as skipped.",
        }
        messages.success(request, done.get(data["action"], "Done."))
    return redirect("reporting:report-detail", pk=report.pk)


@login_required
@require_POST
def report_due_date(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_move_due_date(request.user, report))
    form = DueDateForm(request.POST, version=version_of(report))
    if form.is_valid():
        try:
            services.report_due_date_move(
                actor=request.user,
                report_id=report.pk,
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.started_from,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except StaleEdit as stale:
            # The report's page again, with this form as typed and both versions beside it.
            theirs = DueDateForm(initial={"due_on": stale.current.due_on}, version=version_of(stale.current))
            conflict = conflict_for(form, theirs=theirs, current=stale.current)
            fresh = report_get_for_user(user=request.user, pk=pk)
            return render(
                request,
                "reporting/report_detail.html",
                _detail_context(request, fresh, due_date_form=form, conflict=conflict),
                status=409,
            )
        else:
            messages.success(request, "The due date was moved; reminders not yet sent follow the new date.")
            return redirect("reporting:report-detail", pk=report.pk)
    for field_errors in form.errors.values():
        for error in field_errors:
            messages.error(request, f"The due date was not moved: {error}")
    return redirect("reporting:report-detail", pk=report.pk)
