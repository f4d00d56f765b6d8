"""Templated HTML + text email, sent by the worker after the transaction that caused it commits
(or by the web process itself when the task queue is down)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from core.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Render `templates/emails/<template>_subject.txt`, `.txt` and `.html`."""
    context = {"site_name": settings.HITPORTAL_SITE_NAME, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


def send_after_commit(*, template: str, recipients: Iterable[str], context: dict[str, Any]) -> None:
    """Queue one email per recipient once the surrounding transaction commits (never on rollback).

    If the task queue refuses them (Redis down), they are sent from this process instead, so an
    outage of the queue loses no email; see send_in_process.
    """
    addresses = sorted({address for address in recipients if address})
    if not addresses:
        return
    subject, text, html = render_email(template, context)
    from core.tasks_mail import send_email  # core.tasks_mail imports this module

    enqueue_after_commit(
        send_email,
        *({"to": address, "subject": subject, "text": text, "html": html} for address in addresses),
        on_refused=partial(send_in_process, template=template),
    )


def build_message(*, to: str, subject: str, text: str, html: str, **options: Any) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], **options
    )
    message.attach_alternative(html, "text/html")
    return message


def send_in_process(calls: list[dict[str, Any]], *, template: str) -> None:
    """Send emails the task queue refused, here and now, over one SMTP connection.

    The mail server is not Redis, so it usually still answers; EMAIL_TIMEOUT bounds the wait when
    it does not. This runs after the commit, so nothing is raised: the change that caused the email
    is saved. The log names the template and the number of emails, never an address.
    """
    logger.warning(
        "Sending %d email(s) from template %s in the web process: the task queue refused them.",
        len(calls),
        template,
    )
    sent = 0
    try:
        with get_connection() as connection:
            for call in calls:
                build_message(**call, connection=connection).send()
                sent += 1
    except Exception as exc:
        # The error's name only: SMTP errors quote the addresses they refused.
        logger.error(
            "%d email(s) from template %s were not sent: the task queue refused them and the mail "
            "server failed too (%s).",
            len(calls) - sent,
            template,
            type(exc).__name__,
        )


def absolute_url(path: str) -> str:
    """The portal's public address (BASE_URL) joined to a path, for links that leave the site."""
    return f"{settings.HITPORTAL_BASE_URL}{path}"
