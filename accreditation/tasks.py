"""Celery tasks of the accreditation app: thin, named, idempotent."""

from celery import shared_task

from accreditation.services.renewals import renewal_reminders_send


@shared_task(name="accreditation.send_renewal_reminders")
def send_renewal_reminders() -> dict[str, int]:
    """Remind HITs 6 months and 1 month before their accreditation ends (beat runs it daily).

    Side effects are the service's: a reminder timestamp on each accreditation and one email per
    recipient after commit. Each reminder is claimed by its timestamp first, so running twice,
    or on two workers at once, sends nothing more. An accreditation that fails is logged with its id
    and skipped; the others carry on. Returns how many reminders were sent ("done") and how many
    accreditations were skipped ("failed").
    """
    return renewal_reminders_send().as_dict()
