"""The stored early-warning flags (docs/domain.md section 5.1a): computed by the worker, read by pages.

`hit_flags_recompute` runs reporting.selectors.flags.flags_for_hits and stores each HIT's result in
its HITFlagState row (with the PPI caseload's "no involvement logged for 90 days" flag and the last
activity it is based on, for the PPI facilitators' home page) with the day it was measured against (`as_of`) and when (`computed_at`). It
runs for one HIT when something its flags read changes (`flags_recompute_request`, called by the
receivers in reporting.receivers after the change commits) and for every HIT nightly (beat:
reporting.recompute_all_flags), which also catches the flags that change with the date alone
(funding pending for three months, a conflict open for 60 days, sponsor silence, turnover leaving
its six-month window) and any change made in bulk without model signals.

Pages never call flags_for_hits: they read the rows (reporting.selectors.flags.stored_flags_*).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core import versions
from core.tasks import Dispatch, enqueue_after_commit
from engagement.models import InvolvementActivity
from engagement.selectors.ppi import flag_cutoff
from reporting.models import HITFlagState
from reporting.selectors.flags import flags_for_hits
from teams.enums import HITStatus
from teams.models import HIT

#: HITs computed per batch of the nightly run: flags_for_hits runs a fixed number of queries per call.
BATCH_SIZE = 250


def hit_flags_recompute(*, hit_ids: Iterable[int] | None = None, today: datetime.date | None = None) -> int:
    """Compute and store the flags of `hit_ids` (every HIT when None). Idempotent.

    Side effects, per batch of BATCH_SIZE HITs in its own transaction: one HITFlagState per HIT
    inserted or updated (flags, flag_count, as_of, computed_at). HITs that no longer exist are
    skipped. Not audited: like the stored scores it is derived data, recomputed from the audited
    inputs. Returns how many HITs were stored.
    """
    today = today or timezone.localdate()
    existing = HIT.objects.order_by("pk")
    if hit_ids is not None:
        existing = existing.filter(pk__in=list(hit_ids))
    ids = list(existing.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        _store(ids[start : start + BATCH_SIZE], today=today)
    return len(ids)


@transaction.atomic
def _store(ids: list[int], *, today: datetime.date) -> None:
    now = timezone.now()
    found = flags_for_hits(ids, today=today)
    last_activity = dict(
        InvolvementActivity.objects.filter(hit_id__in=ids)
        .order_by()
        .values("hit_id")
        .annotate(last=Max("happened_on"))
        .values_list("hit_id", "last")
    )
    closed = set(HIT.objects.filter(pk__in=ids, status=HITStatus.CLOSED).values_list("pk", flat=True))
    cutoff = flag_cutoff(today)

    def quiet(hit_id: int) -> bool:
        last = last_activity.get(hit_id)
        return hit_id not in closed and (last is None or last <= cutoff)

    HITFlagState.objects.bulk_create(
        [
            HITFlagState(
                hit_id=hit_id,
                flags=[{"code": flag.code, "detail": flag.detail} for flag in flags],
                flag_count=len(flags),
                ppi_last_activity_on=last_activity.get(hit_id),
                ppi_quiet=quiet(hit_id),
                as_of=today,
                computed_at=now,
            )
            for hit_id, flags in found.items()
        ],
        update_conflicts=True,
        unique_fields=["hit"],
        update_fields=["flags", "flag_count", "ppi_last_activity_on", "ppi_quiet", "as_of", "computed_at"],
    )
    # An upsert sends no signal: the pages cached by the version of what they show (the HIT page, the home page) read the flags.
    versions.bump(HITFlagState)


# --- Asking for a recompute after a change ---------------------------------------------------------


class _Pending(threading.local):
    """The task queued for the current transaction and still unsent, so a burst of saves in one
    transaction queues one task: later changes add their ids to its call. `marker` is the
    connection's list of commit callbacks when it was queued: Django replaces that list on commit and
    on rollback, so a different list, or a dispatch already sent, means the next change queues anew."""

    def __init__(self) -> None:
        self.dispatch: Dispatch | None = None
        self.marker: object = None
        self.seen: set[tuple[str, int]] = set()  # the ids already in the dispatch's call


_pending = _Pending()


def flags_recompute_request(*, hit_id: int | None = None, report_id: int | None = None) -> None:
    """Ask the worker to recompute one HIT's flags once the current transaction commits (at once
    outside a transaction; never after a rollback). Changes within one transaction are gathered
    into one task. A task the broker refuses is logged, not raised; the nightly run catches up.
    Side effects: on commit, one reporting.recompute_hit_flags task (with a short countdown)."""
    from reporting import tasks  # reporting.tasks imports this module

    if hit_id is None and report_id is None:
        return
    conn = transaction.get_connection()
    if not conn.in_atomic_block:  # autocommit: the change is committed already
        enqueue_after_commit(
            tasks.recompute_hit_flags,
            {"hit_ids": [hit_id] if hit_id else [], "report_ids": [report_id] if report_id else []},
            countdown=settings.FLAGS_DEBOUNCE_SECONDS or None,
        )
        return
    pending = _pending.dispatch
    if pending is None or pending.sent is not None or _pending.marker is not conn.run_on_commit:
        # The call is filled in below and by later changes until the transaction commits.
        pending = enqueue_after_commit(
            tasks.recompute_hit_flags,
            {"hit_ids": [], "report_ids": []},
            countdown=settings.FLAGS_DEBOUNCE_SECONDS or None,
        )
        _pending.dispatch, _pending.marker, _pending.seen = pending, conn.run_on_commit, set()
    call, seen = pending.calls[0], _pending.seen
    for key, value in (("hit_ids", hit_id), ("report_ids", report_id)):
        if value is not None and (key, value) not in seen:
            seen.add((key, value))
            call[key].append(value)
