"""Exports of the filtered lists (GitHub issue 6): the export buttons of the list pages post here;
small exports download at once, large ones are written by the worker while a progress page polls.

Who may export what is decided by reporting.services.exports, which starts from each list page's own
selector: an export the page would refuse is refused the same way (404 or 403 with the reason).
A job is its owner's alone: anyone else gets 404 for every page of it.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from core.idempotency import AlreadySubmitted, OnceOnlyFormMixin, once
from reporting.enums import ExportFormat, ExportKind, ExportStatus
from reporting.selectors.exports import export_job_get_for_user, export_jobs_for_user
from reporting.services import exports
from reporting.services.exports import (
    CONTENT_TYPES,
    build_source,
    download_response,
    export_job_create,
    export_retention,
    filters_from_request,
    job_file,
)


class ExportRequestForm(OnceOnlyFormMixin, forms.Form):
    kind = forms.ChoiceField(label="What to export", choices=ExportKind.choices)
    format = forms.ChoiceField(label="File format", choices=ExportFormat.choices)

    @property
    def form_key(self) -> uuid.UUID | None:
        """One key per button: the page's CSV and XLSX buttons share one form and so one key, and
        a CSV then an XLSX are two exports, while a second click on either is a repeat."""
        key = super().form_key
        return uuid.uuid5(key, self.cleaned_data["format"]) if key else None


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "reporting/export_problem.html", {"form": form}, status=400)
    kind, format = form.cleaned_data["kind"], form.cleaned_data["format"]
    filters = filters_from_request(kind=kind, data=request.POST)
    source = build_source(user=request.user, kind=kind, filters=filters)
    count = source.count()
    if count <= exports.SYNC_ROW_LIMIT:
        return download_response(source, format)
    try:
        with once(form, user=request.user) as claim:
            job = export_job_create(actor=request.user, kind=kind, format=format, filters=filters)
            claim.done(reverse("reporting:export-detail", args=[job.pk]))
    except AlreadySubmitted as repeat:
        messages.info(request, str(repeat))
        return redirect(repeat.url or reverse("reporting:export-list"))
    messages.info(
        request,
        f"{count:,} rows are being written to your file. This page shows the progress; "
        "you can leave it and come back from “Your exports”.",
    )
    return redirect("reporting:export-detail", pk=job.pk)


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reporting/export_list.html",
        {
            "jobs": list(export_jobs_for_user(user=request.user)),
            "retention_days": export_retention().days,
        },
    )


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "reporting/export_detail.html",
        {"job": job, "deleted_on": job.created_at + export_retention()},
    )


@login_required
@require_GET
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, which the detail page fetches every 2 seconds until it is done."""
    job = export_job_get_for_user(user=request.user, pk=pk)
    response = render(request, "reporting/export_progress.html", {"job": job})
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = export_job_get_for_user(user=request.user, pk=pk)
    if job.status != ExportStatus.DONE:
        raise Http404("This export is not ready.")
    path = job_file(job)
    if path is None:
        raise Http404("The file of this export is missing.")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.download_name or path.name,
        content_type=CONTENT_TYPES[ExportFormat(job.format)],
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
