"""Reads of export jobs, permission-aware."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from reporting.models import ExportJob
from teams.roles import AnyUser

# --- Export jobs: reads ------------------------------------------------------------------------------


def export_job_get_for_user(*, user: AnyUser, pk: int) -> ExportJob:
    """One of the user's own export jobs, or 404: nobody else learns that it exists."""
    job = ExportJob.objects.filter(pk=pk, requested_by_id=user.pk).first()
    if job is None:
        raise Http404("No such export.")
    return job


def export_jobs_for_user(*, user: AnyUser, limit: int = 50) -> QuerySet[ExportJob]:
    """The user's recent export jobs, newest first (one query)."""
    return ExportJob.objects.filter(requested_by_id=user.pk).order_by("-created_at", "-pk")[:limit]
