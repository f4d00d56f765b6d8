"""A person's GDPR export includes the history kept about them: the changes to their HIT memberships,
to their programme roles and to their panel seats (the rows where they are the subject)."""

from __future__ import annotations

import pytest

from accreditation.enums import PanelRole, PanelSeatChange
from hitportal.gdpr import services as services_gdpr
from teams.enums import MembershipRole, ProgrammeRole
from teams.models import Person
from teams.services.directory import role_grant, role_revoke
from teams.services.members import membership_change_record
from tests import factories as f
from tests.factories.accreditation import PanelFactory, PanelSeatEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann():
    user = f.UserFactory(full_name="Ann Subject", email="ann@example.org")
    return f.PersonFactory(user=user, full_name="Ann Subject", email="ann@example.org")


def _export(person) -> dict:
    return services_gdpr.person_data(person=Person.objects.select_related("user").get(pk=person.pk))


def test_the_export_lists_the_changes_to_their_hit_memberships(ann, hit, programme_manager):
    membership = f.MembershipFactory(hit=hit, person=ann, role=MembershipRole.CO_DIRECTOR)
    membership_change_record(
        actor=programme_manager, membership=membership, change="added", comment="Welcome."
    )
    membership_change_record(
        actor=programme_manager, membership=membership, change="role_changed", from_role=MembershipRole.MEMBER
    )
    membership_change_record(
        actor=None, membership=f.MembershipFactory(hit=hit), change="added"
    )  # someone else

    rows = _export(ann)["hit_membership_changes"]

    assert [(r["hit"], r["change"], r["role"], r["role_before"], r["comment"]) for r in rows] == [
        ("Dementia HIT", "Added", "Co-director", "", "Welcome."),
        ("Dementia HIT", "Role changed", "Co-director", "Member", ""),
    ]
    assert all(isinstance(r["when"], str) for r in rows)  # ISO dates, ready for JSON


def test_the_export_lists_the_grants_and_revocations_of_their_programme_roles(ann, programme_manager):
    role_grant(actor=programme_manager, user=ann.user, role=ProgrammeRole.BOARD_MEMBER, notify=False)
    role_revoke(actor=programme_manager, user=ann.user, role=ProgrammeRole.BOARD_MEMBER)
    role_grant(actor=programme_manager, user=f.UserFactory(), role=ProgrammeRole.BOARD_MEMBER, notify=False)

    rows = _export(ann)["programme_role_changes"]

    assert [(r["role"], r["change"]) for r in rows] == [
        ("Board member", "Granted"),
        ("Board member", "Revoked"),
    ]


def test_the_export_lists_their_panel_seat_events_held_or_taken_over(ann, programme_manager):
    panel = PanelFactory(name="Round 2026 panel")
    other = f.UserFactory(full_name="Otto Other")
    PanelSeatEventFactory(panel=panel, user=ann.user, role=PanelRole.REVIEWER, change=PanelSeatChange.ADDED)
    PanelSeatEventFactory(
        panel=panel,
        user=other,
        successor=ann.user,
        role=PanelRole.CHAIR,
        change=PanelSeatChange.REPLACED,
        comment="Otto left.",
    )
    PanelSeatEventFactory(panel=panel, user=other, role=PanelRole.REVIEWER, change=PanelSeatChange.REMOVED)

    rows = _export(ann)["panel_seat_events"]

    assert [(r["panel"], r["role"], r["change"], r["their_part"], r["comment"]) for r in rows] == [
        ("Round 2026 panel", "Reviewer", "Seated", "held the seat", ""),
        ("Round 2026 panel", "Chair", "Replaced", "took over the seat", "Otto left."),
    ]


def test_a_person_without_a_login_has_empty_login_histories():
    person = f.PersonFactory(full_name="No Login")

    data = _export(person)

    assert (data["programme_role_changes"], data["panel_seat_events"], data["hit_membership_changes"]) == (
        [],
        [],
        [],
    )
