"""Celery tasks of the reporting app: thin, named, idempotent."""

from celery import shared_task

from reporting.services import report_reminders_send
from reporting.tasks_exports import expire_exports, run_export  # noqa: F401  (the worker finds tasks only in tasks.py)


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
