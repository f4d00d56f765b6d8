"""Edge cases of the accreditation services: sponsor changes, late confirmations, reminders inside
the last month, renewal into a closed round."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accreditation.models import Application
from accreditation.services.drafting import section_data, section_save, sponsor_confirm, sponsor_token
from accreditation.services.renewals import renewal_reminders_send, renewal_start
from core.workflow import InvalidTransition
from tests import factories as f
from tests.factories.accreditation_applications import ApplicationFactory, complete_application
from tests.factories.accreditation_panel import AccreditationFactory


def test_changing_sponsor_and_back_needs_a_fresh_confirmation(director, hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    first, second = application.executive_sponsor, f.PersonFactory()
    governance = section_data(application, "governance", application.sections.get(key="governance").data)

    section_save(
        actor=director,
        application_id=application.pk,
        key="governance",
        data={**governance, "executive_sponsor": second.pk},
    )
    section_save(
        actor=director,
        application_id=application.pk,
        key="governance",
        data={**governance, "executive_sponsor": first.pk},
    )

    application.refresh_from_db()
    assert application.executive_sponsor == first
    assert application.sponsor_confirmed is False
    assert application.sponsor_confirmed_at is None


def test_sponsor_cannot_confirm_a_withdrawn_application(hit, panel):
    application = complete_application(ApplicationFactory(hit=hit, round=panel.round))
    Application.objects.filter(pk=application.pk).update(
        status="withdrawn", sponsor_confirmed_at=None, sponsor_confirmed_for=None
    )
    token = sponsor_token(application)

    with pytest.raises(InvalidTransition, match="withdrawn; it needs no confirmation"):
        sponsor_confirm(token=token)

    application.refresh_from_db()
    assert application.sponsor_confirmed_at is None


def test_accreditation_ending_within_a_month_gets_only_the_one_month_reminder(
    programme_manager, django_capture_on_commit_callbacks
):
    today = datetime.date(2026, 6, 1)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC), tick=False):
        accreditation = AccreditationFactory(
            valid_from=datetime.date(2023, 6, 20), valid_until=datetime.date(2026, 6, 20)
        )
        with django_capture_on_commit_callbacks(execute=True):
            sent = renewal_reminders_send(today=today).done
            again = renewal_reminders_send(today=today).done

    accreditation.refresh_from_db()
    assert (sent, again) == (1, 0)
    assert accreditation.reminded_6_months_at is not None
    assert accreditation.reminded_1_month_at is not None
    assert [m.to for m in mail.outbox] == [[programme_manager.email]]


def test_renewal_into_a_closed_round_is_refused(programme_manager):
    accreditation = AccreditationFactory()
    closed_round = f.RoundFactory(closed=True)

    with pytest.raises(ValidationError) as exc:
        renewal_start(actor=programme_manager, accreditation_id=accreditation.pk, round_id=closed_round.pk)

    assert exc.value.message_dict == {"round": ["Choose a round that is open for applications."]}
    assert Application.objects.filter(kind="renewal").count() == 0
    assert timezone.localdate() > closed_round.application_deadline
