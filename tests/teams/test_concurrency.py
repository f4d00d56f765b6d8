"""Two programme managers moving the same HIT at the same moment, on two database connections: one
move is made, and the other manager is told who made it. Needs PostgreSQL: SQLite ignores
select_for_update and locks the whole file.

Run with: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/pytest tests/teams/test_concurrency.py
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from core.workflow import InvalidTransition, StaleState
from teams.enums import ClosureReason, HITStatus
from teams.models import HIT, HITStatusChange
from teams.services import hits as services
from teams.signals import hit_transition_requested
from tests.factories import HITFactory, RoleAssignmentFactory

pytestmark = pytest.mark.integration

MOVES = {
    "suspend": {"reason": "Funding paused."},
    "begin_closure": {"reason": "Work complete.", "closure_reason": ClosureReason.AIMS_ACHIEVED},
}


def _other_backend_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """Whether another connection to this database is (or within `timeout` starts) waiting for a lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            (waiting,) = cursor.fetchone()
        if waiting:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(
    ("first_action", "second_action"),
    [("suspend", "suspend"), ("suspend", "begin_closure")],
    ids=["same-move", "different-moves"],
)
def test_two_managers_moving_a_hit_at_once_yield_one_move(
    transactional_db, request, first_action, second_action
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the outcome rests on select_for_update row locks")
    hit = HITFactory(status=HITStatus.ACTIVE)
    managers = [RoleAssignmentFactory(user__full_name=name).user for name in ("Ann Manager", "Ben Manager")]
    # Whoever takes the HIT's row lock first keeps it until the other's connection is seen waiting
    # for it, so the two transactions really overlap, whatever the threads' timing.
    overlapped: list[bool] = []

    def hold_the_lock_until_the_other_waits(sender, *, transition, **kwargs) -> list[str]:
        if transition.action in MOVES:
            overlapped.append(_other_backend_waits_for_a_lock())
        return []

    hit_transition_requested.connect(hold_the_lock_until_the_other_waits, sender=HIT)
    request.addfinalizer(
        lambda: hit_transition_requested.disconnect(hold_the_lock_until_the_other_waits, sender=HIT)
    )

    barrier = threading.Barrier(len(managers))
    outcomes: dict[str, object] = {}

    def move(manager, action: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.hit_transition(
                actor=manager,
                hit_id=hit.pk,
                action=action,
                expected_status=HITStatus.ACTIVE,  # what both managers' pages showed
                **MOVES[action],
            )
            outcomes[str(manager)] = "moved"
        except Exception as exc:  # the loser's exception is the result under test
            outcomes[str(manager)] = exc
        finally:
            connection.close()  # each thread has its own connection; leave none open for the flush

    threads = [
        threading.Thread(target=move, args=(manager, action))
        for manager, action in zip(managers, (first_action, second_action), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert overlapped == [True]
    winners = [name for name, outcome in outcomes.items() if outcome == "moved"]
    losers = [outcome for outcome in outcomes.values() if outcome != "moved"]
    assert len(winners) == 1
    assert len(losers) == 1
    (winner,) = winners
    (loser,) = losers
    change = HITStatusChange.objects.get(hit=hit)
    assert str(change.actor) == winner
    hit.refresh_from_db()
    assert hit.status == change.to_status
    assert isinstance(loser, StaleState)
    assert isinstance(loser, InvalidTransition)
    assert str(loser) == (
        f"This HIT was already moved to {hit.get_status_display().lower()} by {winner}"
        f" on {timezone.localtime(change.created_at):%d %b %Y at %H:%M}."
    )
