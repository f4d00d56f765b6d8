"""The base app's periodic clean-up of create forms' one-time keys (core.idempotency).

Its own module, imported by CoreConfig.ready() so that the worker registers it (Celery's
autodiscovery looks for `tasks` modules only).
"""

from celery import shared_task

from core.services import form_submissions_expire


@shared_task(name="core.expire_form_submissions")
def expire_form_submissions() -> int:
    """Delete one-time form keys older than two days (beat runs it nightly at 03:45).

    Side effects are the service's: the old FormSubmission rows deleted. Idempotent: a second run
    finds nothing left to delete. Returns how many rows were deleted.
    """
    return form_submissions_expire(older_than_days=2)
