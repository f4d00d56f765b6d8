"""Rounds and panels made or changed by a programme manager are recorded and listed in the audit log."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation.enums import RoundChangeKind
from accreditation.models import Round, RoundChange
from accreditation.services.panels import panel_create
from accreditation.services.rounds import round_save
from hitportal.audit import selectors as audit
from tests import factories as f


def _new_round() -> Round:
    return Round(
        name="Round 2027",
        opens_on=datetime.date(2027, 1, 4),
        eoi_deadline=datetime.date(2027, 2, 1),
        application_deadline=datetime.date(2027, 4, 1),
        reviewers_per_application=2,
        accreditation_term_years=3,
    )


def test_creating_a_round_records_its_dates_and_terms(programme_manager):
    round_ = round_save(actor=programme_manager, round=_new_round())

    change = RoundChange.objects.get(round=round_)
    assert (change.change, change.actor) == (RoundChangeKind.CREATED, programme_manager)
    assert change.detail == (
        "Name: Round 2027; Opens on: 4 Jan 2027; EOI deadline: 1 Feb 2027; Application deadline: 1 Apr 2027; "
        "Reviewers per application: 2; Accreditation term years: 3"
    )


def test_changing_a_round_records_each_field_before_and_after_and_nothing_when_unchanged(programme_manager):
    round_ = round_save(actor=programme_manager, round=_new_round())
    round_.application_deadline = datetime.date(2027, 4, 15)
    round_.guidance = "Read the criteria first."
    round_save(actor=programme_manager, round=round_)
    round_save(actor=programme_manager, round=Round.objects.get(pk=round_.pk))  # nothing changed

    changes = list(RoundChange.objects.filter(round=round_).order_by("pk"))
    assert [c.change for c in changes] == [RoundChangeKind.CREATED, RoundChangeKind.CHANGED]
    assert changes[1].detail == "Application deadline: 1 Apr 2027 → 15 Apr 2027; Guidance changed"


def test_a_refused_round_records_nothing(panel_chair):
    with pytest.raises(PermissionDenied):
        round_save(actor=panel_chair, round=_new_round())
    assert not RoundChange.objects.exists()


def test_round_and_panel_changes_are_in_the_audit_log(programme_manager):
    round_ = round_save(actor=programme_manager, round=_new_round())
    panel = panel_create(actor=programme_manager, round_id=round_.pk, name="Panel 2027")

    entries = audit.audit_page_entries(
        audit.audit_entries(user=programme_manager, filters=audit.AuditFilter(kind="round"))
    )

    assert [(e.what, e.object_label, e.who) for e in entries] == [
        ("Panel created", "Round 2027", programme_manager.full_name),
        ("Round created", "Round 2027", programme_manager.full_name),
    ]
    assert entries[0].detail == panel.name
    assert entries[0].object_url == reverse("accreditation:round-detail", args=[round_.pk])


@pytest.fixture
def panel_chair(db):
    return f.UserFactory()
