"""Emails after commit (core/mail.py): a task queue that refuses them does not lose them."""

from __future__ import annotations

import logging
import smtplib

import pytest

from core import mail
from tests.conftest import BROKER_DOWN


@pytest.fixture
def rendered(monkeypatch):
    monkeypatch.setattr(mail, "render_email", lambda template, context: ("Subject", "Text", "<p>Html</p>"))


def _send(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_after_commit(
            template="reporting/report_reminder", recipients=["b@example.org", "a@example.org"], context={}
        )


def test_send_after_commit_queues_one_task_per_recipient(
    broker, rendered, db, django_capture_on_commit_callbacks
):
    _send(django_capture_on_commit_callbacks)

    assert [(name, kwargs["to"]) for name, kwargs, _countdown in broker.published] == [
        ("hitportal.send_email", "a@example.org"),
        ("hitportal.send_email", "b@example.org"),
    ]


def test_send_after_commit_queue_refusing_sends_in_process_and_warns(
    broker, rendered, db, django_capture_on_commit_callbacks, mailoutbox, caplog
):
    broker.refuse = BROKER_DOWN

    with caplog.at_level(logging.WARNING):
        _send(django_capture_on_commit_callbacks)

    assert [(message.to, message.subject, message.body) for message in mailoutbox] == [
        (["a@example.org"], "Subject", "Text"),
        (["b@example.org"], "Subject", "Text"),
    ]
    assert mailoutbox[0].alternatives[0].content == "<p>Html</p>"
    assert [(record.name, record.levelname) for record in caplog.records] == [
        ("core.tasks", "ERROR"),
        ("core.mail", "WARNING"),
    ]
    assert caplog.records[1].getMessage() == (
        "Sending 2 email(s) from template reporting/report_reminder in the web process: "
        "the task queue refused them."
    )
    assert "example.org" not in caplog.text


def test_send_after_commit_mail_server_failing_too_logs_an_error_and_raises_nothing(
    monkeypatch, broker, rendered, db, django_capture_on_commit_callbacks, mailoutbox, caplog
):
    broker.refuse = BROKER_DOWN

    def refuse(message):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)

    with caplog.at_level(logging.WARNING):
        _send(django_capture_on_commit_callbacks)

    assert mailoutbox == []
    assert caplog.records[-1].levelname == "ERROR"
    assert caplog.records[-1].getMessage() == (
        "2 email(s) from template reporting/report_reminder were not sent: the task queue refused them "
        "and the mail server failed too (SMTPServerDisconnected)."
    )
    assert "example.org" not in caplog.text
