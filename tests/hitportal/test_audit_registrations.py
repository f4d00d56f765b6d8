"""Self-registered logins in the audit log (hitportal/audit/selectors.py, source "registration"): an
applicant's login shows as created when its owner activates it, like a login a programme manager
creates ("account")."""

from __future__ import annotations

import re

from django.urls import reverse

from hitportal.audit import selectors as audit
from teams.models import Person
from teams.services.accounts import account_register, account_verify

PASSWORD = "a-long-enough-passphrase"


def _entries(user, **filters) -> list[audit.AuditEntry]:
    return audit.audit_page_entries(audit.audit_entries(user=user, filters=audit.AuditFilter(**filters)))


def _register(capture, mailoutbox):
    with capture(execute=True):
        user = account_register(full_name="Ada Applicant", email="ada@example.org", password=PASSWORD)
    token = re.search(r"/accounts/signup/verify/[^/\s]+/([^/\s]+)/", mailoutbox[-1].body).group(1)
    return user, token


def test_an_activated_registration_reads_as_a_login_created_by_its_owner(
    programme_manager, django_capture_on_commit_callbacks, mailoutbox
):
    user, token = _register(django_capture_on_commit_callbacks, mailoutbox)
    assert _entries(programme_manager, kind="registration") == []  # not verified: no login yet

    account_verify(user=user, token=token, password=PASSWORD)

    [entry] = _entries(programme_manager, kind="registration")
    person = Person.objects.get(user=user)
    assert (entry.what, entry.who, entry.object_label, entry.object_url) == (
        "Login created (self-registration)",
        "Ada Applicant",
        "Ada Applicant",
        reverse("teams:person-detail", args=[person.pk]),
    )
    assert entry.kind_label == "Login created (self-registration)"
    everything = _entries(programme_manager)
    assert "registration" in [e.kind for e in everything]


def test_the_kind_filter_offers_self_registrations(
    client, programme_manager, django_capture_on_commit_callbacks, mailoutbox
):
    user, token = _register(django_capture_on_commit_callbacks, mailoutbox)
    account_verify(user=user, token=token, password=PASSWORD)
    client.force_login(programme_manager)

    response = client.get(reverse("audit:log"), {"kind": "registration"})

    html = response.content.decode()
    assert 'value="registration"' in html
    assert "Login created (self-registration)" in html
    assert [e.kind for e in response.context["entries"]] == ["registration"]
