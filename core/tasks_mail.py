"""The email task. Its registered name is the one it had before it moved here, so messages
queued before an upgrade are still delivered."""

from celery import shared_task

from core.mail import build_message


@shared_task(name="hitportal.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    """Send one HTML + text email. Retried on connection errors; the content is already rendered."""
    build_message(to=to, subject=subject, text=text, html=html).send()
