"""The export task: thin, named, idempotent (reporting.exports does the work)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reporting import exports
from reporting.models import ExportJob

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(name="reporting.expire_exports")
def expire_exports() -> dict[str, int]:
    """Nightly: exports older than EXPORT_RETENTION_DAYS deleted with their files (idempotent).
    A job whose file cannot be removed is logged and kept for the next run; the others carry on.
    Returns how many jobs were deleted ("done") and how many were skipped ("failed")."""
    return exports.export_jobs_expire().as_dict()


@shared_task(name="reporting.run_export", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def run_export(*, job_id: int) -> int:
    """Write one export job's file (reporting.exports.export_job_run lists the side effects:
    running, the file under MEDIA_ROOT/exports/ written in chunks with its progress, then done or
    failed). Returns quietly when the job is gone; running it again rewrites the same file.
    Returns the number of rows written."""
    if not ExportJob.objects.filter(pk=job_id).exists():
        return 0
    return exports.export_job_run(job_id=job_id)
