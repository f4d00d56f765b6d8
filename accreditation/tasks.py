"""Celery tasks of the accreditation app: thin, named, idempotent."""

from celery import shared_task

from accreditation.services.calibration import (
    all_calibrations_recompute,
    round_calibration_recompute,
    round_of,
)
from accreditation.services.conditions import condition_reminders_send
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


@shared_task(name="accreditation.send_condition_reminders")
def send_condition_reminders() -> dict[str, int]:
    """Remind each open condition's owner once, CONDITION_REMINDER_DAYS before it is due (beat runs it
    daily). Side effects are the service's: `reminded_at` on each condition, claimed before the
    e-mail is queued after commit, so a second run sends nothing more. Returns "done" and "failed"."""
    return condition_reminders_send().as_dict()


@shared_task(name="accreditation.recompute_round_calibration")
def recompute_round_calibration(
    round_id: int | None = None, application_id: int | None = None, assignment_id: int | None = None
) -> bool:
    """Store the reviewer calibration of one round (given directly, or as the round of an application
    or a review assignment), queued after a change to its reviews commits. Idempotent: unchanged review
    totals write nothing. Returns whether a round was found."""
    found = round_of(round_id=round_id, application_id=application_id, assignment_id=assignment_id)
    return found is not None and round_calibration_recompute(round_id=found) is not None


@shared_task(name="accreditation.recompute_all_calibrations")
def recompute_all_calibrations() -> dict[str, int]:
    """Every undecided round's reviewer calibration (beat runs it nightly; catches up on any request the
    broker refused). Returns "done" and "failed" round counts."""
    return all_calibrations_recompute()
