import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.workflow import InvalidTransition, StaleState
from teams.enums import ClosureReason, HITStatus, ProgrammeRole
from teams.models import HITStatusChange, PortfolioSnapshot, RoleAssignment
from teams.services.directory import role_grant
from teams.services.hits import hit_transition
from teams.services.portfolio import portfolio_snapshot_take
from tests import factories as f


def test_hit_transition_records_who_when_from_to_why(programme_manager, hit):
    hit_transition(actor=programme_manager, hit_id=hit.pk, action="suspend", reason="Director on leave")

    hit.refresh_from_db()
    change = HITStatusChange.objects.get(hit=hit)
    assert hit.status == HITStatus.SUSPENDED
    assert (change.actor, change.action, change.from_status, change.to_status, change.comment) == (
        programme_manager,
        "suspend",
        HITStatus.ACTIVE,
        HITStatus.SUSPENDED,
        "Director on leave",
    )
    assert change.created_at is not None


def test_hit_transition_illegal_move_changes_nothing(programme_manager, hit):
    with pytest.raises(InvalidTransition, match="cannot be moved by 'accredit'"):
        hit_transition(actor=programme_manager, hit_id=hit.pk, action="accredit")

    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE
    assert HITStatusChange.objects.count() == 0


def test_hit_transition_needs_reason(programme_manager, hit):
    with pytest.raises(ValidationError) as exc:
        hit_transition(actor=programme_manager, hit_id=hit.pk, action="suspend", reason="   ")

    assert exc.value.message_dict == {"reason": ["Give a reason for this change."]}
    hit.refresh_from_db()
    assert hit.status == HITStatus.ACTIVE


def test_hit_transition_refuses_wrong_role(teammate, hit):
    with pytest.raises(PermissionDenied, match="Only a programme manager"):
        hit_transition(actor=teammate, hit_id=hit.pk, action="suspend", reason="x")

    assert HITStatusChange.objects.count() == 0


def test_hit_transition_stale_status_names_who_moved_it(programme_manager, hit):
    hit_transition(actor=programme_manager, hit_id=hit.pk, action="suspend", reason="Paused")

    with pytest.raises(StaleState, match=f"already moved to suspended by {programme_manager}"):
        hit_transition(
            actor=programme_manager,
            hit_id=hit.pk,
            action="suspend",
            reason="Again",
            expected_status=HITStatus.ACTIVE,
        )
    assert HITStatusChange.objects.count() == 1


def test_begin_closure_requires_closure_reason(programme_manager, hit):
    with pytest.raises(ValidationError) as exc:
        hit_transition(actor=programme_manager, hit_id=hit.pk, action="begin_closure", reason="Done")

    assert exc.value.message_dict == {"closure_reason": ["Choose why the HIT is closing."]}


def test_begin_closure_merged_needs_target(programme_manager, hit):
    with pytest.raises(ValidationError) as exc:
        hit_transition(
            actor=programme_manager,
            hit_id=hit.pk,
            action="begin_closure",
            reason="Joining forces",
            closure_reason=ClosureReason.MERGED,
        )

    assert exc.value.message_dict == {"merged_into": ["Name the HIT this one merges into."]}


def test_begin_closure_merged_into_other_hit(programme_manager, hit, other_hit):
    hit_transition(
        actor=programme_manager,
        hit_id=hit.pk,
        action="begin_closure",
        reason="Joining forces",
        closure_reason=ClosureReason.MERGED,
        merged_into=other_hit,
    )

    hit.refresh_from_db()
    assert (hit.status, hit.closure_reason, hit.merged_into) == (
        HITStatus.CLOSING,
        ClosureReason.MERGED,
        other_hit,
    )


def test_role_grant_is_idempotent(programme_manager):
    user = f.UserFactory()

    role_grant(actor=programme_manager, user=user, role=ProgrammeRole.BOARD_MEMBER)
    role_grant(actor=programme_manager, user=user, role=ProgrammeRole.BOARD_MEMBER)

    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "granted_by")) == [
        ("board_member", programme_manager.pk)
    ]


def test_role_grant_refuses_unknown_role(programme_manager):
    with pytest.raises(ValidationError):
        role_grant(actor=programme_manager, user=f.UserFactory(), role="hit_director")


def test_portfolio_snapshot_counts_by_status_and_is_idempotent(db):
    f.HITFactory.create_batch(2, active=True)
    f.HITFactory(set_up=True)
    day = datetime.date(2026, 11, 1)

    first = portfolio_snapshot_take(day=day)
    second = portfolio_snapshot_take(day=day)

    assert first.pk == second.pk
    assert PortfolioSnapshot.objects.count() == 1
    second.refresh_from_db()
    assert second.hits_total == 3
    assert second.by_status == {
        "proposed": 0,
        "in_application": 0,
        "set_up": 1,
        "active": 2,
        "suspended": 0,
        "closing": 0,
        "closed": 0,
    }
    assert second.by_stage == {"contemplating": 3}
