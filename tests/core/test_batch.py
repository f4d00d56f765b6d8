"""Batch jobs that survive one bad row (core.batch)."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError

from core.batch import BatchOutcome, at_once_or_each, each_row

logger = logging.getLogger("tests.batch")


def _double_unless_three(n: int) -> int:
    if n == 3:
        raise ValueError("three is bad")
    return 2


def test_each_row_skips_the_failing_row_logs_its_id_and_carries_on(db, caplog):
    outcome = each_row([1, 2, 3, 4], _double_unless_three, row_id=lambda n: n, what="Number", logger=logger)

    assert outcome == BatchOutcome(done=6, failed=[3])
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "Number 3 failed and was skipped; the other rows carry on.")
    ]
    assert caplog.records[0].exc_info[0] is ValueError


def test_each_row_stops_at_once_when_the_database_is_unavailable(db):
    def unavailable(n: int) -> int:
        raise OperationalError("connection refused")

    with pytest.raises(OperationalError):
        each_row([1, 2], unavailable, row_id=lambda n: n, what="Number", logger=logger)


def test_at_once_or_each_runs_once_when_everything_works(db, caplog):
    ran_one = []

    outcome = at_once_or_each(lambda: 4, ids=lambda: [1, 2], one=ran_one.append, what="Number", logger=logger)

    assert outcome == BatchOutcome(done=4, failed=[])
    assert ran_one == []
    assert caplog.records == []


def test_at_once_or_each_falls_back_to_one_row_at_a_time(db, caplog):
    def everything() -> int:
        raise ValueError("one of them is bad")

    outcome = at_once_or_each(
        everything, ids=lambda: [1, 2, 3, 4], one=_double_unless_three, what="Number", logger=logger
    )

    assert outcome == BatchOutcome(done=6, failed=[3])
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "Number: the run over every row at once failed; running them one by one."),
        ("ERROR", "Number 3 failed and was skipped; the other rows carry on."),
    ]


def test_batch_outcome_as_dict_counts_the_failures():
    assert BatchOutcome(done=5, failed=[7, 9]).as_dict() == {"done": 5, "failed": 2}
