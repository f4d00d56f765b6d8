"""Conditions of an accreditation: evidence awaits a programme manager's acceptance, who accepts it or
sends it back; the owner is reminded once before the due date (accreditation.services.conditions)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import ConditionStatus
from accreditation.models import Condition, ConditionEvent
from accreditation.services.conditions import (
    condition_accept,
    condition_close,
    condition_reminders_send,
    condition_send_back,
)
from accreditation.tasks import send_condition_reminders
from core.workflow import InvalidTransition
from hitportal.audit.selectors import AuditFilter, audit_entries
from teams.models import Person
from tests.factories import HITFactory
from tests.factories.accreditation_panel import ConditionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(director):
    return ConditionFactory(owner=Person.objects.get(user=director))


def _emails(mailoutbox, prefix: str) -> list[tuple[list[str], str]]:
    return [(m.to, m.subject) for m in mailoutbox if m.subject.startswith(prefix)]


# --- Sending the evidence ---------------------------------------------------------------------------


def test_evidence_waits_for_acceptance_and_is_recorded(
    owned, director, programme_manager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        condition_close(actor=director, condition_id=owned.pk, evidence="Signed ToR")

    owned.refresh_from_db()
    assert (owned.status, owned.closed_at, owned.closed_by) == (
        ConditionStatus.AWAITING_ACCEPTANCE,
        None,
        None,
    )
    event = ConditionEvent.objects.get()
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        director,
        "submit_evidence",
        "open",
        "awaiting_acceptance",
    )
    hit = owned.decision.application.hit.name
    assert _emails(mailoutbox, "Evidence to accept") == [
        ([programme_manager.email], f"Evidence to accept: a condition of {hit}")
    ]


def test_evidence_cannot_be_sent_twice(owned, director):
    condition_close(actor=director, condition_id=owned.pk, evidence="Signed ToR")

    with pytest.raises(InvalidTransition) as caught:
        condition_close(actor=director, condition_id=owned.pk, evidence="Again")

    assert str(caught.value) == "'Evidence sent' is not possible while the condition is awaiting acceptance."


# --- Accepting ---------------------------------------------------------------------------------------


def test_accept_closes_it_records_who_and_emails_the_owner(
    director, programme_manager, django_capture_on_commit_callbacks, mailoutbox
):
    condition = ConditionFactory(owner=Person.objects.get(user=director), awaiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        condition_accept(actor=programme_manager, condition_id=condition.pk)

    condition.refresh_from_db()
    assert (condition.status, condition.closed_by) == (ConditionStatus.CLOSED, programme_manager)
    assert condition.closed_at is not None
    assert list(ConditionEvent.objects.values_list("actor", "action", "to_status")) == [
        (programme_manager.pk, "accept", "closed")
    ]
    hit = condition.decision.application.hit.name
    assert _emails(mailoutbox, "Condition of") == [([director.email], f"Condition of {hit} closed")]


def test_only_a_programme_manager_accepts(director):
    condition = ConditionFactory(owner=Person.objects.get(user=director), awaiting=True)

    with pytest.raises(PermissionDenied) as caught:
        condition_accept(actor=director, condition_id=condition.pk)

    assert str(caught.value) == "Only a programme manager accepts a condition's evidence or sends it back."
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.AWAITING_ACCEPTANCE


def test_an_open_condition_without_evidence_cannot_be_accepted(programme_manager):
    condition = ConditionFactory()

    with pytest.raises(InvalidTransition) as caught:
        condition_accept(actor=programme_manager, condition_id=condition.pk)

    assert str(caught.value) == "'Evidence accepted' is not possible while the condition is open."


# --- Sending back --------------------------------------------------------------------------------------


def test_send_back_reopens_it_with_the_reason_emailed_to_the_owner(
    director, programme_manager, django_capture_on_commit_callbacks, mailoutbox
):
    condition = ConditionFactory(owner=Person.objects.get(user=director), awaiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        condition_send_back(actor=programme_manager, condition_id=condition.pk, reason=" Not signed. ")

    condition.refresh_from_db()
    assert (condition.status, condition.closed_at) == (ConditionStatus.OPEN, None)
    assert condition.evidence == "Terms of reference signed on 1 March."
    assert list(ConditionEvent.objects.values_list("actor", "action", "comment")) == [
        (programme_manager.pk, "send_back", "Not signed.")
    ]
    [mail] = [m for m in mailoutbox if m.subject.startswith("Evidence sent back")]
    assert mail.to == [director.email]
    assert "The reason: Not signed." in mail.body


def test_send_back_needs_a_reason(programme_manager):
    condition = ConditionFactory(awaiting=True)

    with pytest.raises(ValidationError) as caught:
        condition_send_back(actor=programme_manager, condition_id=condition.pk, reason="  ")

    assert caught.value.message_dict == {"reason": ["Say what is missing from the evidence."]}
    assert ConditionEvent.objects.count() == 0


def test_audit_log_lists_condition_moves(director, programme_manager):
    condition = ConditionFactory(owner=Person.objects.get(user=director))
    condition_close(actor=director, condition_id=condition.pk, evidence="Signed")
    condition_accept(actor=programme_manager, condition_id=condition.pk)

    rows = list(audit_entries(user=programme_manager, filters=AuditFilter(kind="condition")))

    assert [(r["log_action"], r["log_actor_id"]) for r in rows] == [
        ("accept", programme_manager.pk),
        ("submit_evidence", director.pk),
    ]


# --- Reminders -----------------------------------------------------------------------------------------


def test_reminder_goes_once_inside_the_window(
    director, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.CONDITION_REMINDER_DAYS = 14
    today = timezone.localdate()
    owner = Person.objects.get(user=director)
    due_soon = ConditionFactory(owner=owner, due_on=today + datetime.timedelta(days=14))
    ConditionFactory(owner=owner, due_on=today + datetime.timedelta(days=15))  # not yet
    ConditionFactory(owner=owner, due_on=today + datetime.timedelta(days=3), awaiting=True)  # evidence sent
    ConditionFactory(owner=owner, due_on=today - datetime.timedelta(days=1))  # already overdue

    with django_capture_on_commit_callbacks(execute=True):
        first = send_condition_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        second = condition_reminders_send()

    assert (first, second.as_dict()) == ({"done": 1, "failed": 0}, {"done": 0, "failed": 0})
    assert Condition.objects.filter(reminded_at__isnull=False).get() == due_soon
    hit = due_soon.decision.application.hit.name
    assert _emails(mailoutbox, "Condition of") == [
        ([director.email], f"Condition of {hit} due on {due_soon.due_on.day} {due_soon.due_on:%B %Y}")
    ]
    assert "in 14 days" in mailoutbox[0].body


def test_reminder_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-condition-reminders"]

    assert entry["task"] == "accreditation.send_condition_reminders"


# --- Pages ------------------------------------------------------------------------------------------------


def test_review_page_accept(client, programme_manager, director):
    condition = ConditionFactory(owner=Person.objects.get(user=director), awaiting=True)
    client.force_login(programme_manager)

    response = client.post(
        reverse("accreditation:condition-review", args=[condition.pk]), {"action": "accept"}, follow=True
    )

    condition.refresh_from_db()
    assert condition.status == ConditionStatus.CLOSED
    assert [str(m) for m in response.context["messages"]] == [
        "The evidence was accepted and the condition is closed."
    ]


def test_review_page_send_back_without_reason_keeps_it_awaiting(client, programme_manager):
    condition = ConditionFactory(awaiting=True)
    client.force_login(programme_manager)

    response = client.post(
        reverse("accreditation:condition-review", args=[condition.pk]), {"action": "send_back", "reason": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.AWAITING_ACCEPTANCE


def test_review_page_send_back(client, programme_manager):
    condition = ConditionFactory(awaiting=True)
    client.force_login(programme_manager)

    client.post(
        reverse("accreditation:condition-review", args=[condition.pk]),
        {"action": "send_back", "reason": "Unsigned"},
    )

    condition.refresh_from_db()
    assert condition.status == ConditionStatus.OPEN


def test_close_page_shows_why_it_was_sent_back(client, director, programme_manager):
    condition = ConditionFactory(owner=Person.objects.get(user=director), awaiting=True)
    condition_send_back(actor=programme_manager, condition_id=condition.pk, reason="The minutes are missing.")
    client.force_login(director)

    response = client.get(reverse("accreditation:condition-close", args=[condition.pk]))

    assert "The minutes are missing." in response.content.decode()
    assert response.context["form"]["evidence"].value() == "Terms of reference signed on 1 March."


def test_list_shows_awaiting_acceptance_with_the_accept_link(client, programme_manager):
    condition = ConditionFactory(awaiting=True)
    client.force_login(programme_manager)

    response = client.get(reverse("accreditation:condition-list"))

    content = response.content.decode()
    assert [c.pk for c in response.context["open_conditions"]] == [condition.pk]
    assert "Awaiting acceptance</span>" in content
    assert reverse("accreditation:condition-review", args=[condition.pk]) in content


def test_home_shows_awaiting_acceptance_to_the_owner(client, director):
    ConditionFactory(owner=Person.objects.get(user=director), awaiting=True)
    client.force_login(director)

    response = client.get(reverse("home"))

    assert "Awaiting acceptance</span>" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 3])
def test_condition_list_query_count_with_awaiting_rows(
    client, programme_manager, django_assert_num_queries, rows
):
    for _ in range(rows):
        ConditionFactory(decision__application__hit=HITFactory(), awaiting=True)
    client.force_login(programme_manager)

    # session + user + 3 role lookups + the tables' versions (core.versions) + the counts + the page of
    # conditions with owner, closer, decision, application and HIT
    with django_assert_num_queries(8):
        response = client.get(reverse("accreditation:condition-list"))

    assert response.context["awaiting_count"] == rows
