"""Batch jobs that survive one bad row.

A nightly or daily job that loops over every HIT, report or accreditation must not let one row it
cannot process (a date that breaks the arithmetic, a file that cannot be removed) stop all the
others: a due date of 9999-12-31 once stopped the reminders of every HIT. So each row is done in
its own transaction; a row that raises is logged with its id (never its content: rows hold
personal data) and skipped, and the job reports how many rows failed.

A database that is unavailable is not a bad row: no other row would succeed either, so that error
is raised at once and the task's retry takes over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import InterfaceError, OperationalError, transaction

# Errors that say the database is unreachable rather than that one row is bad.
UNAVAILABLE = (OperationalError, InterfaceError)

Row = TypeVar("Row")


@dataclass
class BatchOutcome:
    """What a batch job did: `done` counts what it did (reminders sent, rows written), `failed`
    lists the ids of the rows it skipped."""

    done: int = 0
    failed: list[int] = field(default_factory=list)

    def add(self, other: BatchOutcome) -> BatchOutcome:
        return BatchOutcome(done=self.done + other.done, failed=[*self.failed, *other.failed])

    def as_dict(self) -> dict[str, int]:
        """The task's result: plain counts, serialisable by any Celery result backend."""
        return {"done": self.done, "failed": len(self.failed)}


def each_row(
    rows: Iterable[Row],
    work: Callable[[Row], int],
    *,
    row_id: Callable[[Row], int],
    what: str,
    logger: logging.Logger,
) -> BatchOutcome:
    """Run `work` on each row in its own transaction (a savepoint when called inside one), adding
    up what it returns. A row that raises is rolled back, logged with `what` and its id, and
    skipped; the rows after it carry on."""
    outcome = BatchOutcome()
    for row in rows:
        try:
            with transaction.atomic():
                outcome.done += work(row)
        except UNAVAILABLE:
            raise
        except Exception:
            key = row_id(row)
            logger.exception("%s %s failed and was skipped; the other rows carry on.", what, key)
            outcome.failed.append(key)
    return outcome


def at_once_or_each(
    everything: Callable[[], int],
    *,
    ids: Callable[[], Iterable[int]],
    one: Callable[[int], int],
    what: str,
    logger: logging.Logger,
) -> BatchOutcome:
    """Run a set-based computation over every row at once; if it fails, fall back to running it
    row by row (`one(id)` for each of `ids()`), so one bad row costs only itself. The fallback
    costs a few queries per row instead of a few in all, and happens only on the night it is needed."""
    try:
        with transaction.atomic():
            return BatchOutcome(done=everything())
    except UNAVAILABLE:
        raise
    except Exception:
        logger.warning(
            "%s: the run over every row at once failed; running them one by one.", what, exc_info=True
        )
    return each_row(list(ids()), one, row_id=lambda pk: pk, what=what, logger=logger)
