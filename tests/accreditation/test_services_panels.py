"""The panel administration services (accreditation/services/panels.py): one test per rule and side
effect."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accreditation.enums import ConflictResolution, PanelRole, PanelSeatChange
from accreditation.models import Panel, PanelMember, PanelSeatEvent, ReviewAssignment, StakeholderPlanRow
from accreditation.services.panels import (
    NO_ACCOUNT,
    panel_create,
    panel_seat_add,
    panel_seat_remove,
    panel_seat_replace,
)
from accreditation.services.reviews import suggestion_accept
from core.workflow import InvalidTransition
from teams.roles import roles_of
from tests import factories as f
from tests.factories.accreditation_panel import (
    PanelApplicationFactory,
    PanelRevisionFactory,
    ReviewAssignmentFactory,
    submitted_review,
)


def _person(name: str, *, account: bool = True):
    user = f.UserFactory(full_name=name) if account else None
    return f.PersonFactory(
        user=user, full_name=name, email=user.email if user else f"{name.split()[0].lower()}@example.org"
    )


@pytest.fixture
def seat(panel):
    """A reviewer seated on the conftest panel."""
    return f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER, user__full_name="Rita Leaving")


@pytest.fixture
def newcomer():
    return _person("Nell Newcomer")


def _application(panel, name: str, **kwargs):
    application = PanelApplicationFactory(round=panel.round, hit__name=name, **kwargs)
    PanelRevisionFactory(application=application)
    return application


# --- Panels ------------------------------------------------------------------------------------------


def test_panel_create_makes_an_empty_panel_of_the_round(programme_manager):
    round = f.RoundFactory(name="Round 2027")

    panel = panel_create(actor=programme_manager, round_id=round.pk, name="  Round 2027 panel ")

    assert (panel.round, panel.name, panel.members.count()) == (round, "Round 2027 panel", 0)


def test_panel_create_refuses_a_name_taken_in_the_round(programme_manager, panel):
    with pytest.raises(ValidationError) as caught:
        panel_create(actor=programme_manager, round_id=panel.round_id, name=panel.name.upper())

    assert caught.value.message_dict == {
        "name": [f"{panel.round} already has a panel called {panel.name.upper()}: choose another name."]
    }
    assert Panel.objects.filter(round=panel.round).count() == 1


@pytest.mark.parametrize("who", ["chair", "board_member", "reviewer"])
def test_panel_create_is_for_programme_managers_only(request, panel, who):
    with pytest.raises(PermissionDenied, match="Only programme managers"):
        panel_create(actor=request.getfixturevalue(who), round_id=panel.round_id, name="Another")

    assert Panel.objects.count() == 1


# --- Seating -----------------------------------------------------------------------------------------


def test_panel_seat_add_seats_the_person_and_records_it(programme_manager, panel, newcomer):
    member = panel_seat_add(
        actor=programme_manager,
        panel_id=panel.pk,
        person=newcomer,
        role=PanelRole.LAY_REVIEWER,
        comment="PRG",
    )

    assert (member.user, member.role) == (newcomer.user, PanelRole.LAY_REVIEWER)
    event = PanelSeatEvent.objects.get()
    assert (
        event.panel,
        event.user,
        event.role,
        event.change,
        event.actor,
        event.comment,
        event.successor,
    ) == (
        panel,
        newcomer.user,
        PanelRole.LAY_REVIEWER,
        PanelSeatChange.ADDED,
        programme_manager,
        "PRG",
        None,
    )


def test_panel_seat_add_grants_the_panel_role(programme_manager, panel, newcomer):
    panel_seat_add(actor=programme_manager, panel_id=panel.pk, person=newcomer, role=PanelRole.CHAIR)

    assert panel.round_id in roles_of(newcomer.user).chair_round_ids


def test_panel_seat_add_refuses_a_person_without_an_account(programme_manager, panel):
    person = _person("Omar Offline", account=False)

    with pytest.raises(ValidationError) as caught:
        panel_seat_add(actor=programme_manager, panel_id=panel.pk, person=person, role=PanelRole.REVIEWER)

    assert caught.value.message_dict == {"person": [NO_ACCOUNT.format(person=person)]}
    assert "has no account on the portal yet" in caught.value.message_dict["person"][0]
    assert PanelMember.objects.count() == 0
    assert PanelSeatEvent.objects.count() == 0


def test_panel_seat_add_refuses_a_second_chair(programme_manager, panel, chair, newcomer):
    with pytest.raises(ValidationError) as caught:
        panel_seat_add(actor=programme_manager, panel_id=panel.pk, person=newcomer, role=PanelRole.CHAIR)

    assert caught.value.message_dict == {
        "role": [f"This panel already has a chair, {chair.full_name}: replace them instead."]
    }
    assert PanelMember.objects.filter(panel=panel, role=PanelRole.CHAIR).count() == 1


def test_panel_seat_add_refuses_a_duplicate_seat(programme_manager, panel, seat):
    person = f.PersonFactory(user=seat.user, full_name=seat.user.full_name, email=seat.user.email)

    with pytest.raises(ValidationError) as caught:
        panel_seat_add(actor=programme_manager, panel_id=panel.pk, person=person, role=PanelRole.LAY_REVIEWER)

    assert caught.value.message_dict == {"person": ["Rita Leaving already sits on this panel as reviewer."]}
    assert PanelMember.objects.filter(user=seat.user).count() == 1


def test_panel_seat_add_refuses_a_seat_on_a_second_panel_of_the_round(programme_manager, panel, seat):
    other = f.PanelFactory(round=panel.round, name="Second panel")
    person = f.PersonFactory(user=seat.user, full_name=seat.user.full_name, email=seat.user.email)

    with pytest.raises(ValidationError) as caught:
        panel_seat_add(actor=programme_manager, panel_id=other.pk, person=person, role=PanelRole.REVIEWER)

    assert caught.value.message_dict == {
        "person": [f"Rita Leaving already sits on the panel {panel.name} of this round as reviewer."]
    }


def test_panel_seat_add_is_for_programme_managers_only(chair, panel, newcomer):
    with pytest.raises(PermissionDenied):
        panel_seat_add(actor=chair, panel_id=panel.pk, person=newcomer, role=PanelRole.REVIEWER)

    assert PanelMember.objects.filter(user=newcomer.user).count() == 0


# --- Removing ----------------------------------------------------------------------------------------


def test_panel_seat_remove_ends_the_seat_and_keeps_a_record(programme_manager, panel, seat):
    panel_seat_remove(actor=programme_manager, member_id=seat.pk, reason="Moved abroad.")

    assert PanelMember.objects.filter(pk=seat.pk).exists() is False
    event = PanelSeatEvent.objects.get()
    assert (event.user, event.role, event.change, event.actor, event.comment) == (
        seat.user,
        PanelRole.REVIEWER,
        PanelSeatChange.REMOVED,
        programme_manager,
        "Moved abroad.",
    )


def test_panel_seat_remove_withdraws_owed_reviews_and_lists_them(programme_manager, panel, seat):
    owed = ReviewAssignmentFactory(application=_application(panel, "Pain HIT"), reviewer=seat.user)

    outcome = panel_seat_remove(actor=programme_manager, member_id=seat.pk)

    owed.refresh_from_db()
    assert (owed.resolution, owed.resolution_note, owed.resolved_by) == (
        ConflictResolution.RECUSED,
        "Left the panel (removed).",
        programme_manager,
    )
    assert (outcome.moved, outcome.left, outcome.kept) == ([], ["Pain HIT"], [])


def test_panel_seat_remove_keeps_a_submitted_review(programme_manager, panel, seat):
    done = ReviewAssignmentFactory(
        application=_application(panel, "Pain HIT"), reviewer=seat.user, declared_none=True
    )
    submitted_review(done)

    outcome = panel_seat_remove(actor=programme_manager, member_id=seat.pk)

    done.refresh_from_db()
    assert done.resolution == ConflictResolution.OPEN
    assert (outcome.left, outcome.kept) == ([], ["Pain HIT"])


def test_panel_seat_remove_leaves_decided_applications_alone(programme_manager, panel, seat):
    decided = ReviewAssignmentFactory(
        application=_application(panel, "Pain HIT", accredited=True), reviewer=seat.user
    )

    outcome = panel_seat_remove(actor=programme_manager, member_id=seat.pk)

    decided.refresh_from_db()
    assert decided.resolution == ConflictResolution.OPEN
    assert (outcome.moved, outcome.left, outcome.kept) == ([], [], [])


def test_panel_seat_remove_twice_says_someone_else_did_it(programme_manager, panel, seat):
    panel_seat_remove(actor=programme_manager, member_id=seat.pk)

    with pytest.raises(InvalidTransition, match="already changed by someone else"):
        panel_seat_remove(actor=programme_manager, member_id=seat.pk)

    assert PanelSeatEvent.objects.count() == 1


def test_withdrawn_review_no_longer_counts_so_suggestions_fill_the_gap(programme_manager, panel, seat):
    """An application left short by a removal gets a new reviewer from "accept the suggestions"."""
    application = _application(panel, "Pain HIT")
    ReviewAssignmentFactory(application=application, reviewer=seat.user)
    ReviewAssignmentFactory(
        application=application,
        reviewer=f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user,
    )
    spare = f.PanelMemberFactory(panel=panel, role=PanelRole.REVIEWER).user
    panel_seat_remove(actor=programme_manager, member_id=seat.pk)

    created = suggestion_accept(actor=programme_manager, application_id=application.pk)

    assert [a.reviewer for a in created] == [spare]


# --- Replacing ---------------------------------------------------------------------------------------


def test_panel_seat_replace_moves_owed_reviews_to_the_replacement(
    programme_manager, panel, seat, newcomer, django_capture_on_commit_callbacks, mailoutbox
):
    due = timezone.localdate() + datetime.timedelta(days=9)
    owed = ReviewAssignmentFactory(
        application=_application(panel, "Pain HIT"), reviewer=seat.user, due_on=due
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = panel_seat_replace(
            actor=programme_manager, member_id=seat.pk, person=newcomer, reason="Left"
        )

    owed.refresh_from_db()
    assert (owed.resolution, owed.resolution_note) == (
        ConflictResolution.RECUSED,
        "Left the panel (replaced by Nell Newcomer).",
    )
    moved = ReviewAssignment.objects.get(reviewer=newcomer.user)
    assert (moved.application, moved.due_on, moved.is_lay, moved.assigned_by) == (
        owed.application,
        due,
        False,
        programme_manager,
    )
    assert (outcome.moved, outcome.left) == (["Pain HIT"], [])
    assert [m.to for m in mailoutbox] == [[newcomer.user.email]]


def test_panel_seat_replace_hands_over_the_seat_and_records_both(programme_manager, panel, seat, newcomer):
    outcome = panel_seat_replace(actor=programme_manager, member_id=seat.pk, person=newcomer, reason="Left")

    assert list(
        PanelMember.objects.filter(panel=panel).exclude(role=PanelRole.CHAIR).values_list("user", "role")
    ) == [(newcomer.user.pk, PanelRole.REVIEWER)]
    assert outcome.member is not None and outcome.member.user == newcomer.user
    event = PanelSeatEvent.objects.get()
    assert (event.user, event.successor, event.change, event.role, event.comment) == (
        seat.user,
        newcomer.user,
        PanelSeatChange.REPLACED,
        PanelRole.REVIEWER,
        "Left",
    )


def test_panel_seat_replace_moves_an_unfilled_recusal(programme_manager, panel, seat, newcomer):
    recused = ReviewAssignmentFactory(
        application=_application(panel, "Pain HIT"), reviewer=seat.user, recused=True
    )

    outcome = panel_seat_replace(actor=programme_manager, member_id=seat.pk, person=newcomer)

    assert (
        ReviewAssignment.objects.filter(application=recused.application, reviewer=newcomer.user).count() == 1
    )
    assert outcome.moved == ["Pain HIT"]


def test_panel_seat_replace_skips_a_recusal_already_filled(programme_manager, panel, seat, newcomer):
    application = _application(panel, "Pain HIT")  # the round asks for 2 reviews
    ReviewAssignmentFactory(application=application, reviewer=seat.user, recused=True)
    ReviewAssignmentFactory.create_batch(2, application=application)

    outcome = panel_seat_replace(actor=programme_manager, member_id=seat.pk, person=newcomer)

    assert ReviewAssignment.objects.filter(reviewer=newcomer.user).count() == 0
    assert (outcome.moved, outcome.left) == ([], [])


def test_panel_seat_replace_leaves_an_application_the_replacement_already_reviews(
    programme_manager, panel, seat, newcomer
):
    application = _application(panel, "Pain HIT")
    ReviewAssignmentFactory(application=application, reviewer=seat.user)
    ReviewAssignmentFactory(application=application, reviewer=newcomer.user)

    outcome = panel_seat_replace(actor=programme_manager, member_id=seat.pk, person=newcomer)

    assert ReviewAssignment.objects.filter(application=application, reviewer=newcomer.user).count() == 1
    assert (outcome.moved, outcome.left) == ([], ["Pain HIT"])


def test_panel_seat_replace_checks_the_replacement_for_conflicts(programme_manager, panel, seat, newcomer):
    application = _application(panel, "Pain HIT")
    trust = f.OrganisationFactory(name="North Bristol Trust")
    StakeholderPlanRow.objects.create(
        application=application,
        organisation=trust,
        category=f.StakeholderCategoryFactory(code="PROV"),
        role="Chairs the management group",
        outcome="A single crisis pathway",
    )
    f.AffiliationFactory(person=newcomer, organisation=trust)
    ReviewAssignmentFactory(application=application, reviewer=seat.user)

    panel_seat_replace(actor=programme_manager, member_id=seat.pk, person=newcomer)

    assert ReviewAssignment.objects.get(reviewer=newcomer.user).flagged_organisations == "North Bristol Trust"


def test_panel_seat_replace_of_the_chair_keeps_one_chair(programme_manager, panel, chair, newcomer):
    member = PanelMember.objects.get(panel=panel, role=PanelRole.CHAIR)

    panel_seat_replace(actor=programme_manager, member_id=member.pk, person=newcomer)

    assert list(
        PanelMember.objects.filter(panel=panel, role=PanelRole.CHAIR).values_list("user", flat=True)
    ) == [newcomer.user.pk]
    assert panel.round_id not in roles_of(chair).chair_round_ids


def test_panel_seat_replace_refuses_a_person_without_an_account(programme_manager, panel, seat):
    person = _person("Omar Offline", account=False)
    ReviewAssignmentFactory(application=_application(panel, "Pain HIT"), reviewer=seat.user)

    with pytest.raises(ValidationError, match="has no account on the portal yet"):
        panel_seat_replace(actor=programme_manager, member_id=seat.pk, person=person)

    assert PanelMember.objects.filter(pk=seat.pk).exists() is True
    assert ReviewAssignment.objects.get().resolution == ConflictResolution.OPEN
    assert PanelSeatEvent.objects.count() == 0


def test_panel_seat_replace_refuses_someone_already_seated(programme_manager, panel, seat, lay_reviewer):
    person = f.PersonFactory(user=lay_reviewer, full_name=lay_reviewer.full_name, email=lay_reviewer.email)

    with pytest.raises(ValidationError) as caught:
        panel_seat_replace(actor=programme_manager, member_id=seat.pk, person=person)

    assert caught.value.message_dict == {
        "person": [
            f"{lay_reviewer.full_name} already sits on this panel as lay (public review group) reviewer."
        ]
    }
    assert PanelMember.objects.filter(pk=seat.pk).exists() is True


def test_panel_seat_replace_is_for_programme_managers_only(chair, seat, newcomer):
    with pytest.raises(PermissionDenied):
        panel_seat_replace(actor=chair, member_id=seat.pk, person=newcomer)

    assert PanelMember.objects.filter(pk=seat.pk).exists() is True
