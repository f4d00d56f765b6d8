"""Templated HTML + text email, sent by the worker after the transaction that caused it commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render `templates/emails/<template>_subject.txt`, `.txt` and `.html`."""
    context = {"site_name": settings.HITPORTAL_SITE_NAME, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


def send_after_commit(*, template: str, recipients: Iterable[str], context: dict) -> None:
    """Queue one email per recipient once the surrounding transaction commits (never on rollback)."""
    addresses = sorted({address for address in recipients if address})
    if not addresses:
        return
    subject, text, html = render_email(template, context)

    def enqueue() -> None:
        from hitportal.tasks import send_email

        for address in addresses:
            send_email.delay(to=address, subject=subject, text=text, html=html)

    transaction.on_commit(enqueue)


def absolute_url(path: str) -> str:
    """The portal's public address (BASE_URL) joined to a path, for links that leave the site."""
    return f"{settings.HITPORTAL_BASE_URL}{path}"
