"""Templated HTML + text email, sent by the worker after the transaction that caused it commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string

from core.tasks import enqueue_after_commit


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

    from hitportal.tasks import send_email  # hitportal.tasks imports this module

    enqueue_after_commit(
        send_email,
        *({"to": address, "subject": subject, "text": text, "html": html} for address in addresses),
    )


def absolute_url(path: str) -> str:
    """The portal's public address (BASE_URL) joined to a path, for links that leave the site."""
    return f"{settings.HITPORTAL_BASE_URL}{path}"
