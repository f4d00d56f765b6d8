"""Celery tasks of the reporting app: thin, named, idempotent."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reporting.models import ExportJob, ProgressReport
from reporting.services import exports, portfolio_statistics
from reporting.services import flags as flag_services
from reporting.services.reports import report_reminders_send


@shared_task(name="reporting.send_report_reminders")
def send_report_reminders() -> dict[str, int]:
    """Open scheduled reports and remind HIT directors of reports coming due or overdue (beat runs
    it daily at 06:30).

    Side effects are the service's: new draft reports for schedules whose reminders begin, a
    ReminderLog row per reminder offset and one email per recipient after commit. Each offset is
    claimed by its unique log row first, so running twice, or on two workers at once, sends nothing
    more. A schedule or report that fails is logged with its id and skipped; the others carry on.
    Returns how many reports were reminded ("done") and how many rows were skipped ("failed").
    """
    return report_reminders_send().as_dict()


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


@shared_task(name="reporting.recompute_hit_flags", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recompute_hit_flags(*, hit_ids: list[int] | None = None, report_ids: list[int] | None = None) -> int:
    """Recompute and store the early-warning flags of the HITs changed (and of the HITs of the
    reports changed), queued after the change commits (reporting.services.flags lists the side
    effects). HITs since deleted are skipped. Returns how many HITs were stored."""
    ids = set(hit_ids or [])
    if report_ids:
        ids.update(ProgressReport.objects.filter(pk__in=report_ids).values_list("hit_id", flat=True))
    return flag_services.hit_flags_recompute(hit_ids=sorted(ids)) if ids else 0


@shared_task(name="reporting.recompute_all_flags", autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recompute_all_flags() -> int:
    """Nightly (beat, 03:30): every HIT's early-warning flags, measured against today's date.
    Returns how many HITs were stored."""
    return flag_services.hit_flags_recompute()


@shared_task(
    name="reporting.recompute_portfolio_statistics",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def recompute_portfolio_statistics() -> int:
    """Nightly (beat, 03:40) and after each release of wave results: the board dashboard's funnel plot
    and monthly XmR charts (reporting.services.portfolio_statistics lists the side effects).
    Returns how many rows were written."""
    return portfolio_statistics.portfolio_statistics_recompute()
