"""One recovery code sent twice at the same moment, on two database connections: it signs in once. Needs
PostgreSQL: SQLite ignores select_for_update and locks the whole file.

Run with: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/pytest tests/hitportal/test_recovery_code_race.py
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from hitportal.security import services
from teams.enums import SecurityEventKind
from teams.models import SecurityEvent
from tests import factories as f

pytestmark = pytest.mark.integration


def _other_backend_waits_for_a_lock(timeout: float = 10.0) -> bool:
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


def test_one_recovery_code_sent_twice_at_once_is_accepted_once(transactional_db, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the outcome rests on select_for_update row locks")
    user = f.UserFactory()
    code = services.recovery_codes_create(user=user)[0]
    real_event = services._event
    overlapped: list[bool] = []

    def hold_the_lock_until_the_other_waits(*args, **kwargs) -> None:
        # The winner has spent the code and still holds the rows' locks: the other must be waiting.
        overlapped.append(_other_backend_waits_for_a_lock())
        real_event(*args, **kwargs)

    monkeypatch.setattr(services, "_event", hold_the_lock_until_the_other_waits)
    barrier = threading.Barrier(2)
    outcomes: list[bool] = []

    def use() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.second_factor_verify(user=user, code=code))
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert overlapped == [True]
    assert sorted(outcomes) == [False, True]
    assert services.recovery_codes_left(user) == services.RECOVERY_CODE_COUNT - 1
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.RECOVERY_CODE_USED).count() == 1
